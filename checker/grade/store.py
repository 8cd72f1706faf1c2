"""One result per student, written atomically as soon as it is known, and found again by content key.

Layout of the output folder:
    gradebook.csv, results.json, junit.xml        the class (rewritten after every student: always whole)
    students/<slug>/feedback.md, report.json,      the student's own files
                    gradescope.json, classroom50.json
    .state/students/<slug>.json                    the stored result (the commit point of a student)
    .state/reference/<exercise>.json               the reference solution's result (the exercise's max)
    .state/lock                                    one run at a time per output folder
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
from enum import StrEnum
from pathlib import Path
from typing import IO

from pydantic import BaseModel, Field

from checker.report import Report


class Status(StrEnum):
    PASSED = "passed"  # graded, every required rule passed
    FAILED = "failed"  # graded, some required rule failed
    TIMEOUT = "timeout"  # a build or the whole grading went over the time limit
    REFUSED = "refused"  # unsafe or oversized submission: nothing was built
    INVALID = "invalid"  # nothing to grade: no submission, no Dockerfile, unknown exercise
    ERROR = "error"  # the grader failed (engine trouble, a crash): graded again on the next run
    PENDING = "pending"  # not graded yet (the run was interrupted)


FINAL = {Status.PASSED, Status.FAILED, Status.TIMEOUT, Status.REFUSED, Status.INVALID}


class StudentResult(BaseModel):
    student: str
    slug: str
    exercise: str | None = None
    status: Status = Status.PENDING
    note: str = ""
    key: str = ""
    submission_sha: str | None = None
    source: str | None = None
    duration_s: float = 0.0
    same_as: str | None = None  # another student whose identical submission was graded once for both
    used_files: list[str] = Field(default_factory=list)
    ignored_files: list[str] = Field(default_factory=list)
    dockerfile: str | None = None  # the text that was graded (for the feedback's line excerpts)
    report: Report | None = None
    graded_at: str | None = None

    @property
    def score(self) -> float:
        return self.report.score if self.report is not None else 0.0

    @property
    def image_mb(self) -> float | None:
        if self.report is None or not self.report.image:
            return None
        v = self.report.image.get("size_mb")
        return float(v) if isinstance(v, int | float) else None


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)


class Store:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.state = out / ".state"
        (self.state / "students").mkdir(parents=True, exist_ok=True)
        (self.state / "reference").mkdir(parents=True, exist_ok=True)
        self._lock: IO[str] | None = None

    @property
    def key(self) -> str:
        """Names everything that runs into this folder made (label io.stagewise.grade)."""
        return hashlib.sha256(str(self.out.resolve()).encode()).hexdigest()[:16]

    def lock(self) -> bool:
        f = (self.state / "lock").open("a+")
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            f.close()
            return False
        f.seek(0)
        f.truncate()
        f.write(str(os.getpid()))
        f.flush()
        self._lock = f
        return True

    def unlock(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def student_path(self, slug: str) -> Path:
        return self.state / "students" / f"{slug}.json"

    def load(self, slug: str) -> StudentResult | None:
        p = self.student_path(slug)
        try:
            return StudentResult.model_validate_json(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save(self, result: StudentResult) -> None:
        atomic_write(self.student_path(result.slug), result.model_dump_json(indent=1))

    def reference_path(self, exercise: str) -> Path:
        return self.state / "reference" / f"{exercise}.json"

    def load_reference(self, exercise: str) -> StudentResult | None:
        try:
            return StudentResult.model_validate_json(self.reference_path(exercise).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def save_reference(self, exercise: str, result: StudentResult) -> None:
        atomic_write(self.reference_path(exercise), result.model_dump_json(indent=1))

    @property
    def work(self) -> Path:
        return self.state / "work"
