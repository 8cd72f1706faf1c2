"""Building images for real, through the CLI (buildx for BuildKit, the classic builder otherwise).

The Docker SDK drives only the classic builder, so every build goes through the `docker` CLI; the SDK is
used afterwards to inspect. BuildKit builds use `--progress=rawjson` (one JSON status object a line, each
step a vertex marked `cached`); classic builds are read from their plain output ("Using cache").
"""

from __future__ import annotations

import base64
import collections
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Protocol

import docker.errors

from checker.dockerignore import IGNORE, ignore_file, native_ignore_file
from checker.engine import Engine

STEP_NAME = re.compile(r"^\[(?:(?P<stage>[^\]\s]+) )?(?P<num>\d+)/(?P<total>\d+)\] (?P<instr>.*)$", re.S)
CLASSIC_STEP = re.compile(r"^Step (?P<num>\d+)/(?P<total>\d+) : (?P<instr>.*)$")

STAGEWISE_LABEL = "io.stagewise.created-by"
LOG_TAIL_BYTES = 1024 * 1024  # the build log kept in memory: its last MiB
LOG_LINE_BYTES = 8 * 1024  # a longer line is cut (a build printing one endless line)
FAILURE_LINES = 12  # lines of a failed step's output kept apart, and of BuildKit's own error lines
READ_CHUNK = 1024 * 1024  # the CLI's output is read in pieces of at most this many characters
BUILDKIT_CLIPPED = "[output clipped, log limit"  # BuildKit's own marker when it drops a step's output


class LogTail:
    """The last `max_bytes` of a build's log, line by line: a build that prints hundreds of MB costs the
    grader one MiB. Counts what it dropped, so the report can say the log was cut."""

    def __init__(self, max_bytes: int = LOG_TAIL_BYTES, max_line: int = LOG_LINE_BYTES) -> None:
        self.max_bytes, self.max_line = max_bytes, max_line
        self._lines: deque[str] = deque()
        self._size = 0
        self.dropped_bytes = 0
        self.dropped_lines = 0
        self.total_bytes = 0
        self.clipped_by_buildkit = False

    def append(self, line: str) -> None:
        self.total_bytes += len(line) + 1
        if BUILDKIT_CLIPPED in line:
            self.clipped_by_buildkit = True
        if len(line) > self.max_line:
            self.dropped_bytes += len(line) - self.max_line
            line = line[:self.max_line] + " [line cut]"
        self._lines.append(line)
        self._size += len(line) + 1
        while self._size > self.max_bytes and len(self._lines) > 1:
            old = self._lines.popleft()
            self._size -= len(old) + 1
            self.dropped_bytes += len(old) + 1
            self.dropped_lines += 1

    def extend(self, lines: list[str]) -> None:
        for ln in lines:
            self.append(ln)

    def __iter__(self) -> Iterator[str]:
        return iter(self._lines)

    def __len__(self) -> int:
        return len(self._lines)

    def __getitem__(self, i: int) -> str:
        return self._lines[i]

    def text(self) -> str:
        return "\n".join(self._lines)

    def cut(self) -> str | None:
        """How the log was cut, in words, or None when it is whole."""
        if self.dropped_bytes:
            return (f"only its last {_mib(self._size)} of {_mib(self.total_bytes)} were kept"
                    + ("; BuildKit also clipped a step's output at its log limit" if self.clipped_by_buildkit
                       else ""))
        if self.clipped_by_buildkit:
            return "BuildKit clipped a step's output at its log limit"
        return None


def _mib(n: int) -> str:
    return f"{n / 1024**2:.1f} MiB"


