"""The small helper API the lessons use: the same build, inspect and run code the checker uses.

    from checker import lessonkit as lk
    lk.show(HERE / "node/Dockerfile")
    img = lk.build(APPS / "node", dockerfile=HERE / "node/Dockerfile", tag="lesson1/node:single")
    img.size_mb, img.seconds, lk.toolchains(img.tag)

The lessons' apps live once, in lessons/apps/<name>/, and each lesson keeps its own Dockerfiles in its
folder: a build takes the app folder as the context and the lesson's Dockerfile by its path.

Every helper returns plain values so a notebook cell can end in an assertion of what it teaches.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import tarfile
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.build import BuildResult, Step
from checker.build import build as _build
from checker.dynamic.toolchains import ToolchainHit, find_toolchains
from checker.engine import Engine, engine_up
from checker.inspect import ImageFacts, image_facts
from checker.run import CommandAnswer, HttpAnswer, run_command, run_http

LESSON_LABEL = {"io.stagewise.lesson": "true"}
_engine: Engine | None = None


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = engine_up(lambda _msg: None)
    return _engine


def build_network() -> str:
    """The network lesson builds use: none on an offline engine (this course's CI), the engine's default
    otherwise, so that builders such as Maven can download plugins on a learner's machine.
    STAGEWISE_BUILD_NETWORK overrides it."""
    chosen = os.environ.get("STAGEWISE_BUILD_NETWORK")
    if chosen:
        return chosen
    return "none" if engine().offline else "default"


_facts_cache: dict[str, ImageFacts] = {}


def _facts(tag: str) -> ImageFacts:
    """image_facts for a tag, cached by image id (ids are content addresses, so this never goes stale)."""
    image_id = str(engine().client.images.get(tag).id)
    if image_id not in _facts_cache:
        if len(_facts_cache) > 16:
            _facts_cache.clear()
        _facts_cache[image_id] = image_facts(engine(), tag)
    return _facts_cache[image_id]


# --- the docker commands a learner types -------------------------------------------------------------
# Every build and run below is shown as the `docker` command a learner types. The command shown is the
# one that ran minus the flags this machine adds (machine_note() says which and why):
_MACHINE_ONLY = frozenset({"--load", "--force-rm"})  # buildx's --load is what plain `docker build` does
_MACHINE_WITH_VALUE = frozenset({"--label", "--iidfile"})  # lesson label (clean-up), image id file
_MACHINE_PREFIXES = ("--progress=", "--network=")  # JSON progress for the notebook; builds' network here


def learner_command(argv: list[str], *, classic: bool = False) -> str:
    """The command a learner types for the CLI words `argv` that ran (after `docker`): `buildx build
    --load` is `docker build`, and the machine's own flags (see machine_note) are left out."""
    words = ["build", *argv[2:]] if argv[:2] == ["buildx", "build"] else list(argv)
    shown: list[str] = []
    skip = 0
    for word in words:
        if skip:
            skip -= 1
        elif word in _MACHINE_ONLY or word.startswith(_MACHINE_PREFIXES):
            pass
        elif word in _MACHINE_WITH_VALUE:
            skip = 1
        else:
            shown.append(word)
    return ("DOCKER_BUILDKIT=0 " if classic else "") + shlex.join(["docker", *shown])


def machine_build_flags(tag_labels: bool = True) -> list[str]:
    """The flags this machine adds to a learner's `docker build` (what learner_command leaves out), so
    that a shown command can be run again exactly: `docker <shown words> <these flags>`."""
    from checker.build import STAGEWISE_LABEL

    flags = [f"--network={build_network()}"]
    if tag_labels:
        for k, v in {STAGEWISE_LABEL: "stagewise", **LESSON_LABEL}.items():
            flags += ["--label", f"{k}={v}"]
    return flags


def machine_note() -> None:
    """Say once per lesson which flags this machine adds to the commands shown, and why."""
    eng = engine()
    build_words = ("`docker buildx build --load` (what `docker build` is since Docker 23)" if eng.buildx_version
                   else "`docker build` (BuildKit)")
    lines = [
        "The `$ docker ...` lines below are the commands as you type them on your own machine; they ran here",
        f"as {build_words} with a few flags of this machine's own, left out of what is shown:",
        f"  --network={build_network()}    "
        + ("no network inside builds: this engine has no registry and no bridge network; the base images"
           "\n                       are local offline substitutes" if build_network() == "none"
           else "the engine's default network"),
        "  --progress=rawjson   the notebook reads BuildKit's steps as JSON and prints the lines you see",
        "                       (' => CACHED [stage n/m] ...' as BuildKit's own summary prints them)",
        "  --label io.stagewise.lesson=true   so that the lesson can remove the images it made",
    ]
    if eng.offline:
        lines += [
            "A `docker run` of a server runs here with `--network host` and a free loopback port in PORT",
            "(this engine cannot publish ports); on your machine use `-p 8080:8080 -e PORT=8080` and",
            "`curl localhost:8080`. Other runs get `--network none`: nothing in them needs a network.",
        ]
    print("\n".join(lines))


def docker(*args: str, lines: int | None = 25, check: bool = True) -> str:
    """Run a `docker` command as a learner types it and print it with its real output (its first
    `lines` lines). `docker run` gets `--network none` here (see machine_note). Returns the output."""
    ran = list(args)
    if ran[:1] == ["run"] and not any(a.startswith("--network") for a in ran):
        ran[1:1] = ["--network", "none", "--label", "io.stagewise.lesson=true"]
    proc = engine().docker(*ran, check=False)
    out = (proc.stdout or "") + (proc.stderr or "")
    print("$ " + shlex.join(["docker", *args]))
    shown = out.rstrip("\n").splitlines()
    if lines is not None and len(shown) > lines:
        shown = [*shown[:lines], f"... ({len(shown) - lines} more lines)"]
    if shown:
        print("\n".join(shown))
    if check and proc.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args)} failed ({proc.returncode}): {out.strip()[-400:]}")
    return out


