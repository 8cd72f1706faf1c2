"""A grading worker: a long-lived process that checks one submission at a time.

`python -m checker.grade.worker CONFIG_JSON` reads jobs (one JSON object a line) on stdin and answers on
stdout with JSON lines: {"event": "phase", ...} while it works, then {"event": "done"} once the report is
written (atomically) to the job's `report_path`, or {"event": "crash", "error": ...}. The grader kills a
worker (and what it started) when a job runs over its hard deadline, and starts a new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import IO, Any

from checker.check import CheckOptions, Target, check
from checker.spec import load_spec

from .sandbox import GradingEngine
from .store import atomic_write


def run_job(job: dict[str, Any], engine: GradingEngine, emit: Any) -> None:
    ctx = Path(job["context"])
    spec = load_spec(Path(job["exercise_dir"]) / "exercise.yaml")
    tgt = Target(dockerfile=ctx / spec.dockerfile, context=(ctx / spec.context).resolve(), spec=spec,
                 exercise_dir=Path(job["exercise_dir"]))
    last = [0.0]

    def on_phase(msg: str) -> None:
        emit({"event": "phase", "id": job["id"], "phase": msg})

    def on_step(step: Any) -> None:
        now = time.monotonic()
        if now - last[0] > 0.5:  # a few updates a second at most
            last[0] = now
            emit({"event": "phase", "id": job["id"], "phase": f"building: {step.name[:70]}"})

    opts = CheckOptions(reuse=False, build_timeout=float(job["build_timeout"]), labels=dict(job["labels"]),
                        on_phase=on_phase, on_step=on_step, builder=job.get("builder", "auto"),
                        smoke_network=job.get("smoke_network", "isolated"))
    report = check(tgt, opts, engine=engine)
    atomic_write(Path(job["report_path"]), report.model_dump_json())


def _die_with_the_grader() -> None:
    """When the grader dies (even by SIGKILL), stop this worker and the docker commands it started (Linux)."""

    def on_term(_signum: int, _frame: Any) -> None:
        me = os.getpid()
        for pid in _children(me):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)  # the docker CLIs run in sessions of their own
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    if sys.platform.startswith("linux"):
        with contextlib.suppress(Exception):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
            if os.getppid() == 1:  # the grader was already gone
                on_term(signal.SIGTERM, None)


def _children(pid: int) -> list[int]:
    out = []
    for e in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if e.isdigit():
            try:
                with open(f"/proc/{e}/stat", encoding="utf-8", errors="replace") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(e))
            except (OSError, ValueError, IndexError):
                continue
    return out


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    config = json.loads(argv[0])
    _die_with_the_grader()
    # the protocol keeps the real stdout; anything else that prints goes to stderr
    proto: IO[str] = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    def emit(msg: dict[str, Any]) -> None:
        proto.write(json.dumps(msg) + "\n")
        proto.flush()

    engine = GradingEngine.from_json(config["engine"])
    emit({"event": "ready", "pid": os.getpid()})
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        job = json.loads(line)
        try:
            run_job(job, engine, emit)
            emit({"event": "done", "id": job["id"]})
        except Exception as exc:
            emit({"event": "crash", "id": job["id"], "error": f"{type(exc).__name__}: {exc}",
                  "trace": traceback.format_exc()[-4000:]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
