"""One report model: every verdict is computed here or before; renderers only format it."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

LESSONS_BASE = "https://stagewise.dev"  # replaced by the docs site URL in renderers that need absolute links


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
        return self