def step_lines(steps: list[Step], *, width: int = 110) -> list[str]:
    """A build's steps as BuildKit's summary prints them (FROM lines left out: they only name a base)."""
    out = []
    seen: set[str] = set()
    for s in steps:
        # BuildKit can report one cached step twice (a vertex shared with another build): print it once
        if s.instruction.startswith("FROM ") or s.name in seen:
            continue
        seen.add(s.name)
        name = s.name if len(s.name) <= width else s.name[: width - 3] + "..."
        if s.cached:
            out.append(f" => CACHED {name}")
        else:
            out.append(f" => {name}" + (f"  {s.seconds:.1f}s" if s.seconds is not None else ""))
    return out


@dataclass
class Built:
    tag: str
    ok: bool
    seconds: float
    size_mb: float
    steps: list[Step] = field(default_factory=list)
    error: str | None = None
    command: str = ""  # the docker command a learner types for this build (learner_command)
    image_id: str | None = None

    # FROM lines are left out: they only name a base image, and BuildKit never reports them as cached.
    @property
    def cached_steps(self) -> list[str]:
        return [s.instruction for s in self.steps if s.cached and not s.instruction.startswith("FROM ")]

    @property
    def rerun_steps(self) -> list[str]:
        return [s.instruction for s in self.steps if not s.cached and not s.instruction.startswith("FROM ")]

    @property
    def stages(self) -> list[str]:
        """The stages whose instructions this build ran or took from the cache, in file order. FROM steps
        are left out: BuildKit shares identical base-image steps between builds, under another build's
        stage label."""
        seen: list[str] = []
        for s in self.steps:
            if s.stage and not s.instruction.startswith("FROM ") and s.stage not in seen:
                seen.append(s.stage)
        return seen

    def step(self, pattern: str) -> Step:
        rx = re.compile(pattern)
        for s in self.steps:
            if rx.search(s.instruction):
                return s
        raise LookupError(f"no step matches {pattern!r}: {[s.instruction for s in self.steps]}")


