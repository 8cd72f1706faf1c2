"""Facts shared by the static rules, computed once per Dockerfile (lazily, per stage).

A :class:`Context` wraps the parsed :class:`~checker.model.Dockerfile` with the build target, the spec
and the context directory. ``ctx.facts(stage)`` gives a :class:`StageFacts`: the shell commands of each
RUN split into simple commands, the build context copies classified (broad / manifest / source /
other), the directories that received sources, the build work done, the users created and so on.
All regular expressions are module-level constants.
"""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from checker.image_roles import ImageInfo, classify
from checker.model import CopySpec, Dockerfile, Instruction, Stage, StageRef
from checker.spec import Spec

SourceKind = Literal["broad", "manifest", "source", "other"]

# ----------------------------------------------------------------------------------------- constants

MANIFEST_FILES = frozenset(
    {
        "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
        "pnpm-workspace.yaml", ".yarnrc", ".yarnrc.yml", ".npmrc", ".nvmrc", "bun.lockb", "bun.lock",
        "pom.xml", "mvnw", "mvnw.cmd", "build.gradle", "build.gradle.kts", "settings.gradle",
        "settings.gradle.kts", "gradle.properties", "gradlew", "gradlew.bat", "libs.versions.toml",
        "go.mod", "go.sum", "go.work", "go.work.sum",
        "requirements.txt", "requirements-dev.txt", "requirements.in", "constraints.txt", "pyproject.toml",
        "poetry.lock", "uv.lock", "pipfile", "pipfile.lock", "setup.cfg", ".python-version", ".ruby-version",
        ".node-version", ".tool-versions", ".bundle",
        "cargo.toml", "cargo.lock", "rust-toolchain.toml", "rust-toolchain",
        "gemfile", "gemfile.lock", "composer.json", "composer.lock", "nuget.config", "global.json",
        "directory.build.props", "directory.packages.props", "packages.lock.json",
    }
)  # fmt: skip
MANIFEST_DIRS = frozenset({".mvn", "gradle", ".yarn", ".cargo", "requirements", "patches", "prisma"})
MANIFEST_GLOBS = ("*.csproj", "*.fsproj", "*.vbproj", "*.sln", "requirements*.txt", "*.gradle", "*.gradle.kts")
COMPILED_EXT = frozenset(
    {".go", ".java", ".kt", ".kts", ".scala", ".rs", ".c", ".cc", ".cpp", ".h", ".hpp", ".cs", ".fs", ".ts",
     ".tsx", ".jsx", ".vue", ".svelte", ".swift", ".zig"}
)  # fmt: skip
SCRIPT_EXT = frozenset({".py", ".js", ".mjs", ".cjs", ".rb", ".php", ".pl", ".sh", ".html", ".css"})
COMPILED_MANIFESTS = frozenset(
    {"pom.xml", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "go.mod", "go.sum",
     "cargo.toml", "cargo.lock", "mvnw", "gradlew", "tsconfig.json"}
)  # fmt: skip
# Runtime configuration, assets and start scripts: what an image needs besides its code, never its sources.
CONFIG_EXT = frozenset(
    {".sh", ".bash", ".toml", ".yml", ".yaml", ".json", ".ini", ".conf", ".cfg", ".env", ".template", ".tmpl",
     ".tpl", ".properties", ".xml", ".crt", ".pem", ".key", ".txt", ".md", ".sql", ".png", ".svg", ".ico",
     ".jpg", ".gif", ".woff", ".woff2", ".groovy", ".lua", ".service"}
)  # fmt: skip
CONFIG_DIRS = frozenset(
    {"config", "configs", "configuration", "conf", "conf.d", "etc", "templates", "template", "static", "public",
     "assets", "rootfs", "docker", ".docker", "nginx", "certs", "certificates", "locales", "i18n", "s6",
     "supervisor", "scripts", "bin", "entrypoint.d", "docker-entrypoint.d", "init", "fonts", "images"}
)  # fmt: skip
HEAVY_DIRS = ("node_modules", ".git", "target", "dist", "build", ".venv", "venv", "__pycache__", ".gradle", ".next")

