"""What a grading run writes: the class files and each student's files. Verdicts come from the reports
(Report.finalize); nothing here decides a pass or a fail, it only lays the results out.

    gradebook.csv   student, exercise, score, max, one column per concern, status, duration_s, image_mb, note
    results.json    the run and every student (with the full report in the stable JSON format)
    junit.xml       one testsuite per student and concern (the check's JUnit renderer, per student)
    students/<slug>/feedback.md     for the learner: what passed, what failed, the lines, hints, lessons
    students/<slug>/report.json     the check's JSON report
    students/<slug>/gradescope.json Gradescope's results.json for this student
    students/<slug>/classroom50.json the grading part of Classroom 50's result.json for this student
                                    (GitHub Classroom's classroom.json is no longer written: the service ended
                                    on 28 August 2026)
"""

from __future__ import annotations

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from checker import __version__
from checker.render.gradescope import gradescope_dict
from checker.render.json import report_dict
from checker.render.junit import render_junit, xml_safe
from checker.render.text import CONCERN_TITLES, lesson_url
from checker.report import Concern, Report
from checker.report import Status as FS

from .classroom import grading_part
from .store import Status, StudentResult, atomic_write

CONCERNS = [c.value for c in Concern]
GRADEBOOK_COLUMNS = ["student", "exercise", "score", "max", *CONCERNS, "status", "duration_s", "image_mb", "note"]


def _num(x: float) -> str:
    return f"{x:g}"


def gradebook_rows(rows: list[StudentResult], exercise_max: dict[str, float]) -> list[dict[str, str]]:
    out = []
    for r in rows:
        rep = r.report
        row = {"student": r.student, "exercise": r.exercise or "",
               "score": _num(r.score) if r.status != Status.PENDING else "",
               "max": _num(exercise_max.get(r.exercise or "", rep.max_score if rep else 0.0)),
               "status": r.status.value, "duration_s": f"{r.duration_s:.1f}" if rep else "",
               "image_mb": _num(r.image_mb) if r.image_mb is not None else "",
               "note": _note(r)}
        for c in CONCERNS:
            row[c] = rep.concerns.get(c, "skip") if rep else ""
        out.append(row)
    return out


def _note(r: StudentResult) -> str:
    parts = [r.note] if r.note else []
    if r.same_as:
        parts.append(f"identical to {r.same_as}")
    return "; ".join(parts)


def gradebook_csv(rows: list[StudentResult], exercise_max: dict[str, float]) -> str:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=GRADEBOOK_COLUMNS, lineterminator="\n")
    w.writeheader()
    for row in gradebook_rows(rows, exercise_max):
        w.writerow({k: _cell(v) for k, v in row.items()})
    return buf.getvalue()


_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _cell(value: str) -> str:
    """One gradebook cell is one line: a CR, a NUL or a line separator from a hostile file would split the row
    for some readers (the csv module does not quote a lone CR when lines end in LF)."""
    return _CONTROL.sub(" ", value)


def student_record(r: StudentResult, exercise_max: dict[str, float]) -> dict[str, Any]:
    return {"student": r.student, "slug": r.slug, "exercise": r.exercise, "status": r.status.value,
            "score": r.score if r.status != Status.PENDING else None,
            "max_score": exercise_max.get(r.exercise or ""), "passed": r.report.passed if r.report else False,
            "concerns": r.report.concerns if r.report else {}, "note": r.note, "same_as": r.same_as,
            "duration_s": r.duration_s, "image_mb": r.image_mb, "source": r.source,
            "submission_sha256": r.submission_sha, "key": r.key or None, "graded_at": r.graded_at,
            "used_files": r.used_files, "ignored_files": r.ignored_files,
            "report": report_dict(r.report) if r.report else None}