_FROM = re.compile(r"^\s*FROM\s+(?:--\S+\s+)*\S+(?:\s+AS\s+(\S+))?", re.I | re.M)


def _in_file_order(steps: list[Step], dockerfile: Path) -> list[Step]:
    """Steps sorted as they appear in the Dockerfile (BuildKit reports them in the order they start, which
    varies from run to run). Stages are BuildKit's labels: the AS name, else stage-<index>."""
    try:
        text = dockerfile.read_text()
    except OSError:
        return steps
    labels = [name or f"stage-{i}" for i, name in enumerate(_FROM.findall(text))]
    order = {label.lower(): i for i, label in enumerate(labels)}
    for st in steps:
        # A step taken from the cache can carry the stage label of another build that made it (BuildKit
        # names a shared vertex once): a label this file does not have says nothing about its stages.
        if st.stage and st.stage.lower() not in order:
            st.stage = None
    unlabelled = 0 if len(labels) <= 1 else len(order)  # single-stage files: BuildKit gives no label
    return sorted(steps, key=lambda st: (order.get((st.stage or "").lower(), unlabelled), st.number))


def _result_to_built(result: BuildResult, tag: str, dockerfile: Path) -> Built:
    size = engine().client.images.get(tag).attrs["Size"] / 1e6 if result.ok else 0.0
    return Built(tag, result.ok, round(result.seconds, 2), round(size, 1),
                 _in_file_order(result.steps, dockerfile), result.error,
                 learner_command(result.argv, classic=result.builder == "classic"), result.image_id)


def _echo_build(built: Built, *, steps: bool = True) -> None:
    print("$ " + built.command)
    if steps:
        shown = step_lines(built.steps)
        if shown:
            print("\n".join(shown))


# A `dockerfile=` argument: a str is a file name inside the context ("Dockerfile.single"); a Path is the
# Dockerfile wherever it is, as `docker build -f` takes it (relative to the working directory), e.g. a
# lesson's Dockerfile built against a shared app folder. BuildKit reads the context's `.dockerignore`,
# or `<Dockerfile>.dockerignore` beside the Dockerfile when there is one.
DockerfileArg = str | Path


def dockerfile_path(context: str | Path, dockerfile: DockerfileArg = "Dockerfile") -> Path:
    """The Dockerfile a build of `context` reads: a str names a file in the context, a Path is used as is."""
    return Path(context) / dockerfile if isinstance(dockerfile, str) else Path(dockerfile)


def build(context: str | Path, *, dockerfile: DockerfileArg = "Dockerfile", tag: str, target: str | None = None,
          builder: str = "buildkit", no_cache: bool = False, check: bool = True,
          build_args: dict[str, str] | None = None, platform: str | None = None,
          echo: bool = True, echo_steps: bool = True) -> Built:
    """Build for real (see build_network). With check=True a failed build raises with BuildKit's error.
    `platform` ("linux/arm64") builds for another platform, as `docker build --platform` does.
    `echo` prints the docker command a learner types for it, then (`echo_steps`) its step lines."""
    ctx = Path(context)
    df = dockerfile_path(ctx, dockerfile)
    result = _build(engine(), ctx, dockerfile=df, tag=tag, target=target, builder=builder,
                    no_cache=no_cache, labels=LESSON_LABEL, build_args=build_args, network=build_network(),
                    extra_args=["--platform", platform] if platform else None)
    built = _result_to_built(result, tag, df)
    if echo:
        _echo_build(built, steps=echo_steps and result.ok)
    if check and not result.ok:
        raise RuntimeError(f"build of {df} (context {ctx}) failed: {result.error}")
    return built


