"""GitHub Classroom: the runner result a grading step hands to `autograding-grading-reporter`.

The reporter reads, for each runner named in its `runners` input, the environment variable
`<RUNNER>_RESULTS`: base64 of a JSON object
    {"version": 1, "status": "pass"|"fail"|"error", "max_score": N,
     "tests": [{"name", "status", "score", "message", "test_code", "filename", "line_no", "duration"}]}
(the format its own graders, e.g. autograding-command-grader, produce). It then reports
`Points <sum of tests[].score>/<sum of max_score>` to Classroom.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from checker.report import Status as FS

from .store import Status, StudentResult

RUNNER_ID = "stagewise"


def classroom_result(r: StudentResult, max_score: float) -> dict[str, Any]:
    tests: list[dict[str, Any]] = []
    if r.report is not None:
        for f in r.report.findings:
            if f.max_points <= 0:
                continue  # worth no points: not a Classroom test
            status = {FS.PASS: "pass", FS.WARN: "pass", FS.SKIP: "pass", FS.FAIL: "fail", FS.ERROR: "error"}[f.status]
            msg = f.message + (f" Fix: {f.hint}" if f.hint and status != "pass" else "")
            tests.append({"name": f"[{f.concern.value}] {f.rule} {f.title or ''}".strip(), "status": status,
                          "score": f.points, "message": msg,
                          "test_code": f"stagewise check --exercise {r.exercise}", "filename": r.report.dockerfile,
                          "line_no": f.line or 0, "duration": 0})
        overall = "pass" if r.report.passed else "fail"
    else:
        tests.append({"name": "submission", "status": "error" if r.status in (Status.ERROR, Status.PENDING)
                      else "fail", "score": 0, "message": r.note or r.status.value, "test_code": "",
                      "filename": "", "line_no": 0, "duration": 0})
        overall = "error" if r.status in (Status.ERROR, Status.PENDING) else "fail"
    return {"version": 1, "status": overall, "max_score": max_score, "tests": tests}


def encoded(result: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(result).encode()).decode()


def points_line(results: list[dict[str, Any]]) -> str:
    """What the reporter computes and sends to Classroom, for a check of our own files."""
    total = sum(t["score"] for r in results if r.get("max_score") for t in r["tests"])
    max_score = sum(r["max_score"] for r in results if r.get("max_score"))
    return f"Points {total:g}/{max_score:g}"
