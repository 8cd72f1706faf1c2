"""Building images for real, through the CLI (buildx for BuildKit, the classic builder otherwise).

The Docker SDK drives only the classic builder, so every build goes through the `docker` CLI; the SDK is
used afterwards to inspect. BuildKit builds use `--progress=rawjson` (one JSON status object a line, each
step a vertex marked `cached`); classic builds are read from their plain output ("Using cache").
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import docker.errors

from checker.dockerignore import IGNORE, ignore_file, native_ignore_file
from checker.engine import Engine

STEP_NAME = re.compile(r"^\[(?:(?P<stage>[^\]\s]+) )?(?P<num>\d+)/(?P<total>\d+)\] (?P<instr>.*)$", re.S)
CLASSIC_STEP = re.compile(r"^Step (?P<num>\d+)/(?P<total>\d+) : (?P<instr>.*)$")

STAGEWISE_LABEL = "io.stagewise.created-by"


@dataclass
class Step:
    """One Dockerfile step as the builder reported it."""

    name: str  # e.g. "[build 3/5] RUN npm ci" or "RUN npm ci" (classic)
    instruction: str  # the instruction text as the builder printed it
    stage: str | None  # BuildKit's stage label (name or index), when given
    number: int  # step number within its stage (BuildKit) or within the file (classic)
    cached: bool = False
    started: float | None = None
    completed: float | None = None
    error: str | None = None
    line: int | None = None  # Dockerfile line, filled by the caller that knows the model

    @property
    def seconds(self) -> float | None:
        if self.started is None or self.completed is None:
            return None
        return max(0.0, self.completed - self.started)


@dataclass
class BuildResult:
    ok: bool
    builder: str
    tag: str | None
    image_id: str | None
    seconds: float
    steps: list[Step] = field(default_factory=list)
    log: str = ""
    error: str | None = None
    stopped_early: bool = False
    timed_out: bool = False
    warnings: list[dict[str, object]] = field(default_factory=list)
    argv: list[str] = field(default_factory=list)  # the CLI words after `docker` that ran the build

    def step_for(self, pattern: str) -> Step | None:
        rx = re.compile(pattern)
        for step in self.steps:
            if rx.search(step.instruction):
                return step
        return None


def _ts(value: object) -> float | None:
    if not isinstance(value, str):
        return None
    # RFC3339 with nanoseconds: keep to microseconds for fromisoformat.
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", value)
    if not m:
        return None
    frac = (m.group(2) or ".0")[:7]
    tz = "+00:00" if m.group(3) == "Z" else m.group(3)
    return datetime.fromisoformat(m.group(1) + frac + tz).timestamp()


class RawJsonProgress:
    """Folds BuildKit's rawjson status stream into steps, in the order they first appear."""

    def __init__(self) -> None:
        self.by_digest: dict[str, Step] = {}
        self.order: list[str] = []
        self.logs: list[str] = []
        self.warnings: list[dict[str, object]] = []
        self._partial: dict[str, str] = {}  # per vertex: output after its last newline

    def flush(self) -> None:
        """Keep the unterminated last line of each step's output."""
        self.logs.extend(rest for rest in self._partial.values() if rest)
        self._partial = {}

    def feed(self, line: str) -> list[Step]:
        """Take one output line; returns the steps whose state changed."""
        line = line.strip()
        if not line.startswith("{"):
            if line:
                self.flush()
                self.logs.append(line)
            return []
        try:
            status = json.loads(line)
        except json.JSONDecodeError:
            self.logs.append(line)
            return []
        changed: list[Step] = []
        for v in status.get("vertexes") or []:
            name = v.get("name") or ""
            m = STEP_NAME.match(name)
            if not m:
                continue
            digest = v.get("digest") or name
            step = self.by_digest.get(digest)
            if step is None:
                step = Step(name=name, instruction=m.group("instr").strip(), stage=m.group("stage"),
                            number=int(m.group("num")))
                self.by_digest[digest] = step
                self.order.append(digest)
            step.cached = step.cached or bool(v.get("cached"))
            step.started = _ts(v.get("started")) or step.started
            step.completed = _ts(v.get("completed")) or step.completed
            if v.get("error"):
                step.error = str(v["error"])
            changed.append(step)
        for entry in status.get("logs") or []:
            data = entry.get("data")
            if isinstance(data, str):
                try:
                    text = base64.b64decode(data).decode("utf-8", "replace")
                except ValueError:
                    continue
                # A step's output arrives in chunks that may end mid-line: join them per step, one log
                # entry per line.
                vertex = str(entry.get("vertex") or "")
                *lines, rest = (self._partial.get(vertex, "") + text).split("\n")
                self.logs.extend(lines)
                self._partial[vertex] = rest
        for w in status.get("warnings") or []:
            self.warnings.append(w)
        return changed

    @property
    def steps(self) -> list[Step]:
        return [self.by_digest[d] for d in self.order]