def _planned_argv(ctx: Path, df: Path, tag: str, target: str | None,
                  build_args: dict[str, str] | None) -> list[str]:
    """The CLI words of a build that the offline preflight refused (checker.build's order)."""
    words = ["build", "-f", str(df), "-t", tag, *(["--target", target] if target else [])]
    for k, v in (build_args or {}).items():
        words += ["--build-arg", f"{k}={v}"]
    return [*words, str(ctx)]


def build_fails(context: str | Path, *, dockerfile: DockerfileArg = "Dockerfile",
                tag: str = "lesson/expected-failure", target: str | None = None, builder: str = "buildkit",
                build_args: dict[str, str] | None = None, lines_matching: str | None = None) -> str:
    """Build something that must fail, and return the builder's error message (what a learner sees).
    `lines_matching` (a regex) adds the lines of the failing step's output that match it, such as the
    tool's own error line above a long stack trace."""
    ctx = Path(context)
    df = dockerfile_path(ctx, dockerfile)
    result = _build(engine(), ctx, dockerfile=df, tag=tag, target=target, builder=builder,
                    labels=LESSON_LABEL, build_args=build_args, network=build_network())
    if result.ok:
        raise AssertionError(f"{df} (context {ctx}) was expected to fail but built")
    argv = result.argv or _planned_argv(ctx, df, tag, target, build_args)  # refused before it ran
    print("$ " + learner_command(argv, classic=builder == "classic"))
    view = _terminal_view(result.log) or result.error or "failed"
    if lines_matching:
        rx = re.compile(lines_matching)
        found = [ln for ln in result.log.splitlines() if rx.search(ln) and not ln.startswith(("#", "{"))]
        view = "\n".join([*dict.fromkeys(found), "...", view]) if found else view
    return view


_EXCERPT = re.compile(r"^\S*Dockerfile[\w.-]*:\d+$")


def _terminal_view(log: str, *, output_lines: int = 4) -> str | None:
    """The end of a failed build as the CLI shows it: the failing step's last output lines, the Dockerfile
    excerpt around the failing line, and the ERROR line. None when the log has no excerpt."""
    lines = [ln for ln in log.splitlines() if ln.strip()]
    starts = [i for i, ln in enumerate(lines) if _EXCERPT.match(ln.strip())]
    if not starts:
        return None
    start = starts[-1]
    before: list[str] = []
    if "did not complete successfully" in lines[-1]:  # a RUN failed: show what it printed last
        before = [ln for ln in lines[max(0, start - output_lines):start] if not ln.startswith(("#", "{"))]
    return "\n".join([*before, *lines[start:]])


def size_mb(tag: str) -> float:
    return round(engine().client.images.get(tag).attrs["Size"] / 1e6, 1)


def facts(tag: str) -> ImageFacts:
    return _facts(tag)


def layer_count(tag: str) -> int:
    return len(engine().client.images.get(tag).attrs["RootFS"]["Layers"])


def history(tag: str) -> list[tuple[str, float]]:
    """(instruction, MB) per history entry, oldest first, as `docker history` shows them reversed."""
    rows = []
    for h in reversed(engine().client.images.get(tag).history()):
        rows.append((str(h.get("CreatedBy", ""))[:90], round(int(h.get("Size", 0)) / 1e6, 2)))
    return rows


def files(tag: str, pattern: str = ".*") -> list[str]:
    rx = re.compile(pattern)
    return sorted(p for p in _facts(tag).files() if rx.search(p))


def has_file(tag: str, path: str) -> bool:
    return path in _facts(tag).files()


def toolchains(tag: str) -> list[ToolchainHit]:
    merged = {p: e for p, (e, _layer) in _facts(tag).files().items()}
    return find_toolchains(merged)


def shells(tag: str) -> list[str]:
    names = {"sh", "bash", "ash", "dash", "zsh", "busybox"}
    return sorted(p for p in _facts(tag).files() if p.rsplit("/", 1)[-1] in names
                  and "/bin/" in p)


_BIN_PATH = re.compile(r"/s?bin/[^/]+$")


