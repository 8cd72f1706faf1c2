"""The grading run: prepare every submission, grade the new ones in parallel workers, keep every result.

Reliability: a student's result is committed (atomically) the moment it is known and the class files are
rewritten from the committed results, so at any instant the gradebook is whole. A result that the engine's
death may have spoiled is never committed: the student stays pending and the next run grades them. Re-runs
skip every student whose submission, exercise, checker and grading options are unchanged (content keys).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from checker import __version__
from checker.engine import Engine
from checker.report import Report
from checker.report import Status as FindingStatus

from . import outputs
from .sandbox import (
    GRADE_LABEL,
    RUN_LABEL,
    STUDENT_LABEL,
    BuildCgroups,
    GradingEngine,
    ResourceLimits,
    cache_record_ids,
    cgroup_support,
    count_labelled,
    image_ids,
    prune_cache_records,
    remove_labelled,
    remove_new_untagged_images,
    snapshot_ids,
)
from .store import FINAL, Status, Store, StudentResult
from .submissions import ClassList, Entry
from .unpack import Refused, UnpackLimits, materialize
from .workspace import (
    Exercise,
    NoDockerfile,
    Prepared,
    UnknownExercise,
    build_context,
    find_exercise,
    inspect_submission,
)

CHECKER_DIR = Path(__file__).resolve().parents[1]
INFRA = re.compile(r"Cannot connect to the Docker daemon|error during connect|Is the docker daemon running|"
                   r"dial unix .*: connect:|connection reset by peer|No such file or directory: .*docker\.sock")
BUILD_TIMEOUT = re.compile(r"did not finish within \d+ s")
FORK_FAILED = re.compile(r"can't fork|fork: Resource temporarily unavailable|fork failed")
LOG_CUT = re.compile(r"[Tt]he build log was cut[^\n]*")  # SW050 says so


class GradeError(RuntimeError):
    """The run cannot start (usage): the message says why."""


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


@dataclass
class GradeOptions:
    out: Path
    exercise: str | None = None
    jobs: int = field(default_factory=default_jobs)
    timeout: float = 300.0  # each build; the whole grading of one submission gets hard_timeout
    hard_timeout: float | None = None  # default: 4 x timeout + 120 s
    regrade: bool = False
    builder: str = "auto"  # auto | buildkit | classic
    buildx_builder: str | None = None
    limits: ResourceLimits = field(default_factory=ResourceLimits)
    unpack: UnpackLimits = field(default_factory=UnpackLimits)
    max_context_bytes: int = 200 * 1024 * 1024
    keep_cache: bool = False
    reference: bool = True  # grade the reference solution: it gives the exercise's max score
    worker_memory_bytes: int = 4 * 1024**3  # a worker over this is stopped (runaway output)
    smoke_network: str = "isolated"  # "host": the old host-network smoke run, only when a user asks

    def fingerprint(self) -> str:
        data: dict[str, object] = {"timeout": self.timeout, "builder": self.builder, "bx": self.buildx_builder,
                                   "mem": self.limits.memory_bytes, "pids": self.limits.pids,
                                   "cpus": self.limits.cpus, "disk": self.limits.disk_bytes}
        if self.smoke_network != "isolated":  # the default keeps the key of a run made before the option
            data["smoke_network"] = self.smoke_network
        return json.dumps(data, sort_keys=True)


class Reporter:
    """What a run tells its display. The defaults do nothing."""

    def start(self, run: GradeRun) -> None: ...
    def job_started(self, slot: int, job: Job) -> None: ...
    def phase(self, slot: int, job: Job, phase: str) -> None: ...
    def job_finished(self, slot: int, job: Job) -> None: ...
    def result(self, result: StudentResult) -> None: ...
    def message(self, text: str) -> None: ...
    def tick(self) -> None: ...
    def finish(self, summary: Summary) -> None: ...


@dataclass
class Pending:
    entry: Entry
    exercise: Exercise
    prepared: Prepared
    key: str
    source: str | None


@dataclass
class Job:
    id: str
    key: str
    exercise: Exercise
    prepared: Prepared
    students: list[Pending] = field(default_factory=list)
    reference: bool = False
    attempts: int = 0
    started: float = 0.0
    phase: str = ""
    slot: int = -1

    @property
    def label(self) -> str:
        names = [p.entry.student for p in self.students]
        if self.reference:
            names.insert(0, f"(reference {self.exercise.id})")
        return ", ".join(names[:3]) + (f" +{len(names) - 3}" if len(names) > 3 else "")


@dataclass
class Summary:
    run_id: str
    out: Path
    counts: dict[str, int]
    total: int
    graded: int  # graded in this run
    reused: int  # unchanged since an earlier run
    seconds: float
    complete: bool
    stopped_because: str | None
    leftovers: tuple[int, int]  # (containers, images) still labelled after cleanup
    cache_pruned: int
    limits: str
    rows: list[StudentResult]
    exercise_max: dict[str, float]
    warnings: list[str]


_CODE_FP: str | None = None


def code_fingerprint() -> str:
    global _CODE_FP
    if _CODE_FP is None:
        h = hashlib.sha256(__version__.encode())
        for p in sorted(CHECKER_DIR.rglob("*.py")):
            h.update(str(p.relative_to(CHECKER_DIR)).encode())
            h.update(p.read_bytes())
        _CODE_FP = h.hexdigest()
    return _CODE_FP


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ------------------------------------------------------------------------------------------ workers


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        entries = os.listdir("/proc")
    except OSError:
        return kids
    for e in entries:
        if not e.isdigit():
            continue
        try:
            with open(f"/proc/{e}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == pid:
            kids.append(int(e))
    return kids


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in _children(p):
            if c not in out:
                out.append(c)
                todo.append(c)
    return out


def _rss(pid: int) -> int:
    total = 0
    for p in [pid, *_tree(pid)]:
        try:
            with open(f"/proc/{p}/status", encoding="utf-8") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
        except (OSError, ValueError):
            continue
    return total


class WorkerProc:
    def __init__(self, config: dict[str, Any], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        self._log: IO[bytes] = log.open("ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "checker.grade.worker", json.dumps(config)],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True,
                                     bufsize=1, start_new_session=True, encoding="utf-8")
        self.events: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        ev = self.next_event(120)
        if ev is None or ev.get("event") != "ready":
            self.kill()
            raise RuntimeError(f"a grading worker did not start (see {log})")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                self.events.put(json.loads(line))
            except ValueError:
                continue
        self.events.put(None)  # the worker is gone

    def next_event(self, timeout: float) -> dict[str, Any] | None:
        """The next event, {} on timeout, None once the worker has died."""
        try:
            return self.events.get(timeout=timeout)
        except queue.Empty:
            return {}

    def send(self, job: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """The worker and everything it started (docker CLIs run in sessions of their own)."""
        for pid in reversed(_tree(self.proc.pid)):
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(Exception):
            self.proc.wait(timeout=10)
        self._close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.kill()
        self._close()

    def _close(self) -> None:
        with contextlib.suppress(Exception):
            self._log.close()


# ------------------------------------------------------------------------------------------ the run


class GradeRun:
    def __init__(self, klass: ClassList, opts: GradeOptions, engine: Engine, reporter: Reporter | None = None
                 ) -> None:
        self.klass, self.opts, self.reporter = klass, opts, reporter or Reporter()
        self.base_engine = engine
        self.store = Store(opts.out)
        self.run_id = uuid.uuid4().hex[:12]
        self.labels = {GRADE_LABEL: self.store.key, RUN_LABEL: self.run_id}
        self.results: dict[str, StudentResult] = {}
        self.order: list[str] = []
        self.references: dict[str, StudentResult] = {}
        self.exercises: dict[str, Exercise] = {}
        self.jobs: list[Job] = []
        self.queue: queue.Queue[Job] = queue.Queue()
        self.abort = threading.Event()
        self.stopped_because: str | None = None
        self.lock = threading.RLock()
        self.graded = 0
        self.reused = 0
        self.warnings: list[str] = []
        self.running: dict[int, Job] = {}
        self.start_time = time.monotonic()
        self.cgroups: BuildCgroups | None = None
        self.limits_note = ""
        self.signal_received: int | None = None
        self._last_write = 0.0
        self.writer = outputs.ClassWriter(opts.out)

    # -- preparation ------------------------------------------------------------------------------
    def _exercise(self, name: str | None) -> Exercise:
        if not name:
            raise UnknownExercise("no exercise: pass --exercise ID, or give the roster an 'exercise' column")
        if name not in self.exercises:
            self.exercises[name] = find_exercise(name, base=self.klass.base)
        return self.exercises[name]

    def _key(self, exercise: Exercise, prepared: Prepared) -> str:
        h = hashlib.sha256()
        for part in (exercise.fingerprint, prepared.sha256, code_fingerprint(), self.opts.fingerprint()):
            h.update(part.encode() + b"\0")
        return h.hexdigest()

    def _final(self, entry: Entry, status: Status, note: str, exercise: str | None,
               source: str | None = None) -> StudentResult:
        return StudentResult(student=entry.student, slug=entry.slug, exercise=exercise, status=status, note=note,
                             source=source, graded_at=_now())

    def prepare(self) -> list[Pending]:
        work = self.store.work
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        pending: list[Pending] = []
        for entry in self.klass.entries:
            self.order.append(entry.slug)
            source = str(entry.source) if entry.source else None
            try:
                ex = self._exercise(entry.exercise or self.opts.exercise)
            except (UnknownExercise, ValueError) as exc:
                self._commit(self._final(entry, Status.INVALID, str(exc).splitlines()[0],
                                         entry.exercise or self.opts.exercise, source))
                continue
            if entry.source is None:
                self._commit(self._final(entry, Status.INVALID, entry.problem or "no submission", ex.id, source))
                continue
            unpacked = work / entry.slug / "submission"
            try:
                materialize(entry.source, unpacked, self.opts.unpack)
                prepared = inspect_submission(unpacked, ex)
            except Refused as exc:
                self._commit(self._final(entry, Status.REFUSED, f"refused: {exc}", ex.id, source))
                continue
            except NoDockerfile as exc:
                self._commit(self._final(entry, Status.INVALID, str(exc), ex.id, source))
                continue
            except OSError as exc:
                self._commit(self._final(entry, Status.REFUSED, f"refused: unreadable submission ({exc})", ex.id,
                                         source))
                continue
            finally:
                shutil.rmtree(work / entry.slug, ignore_errors=True)
            key = self._key(ex, prepared)
            stored = self.store.load(entry.slug)
            if (not self.opts.regrade and stored is not None and stored.key == key and stored.status in FINAL
                    and stored.report is not None):
                stored.student = entry.student
                self.results[entry.slug] = stored
                self.reused += 1
                continue
            self.results[entry.slug] = StudentResult(student=entry.student, slug=entry.slug, exercise=ex.id,
                                                     status=Status.PENDING, key=key, source=source,
                                                     submission_sha=prepared.sha256)
            pending.append(Pending(entry, ex, prepared, key, source))
        return pending

    def plan(self, pending: list[Pending]) -> None:
        groups: dict[str, Job] = {}
        used = {self.results[s].exercise for s in self.order if self.results[s].exercise}
        if self.opts.reference:
            for ex in sorted({e for e in self.exercises.values() if e.id in used}, key=lambda e: e.id):
                if ex.reference is None:
                    continue
                try:
                    prepared = inspect_submission(ex.reference, ex)
                except (NoDockerfile, Refused) as exc:
                    self.warnings.append(f"the reference solution of {ex.id} cannot be read: {exc}")
                    continue
                key = self._key(ex, prepared)
                stored = self.store.load_reference(ex.id)
                if stored is not None and stored.key == key and stored.report is not None and not self.opts.regrade:
                    self.references[ex.id] = stored
                    continue
                groups[key] = Job(f"ref-{ex.id}", key, ex, prepared, reference=True)
        for p in pending:
            job = groups.get(p.key)
            if job is None:
                job = groups[p.key] = Job(p.entry.slug, p.key, p.exercise, p.prepared)
            job.students.append(p)
        self.jobs = list(groups.values())
        for job in self.jobs:
            self.queue.put(job)

    # -- committing results -------------------------------------------------------------------------
    def _commit(self, result: StudentResult) -> None:
        with self.lock:
            self.results[result.slug] = result
            if result.slug not in self.order:
                self.order.append(result.slug)
            try:
                self.writer.student_files(result, self.exercise_max().get(result.exercise or "", 0.0))
            except Exception as exc:  # one student's files never cost the class its results
                self.warnings.append(f"{result.student}: their feedback files could not be written ({exc})")
            self.store.save(result)  # the commit point
            self.reporter.result(result)
            try:
                self.write_class(force=False)
            except Exception as exc:
                self.warnings.append(f"the class files could not be written after {result.student} ({exc})")

    def exercise_max(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for ex_id, ref in self.references.items():
            if ref.report is not None and ref.report.error is None:
                out[ex_id] = ref.report.max_score
        for r in self.results.values():
            if r.report is not None and r.exercise:
                out[r.exercise] = max(out.get(r.exercise, 0.0), r.report.max_score)
        return out

    def rows(self) -> list[StudentResult]:
        return [self.results[s] for s in self.order if s in self.results]

    def write_class(self, *, force: bool) -> None:
        with self.lock:
            now = time.monotonic()
            if not force and now - self._last_write < 0.5 and len(self.order) > 50:
                return  # a big class: at most two rewrites a second (the per-student commit is immediate)
            self._last_write = now
            self.writer.class_files(self.rows(), self.exercise_max(), self.run_info())

    def run_info(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "stagewise": __version__, "jobs": self.opts.jobs,
                "timeout_s": self.opts.timeout, "limits": self.limits_note,
                "engine": {"host": self.base_engine.docker_host, "builder": self.opts.builder,
                           "buildx_builder": self.opts.buildx_builder},
                "references": {k: {"score": v.report.score if v.report else None,
                                   "max_score": v.report.max_score if v.report else None,
                                   "passed": v.report.passed if v.report else None}
                               for k, v in sorted(self.references.items())},
                "complete": self.stopped_because is None and all(
                    r.status != Status.PENDING for r in self.results.values()),
                "stopped_because": self.stopped_because}

    # -- grading ----------------------------------------------------------------------------------------
    def engine_alive(self) -> bool:
        for attempt in range(3):
            try:
                proc = self.base_engine.docker("version", "--format", "{{.Server.Version}}", check=False,
                                               timeout=15)
                if proc.returncode == 0 and proc.stdout.strip():
                    return True
            except (subprocess.TimeoutExpired, OSError):
                pass
            if attempt < 2:
                time.sleep(1.0)
        return False

    def _worker_config(self, slot: int) -> dict[str, Any]:
        eng = GradingEngine.wrap(self.base_engine, run_labels=self.labels, limits=self.opts.limits,
                                 buildx_builder=self.opts.buildx_builder, smoke_network=self.opts.smoke_network,
                                 cgroup_parent=self.cgroups.parent(slot) if self.cgroups else None)
        return {"engine": eng.to_json()}

    def slot_loop(self, slot: int) -> None:
        worker: WorkerProc | None = None
        try:
            while not self.abort.is_set():
                try:
                    job = self.queue.get_nowait()
                except queue.Empty:
                    break
                if worker is None or not worker.alive:
                    try:
                        worker = WorkerProc(self._worker_config(slot), self.store.state / "logs" / f"w{slot}.log")
                    except (RuntimeError, OSError) as exc:
                        self.warnings.append(str(exc))
                        self.queue.put(job)
                        self._stop(f"a grading worker did not start: {exc}")
                        break
                worker = self._grade(slot, worker, job)
        finally:
            if worker is not None:
                if self.abort.is_set():
                    worker.kill()
                else:
                    worker.stop()

    def _stop(self, why: str) -> None:
        if self.stopped_because is None:
            self.stopped_because = why
        self.abort.set()

    def _grade(self, slot: int, worker: WorkerProc, job: Job) -> WorkerProc | None:
        job.attempts += 1
        job.started = time.monotonic()
        job.slot = slot
        with self.lock:
            self.running[slot] = job
        self.reporter.job_started(slot, job)
        jobdir = self.store.work / job.id
        try:
            ctx = jobdir / "context"
            build_context(job.exercise, job.prepared, ctx, max_bytes=self.opts.max_context_bytes)
        except Refused as exc:
            self._finish(job, None, Status.REFUSED, f"refused: {exc}", 0.0)
            return worker
        report_path = jobdir / "report.json"
        labels = dict(self.labels)
        labels[STUDENT_LABEL] = job.id
        worker.send({"id": job.id, "context": str(ctx), "exercise_dir": str(job.exercise.dir),
                     "build_timeout": self.opts.timeout, "labels": labels, "report_path": str(report_path),
                     "builder": self.opts.builder, "smoke_network": self.opts.smoke_network})
        hard = self.opts.hard_timeout or (4 * self.opts.timeout + 120)
        deadline = job.started + hard
        outcome: str | None = None
        error = ""
        next_mem = 0.0
        while True:
            if self.abort.is_set():
                worker.kill()
                self._leave_pending(slot, job)
                return None
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                worker.kill()
                outcome, error = "timeout", f"grading did not finish within {hard:.0f} s and was stopped"
                break
            ev = worker.next_event(min(remaining, 0.5))
            if ev is None:
                outcome, error = "crash", f"the grading worker died (exit code {worker.proc.poll()})"
                break
            kind = ev.get("event")
            if kind == "phase":
                job.phase = str(ev.get("phase", ""))
                self.reporter.phase(slot, job, job.phase)
            elif kind == "done":
                outcome = "done"
                break
            elif kind == "crash":
                outcome, error = "crash", str(ev.get("error", "the check crashed"))
                break
            if time.monotonic() > next_mem:
                next_mem = time.monotonic() + 2
                if _rss(worker.proc.pid) > self.opts.worker_memory_bytes:
                    worker.kill()
                    outcome = "crash"
                    error = (f"the grading worker went over {self.opts.worker_memory_bytes // 1024**2} MiB "
                             "(a build printing endless output?) and was stopped")
                    break
        seconds = time.monotonic() - job.started
        alive_worker: WorkerProc | None = worker if worker.alive else None
        if outcome == "timeout":
            self._remove_job_leftovers(job)
            self._finish(job, None, Status.TIMEOUT, error, seconds)
            return alive_worker
        report: Report | None = None
        if outcome == "done":
            try:
                report = Report.model_validate_json(report_path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                outcome, error = "crash", f"the report could not be read: {exc}"
        suspicious = outcome == "crash" or (report is not None and _infra_trouble(report))
        # Whatever the report says, it counts only if the engine is still there: a build that lost its engine
        # fails in many ways (a "missing" base image, a probe that never decided...), none of them the student's.
        if not self.engine_alive():
            self._stop("the Docker engine stopped answering")
            if alive_worker is not None:
                alive_worker.kill()
            self._leave_pending(slot, job)
            return None
        if suspicious and job.attempts < 2:
            self.reporter.message(f"{job.label}: {error or 'engine trouble'}; trying once more")
            self._remove_job_leftovers(job)
            return self._grade(slot, alive_worker or worker, job) if alive_worker else self._retry(slot, job)
        if outcome == "crash" or report is None:
            self._finish(job, None, Status.ERROR, error or "the check failed", seconds)
            return alive_worker
        self._finish(job, report, None, "", seconds)
        shutil.rmtree(jobdir, ignore_errors=True)
        return alive_worker

    def _retry(self, slot: int, job: Job) -> WorkerProc | None:
        try:
            worker = WorkerProc(self._worker_config(slot), self.store.state / "logs" / f"w{slot}.log")
        except (RuntimeError, OSError) as exc:
            self._finish(job, None, Status.ERROR, f"a grading worker did not start: {exc}", 0.0)
            return None
        return self._grade(slot, worker, job)

    def _remove_job_leftovers(self, job: Job) -> None:
        with contextlib.suppress(Exception):
            remove_labelled(self.base_engine, STUDENT_LABEL, job.id)

    def _leave_pending(self, slot: int, job: Job) -> None:
        with self.lock:
            self.running.pop(slot, None)
        self.reporter.job_finished(slot, job)

    def _finish(self, job: Job, report: Report | None, status: Status | None, note: str, seconds: float) -> None:
        with self.lock:
            self.running.pop(job.slot, None)
        notes = list(job.prepared.notes)
        if report is not None:
            status, extra = self._classify(report)
            notes += extra
            self.graded += len(job.students)
        elif note:
            notes.insert(0, note)
        assert status is not None
        if job.reference:
            ref = StudentResult(student=f"(reference {job.exercise.id})", slug=f"ref-{job.exercise.id}",
                                exercise=job.exercise.id, status=status, note="; ".join(notes), key=job.key,
                                duration_s=round(seconds, 1), report=report, graded_at=_now(),
                                dockerfile=job.prepared.dockerfile_text)
            with self.lock:
                self.references[job.exercise.id] = ref
                self.store.save_reference(job.exercise.id, ref)
                if report is not None and not report.passed:
                    self.warnings.append(f"the reference solution of {job.exercise.id} does not pass "
                                         f"({report.score:g}/{report.max_score:g}): check the exercise and the "
                                         "engine's base images")
        first = job.students[0].entry.student if job.students else None
        for i, p in enumerate(job.students):
            rep = report.model_copy(deep=True) if report is not None else None
            if rep is not None:
                rep.dockerfile = p.prepared.dockerfile_name
            same = None
            if job.reference:
                same = f"the reference solution of {job.exercise.id}"
            elif i > 0:
                same = first
            res = StudentResult(student=p.entry.student, slug=p.entry.slug, exercise=job.exercise.id, status=status,
                                note="; ".join(notes), key=p.key, submission_sha=p.prepared.sha256, source=p.source,
                                duration_s=round(seconds, 1), same_as=same, used_files=p.prepared.used,
                                ignored_files=p.prepared.ignored, dockerfile=p.prepared.dockerfile_text,
                                report=rep, graded_at=_now())
            self._commit(res)
        self.reporter.job_finished(job.slot, job)

    def _classify(self, report: Report) -> tuple[Status, list[str]]:
        notes: list[str] = []
        status = Status.PASSED if report.passed else Status.FAILED
        if report.error:
            notes.append(report.error)
        for f in report.findings:
            if f.rule in ("SW001", "SW550") and f.status in (FindingStatus.FAIL, FindingStatus.ERROR) and f.message:
                first = f.message.splitlines()[0]  # the file does not parse; the smoke run failed
                notes.append(first if len(first) <= 160 else first[:157] + "...")
            if f.rule == "SW050" or f.title == "image-builds":
                if f.status == FindingStatus.FAIL and BUILD_TIMEOUT.search(f.message):
                    status = Status.TIMEOUT
                    notes.append(f"the build was stopped after {self.opts.timeout:g} s (--timeout)")
                elif f.status == FindingStatus.FAIL and "exit code: 137" in f.message:
                    notes.append(f"a build step was killed (exit code 137): out of memory? (limit "
                                 f"{self.opts.limits.memory_bytes // 1024**2} MiB)" if self.cgroups else
                                 "a build step was killed (exit code 137)")
                elif f.status == FindingStatus.FAIL and any(FORK_FAILED.search(t) for t in [f.message, *f.evidence]):
                    notes.append(f"a build step could not start more processes (can't fork): a fork bomb? (limit "
                                 f"{self.opts.limits.pids} processes per worker)" if self.cgroups else
                                 "a build step could not start more processes (can't fork)")
                elif f.status == FindingStatus.FAIL:
                    first = f.message.splitlines()[0] if f.message else "the image does not build"
                    notes.append(first if len(first) <= 160 else first[:157] + "...")
                cut = LOG_CUT.search(f.message)
                if cut:
                    notes.append(cut.group(0).rstrip("."))
        return status, notes

    def uses_classic_builder(self) -> bool:
        return self.opts.builder == "classic" or not self.base_engine.has_buildkit

    # -- the whole run ----------------------------------------------------------------------------------
    def run(self) -> Summary:
        if not self.store.lock():
            raise GradeError(f"another grading run is writing to {self.opts.out} (see {self.store.state / 'lock'})")
        old_handlers: dict[int, Any] = {}
        cache_before: set[str] | None = None
        cache_pruned = 0
        snapshot = self.store.state / "cache-before.json"
        images_snapshot = self.store.state / "images-before.json"
        images_before: set[str] | None = None
        leftovers = (0, 0)
        try:
            # what an earlier run into this folder left behind (it was killed): containers, images
            remove_labelled(self.base_engine, GRADE_LABEL, self.store.key)
            pending = self.prepare()
            self.plan(pending)
            self._setup_limits()
            self._prepare_probe()
            if not self.opts.keep_cache:
                cache_before = snapshot_ids(snapshot, lambda: cache_record_ids(self.base_engine))
                if self.uses_classic_builder():  # its cache is those images
                    images_before = snapshot_ids(images_snapshot, lambda: image_ids(self.base_engine))
            self.write_class(force=True)
            if threading.current_thread() is threading.main_thread():
                for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                    old_handlers[sig] = signal.signal(sig, self._on_signal)
            self.reporter.start(self)
            slots = min(max(1, self.opts.jobs), max(1, len(self.jobs)))
            threads = [threading.Thread(target=self.slot_loop, args=(i,), daemon=True, name=f"grade-slot-{i}")
                       for i in range(slots if self.jobs else 0)]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                for t in threads:
                    t.join(timeout=0.1)
                self.reporter.tick()
        finally:
            for signum, handler in old_handlers.items():
                signal.signal(signum, handler)
            engine_ok = self.stopped_because != "the Docker engine stopped answering" and self.engine_alive()
            if engine_ok:
                remove_labelled(self.base_engine, GRADE_LABEL, self.store.key)
                leftovers = count_labelled(self.base_engine, GRADE_LABEL, self.store.key)
                if cache_before is not None:
                    cache_pruned = prune_cache_records(self.base_engine, cache_before)
                if images_before is not None:
                    remove_new_untagged_images(self.base_engine, images_before)
                snapshot.unlink(missing_ok=True)
                images_snapshot.unlink(missing_ok=True)
            if self.cgroups is not None:
                self.cgroups.remove()
            shutil.rmtree(self.store.work, ignore_errors=True)
            if self.signal_received is not None and self.stopped_because is None:
                self.stopped_because = f"interrupted ({signal.Signals(self.signal_received).name})"
            self.write_class(force=True)
            final_max = self.exercise_max()
            for r in self.rows():  # the exercise's max may have grown since a student's files were written
                with contextlib.suppress(OSError):
                    self.writer.student_files(r, final_max.get(r.exercise or "", 0.0))
            self.store.unlock()
        counts: dict[str, int] = {}
        for r in self.rows():
            counts[r.status.value] = counts.get(r.status.value, 0) + 1
        summary = Summary(self.run_id, self.opts.out, counts, len(self.order), self.graded, self.reused,
                          time.monotonic() - self.start_time, counts.get("pending", 0) == 0 and
                          self.stopped_because is None, self.stopped_because, leftovers, cache_pruned,
                          self.limits_note, self.rows(), self.exercise_max(), self.warnings)
        self.reporter.finish(summary)
        return summary

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.signal_received = signum
        self._stop(f"interrupted ({signal.Signals(signum).name})")

    def _prepare_probe(self) -> None:
        """The smoke run's probe image, made once before the workers start (they would race to build it)."""
        if not self.jobs or self.opts.smoke_network != "isolated":
            return
        from checker.images import MissingImageError
        from checker.images import probe as probe_image

        try:
            probe_image.ensure(self.base_engine)
        except MissingImageError as exc:
            self.warnings.append(f"the smoke run's probe image could not be prepared ({str(exc).splitlines()[0]}):"
                                 " every HTTP smoke run is skipped")

    def _setup_limits(self) -> None:
        if not self.jobs:
            self.limits_note = "nothing to build"
            return
        slots = min(max(1, self.opts.jobs), len(self.jobs))
        version, why = cgroup_support(self.base_engine, self.opts.buildx_builder)
        network = ("the host's network for HTTP probes (--smoke-network host)" if self.opts.smoke_network == "host"
                   else "no network (HTTP probes from a probe container in the app's own namespace)")
        container = f"containers: 512 MiB, 256 processes, {network}, only the capabilities a web server needs, " \
                    "no-new-privileges, no host mounts, removed afterwards"
        if version is not None:
            cg = BuildCgroups(f"stagewise-grade-{self.store.key}", slots, self.opts.limits, version)
            try:
                cg.create()
                self.cgroups = cg
                self.limits_note = (f"builds: no network, {self.opts.timeout:g} s each, {self.opts.limits.describe()} "
                                    f"per worker (cgroup {cg.parent(0).rsplit('/', 1)[0]}), "
                                    f"{self.opts.limits.describe_disk()}; {container}")
                return
            except OSError as exc:
                cg.remove()
                why = f"the cgroups could not be made ({exc})"
        classic = " (the classic builder gets --memory/--cpu-quota)" if self.opts.builder == "classic" else ""
        self.limits_note = (f"builds: no network, {self.opts.timeout:g} s each; no memory/process limit for "
                            f"BuildKit builds: {why}{classic}; {container}")
        self.warnings.append(f"BuildKit builds run without memory and process limits: {why}")
        self.warnings.append(f"builds run without a disk budget (--max-disk is watched through the build "
                             f"cgroups): {why}")


def _infra_trouble(report: Report) -> bool:
    texts = [report.error or ""] + [f.message for f in report.findings
                                    if f.status in (FindingStatus.FAIL, FindingStatus.ERROR)]
    return any(INFRA.search(t) for t in texts)


def grade_class(klass: ClassList, opts: GradeOptions, engine: Engine, reporter: Reporter | None = None,
                ) -> Summary:
    return GradeRun(klass, opts, engine, reporter).run()