class BuildWatch(Protocol):
    """Polled while a build runs (checker.grade.sandbox.DiskWatch): a reason to stop the build, or None."""

    interval: float

    def poll(self) -> str | None: ...


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
    log_cut: str | None = None  # how the log was cut (LogTail.cut), None when `log` is whole
    watch_stopped: str | None = None  # why the build's watch (disk budget) stopped it
    # a failed BuildKit build: the failed step's last output lines and BuildKit's error lines (empty: use log)
    failure_log: list[str] = field(default_factory=list)

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
        self.logs = LogTail()
        self.warnings: list[dict[str, object]] = []
        self._partial: dict[str, str] = {}  # per vertex: output after its last newline
        # the last lines of each step's own output, and BuildKit's plain lines (its error and the Dockerfile
        # excerpt): a failure is shown with these, not with the log's tail, whose lines from other steps
        # depend on what the cache held
        self._vertex_tail: dict[str, collections.deque[str]] = {}
        self._plain: collections.deque[str] = collections.deque(maxlen=FAILURE_LINES)

    def failure_lines(self) -> list[str]:
        """The failed steps' last output lines, then BuildKit's own error lines."""
        out: list[str] = []
        for digest in self.order:
            if self.by_digest[digest].error:
                out.extend(self._vertex_tail.get(digest, ()))
        return [*out, *self._plain]

    def flush(self) -> None:
        """Keep the unterminated last line of each step's output."""
        self.logs.extend([rest for rest in self._partial.values() if rest])
        for vertex, rest in self._partial.items():
            if rest:
                self._tail(vertex).append(rest[:LOG_LINE_BYTES])
        self._partial = {}

    def _tail(self, vertex: str) -> collections.deque[str]:
        return self._vertex_tail.setdefault(vertex, collections.deque(maxlen=FAILURE_LINES))

    def feed(self, line: str) -> list[Step]:
        """Take one output line; returns the steps whose state changed."""
        line = line.strip()
        if not line.startswith("{"):
            if line:
                self.flush()
                self.logs.append(line)
                self._plain.append(line[:LOG_LINE_BYTES])
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
                self._tail(vertex).extend(ln[:LOG_LINE_BYTES] for ln in lines if ln.strip())
                if len(rest) > LOG_LINE_BYTES:  # one endless line: keep its start, count the rest as cut
                    self.logs.append(rest)
                    rest = ""
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
        self.logs = LogTail()
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
    first = 1 if lines and lines[0].startswith("#!") else 0  # BuildKit reads directives after a shebang line
    end = first
    while end < len(lines) and DIRECTIVE.match(lines[end]):
        end += 1
    block = lines[first:end]
    kept = [ln for ln in block if DIRECTIVE.match(ln).group(1).lower() != "syntax"]  # type: ignore[union-attr]
    dropped = len(block) - len(kept)
    return "\n".join(lines[:first] + kept + ["# (syntax directive ignored offline: built-in frontend)"] * dropped
                     + lines[end:])


_ANY_DIRECTIVE = re.compile(r"^(#|//)\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")


def syntax_directive(text: str) -> tuple[int, str, str] | None:
    """(line, form, image) of the frontend a file asks BuildKit to fetch and run, in every form BuildKit's
    DetectSyntax reads: `# syntax=` or `//syntax=` in the directive block (after an optional `#!` line), or a
    file that is one JSON object with a "syntax" key."""
    lines = text.split("\n")
    first = 1 if lines and lines[0].startswith("#!") else 0
    for i in range(first, len(lines)):
        m = _ANY_DIRECTIVE.match(lines[i].strip())
        if not m:
            break
        if m.group(2).lower() == "syntax":
            return i + 1, m.group(1), m.group(3)
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError:
            return None
        if isinstance(doc, dict) and "syntax" in doc:
            return 1, "json", str(doc["syntax"])
    return None


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


_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*://|git@[^\s:]+:)")
_RAW_ADD_URL = re.compile(r"^\s*(?:onbuild\s+)?add\b[^\n]*?\s((?:[a-z][a-z0-9+.-]*://|git@)\S*)", re.I | re.M)
_RAW_RUN_FLAG = re.compile(r"^\s*(?:onbuild\s+)?run\b[^\n]*?--(network|security|device)\b[=\s]*(\S*)", re.I | re.M)


def untrusted_refusal(text: str) -> str | None:
    """Why a file nobody has read is not built at all, or None: what would reach outside the build's sandbox
    (the network, the host's network, an insecure or device-holding RUN). Decided from the text, before
    anything is sent to the engine: nothing resolves a URL, nothing asks BuildKit for an entitlement."""
    from checker.parse import ParseError, parse

    problems: list[str] = []
    directive = syntax_directive(text)
    if directive is not None and directive[1] != "#":  # `# syntax=` is neutralised (the built-in frontend reads
        line, form, image = directive                   # the file); the other forms are not Dockerfile lines
        spelled = f'{{"syntax": "{_shown(image, 60)}"}}' if form == "json" else f"{form}syntax={_shown(image, 60)}"
        problems.append(f"line {line} `{spelled}`: BuildKit would fetch and run that frontend to read the file; "
                        "grading reads every file with Docker's built-in frontend. Remove that line")
    try:
        model = parse(text)
    except ParseError:
        model = None
    if model is not None:
        instructions = [ins for st in model.stages for ins in st.instructions]
        for ins in instructions:
            keyword = ins.keyword  # ONBUILD's own instruction is read from its text, below
            if keyword == "ADD":
                url = next((a for a in ins.args if _REMOTE.match(a)), None)
                if url is not None:
                    problems.append(_add_url_problem(ins.line, _shown(url, 80)))
            if keyword == "RUN":
                for f in ins.flags:
                    problems += _run_flag_problem(ins.line, f.name, f.value or "")
        if ins_text := [ins for ins in instructions if ins.keyword == "ONBUILD"]:
            for ins in ins_text:  # ONBUILD RUN/ADD: the sub-instruction's flags are in its text
                problems += _raw_problems(ins.original, ins.line)
    else:
        problems += _raw_problems(text, None)
    if not problems:
        return None
    shown_problems = problems[:5] + ([f"and {len(problems) - 5} more"] if len(problems) > 5 else [])
    return "refused before building: " + "; ".join(shown_problems) + "."