def executables(tag: str) -> int:
    """Programs a process in the container could run: executable files, plus links in bin and sbin folders
    (BusyBox provides most of its commands as links)."""
    return sum(1 for e, _l in _facts(tag).files().values() if e.executable
               or (e.kind in ("symlink", "hardlink") and _BIN_PATH.search(e.path)))


def read_bytes(tag: str, path: str, *, limit: int = 4 << 20) -> bytes | None:
    """The first `limit` bytes of one file in an image (None when it is not there). Works for images without
    a shell, and for images of another platform: the container is created, never started."""
    container = engine().client.containers.create(tag, command=["/nonexistent"], entrypoint=[],
                                                  network_mode="none", labels=LESSON_LABEL)
    try:
        try:
            stream, _stat = container.get_archive(path)
        except Exception:  # docker.errors.NotFound: no such file in the image
            return None
        archive = io.BytesIO(b"".join(stream))
        with tarfile.open(fileobj=archive) as tar:
            member = next((m for m in tar.getmembers() if m.isfile()), None)
            data = tar.extractfile(member) if member is not None else None
            return data.read(limit) if data is not None else None
    finally:
        container.remove(force=True)


def read_file(tag: str, path: str, *, limit: int = 4 << 20) -> str | None:
    """The text of one file in an image (None when it is not there). Works for images without a shell."""
    data = read_bytes(tag, path, limit=limit)
    return data.decode("utf-8", "replace") if data is not None else None


def platform(tag: str) -> str:
    """The platform an image was built for, as `docker image inspect` reports it: "linux/arm64"."""
    attrs = engine().client.images.get(tag).attrs
    variant = f"/{attrs['Variant']}" if attrs.get("Variant") else ""
    return f"{attrs.get('Os', '?')}/{attrs.get('Architecture', '?')}{variant}"


# e_machine values of the ELF header (the field `file` reads to say "x86-64" or "ARM aarch64").
_ELF_MACHINES = {0x03: "x86", 0x28: "arm", 0x3E: "x86-64", 0xB7: "aarch64", 0xF3: "riscv", 0x15: "ppc64",
                 0x16: "s390x"}


def binary_machine(tag: str, path: str) -> str:
    """The CPU a program in the image is compiled for, read from its ELF header as `file` does."""
    head = read_bytes(tag, path, limit=64)
    if head is None:
        raise FileNotFoundError(f"{path} is not in {tag}")
    if head[:4] != b"\x7fELF":
        return "not an ELF program"
    machine = int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")
    return _ELF_MACHINES.get(machine, f"ELF machine {machine:#x}")


def packages(tag: str) -> dict[str, int]:
    """Installed OS packages by database: dpkg (Debian, and distroless status.d) and apk (Alpine)."""
    fs = _facts(tag).files()
    counts = {"dpkg": 0, "apk": 0}
    counts["dpkg"] = sum(1 for p in fs if p.startswith("/var/lib/dpkg/info/") and p.endswith(".list"))
    counts["dpkg"] += sum(1 for p in fs if p.startswith("/var/lib/dpkg/status.d/") and not p.endswith(".md5sums"))
    if "/lib/apk/db/installed" in fs:
        db = read_file(tag, "/lib/apk/db/installed") or ""
        counts["apk"] = sum(1 for line in db.splitlines() if line.startswith("P:"))
    return counts


_NPM_PACKAGE = re.compile(r"/node_modules/(@[^/]+/)?[^/@][^/]*/package\.json$")


PACKAGE_MANAGERS = frozenset({"apk", "apt", "apt-get", "dpkg", "rpm", "dnf", "yum", "microdnf", "npm", "npx", "yarn",
                              "pnpm", "corepack", "pip", "pip3", "gem"})


def package_managers(tag: str) -> list[str]:
    """Programs in the image that can install software (OS and language package managers)."""
    found = {p.rsplit("/", 1)[-1] for p, (e, _l) in _facts(tag).files().items()
             if _BIN_PATH.search(p) and p.rsplit("/", 1)[-1] in PACKAGE_MANAGERS and e.kind != "dir"}
    return sorted(found)