_SPLIT_CMDS = re.compile(r"&&|\|\||;|\||\n|\(|\)|`|\$\(")
_ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_VAR_USE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_COMPILER_PKG = re.compile(
    r"^(?:build-essential|build-base|gcc|g\+\+|gcc-c\+\+|make|cmake|clang|musl-dev|libc-dev|libc6-dev|"
    r"python3?-dev|[a-z0-9.+]+-dev(?:el)?|openjdk-\d+-jdk(?:-headless)?|default-jdk|golang|golang-go|go|nodejs|npm|"
    r"maven|gradle|cargo|rustc|rust|git)$"
)
# The packages that make an image a build toolchain. -dev headers, git, nodejs or npm are what builders install,
# but on their own they compile nothing: in the image that ships they are cruft, not a toolchain.
_TOOLCHAIN_PKG = re.compile(
    r"^(?:build-essential|build-base|gcc|g\+\+|gcc-c\+\+|make|cmake|clang|openjdk-\d+-jdk(?:-headless)?|"
    r"default-jdk|golang|golang-go|go|maven|gradle|cargo|rustc|rust)$"
)
_OMIT_DEV = re.compile(r"--omit[= ]dev|--production\b|--only[= ]prod|--prod\b|--no-dev\b|--only-production")
_VALUE_OPTS = frozenset(
    {"-u", "-g", "-G", "-h", "-s", "-d", "-c", "-k", "-K", "-p", "-e", "-f", "--uid", "--gid", "--home",
     "--shell", "--ingroup", "--gecos", "--home-dir", "--comment", "--groups", "--key", "--password"}
)  # fmt: skip
WRAPPERS = frozenset(
    {"sudo", "exec", "env", "nice", "time", "nohup", "command", "su-exec", "gosu", "then", "do", "else"}
)


@dataclass(frozen=True, slots=True)
class Cmd:
    """A simple shell command: ``program`` is the basename of the first word after assignments."""

    program: str
    args: tuple[str, ...]
    text: str

    def sub(self) -> str:
        return self.args[0] if self.args else ""


@lru_cache(maxsize=8192)
def split_commands(script: str) -> tuple[Cmd, ...]:
    """Split a shell script into simple commands (cached: RUN lines repeat a lot across files)."""
    if not script:
        return ()
    out: list[Cmd] = []
    for piece in _SPLIT_CMDS.split(script):
        words = piece.replace("\\\n", " ").split()
        i = 0
        while i < len(words) and (_ASSIGN.match(words[i]) or words[i] in WRAPPERS):
            i += 1
        if i >= len(words):
            continue
        prog = words[i].strip("'\"")
        prog = prog.rsplit("/", 1)[-1]
        args = tuple(w.strip("'\"") for w in words[i + 1 :])
        if prog in ("python", "python3") and len(args) >= 2 and args[0] == "-m":
            prog, args = args[1], args[2:]
        if prog in ("sh", "bash", "ash", "dash") and len(args) >= 2 and args[0] == "-c":
            prog, args = args[1].rsplit("/", 1)[-1], args[2:]  # `sh -c "pip install -r ..."`
        out.append(Cmd(prog, args, " ".join(words[i:])))
    return tuple(out)


@lru_cache(maxsize=8192)
def classify_source(src: str) -> SourceKind:
    s = src.strip()
    if s.startswith(("http://", "https://", "git@", "<<")):
        return "other"
    while s.startswith("./"):
        s = s[2:]
    if s in ("", ".", "*", "/", "./", ".*", "**"):
        return "broad"
    is_dir = s.endswith("/")
    base = s.rstrip("/").rsplit("/", 1)[-1]
    low = base.lower()
    if low in MANIFEST_FILES or low in MANIFEST_DIRS:
        return "manifest"
    if any(c in low for c in "*?["):
        if any(fnmatch.fnmatchcase(m, low) for m in MANIFEST_FILES) or any(
            fnmatch.fnmatchcase(low, g) for g in MANIFEST_GLOBS
        ):
            return "manifest"
        return "broad" if low in ("*", "**") else "source"
    if any(fnmatch.fnmatchcase(low, g) for g in MANIFEST_GLOBS):
        return "manifest"
    ext = posixpath.splitext(low)[1]
    if ext in CONFIG_EXT or low in CONFIG_DIRS:
        return "other"  # configuration, assets, entrypoint scripts: what runs beside the code
    if ext in COMPILED_EXT or ext in SCRIPT_EXT:
        return "source"
    if is_dir or not ext:
        return "source"  # a directory such as src/, app/, cmd/
    return "other"


# ----------------------------------------------------------------------------------------- facts


@dataclass(slots=True)
class ContextCopy:
    instr: Instruction
    sources: list[tuple[str, SourceKind]]

    @property
    def kinds(self) -> set[SourceKind]:
        return {k for _, k in self.sources}

    @property
    def brings_sources(self) -> bool:
        return bool(self.kinds & {"broad", "source"})