class ClassicProgress:
    """Reads the classic builder's plain output: 'Step k/n : INSTR' then ' ---> Using cache'."""

    def __init__(self) -> None:
        self.steps_list: list[Step] = []
        self.logs: list[str] = []
        self.warnings: list[dict[str, object]] = []

    def feed(self, line: str) -> list[Step]:
        self.logs.append(line.rstrip("\n"))
        m = CLASSIC_STEP.match(line.strip())
        now = time.time()
        if m:
            if self.steps_list and self.steps_list[-1].completed is None:
                self.steps_list[-1].completed = now
            step = Step(name=line.strip(), instruction=m.group("instr").strip(), stage=None,
                        number=int(m.group("num")), started=now)
            self.steps_list.append(step)
            return [step]
        if self.steps_list and "Using cache" in line:
            self.steps_list[-1].cached = True
            return [self.steps_list[-1]]
        return []

    @property
    def steps(self) -> list[Step]:
        return self.steps_list


StopWhen = Callable[[Step], bool]



DIRECTIVE = re.compile(r"^\s*#\s*([a-zA-Z]+)\s*=")


def without_syntax_directive(text: str) -> str:
    """The Dockerfile with its `# syntax=` directive moved out of the directive block and turned into a
    comment: the other directives (escape, check) keep working and every instruction keeps its line."""
    lines = text.split("\n")
    end = 0
    while end < len(lines) and DIRECTIVE.match(lines[end]):
        end += 1
    block = lines[:end]
    kept = [ln for ln in block if DIRECTIVE.match(ln).group(1).lower() != "syntax"]  # type: ignore[union-attr]
    dropped = len(block) - len(kept)
    return "\n".join(kept + ["# (syntax directive ignored offline: built-in frontend)"] * dropped + lines[end:])


def images_a_build_needs(text: str) -> list[tuple[str, int]]:
    """(image, line) for every image BuildKit would resolve: external FROMs, `--from=<image>`, and `--from`
    values that name no stage (BuildKit takes those as image names too: pitfall 3)."""
    from checker.parse import ParseError, parse

    try:
        model = parse(text)
    except ParseError:
        return []
    needed: list[tuple[str, int]] = []
    for st in model.stages:
        if st.base_stage is None and st.base_resolved and st.base.lower() != "scratch":
            needed.append((st.base, st.line))
    for ref in model.refs:
        if ref.kind != "from" and ref.target is None and not ref.numeric and ref.raw.lower() != "scratch":
            needed.append((ref.raw, ref.line))
    return needed