def inventory(tag: str) -> dict[str, int]:
    """What a vulnerability scanner would list in an image: OS packages, npm packages (every
    node_modules/<name>/package.json, including npm's own), Java archives, and executables."""
    fs = _facts(tag).files()
    return {
        "OS packages": sum(packages(tag).values()),
        "npm packages": sum(1 for p in fs if _NPM_PACKAGE.search(p)),
        "jar files": sum(1 for p, (e, _l) in fs.items() if p.endswith(".jar") and e.kind == "file"),
        "executables": executables(tag),
    }


def file_bytes(tag: str, pattern: str = ".*") -> int:
    """Total size of the regular files whose path matches pattern (e.g. the built artifact)."""
    rx = re.compile(pattern)
    return sum(e.size for p, (e, _l) in _facts(tag).files().items() if e.kind == "file" and rx.search(p))


def pull_mb(tag: str) -> float:
    """What a pull moves: the image's layers compressed with gzip (as a registry stores them), in MB."""
    total = 0
    image = engine().client.images.get(tag)
    with tempfile.TemporaryDirectory(prefix="stagewise-pull-") as tmp:
        archive = Path(tmp) / "image.tar"
        with archive.open("wb") as out:
            for chunk in image.save(named=False, chunk_size=1 << 20):
                out.write(chunk)
        with tarfile.open(archive) as tar:
            index = tar.extractfile("manifest.json")
            manifest = json.load(index)[0] if index is not None else {"Layers": []}
            for layer in manifest["Layers"]:
                data = tar.extractfile(layer)
                if data is None:
                    continue
                z = zlib.compressobj(1, zlib.DEFLATED, 31)
                while chunk := data.read(1 << 20):
                    total += len(z.compress(chunk))
                total += len(z.flush())
    return round(total / 1e6, 1)


def config(tag: str) -> dict[str, Any]:
    f = image_facts(engine(), tag, with_files=False)
    return {"User": f.user or "(root)", "Entrypoint": f.entrypoint, "Cmd": f.cmd, "Healthcheck": f.healthcheck,
            "ExposedPorts": f.exposed_ports, "WorkingDir": f.workdir}


def run_and_request(tag: str, *, path: str = "/", port_env: str = "PORT", host_env: str | None = None,
                    env: dict[str, str] | None = None, wait_healthy: bool = False, timeout: float = 30,
                    args: list[str] | None = None, echo: bool = True, echo_lines: int = 4) -> HttpAnswer:
    """Run on the host network with a free loopback port in `port_env`, and request `path`. `args` replace
    the image's CMD, as arguments after the image name in `docker run` do. `echo` prints the
    equivalent `docker run` and `curl` commands and the first lines of the answer."""
    answer = run_http(engine(), tag, path=path, port_env=port_env, host_env=host_env, env=env,
                      wait_healthy=wait_healthy, timeout=timeout, labels=LESSON_LABEL, command=args, network="host")
    if echo:
        envs = [f"{k}={v}" for k, v in (env or {}).items()]
        envs.append(f"{port_env}={answer.port}")
        if host_env:
            envs.append(f"{host_env}=127.0.0.1")
        words = ["docker", "run", "-d", "--rm", "--network", "host"]
        for e in envs:
            words += ["-e", e]
        print("$ " + shlex.join([*words, tag, *(args or [])]))
        print("$ " + shlex.join(["curl", "-i", f"http://127.0.0.1:{answer.port}{path}"]))
        if answer.status is not None:
            print(f"HTTP/1.1 {answer.status}")
            body = answer.body.rstrip("\n").splitlines()
            print("\n".join(body[:echo_lines] + ([f"... ({len(body) - echo_lines} more lines)"]
                                                   if len(body) > echo_lines else [])))
        else:
            print(f"curl: no answer ({answer.error})")
    return answer