@dataclass(slots=True)
class BuildHit:
    instr: Instruction
    what: str  # "npm run build", "go build", "gcc from apt-get"...
    severity: Literal["fail", "warn", "ok"]


@dataclass(slots=True)
class StageFacts:
    runs: list[tuple[Instruction, tuple[Cmd, ...]]] = field(default_factory=list)
    context_copies: list[ContextCopy] = field(default_factory=list)
    source_dirs: list[tuple[str, Instruction]] = field(default_factory=list)  # abs dirs holding sources
    build_hits: list[BuildHit] = field(default_factory=list)
    users_created: set[str] = field(default_factory=set)
    packages_installed: set[str] = field(default_factory=set)
    npm_installs: list[tuple[Instruction, bool]] = field(default_factory=list)  # (instr, includes dev deps)
    npm_prunes: list[Instruction] = field(default_factory=list)
    passwd_copied: bool = False


def _installed_packages(cmd: Cmd) -> list[str]:
    p, a = cmd.program, cmd.args
    if p in ("apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper") and a and a[0] in ("install", "add", "in"):
        return [w.split("=", 1)[0] for w in a[1:] if not w.startswith("-")]
    return []


NPM_FAMILY = frozenset({"npm", "pnpm", "yarn", "bun"})


def is_node_install(cmd: Cmd) -> bool:
    if cmd.program not in NPM_FAMILY:
        return False
    sub = cmd.sub()
    return sub in ("ci", "install", "i") or (cmd.program == "yarn" and (not sub or sub.startswith("-")))


# A build script run from the context (`sh build.sh`, `./scripts/compile.sh`): what it runs is not in the
# Dockerfile, but its name says it builds, so the stage that runs it is a build stage.
_BUILD_SCRIPT = re.compile(r"^(build|compile|make)([-_.][\w.-]*)?(\.sh)?$", re.I)
_SHELLS = ("sh", "bash", "ash", "dash", "zsh")


def _build_script(cmd: Cmd) -> str | None:
    if cmd.program in _SHELLS:
        script = next((w for w in cmd.args if not w.startswith("-")), None)
        if script is None or script == "-c":
            return None
        name = script.strip("'\"").rsplit("/", 1)[-1]
    else:
        name = cmd.program
    return name if name.endswith(".sh") and _BUILD_SCRIPT.match(name) else None


def _build_hit(cmd: Cmd) -> tuple[str, Literal["fail", "warn", "ok"]] | None:
    p, a, sub = cmd.program, cmd.args, cmd.sub()
    text = cmd.text
    script = _build_script(cmd)
    if script is not None:
        return (f"the build script {script}", "fail")
    if p in ("npm", "pnpm", "yarn", "bun"):
        if is_node_install(cmd):
            if _OMIT_DEV.search(text):
                return (f"{p} {sub or 'install'} (production dependencies only)", "ok")
            return (f"{p} {sub or 'install'} (with devDependencies)", "fail")
        if (sub == "run" and len(a) > 1 and a[1] in ("build", "compile", "bundle")) or sub in ("build",):
            return (f"{p} {' '.join(a[:2])}", "fail")
        if sub == "prune":
            return None
        return None
    if p in ("npx", "pnpx") and a:
        return (f"{p} {a[0]}", "fail")
    if p in ("mvn", "mvnw"):
        return ("Maven (mvn)", "fail")
    if p in ("gradle", "gradlew"):
        return ("Gradle", "fail")
    if (p == "go" and sub in ("build", "install", "generate")) or (p == "go" and sub == "mod" and "download" in a):
        return (f"go {sub}", "fail")
    if p == "cargo" and sub in ("build", "install", "fetch"):
        return (f"cargo {sub}", "fail")
    if p in ("gcc", "g++", "cc", "c++", "clang", "make", "cmake", "javac", "tsc", "rustc", "ninja"):
        return (p, "fail")
    if p in ("vite", "webpack", "next", "ng", "nuxt", "esbuild", "rollup", "parcel") and (
        sub in ("build", "") or p in ("webpack", "esbuild", "rollup")
    ):
        return (f"{p} {sub}".strip(), "fail")
    if p == "dotnet" and sub in ("build", "publish", "restore"):
        return (f"dotnet {sub}", "fail")
    if p in ("pip", "pip3", "uv", "poetry", "pipenv"):
        if p in ("pip", "pip3") and sub == "wheel":
            return ("pip wheel", "fail")
        if (
            (p in ("pip", "pip3") and sub == "install")
            or (p == "uv" and sub in ("pip", "sync"))
            or (p in ("poetry", "pipenv") and sub == "install")
        ):
            if "--no-index" in a or any(w.endswith(".whl") or "wheels" in w for w in a):
                return (f"{p} install from prebuilt wheels", "ok")
            return (f"{p} {sub} in the runtime stage", "warn")
        return None
    pkgs = _installed_packages(cmd)
    compilers = [x for x in pkgs if _COMPILER_PKG.match(x)]
    if compilers:
        toolchain = any(_TOOLCHAIN_PKG.match(x) for x in compilers)
        return (f"{p} install {' '.join(compilers[:4])}", "fail" if toolchain else "ok")
    return None


