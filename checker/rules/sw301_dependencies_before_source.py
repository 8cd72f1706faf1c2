"""SW301 dependencies-before-source: install dependencies before copying the sources (pitfall 23)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from checker.analysis import Cmd, Context, ContextCopy
from checker.model import Instruction, Stage
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped, warned


@dataclass(frozen=True, slots=True)
class Ecosystem:
    key: str
    step: str  # what re-runs
    matches: Callable[[Cmd], bool]
    recipe: str
    programs: frozenset[str] = frozenset()


def _operands(c: Cmd, start: int = 1) -> list[str]:
    """The words after the subcommand that are not options: package names, paths."""
    return [w for w in c.args[start:] if not w.startswith("-")]


def _global(c: Cmd) -> bool:
    return any(w in ("-g", "--global") for w in c.args)


def _node_install(c: Cmd, subs: tuple[str, ...]) -> bool:
    """`npm ci`, `pnpm i`, `bun install`: an install from the manifests. `npm install -g x` or `npm i lodash`
    installs a named tool or package, not the project's dependencies."""
    return c.sub() in subs and not _global(c) and not _operands(c)


def _yarn_install(c: Cmd) -> bool:
    sub = c.sub()
    return (sub in ("", "install") or sub.startswith("-")) and not _global(c)


_REMOTE_PKG = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+/")


def _go_step(c: Cmd) -> bool:
    """A Go command that reads go.mod: `go mod download`, `go build ./...`. `go install x@v` or `go get
    github.com/...` fetch a named tool instead."""
    if c.program != "go" or c.sub() not in ("build", "install", "mod", "test", "generate", "vet", "get", "run"):
        return False
    if c.sub() in ("install", "get"):
        ops = _operands(c)
        if ops and all("@" in w or _REMOTE_PKG.match(w) for w in ops):
            return False
    return True


def _pip_step(c: Cmd) -> bool:
    """pip/uv/poetry/pipenv/tox installing the project's requirements (`-r`, `.`, `-e .`, a lock); `pip install
    poetry` or `pip install --upgrade pip` installs a tool."""
    p, sub, a = c.program, c.sub(), c.args
    if p in ("pip", "pip3") and sub == "install":
        return any(w in ("-r", "--requirement", "-e", "--editable", "-c") or w.startswith(("-r", "--requirement="))
                   for w in a) or any(w.startswith((".", "/")) or w.endswith(".whl") for w in _operands(c))
    if p == "uv":
        return sub == "sync" or (sub == "pip" and len(a) > 1 and a[1] in ("install", "sync")
                                 and (any(w.startswith(("-r", "--requirement")) or w.startswith(".") for w in a)
                                      or a[1] == "sync"))
    if p == "poetry":
        return sub in ("install", "sync")
    if p == "pipenv":
        return (sub == "install" and not _operands(c)) or sub == "sync"
    return p == "tox"