def run(tag: str, *args: str, entrypoint: list[str] | None = None, echo: bool = True) -> CommandAnswer:
    """Run `tag` with `args` and no network, as `docker run --rm --network none tag args` does; `echo`
    prints that command (the output is the caller's to show)."""
    if echo:
        words = ["docker", "run", "--rm", "--network", "none"]
        if entrypoint is not None:
            words += ["--entrypoint", entrypoint[0]]
        print("$ " + shlex.join([*words, tag, *(entrypoint or [])[1:], *args]))
    return run_command(engine(), tag, list(args), entrypoint=entrypoint, labels=LESSON_LABEL)


def stop_seconds(tag: str, *, timeout: int = 5) -> float:
    """Start the image (no network), wait until it runs, then time `docker stop -t timeout`: about 0 s when
    PID 1 handles SIGTERM, `timeout` seconds when it ignores it and Docker has to kill it."""
    container = engine().client.containers.run(tag, detach=True, network_mode="none", labels=LESSON_LABEL)
    try:
        time.sleep(1.0)
        start = time.monotonic()
        container.stop(timeout=timeout)
        return round(time.monotonic() - start, 1)
    finally:
        container.remove(force=True)


@dataclass
class Rebuild:
    seconds: float
    cached: list[str]
    rerun: list[str]

    def was_cached(self, pattern: str) -> bool:
        return any(re.search(pattern, s) for s in self.cached)

    def state(self, pattern: str) -> str:
        """'cached' or 'ran' for the step matching pattern in the rebuild, '-' when there is none."""
        if self.was_cached(pattern):
            return "cached"
        return "ran" if any(re.search(pattern, s) for s in self.rerun) else "-"


def rebuild_after_edit(context: str | Path, edit: str, *, dockerfile: DockerfileArg = "Dockerfile",
                       tag: str = "lesson/rebuild", add: dict[str, str] | None = None,
                       remove: list[str] | None = None, echo: bool = True) -> Rebuild:
    """Build once, append a line to one file (in a scratch copy of the context), build again and time it.

    `edit`, `add` and `remove` name files in the context. `add` writes extra files into the scratch copy
    before the first build (path -> text), `remove` deletes files from it (e.g. ".dockerignore"), so one
    app folder can show both sides of a comparison. A Dockerfile named by a str is the scratch copy's;
    one given as a Path (outside the context) is read where it is (it is never edited, and its
    `<Dockerfile>.dockerignore`, if any, applies as it would). `echo` prints the commands as a learner
    types them (the copy, both builds, the edit) and the second build's step lines."""
    with tempfile.TemporaryDirectory(prefix="lesson-edit-") as tmp:
        ctx = Path(tmp) / Path(context).name
        shutil.copytree(context, ctx)
        for rel in remove or []:
            (ctx / rel).unlink()
        for rel, text in (add or {}).items():
            (ctx / rel).parent.mkdir(parents=True, exist_ok=True)
            (ctx / rel).write_text(text)
        if echo:
            print("$ " + shlex.join(["cp", "-r", str(context), str(ctx)]) + "   # a scratch copy to edit")
            for rel in remove or []:
                print("$ " + shlex.join(["rm", str(ctx / rel)]))
            for rel in add or {}:
                print(f"$ # (added {ctx / rel})")
        first = build(ctx, dockerfile=dockerfile, tag=tag, echo=echo, echo_steps=False)
        line = f"// edited {time.time()}" if not edit.endswith((".json", ".xml")) else ""
        with (ctx / edit).open("a") as f:
            f.write(f"\n{line}\n")
        if echo:
            print(f"   ({len(step_lines(first.steps))} steps, {first.seconds:.1f} s)")
            print("$ " + (f"echo {shlex.quote(line)} >> " if line else "echo >> ") + shlex.quote(str(ctx / edit)))
        again = build(ctx, dockerfile=dockerfile, tag=tag, echo=echo)
        if echo:
            print(f"   (rebuilt in {again.seconds:.1f} s)")
    return Rebuild(again.seconds, again.cached_steps, again.rerun_steps)