def _add_url_problem(line: int, url: str) -> str:
    return (f"line {line} `ADD {url}`: grading builds have no network, and BuildKit would fetch an ADD URL "
            "itself, outside the RUN sandbox. COPY the file from the build context instead")


def _run_flag_problem(line: int, name: str, value: str) -> list[str]:
    value = value.lower()
    if name == "network" and value not in ("none", "default", ""):
        return [f"line {line} `RUN --network={_shown(value, 30)}`: grading builds have no network at all (the "
                "host's would need `--allow network.host`, which the grader never gives). Remove `--network`"]
    if name == "security" and value != "sandbox":
        return [f"line {line} `RUN --security={_shown(value, 30)}`: a step outside the container sandbox is "
                "never allowed in grading. Remove `--security`"]
    if name == "device":
        return [f"line {line} `RUN --device`: grading builds get no host device. Remove `--device`"]
    return []


def _raw_problems(text: str, line: int | None) -> list[str]:
    out: list[str] = []
    for m in _RAW_ADD_URL.finditer(text):
        ln = line or text.count("\n", 0, m.start()) + 1
        out.append(_add_url_problem(ln, _shown(m.group(1), 80)))
    for m in _RAW_RUN_FLAG.finditer(text):
        ln = line or text.count("\n", 0, m.start()) + 1
        out += _run_flag_problem(ln, m.group(1).lower(), m.group(2).split(",")[0])
    return out


def _shown(text: str, limit: int = 60) -> str:
    one = " ".join(text.split())
    return one if len(one) <= limit else one[:limit - 3] + "..."


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

    if engine.untrusted:
        try:
            text = df_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
        refusal = untrusted_refusal(text)
        if refusal is not None:
            return BuildResult(ok=False, builder=builder, tag=tag, image_id=None,
                               seconds=time.monotonic() - start, error=refusal, log=refusal)
    if engine.offline or engine.untrusted:
        if no_cache and builder != "classic" and engine.offline:
            # BuildKit's --no-cache re-resolves every base image against its registry (seen here).
            raise ValueError("no_cache would make BuildKit contact a registry on an offline engine; "
                             "prune the build cache for a cold build instead")
        try:
            text = df_path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError):
            text = ""
        refusal = offline_preflight(engine, text) if text and preflight and engine.offline else None
        if refusal is not None:
            return BuildResult(ok=False, builder=builder, tag=tag, image_id=None,
                               seconds=time.monotonic() - start, error=f"ERROR: base image {refusal}",
                               log=refusal)
        if "syntax" in {m.group(1).lower() for m in map(DIRECTIVE.match, text.split("\n")[:8]) if m}:
            # `# syntax=` pulls a frontend image; offline (and for a file nobody has read: never let it pick
            # the code that parses it), the built-in frontend (>= 1.19) reads it. The line is blanked in a copy
            # so that every line number stays the same.
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
    watch = engine.build_watch()
    watch_reason: list[str] = []
    watching = threading.Event()
    watcher: threading.Thread | None = None
    if watch is not None:
        def _watch() -> None:
            while not watching.wait(watch.interval):
                reason = watch.poll()
                if reason:
                    watch_reason.append(reason)
                    _terminate(proc)
                    return

        watcher = threading.Thread(target=_watch, daemon=True, name="stagewise-build-watch")
        watcher.start()
    try:
        assert proc.stdout is not None
        for line in _pieces(proc.stdout):
            for step in progress.feed(line):
                if on_step is not None:
                    on_step(step)
                if stop_when is not None and not stopped and stop_when(step):
                    stopped = True
                    _terminate(proc)
        proc.wait()
    finally:
        timer.cancel()
        watching.set()
        if watcher is not None:
            watcher.join(timeout=30)
    seconds = time.monotonic() - start
    image_id = None
    if iidfile.exists():
        image_id = iidfile.read_text().strip() or None
        iidfile.unlink(missing_ok=True)
    if isinstance(progress, RawJsonProgress):
        progress.flush()
    log = progress.logs.text()
    ok = proc.returncode == 0 and not stopped and not timed_out and not watch_reason
    error = None
    if watch_reason:
        error = watch_reason[0]
    elif timed_out:
        error = f"the build did not finish within {timeout:.0f} s and was stopped"
    elif not ok and not stopped:
        error = _error_from(progress, log)
    return BuildResult(ok=ok, builder=builder, tag=tag, image_id=image_id, seconds=seconds,
                       steps=progress.steps, log=log, error=error, stopped_early=stopped, timed_out=timed_out,
                       warnings=progress.warnings, argv=args, log_cut=progress.logs.cut(),
                       watch_stopped=watch_reason[0] if watch_reason else None,
                       failure_log=(progress.failure_lines() if not ok and isinstance(progress, RawJsonProgress)
                                    else []))


def _pieces(stream: IO[str]) -> Iterator[str]:
    """The CLI's output line by line, an endless line in pieces of READ_CHUNK characters: the grader never
    holds more than one piece of a build that prints one huge line."""
    while True:
        piece = stream.readline(READ_CHUNK)
        if not piece:
            return
        yield piece


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