def _removed_packages(cmds: tuple[Cmd, ...]) -> set[str]:
    """Packages (and apk virtual groups) a RUN removes again: `apk del .build-deps`, `apt-get purge gcc`."""
    out: set[str] = set()
    for c in cmds:
        if (c.program == "apk" and c.sub() == "del") or (
            c.program in ("apt-get", "apt", "yum", "dnf") and c.sub() in ("remove", "purge", "autoremove", "erase")
        ):
            out.update(w for w in c.args[1:] if not w.startswith("-"))
    return out


def _virtual_group(cmd: Cmd) -> str | None:
    a = cmd.args
    for i, w in enumerate(a):
        if w in ("--virtual", "-t") and i + 1 < len(a):
            return a[i + 1]
        if w.startswith("--virtual="):
            return w.split("=", 1)[1]
    return None


def _removed_in_same_run(cmd: Cmd, removed: set[str]) -> bool:
    """A compiler added and deleted in one RUN never reaches a layer: nothing of it ships."""
    if not removed:
        return False
    group = _virtual_group(cmd)
    if group is not None and group in removed:
        return True
    tools = [x for x in _installed_packages(cmd) if _TOOLCHAIN_PKG.match(x)]
    return bool(tools) and all(t in removed for t in tools)


def created_users(cmd: Cmd) -> list[str]:
    if cmd.program not in ("adduser", "useradd", "addgroup", "groupadd"):
        return []
    out: list[str] = []
    skip = False
    for w in cmd.args:
        if skip:
            skip = False
            continue
        if w in _VALUE_OPTS:
            skip = True
            continue
        if w.startswith("-"):
            continue
        out.append(w)
    return out


def compute_facts(df: Dockerfile, stage: Stage) -> StageFacts:
    facts = StageFacts()
    for ins in stage.instructions:
        if ins.run is not None:
            cmds = split_commands(ins.run.script)
            facts.runs.append((ins, cmds))
            removed = _removed_packages(cmds)
            for c in cmds:
                hit = _build_hit(c)
                if hit is not None:
                    severity = hit[1]
                    if severity == "fail" and _installed_packages(c) and _removed_in_same_run(c, removed):
                        severity = "ok"
                    facts.build_hits.append(BuildHit(ins, hit[0], severity))
                if is_node_install(c):
                    facts.npm_installs.append((ins, not _OMIT_DEV.search(c.text)))
                if c.program in ("npm", "pnpm", "yarn") and c.sub() == "prune" and _OMIT_DEV.search(c.text):
                    facts.npm_prunes.append(ins)
                facts.users_created.update(created_users(c))
                facts.packages_installed.update(_installed_packages(c))
        elif ins.copy is not None:
            cp = ins.copy
            if cp.from_ref is None and not cp.heredoc:
                srcs = [(s, classify_source(s)) for s in cp.sources]
                cc = ContextCopy(ins, srcs)
                facts.context_copies.append(cc)
                for src, kind in srcs:
                    if kind not in ("broad", "source"):
                        continue
                    is_file = not src.endswith("/") and bool(posixpath.splitext(src)[1]) and kind == "source"
                    holder = posixpath.dirname(cp.dest_abs) if is_file and not cp.dest_is_dir else cp.dest_abs
                    facts.source_dirs.append((holder or "/", ins))
            if any(s.rstrip("/") in ("/etc/passwd", "/etc") for s in cp.sources):
                facts.passwd_copied = True
    return facts


# ----------------------------------------------------------------------------------------- context