def offline_preflight(engine: Engine, text: str) -> str | None:
    """On an offline engine nothing may reach for a registry, not even a name lookup: refuse a build whose
    images are not all in the local store, with the reason a learner needs."""
    missing = []
    for ref, line in images_a_build_needs(text):
        try:
            engine.client.images.get(ref)
        except docker.errors.ImageNotFound:
            missing.append((ref, line))
        except docker.errors.APIError as err:
            if err.status_code is not None and err.status_code < 500 and "invalid reference" in str(err).lower():
                missing.append((ref, line))  # not even a valid name: the build would fail on it anyway
            else:
                raise  # the engine itself failed: that is not the learner's mistake
    if not missing:
        return None
    listed = ", ".join(f"`{ref}` (line {line})" for ref, line in missing)
    return (f"not in the local image store: {listed}. This engine is offline, so Docker would try to reach a "
            "registry and fail. If it is meant to be one of your stages, check its spelling and that it is "
            "defined above (`FROM ... AS <name>`); if it is an image, run `stagewise images prepare`.")


def build(engine: Engine, context: Path, *, dockerfile: Path | None = None, tag: str | None = None,
          builder: str = "buildkit", target: str | None = None, labels: dict[str, str] | None = None,
          network: str = "none", no_cache: bool = False, timeout: float = 900,
          build_args: dict[str, str] | None = None, extra_args: list[str] | None = None,
          on_step: Callable[[Step], None] | None = None, stop_when: StopWhen | None = None,
          preflight: bool = True, local_output: Path | None = None) -> BuildResult:
    """Build `context` with the chosen builder. `stop_when(step)` returning True ends the build early.
    `preflight=False` skips the offline image check (the caller already made it; it uses the SDK client,
    which is kept to one thread). `local_output` (BuildKit with buildx only) exports the target's files into
    that folder instead of loading an image (so there is no image id)."""
    start = time.monotonic()
    df_path = dockerfile or context / "Dockerfile"
    scratch: Path | None = None  # a temporary folder for a rewritten Dockerfile and its ignore file

    def rewritten(text: str) -> Path:
        nonlocal scratch
        if scratch is None:
            scratch = Path(tempfile.mkdtemp(prefix="stagewise-df-"))
        out = scratch / "Dockerfile"
        out.write_text(text, encoding="utf-8")
        return out

    if engine.offline:
        if no_cache and builder != "classic":
            # BuildKit's --no-cache re-resolves every base image against its registry (seen here).
            raise ValueError("no_cache would make BuildKit contact a registry on an offline engine; "
                             "prune the build cache for a cold build instead")
        try:
            text = df_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
        refusal = offline_preflight(engine, text) if text and preflight else None
        if refusal is not None:
            return BuildResult(ok=False, builder=builder, tag=tag, image_id=None,
                               seconds=time.monotonic() - start, error=f"ERROR: base image {refusal}",
                               log=refusal)
        if "syntax" in {m.group(1).lower() for m in map(DIRECTIVE.match, text.split("\n")[:8]) if m}:
            # `# syntax=` pulls a frontend image; offline, the built-in frontend (>= 1.19) reads it. The
            # line is blanked in a copy so that every line number stays the same.
            dockerfile = rewritten(without_syntax_directive(text))
    if builder != "classic":
        # The ignore file this Dockerfile is meant to be built with (checker.dockerignore: the same rule for
        # check, its cache probe and grade). BuildKit reads `<name>.dockerignore` beside the file it is given,
        # so a rewritten copy, or a learner's `.dockerignore` beside a Dockerfile kept outside the context,
        # is put beside the file BuildKit reads.
        wanted = ignore_file(context, df_path)
        given = dockerfile or df_path
        if wanted is not None and wanted != native_ignore_file(context, given):
            if scratch is None or given.parent != scratch:
                try:
                    given = rewritten(df_path.read_text(encoding="utf-8-sig"))
                except (OSError, UnicodeDecodeError):
                    given = df_path
            if given.parent == scratch:
                (given.parent / ("Dockerfile" + IGNORE)).write_bytes(wanted.read_bytes())
                dockerfile = given
    try:
        return _build(engine, context, dockerfile=dockerfile, tag=tag, builder=builder, target=target,
                      labels=labels, network=network, no_cache=no_cache, timeout=timeout, build_args=build_args,
                      extra_args=extra_args, on_step=on_step, stop_when=stop_when, start=start,
                      local_output=local_output)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