def results_json(rows: list[StudentResult], exercise_max: dict[str, float], run: dict[str, Any]) -> str:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status.value] = counts.get(r.status.value, 0) + 1
    doc = {"tool": "stagewise", "version": __version__, "format": 1, "run": run,
           "exercises": {k: {"max_score": v} for k, v in sorted(exercise_max.items())},
           "counts": dict(sorted(counts.items())), "students": [student_record(r, exercise_max) for r in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------------------------------ JUnit


def _junit_fragment(r: StudentResult) -> list[ET.Element]:
    if r.report is not None:
        root = ET.fromstring(render_junit(r.report).split("\n", 1)[1])
        suites = []
        for suite in root.findall("testsuite"):
            suite.set("name", xml_safe(f"{r.student} / {suite.get('name')}"))
            for case in suite.findall("testcase"):
                case.set("classname", xml_safe(f"stagewise.{r.slug}.{(case.get('classname') or '').split('.')[-1]}"))
                case.set("file", xml_safe(f"{r.slug}/{case.get('file') or 'Dockerfile'}"))
            suite.set("hostname", xml_safe(r.exercise or ""))
            suites.append(suite)
        return suites
    suite = ET.Element("testsuite", name=xml_safe(f"{r.student} / submission"), tests="1",
                       hostname=xml_safe(r.exercise or ""))
    case = ET.SubElement(suite, "testcase", classname=xml_safe(f"stagewise.{r.slug}.submission"), name="graded")
    fails = errs = skips = "0"
    note = xml_safe(r.note or "")
    if r.status == Status.PENDING:
        ET.SubElement(case, "skipped", message="not graded yet")
        skips = "1"
    elif r.status in (Status.ERROR, Status.TIMEOUT):
        ET.SubElement(case, "error", message=note or r.status.value, type=r.status.value).text = note
        errs = "1"
    else:
        ET.SubElement(case, "failure", message=note or r.status.value, type=r.status.value).text = note
        fails = "1"
    suite.set("failures", fails)
    suite.set("errors", errs)
    suite.set("skipped", skips)
    return [suite]


def junit_xml(rows: list[StudentResult], cache: dict[str, tuple[str, list[ET.Element]]] | None = None) -> str:
    top = ET.Element("testsuites", name="stagewise grade")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for r in rows:
        stamp = f"{r.key}|{r.status.value}|{r.graded_at}"
        if cache is not None and r.slug in cache and cache[r.slug][0] == stamp:
            suites = cache[r.slug][1]
        else:
            suites = _junit_fragment(r)
            if cache is not None:
                cache[r.slug] = (stamp, suites)
        for s in suites:
            for k in totals:
                totals[k] += int(s.get(k, "0"))
            top.append(s)
    for k, v in totals.items():
        top.set(k, str(v))
    ET.indent(top)
    text = ET.tostring(top, encoding="unicode")
    for s in list(top):  # the cached elements belong to no tree between writes
        top.remove(s)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n"


# ------------------------------------------------------------------------------------------ feedback


MARK = {FS.PASS: "✅", FS.FAIL: "❌", FS.ERROR: "❌", FS.WARN: "⚠️", FS.SKIP: "➖"}


def _excerpt(dockerfile: str | None, line: int | None) -> str:
    if not dockerfile or not line:
        return ""
    lines = dockerfile.splitlines()
    if not 1 <= line <= len(lines):
        return ""
    end = line
    while end < len(lines) and lines[end - 1].rstrip().endswith("\\"):
        end += 1
    body = "\n".join(f"{n:>4} | {lines[n - 1]}" for n in range(line, min(end, line + 8) + 1))
    return f"\n```dockerfile\n{body}\n```\n"


def feedback_markdown(r: StudentResult, max_score: float) -> str:
    title = f"# Stagewise feedback: {r.student}"
    ex = f"exercise `{r.exercise}`" if r.exercise else "no exercise"
    if r.report is None:
        why = {Status.PENDING: "Your submission has not been graded yet.",
               Status.REFUSED: "Your submission could not be graded: it was refused, and nothing was built.",
               Status.INVALID: "Your submission could not be graded.",
               Status.TIMEOUT: "Grading your submission took too long and was stopped.",
               Status.ERROR: "The grader failed on your submission; your instructor will grade it again."}
        return (f"{title}\n\n{ex} · status **{r.status.value}** · score **0 / {max_score:g}**\n\n"
                f"{why.get(r.status, '')}\n\n" + (f"> {r.note}\n" if r.note else ""))
    rep: Report = r.report
    out = [title, "",
           f"{ex} · status **{r.status.value}** · score **{rep.score:g} / {max_score:g}**"
           + (f" · image {rep.image.get('size_mb')} MB" if rep.image else ""), ""]
    if r.status == Status.TIMEOUT or rep.error:
        out += [f"> {r.note or rep.error}", ""]
    out += ["| Concern | Result |", "|---|---|"]
    for c in Concern:
        v = rep.concerns.get(c.value, "skip")
        if any(f.concern == c for f in rep.findings):
            shown = {"pass": "✅ pass", "fail": "❌ fail"}.get(v, "➖ n/a")
            out.append(f"| {CONCERN_TITLES[c]} | {shown} |")
    out.append("")
    if rep.milestones:
        done, following = rep.progress
        out += ["## Progress", "", f"Reached: **{done.title}**." if done else "No step reached yet.", ""]
        for m in rep.milestones:
            state = "not graded (optional)" if m.reached is None else ("✅ reached" if m.reached else "not yet")
            blocked = f", blocked by {', '.join(m.failing)}" if m.failing else ""
            out.append(f"- {m.title}: {state}{blocked}")
        if following is not None:
            url = lesson_url(following.lesson)
            out += ["", f"Next: **{following.title}**" + (f" (<{url}>)" if url else "") + "."]
        out.append("")
    order = {FS.ERROR: 0, FS.FAIL: 1, FS.WARN: 2, FS.PASS: 3, FS.SKIP: 4}
    findings = sorted(rep.findings, key=lambda f: (order[f.status], f.line or 0, f.rule))
    failed = [f for f in findings if f.status in (FS.FAIL, FS.ERROR)]
    warned = [f for f in findings if f.status == FS.WARN]
    passed = [f for f in findings if f.status == FS.PASS]
    if failed:
        out += ["## What to fix", ""]
        for f in failed:
            pts = f" ({f.points:g}/{f.max_points:g} pts)" if f.max_points else ""
            where = f" · line {f.line}" if f.line else ""
            out += [f"### {MARK[f.status]} {f.rule} {f.title or ''}{where}{pts}".rstrip(), "", f.message]
            out.append(_excerpt(r.dockerfile, f.line))
            out += [f"- {e}" for e in f.evidence[:8]]
            if f.hint:
                out += ["", f"**How to fix:** {f.hint}"]
            url = f.docs_url or lesson_url(f.lesson)
            if url:
                out += ["", f"**Read:** <{url}>"]
            out.append("")
    if warned:
        out += ["## Worth a look", ""]
        for f in warned:
            where = f" (line {f.line})" if f.line else ""
            url = f.docs_url or lesson_url(f.lesson)
            out.append(f"- {MARK[f.status]} **{f.rule}**{where}: {f.message}" + (f" [more]({url})" if url else ""))
        out.append("")
    if passed:
        out += ["## What passed", ""]
        out += [f"- {MARK[f.status]} **{f.rule}** {f.message}" for f in passed]
        out.append("")
    if r.ignored_files:
        shown = ", ".join(f"`{x}`" for x in r.ignored_files[:12]) + (" ..." if len(r.ignored_files) > 12 else "")
        out += ["## Files that were not graded", "",
                "Only your Dockerfile and .dockerignore are graded; they are built with a fresh copy of the "
                f"exercise's app. Not used: {shown}.", ""]
    out.append(f"_Graded by stagewise {__version__} on {r.graded_at or 'an earlier run'}._")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


# ------------------------------------------------------------------------------------------ per student


def gradescope_for(r: StudentResult) -> dict[str, object]:
    if r.report is not None:
        data = gradescope_dict(r.report)
        if r.note and "output" not in data:
            data["output"] = r.note
        return data
    empty = Report(dockerfile="Dockerfile", exercise=r.exercise, error=r.note or r.status.value).finalize()
    return gradescope_dict(empty)


class ClassWriter:
    def __init__(self, out: Path) -> None:
        self.out = out
        self._junit_cache: dict[str, tuple[str, list[ET.Element]]] = {}

    def student_dir(self, slug: str) -> Path:
        return self.out / "students" / slug

    def student_files(self, r: StudentResult, max_score: float) -> None:
        d = self.student_dir(r.slug)
        atomic_write(d / "feedback.md", feedback_markdown(r, max_score))
        atomic_write(d / "gradescope.json", json.dumps(gradescope_for(r), indent=2, ensure_ascii=False) + "\n")
        atomic_write(d / "classroom50.json", json.dumps(grading_part(r, max_score), indent=2, ensure_ascii=False)
                     + "\n")
        if r.report is not None:
            atomic_write(d / "report.json", json.dumps(report_dict(r.report), indent=2, ensure_ascii=False) + "\n")
        else:
            (d / "report.json").unlink(missing_ok=True)

    def class_files(self, rows: list[StudentResult], exercise_max: dict[str, float], run: dict[str, Any]) -> None:
        atomic_write(self.out / "gradebook.csv", gradebook_csv(rows, exercise_max))
        atomic_write(self.out / "results.json", results_json(rows, exercise_max, run))
        atomic_write(self.out / "junit.xml", junit_xml(rows, self._junit_cache))