def _cargo_step(c: Cmd) -> bool:
    sub = c.sub()
    if sub == "chef":
        return len(c.args) > 1 and c.args[1] == "cook"
    if sub == "install":
        return "--path" in c.args  # `cargo install cargo-chef` installs a tool
    return sub in ("build", "fetch", "test")


ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem("npm", "npm's install", lambda c: c.program == "npm" and _node_install(c, ("ci", "install", "i")),
              "`COPY package.json package-lock.json ./`, `RUN npm ci`, then `COPY . .`"),
    Ecosystem("yarn", "yarn's install", lambda c: c.program == "yarn" and _yarn_install(c),
              "`COPY package.json yarn.lock ./`, `RUN yarn install --frozen-lockfile`, then `COPY . .`"),
    Ecosystem("pnpm", "pnpm's install",
              lambda c: c.program == "pnpm" and _node_install(c, ("install", "i", "fetch")),
              "`COPY package.json pnpm-lock.yaml ./`, `RUN pnpm install --frozen-lockfile`, then `COPY . .`"),
    Ecosystem("bun", "bun's install", lambda c: c.program == "bun" and _node_install(c, ("install", "i")),
              "`COPY package.json bun.lock ./`, `RUN bun install --frozen-lockfile`, then `COPY . .`"),
    Ecosystem("maven", "Maven's dependency download", lambda c: c.program in ("mvn", "mvnw"),
              "`COPY pom.xml ./` (plus `mvnw` and `.mvn/`), `RUN mvn -B dependency:go-offline`, then `COPY src ./src`"),
    Ecosystem("gradle", "Gradle's dependency download",
              lambda c: c.program in ("gradle", "gradlew") and c.sub() != "wrapper",
              "`COPY build.gradle settings.gradle gradlew ./` and `COPY gradle ./gradle`, "
              "`RUN ./gradlew dependencies --no-daemon`, then `COPY src ./src`"),
    Ecosystem("go", "the Go module download", _go_step,
              "`COPY go.mod go.sum ./`, `RUN go mod download`, then `COPY . .`"),
    Ecosystem("pip", "the Python dependency install", _pip_step,
              "`COPY requirements.txt ./` (or pyproject.toml + the lock file), "
              "`RUN pip install -r requirements.txt` (`poetry install --no-root`, `uv sync --no-install-project`), "
              "then `COPY . .`"),
    Ecosystem("cargo", "Cargo's dependency build", lambda c: c.program == "cargo" and _cargo_step(c),
              "`COPY Cargo.toml Cargo.lock ./`, build once with a dummy `src/main.rs` (or `cargo chef cook` from a "
              "recipe), then `COPY src ./src` and build again"),
    Ecosystem("dotnet", "dotnet restore",
              lambda c: c.program == "dotnet" and c.sub() in ("restore", "build", "publish"),
              "`COPY *.csproj ./`, `RUN dotnet restore`, then `COPY . .`"),
    Ecosystem("composer", "composer install",
              lambda c: c.program in ("composer", "composer.phar") and c.sub() in ("install", "update", "require"),
              "`COPY composer.json composer.lock ./`, `RUN composer install --no-dev --no-scripts --no-autoloader`, "
              "then `COPY . .` and `composer dump-autoload`"),
    Ecosystem("bundler", "bundle install",
              lambda c: c.program == "bundle" and (c.sub() in ("", "install") or c.sub().startswith("-")),
              "`COPY Gemfile Gemfile.lock ./`, `RUN bundle install`, then `COPY . .`"),
)  # fmt: skip
_PROGRAMS = {
    "npm": {"npm"}, "yarn": {"yarn"}, "pnpm": {"pnpm"}, "bun": {"bun"}, "maven": {"mvn", "mvnw"},
    "gradle": {"gradle", "gradlew"}, "go": {"go"}, "pip": {"pip", "pip3", "uv", "poetry", "pipenv", "tox"},
    "cargo": {"cargo"}, "dotnet": {"dotnet"}, "composer": {"composer", "composer.phar"}, "bundler": {"bundle"},
}  # fmt: skip
BY_PROGRAM: dict[str, list[Ecosystem]] = {}
for _eco in ECOSYSTEMS:
    for _prog in _PROGRAMS[_eco.key]:
        BY_PROGRAM.setdefault(_prog, []).append(_eco)
_BY_KEY = {e.key: e for e in ECOSYSTEMS}
# Build drivers that resolve a compiled language's modules themselves: `make`, `go run build.go`... count as that
# language's dependency step when the stage has its toolchain.
_DRIVERS = frozenset({"make", "gmake", "just", "task", "mage"})
_GO_PKGS = frozenset({"go", "golang", "golang-go"})
_RUST_PKGS = frozenset({"cargo", "rust", "rustc"})
# Cache mounts over the store a re-run reads: Go's module cache and Cargo's registry/target make the re-run cheap;
# a package manager's download cache alone does not save it from installing everything again.
_CACHE_EXCUSES = frozenset({"go", "cargo"})


def _toolchains(ctx: Context, stage: Stage) -> set[str]:
    """The compiled-language toolchains a stage has: from its base image, its installs or its ENV."""
    out: set[str] = set()
    for st in ctx.df.ancestors(stage):
        lang = ctx.image(st).language
        if lang in ("go", "rust"):
            out.add("go" if lang == "go" else "cargo")
        pkgs = ctx.facts(st).packages_installed
        if pkgs & _GO_PKGS:
            out.add("go")
        if pkgs & _RUST_PKGS:
            out.add("cargo")
        for ins in st.instructions:
            if ins.keyword == "ENV":
                if "GOPATH" in ins.original or "GOROOT" in ins.original:
                    out.add("go")
                if "CARGO_HOME" in ins.original:
                    out.add("cargo")
    return out