def _build(engine: Engine, context: Path, *, dockerfile: Path | None, tag: str | None, builder: str,
           target: str | None, labels: dict[str, str] | None, network: str, no_cache: bool, timeout: float,
           build_args: dict[str, str] | None, extra_args: list[str] | None,
           on_step: Callable[[Step], None] | None, stop_when: StopWhen | None, start: float,
           local_output: Path | None = None) -> BuildResult:
    args = list(engine.build_command(builder))
    progress: RawJsonProgress | ClassicProgress
    if builder == "classic":
        progress = ClassicProgress()
        args.append("--force-rm")  # a failed step's container is of no use to anyone: never leave it behind
    else:
        # rawjson exists from buildx 0.13; the 20.10 client only knows plain.
        progress = RawJsonProgress() if engine.buildx_version else ClassicProgress()
        args.append("--progress=rawjson" if engine.buildx_version else "--progress=plain")
    args += [f"--network={network}"]
    if dockerfile is not None:
        args += ["-f", str(dockerfile)]
    if tag:
        args += ["-t", tag]
    if target:
        args += ["--target", target]
    if no_cache:
        args.append("--no-cache")
    for k, v in {STAGEWISE_LABEL: "stagewise", **(labels or {})}.items():
        args += ["--label", f"{k}={v}"]
    for k, v in (build_args or {}).items():
        args += ["--build-arg", f"{k}={v}"]
    args += extra_args or []
    fd, iid_path = tempfile.mkstemp(prefix="stagewise-iid-")
    os.close(fd)
    os.unlink(iid_path)
    iidfile = Path(iid_path)
    if local_output is not None and builder != "classic" and engine.buildx_version:
        # the last --load wins: only the local export; BuildKit refuses an image id file with it
        args += ["--load=false", "--output", f"type=local,dest={local_output}", str(context)]
    else:
        args += ["--iidfile", str(iidfile), str(context)]

    env = engine.build_env(builder)
    proc = subprocess.Popen([engine.cli, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, bufsize=1, start_new_session=True)
    stopped = False
    timed_out = False

    def _kill() -> None:
        nonlocal timed_out
        timed_out = True
        _terminate(proc)

    timer = threading.Timer(timeout, _kill)
    timer.start()
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            for step in progress.feed(line):
                if on_step is not None:
                    on_step(step)
                if stop_when is not None and not stopped and stop_when(step):
                    stopped = True
                    _terminate(proc)
        proc.wait()
    finally:
        timer.cancel()
    seconds = time.monotonic() - start
    image_id = None
    if iidfile.exists():
        image_id = iidfile.read_text().strip() or None
        iidfile.unlink(missing_ok=True)
    if isinstance(progress, RawJsonProgress):
        progress.flush()
    log = "\n".join(progress.logs)
    ok = proc.returncode == 0 and not stopped and not timed_out
    error = None
    if timed_out:
        error = f"the build did not finish within {timeout:.0f} s and was stopped"
    elif not ok and not stopped:
        error = _error_from(progress, log)
    return BuildResult(ok=ok, builder=builder, tag=tag, image_id=image_id, seconds=seconds,
                       steps=progress.steps, log=log, error=error, stopped_early=stopped, timed_out=timed_out,
                       warnings=progress.warnings, argv=args)


def _terminate(proc: subprocess.Popen[str]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except OSError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass


def _error_from(progress: RawJsonProgress | ClassicProgress, log: str) -> str:
    for step in progress.steps:
        if step.error:
            return f"{step.name}: {step.error}"
    lines = [ln for ln in log.splitlines() if ln.strip()]
    for ln in reversed(lines):
        if "ERROR" in ln or "error" in ln.lower():
            return ln.strip()
    return lines[-1].strip() if lines else "the build failed"


def image_size(engine: Engine, ref: str) -> int:
    return int(engine.client.images.get(ref).attrs["Size"])