def show(path: str | Path, *, language: str | None = None) -> Any:
    """Display a file of the lesson as a code block (the reader can open the same file)."""
    from IPython.display import Markdown

    p = Path(path)
    lang = language or ("dockerfile" if "Dockerfile" in p.name else p.suffix.lstrip(".") or "text")
    return Markdown(f"`{p}`\n\n```{lang}\n{p.read_text().rstrip()}\n```")


def table(rows: list[dict[str, Any]]) -> Any:
    from IPython.display import Markdown

    if not rows:
        return Markdown("(no rows)")
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return Markdown("\n".join(lines))


def bar_chart(values: dict[str, float], *, title: str, unit: str = "MB",
              highlight: tuple[str, ...] = ("single",)) -> Any:
    """Horizontal bars, one per name; names containing one of `highlight` are red (the bad case)."""
    import matplotlib.pyplot as plt  # in a notebook: the inline backend; elsewhere Agg (no display)

    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(values)))
    names = list(values)
    ax.barh(names, [values[n] for n in names],
            color=["#c0392b" if any(h in n for h in highlight) else "#2e86c1" for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title)
    digits = 0 if max(values.values(), default=0) >= 100 else 1
    for i, n in enumerate(names):
        ax.text(values[n], i, f" {values[n]:.{digits}f}", va="center")
    fig.tight_layout()
    plt.close(fig)  # shown once, as the cell's result, not again by the inline backend
    return fig


def metric_charts(rows: dict[str, dict[str, float]], *, title: str,
                  highlight: tuple[str, ...] = ("single",)) -> Any:
    """One small bar chart per metric, side by side, with a bar per row (image): for counts that differ
    in scale (executables, packages), where one shared axis would hide the small ones."""
    import matplotlib.pyplot as plt

    names = list(rows)
    metrics = [m for m in (next(iter(rows.values())) if rows else {})
               if any(rows[n][m] for n in names)]  # a metric that is 0 everywhere says nothing
    fig, axes = plt.subplots(1, len(metrics), figsize=(3.2 * len(metrics), 0.9 + 0.42 * len(names)),
                             sharey=True, squeeze=False)
    colors = ["#c0392b" if any(h in n for h in highlight) else "#2e86c1" for n in names]
    for ax, metric in zip(axes[0], metrics, strict=True):
        values = [rows[n][metric] for n in names]
        ax.barh(names, values, color=colors)
        ax.set_title(metric, fontsize=10)
        top = max(values, default=0) or 1
        ax.set_xlim(0, top * 1.35)
        for i, v in enumerate(values):
            ax.text(v, i, f" {v:.0f}" if float(v).is_integer() or v >= 100 else f" {v:.1f}", va="center",
                    fontsize=9)
    axes[0][0].invert_yaxis()
    fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def substitute_of(tag: str) -> str | None:
    """The upstream image a local base image stands in for, when it is an offline substitute."""
    labels = engine().client.images.get(tag).attrs["Config"].get("Labels") or {}
    if labels.get("io.stagewise.substitute") == "true":
        return str(labels.get("io.stagewise.upstream"))
    return None


def base_table(tags: list[str]) -> Any:
    """Where each base image came from: the upstream image, or an offline substitute that stands in for it
    (its sizes and versions then differ from upstream's; lessons assert relationships, not those numbers)."""
    rows = []
    for tag in tags:
        rows.append({"base image": tag, "size MB": size_mb(tag),
                     "origin": "offline substitute" if substitute_of(tag) else "upstream image"})
    return table(rows)


def cleanup(prefix: str) -> int:
    """Remove the images a lesson tagged (their tags start with prefix)."""
    removed = 0
    for image in engine().client.images.list(filters={"label": "io.stagewise.lesson=true"}):
        for t in image.tags:
            if t.startswith(prefix):
                engine().docker("rmi", "-f", t, check=False)
                removed += 1
    return removed
