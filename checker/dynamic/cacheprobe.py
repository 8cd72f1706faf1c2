"""The rebuild probe: prove cache ordering by building, not by reading.

In a scratch copy of the context, edit a source file only (never a manifest) and rebuild: the
dependency-install step must be reused. Then edit the manifest and rebuild: that step must re-run, which
shows the probe can fail. A probe build stops as soon as the install step's fate is known.
Edits append a newline: the file changes (and so its checksum) while staying valid JSON/XML/Go/...
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from checker.build import BuildResult, Step, build
from checker.engine import Engine
from checker.model import Instruction

INSTALL_PATTERN = re.compile(
    r"\b(npm (ci|install|i)\b|yarn( install)?\b|pnpm (install|i)\b|mvn\b.*\b(dependency:|go-offline|resolve)|"
    r"gradle\w*\b.*\b(dependencies|resolve)|go mod (download|tidy|vendor)|pip3? install\b.*-r\b|"
    r"poetry install|uv (sync|pip install)|cargo (fetch|build)|bundle install|composer install)"
)


@dataclass
class ProbeRun:
    edited: str  # the file the probe edited (relative to the context)
    install_cached: bool | None  # None: the step's fate never became known
    seconds: float
    steps: list[Step] = field(default_factory=list)
    error: str | None = None


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


def _probe_build(engine: Engine, ctx: Path, dockerfile: Path, instr: Instruction, *, builder: str,
                 target: str | None, timeout: float, edited: str) -> ProbeRun:
    fate: list[bool] = []
    classic_pending: list[Step] = []

    def stop_when(step: Step) -> bool:
        if builder == "classic":
            # the decision comes on the line after "Step k/n : RUN ...": cache or a new container
            if classic_pending and step is not classic_pending[0]:
                fate.append(classic_pending[0].cached)
                return True
            if matches_instruction(step, instr):
                if step.cached:
                    fate.append(True)
                    return True
                classic_pending.append(step)
            return False
        f = _fate(step, instr, builder)
        if f is not None:
            fate.append(f)
            return True
        return False

    start = time.monotonic()
    result: BuildResult = build(engine, ctx, dockerfile=dockerfile, builder=builder, target=target,
                                timeout=timeout, stop_when=stop_when, labels={"io.stagewise.probe": "cache"})
    if not fate and classic_pending:
        fate.append(classic_pending[0].cached)
    if not fate:
        # the build ended before the install step was decided (it failed, or the step was skipped)
        return ProbeRun(edited, None, time.monotonic() - start, result.steps,
                        result.error or "the install step never ran in the probe build")
    return ProbeRun(edited, fate[0], time.monotonic() - start, result.steps)


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
                    target: str | None = None, timeout: float = 600) -> CacheProbeResult:
    """Two probe builds in a scratch copy of the context (the original is never touched)."""
    result = CacheProbeResult(install.line, install.snippet)
    with tempfile.TemporaryDirectory(prefix="stagewise-probe-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(context, ctx, symlinks=True)
        df = ctx / dockerfile.resolve().relative_to(context.resolve()) if _inside(dockerfile, context) \
            else Path(tmp) / "Dockerfile"
        if not _inside(dockerfile, context):
            shutil.copy2(dockerfile, df)
        # Baseline: with nothing edited the install step must come from the cache. If it does not (the
        # cache was pruned since the main build), rebuild the copy once so the probe compares like with like.
        baseline = _probe_build(engine, ctx, df, install, builder=builder, target=target, timeout=timeout,
                                edited="(nothing)")
        if baseline.install_cached is False:
            build(engine, ctx, dockerfile=df, builder=builder, target=target, timeout=timeout,
                  labels={"io.stagewise.probe": "cache"})
        _touch(ctx / source_file)
        result.source_edit = _probe_build(engine, ctx, df, install, builder=builder, target=target,
                                          timeout=timeout, edited=source_file)
        if manifest_file:
            _touch(ctx / manifest_file)
            result.manifest_edit = _probe_build(engine, ctx, df, install, builder=builder, target=target,
                                                timeout=timeout, edited=manifest_file)
    return result


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False
