"""The rebuild probe: prove cache ordering by building, not by reading.

In a scratch copy of the context, edit a source file only (never a manifest) and rebuild: the
dependency-install step must be reused. In another copy, edit the manifest and rebuild: that step must
re-run, which shows the probe can fail. A probe build stops as soon as the install step's fate is known.
Edits append a blank line of whitespace unique to the probe: the file changes (and so its checksum) while
staying valid JSON/XML/Go/...
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker.errors

from checker.build import BuildResult, Step, build
from checker.dockerignore import ignore_file
from checker.engine import Engine
from checker.model import Instruction, Stage
from checker.parse import ParseError, parse

INSTALL_PATTERN = re.compile(
    r"\b(npm (ci|install|i)\b|yarn( install)?\b|pnpm (install|i)\b|mvn\b.*\b(dependency:|go-offline|resolve)|"
    r"gradle\w*\b.*\b(dependencies|resolve)|go mod (download|tidy|vendor)|pip3? install\b.*-r\b|"
    r"poetry install|uv (sync|pip install)|cargo (fetch|build)|bundle install|composer install)"
)


@dataclass
class ProbeRun:
    edited: str  # the file the probe edited (relative to the context)
    install_cached: bool | None  # every install step reused (True), one ran again (False), else None
    seconds: float
    steps: list[Step] = field(default_factory=list)
    error: str | None = None
    fates: dict[int, bool | None] = field(default_factory=dict)  # each install step's line -> its fate


def combined_fate(fates: list[bool | None]) -> bool | None:
    """One step that ran again decides; every step reused is a reuse; anything else is not known."""
    if any(f is False for f in fates):
        return False
    if fates and all(f is True for f in fates):
        return True
    return None


@dataclass
class CacheProbeResult:
    install_line: int
    install_instruction: str
    source_edit: ProbeRun | None = None
    manifest_edit: ProbeRun | None = None

    @property
    def reused_after_source_edit(self) -> bool:
        return bool(self.source_edit and self.source_edit.install_cached is True)

    @property
    def rerun_after_manifest_edit(self) -> bool:
        return bool(self.manifest_edit and self.manifest_edit.install_cached is False)


def normalize(text: str) -> str:
    return " ".join(text.replace("\\\n", " ").split())


def matches_instruction(step: Step, instr: Instruction) -> bool:
    want = normalize(instr.original)
    got = normalize(f"{step.instruction}")
    if got == want:
        return True
    # classic builder prints "RUN npm ci" from the original; BuildKit may drop/expand bits: compare bodies
    body = normalize(instr.original.split(None, 1)[1] if " " in instr.original else "")
    return bool(body) and got.upper().startswith(instr.keyword) and got.endswith(body[-60:])


def _fate(step: Step, instr: Instruction, builder: str) -> bool | None:
    """True: reused from cache; False: ran again; None: not known yet."""
    if not matches_instruction(step, instr):
        return None
    if step.cached:
        return True
    if builder == "classic":
        return None  # the classic builder says "Using cache" right after the step line, or runs it
    if step.started is not None and step.completed is None:
        return False
    if step.completed is not None:
        return False
    return None


def _same_stage(step: Step, instrs: list[Instruction], stages: list[Stage]) -> list[Instruction]:
    """Of the install steps whose text matches `step`, the ones in the stage the builder names (two stages may
    run the same `RUN npm ci`); all of them when the builder names no stage or none matches."""
    if len(instrs) < 2 or step.stage is None:
        return instrs
    def label(i: Instruction) -> set[str]:
        idx = i.stage_index or 0
        st = stages[idx] if idx < len(stages) else None
        return {str(idx), f"stage-{idx}", *((st.name,) if st is not None and st.name else ())}
    hits = [i for i in instrs if step.stage in label(i)]
    return hits or instrs


class StepsDone:
    """Set once every one of `instrs` has been reused or has completed in a build watched through `feed`: what
    a later job needs from that build (an install step in the cache, a cache mount filled) is there, although
    the build still runs. With no instruction to wait for it is set at once."""

    def __init__(self, instrs: list[Instruction], stages: list[Stage]) -> None:
        self.instrs, self.stages = instrs, stages
        self._left = {i.line for i in instrs}
        self.event = threading.Event()
        if not self._left:
            self.event.set()

    def feed(self, step: Step) -> None:
        if self.event.is_set() or step.error or not (step.cached or step.completed is not None):
            return
        for instr in _same_stage(step, [i for i in self.instrs if matches_instruction(step, i)], self.stages):
            self._left.discard(instr.line)
        if not self._left:
            self.event.set()


def _probe_build(engine: Engine, ctx: Path, dockerfile: Path, instrs: list[Instruction], *, builder: str,
                 target: str | None, timeout: float, edited: str, stages: list[Stage] | None = None) -> ProbeRun:
    """One probe build, stopped as soon as the fate of every install step in `instrs` is known."""
    fate: dict[int, bool] = {}
    classic_pending: dict[int, Step] = {}
    stages = stages or []

    def decided() -> bool:
        return all(i.line in fate for i in instrs)

    def stop_when(step: Step) -> bool:
        if builder == "classic":
            # the decision comes on the line after "Step k/n : RUN ...": cache or a new container
            for line, pending in list(classic_pending.items()):
                if step is not pending:
                    fate[line] = pending.cached
                    del classic_pending[line]
            for instr in _same_stage(step, [i for i in instrs if matches_instruction(step, i)], stages):
                if instr.line not in fate:
                    if step.cached:
                        fate[instr.line] = True
                    else:
                        classic_pending[instr.line] = step
            return decided()
        for instr in _same_stage(step, [i for i in instrs if matches_instruction(step, i)], stages):
            if instr.line not in fate:
                f = _fate(step, instr, builder)
                if f is not None:
                    fate[instr.line] = f
        return decided()

    start = time.monotonic()
    result: BuildResult = build(engine, ctx, dockerfile=dockerfile, builder=builder, target=target,
                                timeout=timeout, stop_when=stop_when, labels={"io.stagewise.probe": "cache"},
                                preflight=False)
    for line, pending in classic_pending.items():
        fate.setdefault(line, pending.cached)
    fates: dict[int, bool | None] = {i.line: fate.get(i.line) for i in instrs}
    combined = combined_fate(list(fates.values()))
    if combined is None:
        # the build ended before an install step was decided (it failed, or the step was skipped)
        return ProbeRun(edited, None, time.monotonic() - start, result.steps,
                        result.error or "the install step never ran in the probe build", fates)
    return ProbeRun(edited, combined, time.monotonic() - start, result.steps, fates=fates)


def _touch(path: Path) -> None:
    """Append a blank line whose whitespace is unique to this probe: the edit is harmless in any language,
    and it can never match a cache entry left by an earlier probe (a fixed edit would, and a badly ordered
    Dockerfile would then look cached on its second check)."""
    nonce = secrets.randbits(64)
    blank = "".join("\t" if nonce >> bit & 1 else " " for bit in range(64))
    with path.open("ab") as f:
        f.write(f"\n{blank}\n".encode())


def run_cache_probe(engine: Engine, context: Path, dockerfile: Path, install: Instruction, *,
                    source_file: str, manifest_file: str | None, builder: str = "buildkit",
                    target: str | None = None, timeout: float = 600,
                    also: tuple[Instruction, ...] = ()) -> CacheProbeResult:
    """The probe builds, each in a scratch copy of the context (the original is never touched): a source-only
    edit and a manifest edit, side by side (each compares its copy with the cache the checked build left, so
    they are independent). When the source edit re-ran the install step, a baseline with nothing edited tells
    a badly ordered Dockerfile from a cache pruned since the build (if even the baseline re-runs the step, the
    copy is rebuilt once), and a fresh source edit confirms the verdict, comparing like with like.

    Every probe build watches `install` and the later install steps in `also` (a step after `COPY . .` in a
    later stage re-installs on every edit even when an earlier one is ordered right): each gets its fate.

    With BuildKit each probe build starts FROM base-image tags of its own (see `_isolate_bases`)."""
    result = CacheProbeResult(install.line, install.snippet)
    instrs = [install, *(i for i in also if i.line != install.line)]
    text = dockerfile.read_text(encoding="utf-8-sig")
    try:
        stages = parse(text).stages
    except ParseError:
        stages = []  # nothing to rename: the probe builds what is written
    aliases: list[str] = []
    # This may run in a helper thread: an SDK client of its own.
    with engine.own_client() as own, tempfile.TemporaryDirectory(prefix="stagewise-probe-") as tmp:
        remove_stale_probe_tags(own.client)
        try:
            def copy(name: str, edit: str | None) -> tuple[Path, Path]:
                ctx = Path(tmp) / name / "ctx"
                shutil.copytree(context, ctx, symlinks=True)
                if edit is not None:
                    _touch(ctx / edit)
                if builder == "classic":
                    if _inside(dockerfile, context):
                        return ctx, ctx / dockerfile.resolve().relative_to(context.resolve())
                    df = Path(tmp) / name / "Dockerfile"
                    shutil.copy2(dockerfile, df)
                    return ctx, df
                # Beside the copy, not in it: the context stays byte for byte the one that was built.
                df = Path(tmp) / name / "Dockerfile"
                df.write_text(_isolate_bases(own, text, stages, aliases))
                ignore = ignore_file(context, dockerfile)  # the one the checked build read
                if ignore is not None:
                    shutil.copy2(ignore, df.with_name("Dockerfile.dockerignore"))
                return ctx, df

            def probe(ctx_df: tuple[Path, Path], edited: str) -> ProbeRun:
                return _probe_build(engine, ctx_df[0], ctx_df[1], instrs, builder=builder, target=target,
                                    timeout=timeout, edited=edited, stages=stages)

            src = copy("source", source_file)
            man = copy("manifest", manifest_file) if manifest_file else None
            with ThreadPoolExecutor(max_workers=2, thread_name_prefix="stagewise-probe") as pool:
                manifest_run = pool.submit(probe, man, manifest_file) if man and manifest_file else None
                result.source_edit = probe(src, source_file)
                result.manifest_edit = manifest_run.result() if manifest_run else None
            if result.source_edit.install_cached is False:
                # A failing verdict needs a second look: the baseline proves the step is in the cache now, and
                # a fresh source edit (a new copy, a new nonce: the first probe may have left its own layers)
                # must re-run the step again. A step that was only missing for a moment (pruned, or not found
                # by a concurrent job) is then reused, and the submission is not blamed for it.
                base = copy("base", None)
                if probe(base, "(nothing)").install_cached is False:
                    build(engine, base[0], dockerfile=base[1], builder=builder, target=target, timeout=timeout,
                          labels={"io.stagewise.probe": "cache"}, preflight=False)
                    if man and manifest_file:
                        result.manifest_edit = probe(copy("manifest-again", manifest_file), manifest_file)
                result.source_edit = probe(copy("source-again", source_file), source_file)
        finally:
            for alias in aliases:
                try:
                    own.client.images.remove(alias)  # the tag only: the image keeps its own names
                except docker.errors.APIError:
                    pass
    return result


def _isolate_bases(engine: Engine, text: str, stages: list[Stage], aliases: list[str]) -> str:
    """The Dockerfile with each base image of a FROM line renamed to a tag unique to this probe build.

    BuildKit shares the steps of concurrent builds that start from the same image, and a build that shares a
    base held by a longer concurrent build can miss a cache record and run a cached step again (BuildKit
    issue 4674). For the probe that would be a wrong verdict. A tag of its own gives the probe build vertices
    no other build has, while the cache keys stay the same (they come from the image's content), so the
    checked build's cache is still found. Lines keep their numbers; tags are added to `aliases`."""
    lines = text.split("\n")
    for st in stages:
        if st.base_stage is not None or not st.base_resolved or st.base.lower() == "scratch":
            continue
        index = st.line - 1
        if index >= len(lines) or st.base_raw not in lines[index]:
            continue  # a FROM split over lines: left shared
        alias = f"{PROBE_REPOSITORY}/{_owner()}-{secrets.token_hex(6)}:base"
        try:
            engine.client.images.get(st.base).tag(alias)
        except docker.errors.APIError:
            continue  # not in the local store (an online engine pulls it): left as written
        aliases.append(alias)
        head, _sep, tail = lines[index].partition(st.base_raw)
        lines[index] = head + alias + tail
    return "\n".join(lines)


PROBE_REPOSITORY = "stagewise-probe"
_PROBE_TAG = re.compile(rf"^{PROBE_REPOSITORY}/(?P<host>[a-z0-9-]+)-(?P<pid>\d+)-[0-9a-f]+:base$")


def _host() -> str:
    return re.sub(r"[^a-z0-9]+", "-", socket.gethostname().lower()).strip("-") or "host"


def _owner() -> str:
    """Whose probe tags these are: this machine and process, so that a later check can tell a tag left by a
    check that was killed mid-probe (its process is gone) from one a running check still uses."""
    return f"{_host()}-{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_probe_tags(client: Any) -> list[str]:
    """Untag the probe base tags that checks on this machine left when they were killed before their cleanup
    (the images keep their own names). Tags of live processes, and of other machines sharing the engine,
    are left alone. Returns the tags removed."""
    try:
        images = client.images.list(filters={"reference": f"{PROBE_REPOSITORY}/*"})
    except docker.errors.APIError:
        return []
    removed = []
    host = _host()
    for image in images:
        for tag in image.tags:
            m = _PROBE_TAG.match(tag)
            if m is None or m["host"] != host or _alive(int(m["pid"])):
                continue
            try:
                client.images.remove(tag)
                removed.append(tag)
            except docker.errors.APIError:
                pass
    return removed


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
