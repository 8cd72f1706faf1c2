"""One report model: every verdict is computed here or before; renderers only format it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

LESSON_SITE = "https://stagewise.github.io/stagewise/"  # = site_url in mkdocs.yml


def lesson_url(lesson: str | None) -> str | None:
    """A rule's lesson link (`lessons/02-stages/#anchor`) as the full address every renderer prints."""
    return LESSON_SITE + lesson if lesson and not lesson.startswith("http") else lesson


class Concern(StrEnum):
    STAGE_SEPARATION = "stage-separation"
    ARTIFACT_COPIES = "artifact-copies"
    CACHE_ORDERING = "cache-ordering"
    HARDENING = "hardening"
    BUILD = "build"
    RUNTIME = "runtime"
    SIZE = "size"
    LINT = "lint"


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"
    ERROR = "error"


class Finding(BaseModel):
    """One rule's verdict on one submission (a rule may yield several findings, e.g. one per file)."""

    rule: str
    concern: Concern
    status: Status
    message: str
    line: int | None = None
    hint: str | None = None
    lesson: str | None = None
    points: float = 0.0
    max_points: float = 0.0
    evidence: list[str] = Field(default_factory=list)
    title: str | None = None
    docs_url: str | None = None  # for BuildKit's own checks


class Milestone(BaseModel):
    """One step of a staged exercise (the migration's steps), judged from the concerns' verdicts."""

    title: str
    concerns: list[Concern]
    optional: bool = False  # shown, never judged, never blocks the steps after it
    lesson: str | None = None
    reached: bool | None = None  # None: optional, or not judged yet
    failing: list[str] = Field(default_factory=list)  # the rules that keep it from being reached


class EngineInfo(BaseModel):
    version: str | None = None
    builder: str | None = None  # "buildkit" | "classic" | None (static only)


class Report(BaseModel):
    dockerfile: str
    exercise: str | None = None
    engine: EngineInfo = Field(default_factory=EngineInfo)
    findings: list[Finding] = Field(default_factory=list)
    concerns: dict[str, str] = Field(default_factory=dict)
    score: float = 0.0
    max_score: float = 0.0
    passed: bool = False
    image: dict[str, Any] | None = None  # image facts summary: size, layers, user...
    error: str | None = None  # unreadable input, parse error, engine failure
    milestones: list[Milestone] = Field(default_factory=list)  # from the exercise's spec, in order

    def finalize(self) -> Report:
        """Derive concerns, score and verdict from the findings (the only place verdicts are made)."""
        verdicts: dict[str, str] = {}
        for concern in Concern:
            mine = [f for f in self.findings if f.concern == concern]
            if any(f.status in (Status.FAIL, Status.ERROR) for f in mine):
                verdicts[concern.value] = "fail"
            elif any(f.status in (Status.PASS, Status.WARN) for f in mine):
                verdicts[concern.value] = "pass"
            else:
                verdicts[concern.value] = "skip"
        self.concerns = verdicts
        self.max_score = round(sum(f.max_points for f in self.findings), 2)
        self.score = round(sum(f.points for f in self.findings), 2)
        self.passed = self.error is None and not any(
            f.status in (Status.FAIL, Status.ERROR) and f.max_points > 0 for f in self.findings
        )
        self._judge_milestones()
        return self

    def _judge_milestones(self) -> None:
        """A step is reached when every earlier required step is, none of its concerns fails and at least one
        of them passed (a check that judged nothing reaches nothing)."""
        blocked = self.error is not None
        for m in self.milestones:
            if m.optional:
                m.reached, m.failing = None, []
                continue
            mine = {c.value for c in m.concerns}
            m.failing = sorted({f.rule for f in self.findings if f.concern.value in mine
                                and f.status in (Status.FAIL, Status.ERROR)})
            judged = any(self.concerns.get(c) == "pass" for c in mine)
            m.reached = not blocked and not m.failing and judged
            blocked = blocked or not m.reached

    @property
    def progress(self) -> tuple[Milestone | None, Milestone | None]:
        """(the last step reached, the next required one) of a staged exercise."""
        required = [m for m in self.milestones if not m.optional]
        done = [m for m in required if m.reached]
        todo = [m for m in required if not m.reached]
        return (done[-1] if done else None), (todo[0] if todo else None)
