"""Gradescope autograder results.json: `score`, and `tests[]` with name, score, max_score, status, output,
visibility (https://gradescope-autograders.readthedocs.io/en/latest/specs/)."""

from __future__ import annotations

import json

from checker.report import Report, Status, lesson_url


def gradescope_dict(report: Report) -> dict[str, object]:
    tests = []
    for f in report.findings:
        if f.max_points <= 0 and f.status in (Status.PASS, Status.SKIP):
            continue
        where = f" (Dockerfile line {f.line})" if f.line else ""
        lines = [f.message + where]
        if f.hint and f.status in (Status.FAIL, Status.ERROR, Status.WARN):
            lines.append(f"How to fix: {f.hint}")
        if f.lesson:
            lines.append(f"Read: {lesson_url(f.lesson)}")
        lines += f.evidence[:10]
        tests.append({
            "name": f"[{f.concern.value}] {f.rule} {f.title or ''}".strip(),
            "score": f.points,
            "max_score": f.max_points,
            "status": "passed" if f.status in (Status.PASS, Status.WARN, Status.SKIP) else "failed",
            "output": "\n".join(lines),
            "visibility": "visible",
        })
    data: dict[str, object] = {"score": report.score, "tests": tests, "visibility": "visible",
                               "stdout_visibility": "visible"}
    notes = [report.error] if report.error else []
    if report.milestones:
        done, following = report.progress
        line = f"Progress: reached {done.title}" if done else "Progress: no step reached yet"
        notes.append(line + (f"; next: {following.title}" if following else ""))
    if notes:
        data["output"] = "\n".join(notes)
    return data


def render_gradescope(report: Report) -> str:
    return json.dumps(gradescope_dict(report), indent=2) + "\n"