def _first_steps(
    runs: list[tuple[Instruction, tuple[Cmd, ...]]], toolchains: set[str] | frozenset[str] = frozenset()
) -> dict[str, tuple[Instruction, Cmd]]:
    """The first dependency step per ecosystem in a list of RUNs."""
    out: dict[str, tuple[Instruction, Cmd]] = {}
    for ins, cmds in runs:
        for c in cmds:
            for eco in BY_PROGRAM.get(c.program, ()):
                if eco.key not in out and eco.matches(c):
                    out[eco.key] = (ins, c)
            if c.program in _DRIVERS:
                for key in sorted(toolchains):
                    out.setdefault(key, (ins, c))
    return out


def _go_without_modules(ctx: Context) -> bool:
    return (
        ctx.context_dir is not None
        and (ctx.context_dir / "go.mod").is_file()
        and not (ctx.context_dir / "go.sum").is_file()
    )


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        facts = ctx.facts(st)
        inherited: list[ContextCopy] = []
        ancestors = ctx.df.ancestors(st)[1:]
        for anc in ancestors:
            inherited.extend(ctx.facts(anc).context_copies)
        tools = _toolchains(ctx, st)
        firsts = _first_steps(facts.runs, tools)
        if not firsts:
            continue
        done_before: set[str] = set()
        for anc in ancestors:
            done_before |= set(_first_steps(ctx.facts(anc).runs, tools))
        for eco in ECOSYSTEMS:
            first = firsts.get(eco.key)
            if first is None or eco.key in done_before:
                continue  # not used here, or installed in the stage this one is built FROM: judged there
            ins, _cmd = first
            before = inherited + [c for c in facts.context_copies if c.instr.line < ins.line]
            bad = next((c for c in before if c.brings_sources), None)
            if bad is None:
                out.append(
                    passed(
                        f"Line {ins.line}: {q(ins)} in {st.label} runs before the sources are copied, so its layer "
                        "is reused while only code changes.",
                        ins.line,
                    )
                )
                continue
            if eco.key == "go" and _go_without_modules(ctx):
                out.append(passed(f"Line {ins.line}: the Go module has no go.sum: no modules to cache.", ins.line))
                continue
            cached = (
                eco.key in _CACHE_EXCUSES and ins.run is not None and any(m.type == "cache" for m in ins.run.mounts)
            )
            msg = (
                f"Line {bad.instr.line}: {q(bad.instr)} copies your sources before line {ins.line} {q(ins)} in "
                f"{st.label}, so every edit to any file re-runs {eco.step}: all dependencies are downloaded again."
            )
            if cached:
                out.append(
                    warned(
                        msg + " The cache mount keeps the downloads, but the step still re-runs on every change.",
                        bad.instr.line,
                        bad.instr.snippet,
                        ins.snippet,
                        hint=f"Dependencies first: {eco.recipe}.",
                    )
                )
            else:
                out.append(
                    failed(
                        msg, bad.instr.line, bad.instr.snippet, ins.snippet, hint=f"Dependencies first: {eco.recipe}."
                    )
                )
    if not out:
        return [skipped("No dependency install or build step found in the stages that are built.", ctx.final.line)]
    return out


RULE = Rule(
    id="SW301",
    name="dependencies-before-source",
    concern=Concern.CACHE_ORDERING,
    title="Install dependencies before copying the sources",
    rationale="A step's cache is invalidated when any file copied before it changes.",
    fix="Copy only the dependency manifests, install, then copy the rest of the sources and build.",
    lesson="lessons/04-build-cache/#dependencies-first-then-source",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="For every stage that is built and every ecosystem it uses (npm, yarn, pnpm, bun, Maven, Gradle, Go "
        "modules, pip/poetry/uv/pipenv/tox, Cargo including `cargo chef cook`, dotnet, composer, bundler, and "
        "`make`-style drivers in a stage with a Go or Rust toolchain), finds the first step that installs the "
        "project's dependencies (a named tool such as `pip install poetry` or `npm i -g x` does not count) and "
        "fails if a broad `COPY . .` or a copy of source files comes before it (in the stage or in a stage it is "
        "built FROM). With a `--mount=type=cache` on a Go or Cargo step it is a warning: the module cache keeps "
        "the re-run cheap.",
        why="Every one-line code change then re-downloads all dependencies (`npm ci`, `go mod download`, Maven "
        "or Gradle downloads): builds take minutes instead of seconds (pitfall 23).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n\n"
        "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
        notes="Maven: `dependency:go-offline` is a cache warm-up, not a guarantee (pitfall 25); keep it before "
        "`COPY src` anyway. Gradle: add `--no-daemon` (pitfall 26).",
    ),
    check=check,
)
