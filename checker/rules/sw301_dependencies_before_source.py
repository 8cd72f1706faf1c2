"""SW301 dependencies-before-source: install dependencies before copying the sources (pitfall 23)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from checker.analysis import Cmd, Context, ContextCopy
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped, warned


@dataclass(frozen=True, slots=True)
class Ecosystem:
    key: str
    step: str  # what re-runs
    matches: Callable[[Cmd], bool]
    recipe: str
    programs: frozenset[str] = frozenset()


ECOSYSTEMS: tuple[Ecosystem, ...] = (
    Ecosystem("npm", "npm's install", lambda c: c.program == "npm" and c.sub() in ("ci", "install", "i"),
              "`COPY package.json package-lock.json ./`, `RUN npm ci`, then `COPY . .`"),
    Ecosystem("yarn", "yarn's install",
              lambda c: c.program == "yarn" and (c.sub() in ("", "install") or c.sub().startswith("-")),
              "`COPY package.json yarn.lock ./`, `RUN yarn install --frozen-lockfile`, then `COPY . .`"),
    Ecosystem("pnpm", "pnpm's install", lambda c: c.program == "pnpm" and c.sub() in ("install", "i", "fetch"),
              "`COPY package.json pnpm-lock.yaml ./`, `RUN pnpm install --frozen-lockfile`, then `COPY . .`"),
    Ecosystem("maven", "Maven's dependency download", lambda c: c.program in ("mvn", "mvnw"),
              "`COPY pom.xml ./` (plus `mvnw` and `.mvn/`), `RUN mvn -B dependency:go-offline`, then `COPY src ./src`"),
    Ecosystem("gradle", "Gradle's dependency download", lambda c: c.program in ("gradle", "gradlew"),
              "`COPY build.gradle settings.gradle gradlew ./` and `COPY gradle ./gradle`, "
              "`RUN ./gradlew dependencies --no-daemon`, then `COPY src ./src`"),
    Ecosystem("go", "the Go module download",
              lambda c: c.program == "go" and c.sub() in ("build", "install", "mod", "test", "generate", "vet", "get"),
              "`COPY go.mod go.sum ./`, `RUN go mod download`, then `COPY . .`"),
    Ecosystem("pip", "pip's install",
              lambda c: (c.program in ("pip", "pip3") and c.sub() == "install")
              or (c.program == "uv" and c.sub() in ("sync", "pip"))
              or (c.program in ("poetry", "pipenv") and c.sub() == "install"),
              "`COPY requirements.txt ./` (or pyproject.toml + the lock file), "
              "`RUN pip install -r requirements.txt`, then `COPY . .`"),
    Ecosystem("cargo", "Cargo's dependency build",
              lambda c: c.program == "cargo" and c.sub() in ("build", "fetch", "install"),
              "`COPY Cargo.toml Cargo.lock ./`, build once with a dummy `src/main.rs` (or use cargo-chef), then "
              "`COPY src ./src` and build again"),
    Ecosystem("dotnet", "dotnet restore",
              lambda c: c.program == "dotnet" and c.sub() in ("restore", "build", "publish"),
              "`COPY *.csproj ./`, `RUN dotnet restore`, then `COPY . .`"),
)  # fmt: skip
_PROGRAMS = {
    "npm": {"npm"}, "yarn": {"yarn"}, "pnpm": {"pnpm"}, "maven": {"mvn", "mvnw"}, "gradle": {"gradle", "gradlew"},
    "go": {"go"}, "pip": {"pip", "pip3", "uv", "poetry", "pipenv"}, "cargo": {"cargo"}, "dotnet": {"dotnet"},
}  # fmt: skip
BY_PROGRAM: dict[str, list[Ecosystem]] = {}
for _eco in ECOSYSTEMS:
    for _prog in _PROGRAMS[_eco.key]:
        BY_PROGRAM.setdefault(_prog, []).append(_eco)


def _first_steps(runs: list[tuple[Instruction, tuple[Cmd, ...]]]) -> dict[str, tuple[Instruction, Cmd]]:
    """The first dependency step per ecosystem in a list of RUNs."""
    out: dict[str, tuple[Instruction, Cmd]] = {}
    for ins, cmds in runs:
        for c in cmds:
            for eco in BY_PROGRAM.get(c.program, ()):
                if eco.key not in out and eco.matches(c):
                    out[eco.key] = (ins, c)
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
        firsts = _first_steps(facts.runs)
        if not firsts:
            continue
        done_before: set[str] = set()
        for anc in ancestors:
            done_before |= set(_first_steps(ctx.facts(anc).runs))
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
            cached = ins.run is not None and any(m.type == "cache" for m in ins.run.mounts)
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
        what="For every stage that is built and every ecosystem it uses (npm, yarn, pnpm, Maven, Gradle, Go "
        "modules, pip/poetry/uv/pipenv, Cargo, dotnet), finds the first dependency step and fails if a broad "
        "`COPY . .` or a copy of source files comes before it (in the stage or in a stage it is built FROM). "
        "With a `--mount=type=cache` on that step it is a warning.",
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
