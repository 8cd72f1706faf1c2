"""Classroom 50: what its runner reads from an autograder, `result.json` (schema `classroom50/result/v1`).

GitHub Classroom was discontinued in 2026 (the service ended on 28 August 2026); its runner result
(`classroom.json`, read by `autograding-grading-reporter`) is no longer written. Classroom 50 (CS50's Fifty
Foundation, `foundation50/classroom50`) runs grading on GitHub Actions runners, which have a Docker engine.

The contract (its wiki, "Advanced Autograding", "The result.json contract"): `schema`, the identity fields
(`classroom`, `assignment`, `submission`, `commit`, `release`, `review`, `datetime`; `owner` and
`assignment_type` stamped by the runner), integer `score` and `max-score` (sums of the tests'), and `tests[]` of
`{test-name, passed, score, max-score}` whose extra fields are kept verbatim. Limits it states: at most 100 tests,
captured output cut at 2,000 characters. Here there is one test per concern, worth that concern's points
(rounded to whole points: Classroom 50's points are integers), with the findings as extra fields: `message`
(at most 2,000 characters, what failed first) and `findings` (rule, status, line, points).

`stagewise grade` writes the grading part (`grading_part`) per student as `classroom50.json`; the autograder
that `--emit-classroom50` writes adds the identity the runner gives it in its environment (`result`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from checker.render.text import CONCERN_TITLES
from checker.report import Concern, Finding, lesson_url
from checker.report import Status as FS

from .store import Status, StudentResult

SCHEMA = "classroom50/result/v1"
MAX_TESTS = 100
MAX_TEXT = 2000
ORDER = {FS.ERROR: 0, FS.FAIL: 1, FS.WARN: 2, FS.PASS: 3, FS.SKIP: 4}
MARK = {FS.ERROR: "✘", FS.FAIL: "✘", FS.WARN: "!", FS.PASS: "✔", FS.SKIP: "–"}


def whole(points: float) -> int:
    """Half up, never below zero (Python's round() rounds halves to even)."""
    return max(0, math.floor(points + 0.5))


def clip(text: str, limit: int = MAX_TEXT) -> str:
    if len(text) <= limit:
        return text
    tail = " … (the rest is in the release notes)"
    return text[: limit - len(tail)].rstrip() + tail


def _finding_text(f: Finding) -> str:
    where = f" (line {f.line})" if f.line else ""
    parts = [f"{MARK[f.status]} {f.rule}{where}: {f.message}"]
    if f.status in (FS.FAIL, FS.ERROR, FS.WARN):
        if f.hint:
            parts.append(f"Fix: {f.hint}")
        url = f.docs_url or lesson_url(f.lesson)
        if url:
            parts.append(f"Read: {url}")
    return " ".join(parts)


def concern_message(findings: list[Finding], *, skipped: bool = False) -> str:
    """What failed first (the line, the fix, the lesson), then advice, then what passed (then, with `skipped`,
    why the rest could not be judged), cut at 2,000 characters."""
    ordered = sorted(findings, key=lambda f: (ORDER[f.status], f.line or 0, f.rule))
    return clip("\n".join(_finding_text(f) for f in ordered if skipped or f.status != FS.SKIP))


def concern_tests(r: StudentResult) -> list[dict[str, Any]]:
    """One test per concern that is worth points or failed. A concern whose checks could not judge this
    submission (nothing to run when the image does not build) is a failed test; the autograder then gives it
    the points it is worth for the reference solution, so every submission has the same max-score."""
    assert r.report is not None
    tests: list[dict[str, Any]] = []
    for concern in Concern:
        mine = [f for f in r.report.findings if f.concern == concern]
        if not mine:
            continue
        failed = any(f.status in (FS.FAIL, FS.ERROR) for f in mine)
        max_score = whole(sum(f.max_points for f in mine))
        judged = any(f.status != FS.SKIP for f in mine)
        if max_score <= 0 and not failed and judged:
            continue  # advice only (lint, warnings): not a test
        message = concern_message(mine, skipped=not judged)
        if not judged:
            message = clip("Not judged: these checks need the image, and it was not built or not run.\n" + message)
        tests.append({
            "test-name": CONCERN_TITLES[concern], "passed": judged and not failed,
            "score": min(max_score, whole(sum(f.points for f in mine))), "max-score": max_score,
            "concern": concern.value, "message": message,
            "findings": [{"rule": f.rule, "status": f.status.value, "line": f.line, "points": f.points,
                          "max-points": f.max_points} for f in mine],
        })
    return tests[:MAX_TESTS]


def grading_part(r: StudentResult, max_score: float) -> dict[str, Any]:
    """`schema`, `score`, `max-score` and `tests` of result.json for one graded submission."""
    if r.report is not None:
        tests = concern_tests(r)
        if r.report.error:
            tests.insert(0, {"test-name": "Dockerfile checked", "passed": False, "score": 0, "max-score": 0,
                             "message": clip(r.report.error)})
    else:
        why = {Status.REFUSED: "The submission was refused, and nothing was built.",
               Status.INVALID: "There was no Dockerfile to grade.",
               Status.TIMEOUT: "Grading took too long and was stopped.",
               Status.ERROR: "The grader failed; your instructor will grade it again.",
               Status.PENDING: "Not graded yet."}.get(r.status, "")
        tests = [{"test-name": "Submission graded", "passed": False, "score": 0, "max-score": whole(max_score),
                  "message": clip(" ".join(x for x in (why, r.note or "") if x) or r.status.value),
                  "status": r.status.value}]
    return {"schema": SCHEMA, "score": sum(t["score"] for t in tests),
            "max-score": sum(t["max-score"] for t in tests), "tests": tests}


def result(grading: Mapping[str, Any], identity: Mapping[str, Any]) -> dict[str, Any]:
    """The whole result.json: the runner's identity fields, then the grading part."""
    out: dict[str, Any] = {"schema": SCHEMA}
    out.update({k: v for k, v in identity.items() if v not in (None, "")})
    out.update({k: grading[k] for k in ("score", "max-score", "tests")})
    return out