@dataclass(slots=True)
class Context:
    df: Dockerfile
    final: Stage
    target: str | None
    target_found: bool
    reachable: frozenset[int]
    spec: Spec | None = None
    context_dir: Path | None = None
    dockerfile_path: Path | None = None  # where the Dockerfile is (its ignore file may sit beside it)
    _facts: dict[int, StageFacts] = field(default_factory=dict)
    _refs_by_instr: dict[int, StageRef] | None = None
    _final_chain: list[Stage] | None = None
    _final_instructions: list[Instruction] | None = None
    _reachable_stages: list[Stage] | None = None
    _images: dict[int, ImageInfo] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        df: Dockerfile,
        *,
        target: str | None = None,
        spec: Spec | None = None,
        context_dir: Path | None = None,
        dockerfile_path: Path | None = None,
    ) -> Context:
        final = df.target_stage(target)
        found = final is not None
        if final is None:
            final = df.stages[-1]
        return cls(df, final, target, found, frozenset(df.reachable(final.index)), spec, context_dir, dockerfile_path)

    @property
    def assumed_dockerfile(self) -> Path | None:
        """The Dockerfile's path: as given, else where the exercise keeps it in the context."""
        if self.dockerfile_path is not None:
            return self.dockerfile_path
        if self.context_dir is None:
            return None
        return self.context_dir / (self.spec.dockerfile if self.spec is not None else "Dockerfile")

    def facts(self, stage: Stage) -> StageFacts:
        f = self._facts.get(stage.index)
        if f is None:
            f = compute_facts(self.df, stage)
            self._facts[stage.index] = f
        return f

    def image(self, stage: Stage) -> ImageInfo:
        info = self._images.get(stage.index)
        if info is None:
            info = self._images[stage.index] = self.df.image_info(stage)
        return info

    def copy_ref(self, ins: Instruction) -> StageRef | None:
        """The resolved `COPY --from` reference of a COPY instruction."""
        if self._refs_by_instr is None:
            self._refs_by_instr = {id(r.instruction): r for r in self.df.refs if r.kind == "copy"}
        return self._refs_by_instr.get(id(ins))

    def copy_source_stage(self, ins: Instruction) -> Stage | None:
        """The stage a `COPY --from` reads from (None for images and unresolved names)."""
        ref = self.copy_ref(ins)
        if ref is None or ref.target is None:
            return None
        return self.df.stages[ref.target]

    def stage_source_dirs(self, stage: Stage) -> list[tuple[str, Instruction]]:
        out: list[tuple[str, Instruction]] = []
        for st in self.df.ancestors(stage):
            out.extend(self.facts(st).source_dirs)
        return out

    @property
    def final_image(self) -> ImageInfo:
        return self.image(self.final)

    def final_chain(self) -> list[Stage]:
        """The final stage and the stages it is built FROM (all of it ships), root first."""
        if self._final_chain is None:
            self._final_chain = list(reversed(self.df.ancestors(self.final)))
        return self._final_chain

    def final_stage_copies(self) -> list[tuple[Instruction, CopySpec, Stage]]:
        """Each `COPY --from` that shapes the final image and reads from a stage of this Dockerfile (not from an
        image): the instruction, its copy and the stage it reads, in order."""
        out: list[tuple[Instruction, CopySpec, Stage]] = []
        for ins in self.final_instructions():
            if ins.copy is None or ins.copy.from_ref is None:
                continue
            src_stage = self.copy_source_stage(ins)
            if src_stage is not None:
                out.append((ins, ins.copy, src_stage))
        return out

    def final_instructions(self) -> list[Instruction]:
        """Every instruction that shapes the final image, in order (inherited stages first)."""
        if self._final_instructions is None:
            out: list[Instruction] = []
            for st in self.final_chain():
                out.extend(st.instructions)
            self._final_instructions = out
        return self._final_instructions

    def reachable_stages(self) -> list[Stage]:
        if self._reachable_stages is None:
            self._reachable_stages = [s for s in self.df.stages if s.index in self.reachable]
        return self._reachable_stages

    def last(self, keyword: str) -> Instruction | None:
        for ins in reversed(self.final_instructions()):
            if ins.keyword == keyword:
                return ins
        return None

    def stage_of(self, ins: Instruction) -> Stage:
        return self.df.stages[ins.stage_index or 0]


def image_for_ref(ref: str) -> ImageInfo:
    return classify(ref)


def abs_source(src: str) -> str:
    """Where BuildKit looks for a `COPY --from` source: always from the other stage's root."""
    p = posixpath.normpath("/" + src.lstrip("/")) if src not in ("", ".") else "/"
    return p if p.startswith("/") else "/" + p


def variables_used(text: str) -> set[str]:
    return set(_VAR_USE.findall(text)) if "$" in text else set()
