"""Every output format, checked against its documentation: Gradescope's results.json (schema), GitHub
Classroom's runner result (schema + the reporter's Points arithmetic), JUnit (counts), the gradebook's
columns, results.json, the feedback, and the generated Gradescope bundle and Classroom workflow."""

from __future__ import annotations

import base64
import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest
import yaml

from checker.grade.classroom import classroom_result, encoded, points_line
from checker.grade.emit import base_images, classroom_workflow, gradescope_bundle
from checker.grade.outputs import GRADEBOOK_COLUMNS, ClassWriter, feedback_markdown, gradebook_csv, gradescope_for
from checker.grade.store import Status, StudentResult
from checker.grade.workspace import find_exercise
from checker.report import Concern, Finding, Report
from checker.report import Status as FS

from .conftest import TINY

SCHEMAS = Path(__file__).parent / "schemas"
DOCKERFILE = "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci \\\n  && npm run build\n" \
             "FROM nginx:1.25-alpine\nCOPY --from=build /app /usr/share/nginx/html\n"


def schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / name).read_text())


def report(*, passed: bool = False) -> Report:
    fs = [
        Finding(rule="SW050", concern=Concern.BUILD, status=FS.PASS, message="The image builds.", points=5,
                max_points=5, title="image-builds"),
        Finding(rule="SW301", concern=Concern.CACHE_ORDERING, status=FS.PASS if passed else FS.FAIL,
                message="`COPY . .` before the install.", line=3, hint="Copy the manifests first.",
                lesson="lessons/04-build-cache/#dependencies-first-then-source", points=3 if passed else 0,
                max_points=3, title="dependencies-before-source", evidence=["line 3 COPY . ."]),
        Finding(rule="SW203", concern=Concern.ARTIFACT_COPIES, status=FS.PASS if passed else FS.FAIL,
                message="Copies the work directory.", line=7, hint="Copy dist/ only.", points=3 if passed else 0,
                max_points=3, title="copy-from-workdir"),
        Finding(rule="SW401", concern=Concern.HARDENING, status=FS.WARN, message="Runs as root.", line=6,
                points=2, max_points=2, title="non-root-user"),
        Finding(rule="buildkit/JSONArgsRecommended", concern=Concern.LINT, status=FS.WARN, message="JSON args.",
                docs_url="https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"),
        Finding(rule="SW450", concern=Concern.HARDENING, status=FS.SKIP, message="not asked"),
    ]
    return Report(dockerfile="Dockerfile", exercise="node-nginx", findings=fs,
                  image={"size_mb": 21.1, "layers": 9}).finalize()


def result(status: Status = Status.FAILED, rep: Report | None = None, **kw: object) -> StudentResult:
    base = {"student": "Ada L.", "slug": "ada-l", "exercise": "node-nginx", "status": status, "key": "k" * 64,
            "dockerfile": DOCKERFILE, "graded_at": "2026-01-01T00:00:00+00:00", "duration_s": 3.2}
    base.update(kw)
    return StudentResult(report=rep, **base)  # type: ignore[arg-type]


ROWS = [result(rep=report()), result(Status.PASSED, report(passed=True), student="Bo", slug="bo"),
        result(Status.REFUSED, None, student="Mal", slug="mal", note="refused: path with '..' in the archive"),
        result(Status.INVALID, None, student="Noor", slug="noor", note="no submission"),
        result(Status.TIMEOUT, None, student="Ted", slug="ted", note="grading did not finish within 60 s"),
        result(Status.ERROR, None, student="Err", slug="err", note="the grading worker died"),
        result(Status.PENDING, None, student="Pat", slug="pat")]


def test_verdicts_come_from_the_report() -> None:
    rep = report()
    assert (rep.score, rep.max_score, rep.passed) == (7, 13, False)
    assert rep.concerns["cache-ordering"] == "fail" and rep.concerns["hardening"] == "pass"


@pytest.mark.parametrize("row", ROWS, ids=[r.student for r in ROWS])
def test_gradescope_results_follow_the_spec(row: StudentResult) -> None:
    data = gradescope_for(row)
    jsonschema.validate(data, schema("gradescope-results.schema.json"))
    assert data["score"] == row.score
    if row.report is None:
        assert data["tests"] == [] and (row.note or row.status.value) in str(data["output"])
    else:
        tests: list[dict[str, object]] = data["tests"]  # type: ignore[assignment]
        assert {t["status"] for t in tests} <= {"passed", "failed"}
        assert sum(float(str(t["score"])) for t in tests) == row.report.score


@pytest.mark.parametrize("row", ROWS, ids=[r.student for r in ROWS])
def test_classroom_results_follow_the_runner_format(row: StudentResult) -> None:
    data = classroom_result(row, 79.0)
    jsonschema.validate(data, schema("classroom-runner-result.schema.json"))
    # what autograding-grading-reporter does with it: base64 in <RUNNER>_RESULTS, then Points X/Y
    decoded = json.loads(base64.b64decode(encoded(data)))
    assert decoded == data
    assert points_line([decoded]) == f"Points {row.score:g}/79"
    assert data["status"] == ("pass" if row.report and row.report.passed else
                              "error" if row.status in (Status.ERROR, Status.PENDING) else "fail")


def test_the_gradebook_has_the_documented_columns() -> None:
    text = gradebook_csv(ROWS, {"node-nginx": 79.0})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == GRADEBOOK_COLUMNS
    assert GRADEBOOK_COLUMNS[:4] == ["student", "exercise", "score", "max"]
    assert [c.value for c in Concern] == GRADEBOOK_COLUMNS[4:12]
    ada, bo, mal, noor, ted, err, pat = rows
    assert (ada["score"], ada["max"], ada["cache-ordering"], ada["status"], ada["image_mb"]) == \
        ("7", "79", "fail", "failed", "21.1")
    assert bo["status"] == "passed" and bo["artifact-copies"] == "pass"
    assert mal["status"] == "refused" and "'..'" in mal["note"] and mal["score"] == "0"
    assert noor["status"] == "invalid" and ted["status"] == "timeout" and err["status"] == "error"
    assert pat["status"] == "pending" and pat["score"] == ""


def test_junit_counts_match_its_cases(tmp_path: Path) -> None:
    w = ClassWriter(tmp_path)
    w.class_files(ROWS, {"node-nginx": 79.0}, {"run_id": "x"})
    root = ET.parse(tmp_path / "junit.xml").getroot()
    assert root.tag == "testsuites"
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in root.findall("testsuite"):
        cases = suite.findall("testcase")
        assert int(suite.get("tests", "-1")) == len(cases)
        counts = {"failures": sum(c.find("failure") is not None for c in cases),
                  "errors": sum(c.find("error") is not None for c in cases),
                  "skipped": sum(c.find("skipped") is not None for c in cases)}
        for k, v in counts.items():
            assert int(suite.get(k, "-1")) == v, (suite.get("name"), k)
            total[k] += v
        total["tests"] += len(cases)
        assert all(c.get("name") and c.get("classname") for c in cases)
    assert {k: int(root.get(k, "-1")) for k in total} == total
    names = [s.get("name") for s in root.findall("testsuite")]
    assert "Ada L. / cache-ordering" in names and "Mal / submission" in names
    # a second write reuses the cached fragments and gives the same document
    first = (tmp_path / "junit.xml").read_text()
    w.class_files(ROWS, {"node-nginx": 79.0}, {"run_id": "x"})
    assert (tmp_path / "junit.xml").read_text() == first


def test_results_json_holds_the_run_and_every_student(tmp_path: Path) -> None:
    ClassWriter(tmp_path).class_files(ROWS, {"node-nginx": 79.0}, {"run_id": "r1", "complete": False})
    doc = json.loads((tmp_path / "results.json").read_text())
    assert doc["tool"] == "stagewise" and doc["run"]["run_id"] == "r1"
    assert doc["exercises"] == {"node-nginx": {"max_score": 79.0}}
    assert doc["counts"]["pending"] == 1 and len(doc["students"]) == len(ROWS)
    ada = doc["students"][0]
    assert ada["report"]["findings"][1]["rule"] == "SW301" and ada["max_score"] == 79.0
    assert set(ada) >= {"student", "exercise", "status", "score", "max_score", "concerns", "duration_s",
                        "image_mb", "submission_sha256", "report"}


def test_feedback_says_what_failed_where_and_what_to_read() -> None:
    md = feedback_markdown(ROWS[0], 79.0)
    assert "score **7 / 79**" in md
    fix = md.split("## What to fix", 1)[1].split("## Worth a look", 1)[0]
    assert "SW301" in fix and "Copy the manifests first." in fix
    assert "   3 | COPY . ." in fix  # the Dockerfile's own line
    assert "https://stagewise.github.io/stagewise/lessons/04-build-cache/#dependencies-first-then-source" in fix
    assert "SW050" in md.split("## What passed", 1)[1]
    assert "json-args-recommended" in md
    cont = feedback_markdown(result(rep=Report(dockerfile="Dockerfile", findings=[Finding(
        rule="SW104", concern=Concern.BUILD, status=FS.FAIL, message="m", line=4, max_points=1)]).finalize()), 1)
    assert "   4 | RUN npm ci \\\n   5 |   && npm run build" in cont  # continuation lines come along
    refused = feedback_markdown(ROWS[2], 79.0)
    assert "refused" in refused and "path with '..'" in refused and "0 / 79" in refused


def test_ignored_files_are_listed_in_the_feedback() -> None:
    md = feedback_markdown(result(rep=report(), ignored_files=["src/app.js", "notes.txt"]), 79)
    assert "`src/app.js`, `notes.txt`" in md


def test_student_files(tmp_path: Path) -> None:
    w = ClassWriter(tmp_path)
    for r in ROWS:
        w.student_files(r, 79.0)
    d = tmp_path / "students" / "ada-l"
    assert sorted(p.name for p in d.iterdir()) == ["classroom.json", "feedback.md", "gradescope.json",
                                                   "report.json"]
    assert not (tmp_path / "students" / "mal" / "report.json").exists()
    jsonschema.validate(json.loads((d / "gradescope.json").read_text()), schema("gradescope-results.schema.json"))


def test_the_classroom_workflow_wires_the_reporter(tmp_path: Path) -> None:
    ex = find_exercise("node-nginx")
    wf = yaml.safe_load(classroom_workflow(ex, repository="someone/stagewise"))
    assert wf["name"] == "Autograding Tests" and wf["permissions"]["checks"] == "write"
    steps = wf["jobs"]["run-autograding-tests"]["steps"]
    grade = next(s for s in steps if s.get("id") == "stagewise")
    assert "stagewise grade submission --student submission" in grade["run"]
    assert 'result=$(base64 -w0 grade/students/submission/classroom.json)' in grade["run"]
    rep = steps[-1]
    assert rep["uses"] == "classroom-resources/autograding-grading-reporter@v1"
    assert rep["with"]["runners"] == "stagewise"
    assert rep["env"]["STAGEWISE_RESULTS"] == "${{ steps.stagewise.outputs.result }}"
    images = next(s for s in steps if s.get("name") == "Base images")["run"]
    assert images == "stagewise images prepare " + " ".join(f"--only {i}" for i in base_images(ex))
    assert base_images(ex) == ["node:22-alpine", "nginx:1.25-alpine"]
    assert wf["env"]["STAGEWISE_REPOSITORY"] == "someone/stagewise"


def test_the_gradescope_bundle(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    archive = gradescope_bundle(ex, tmp_path / "bundle", timeout=120)
    with zipfile.ZipFile(archive) as zf:
        names = zf.namelist()
        assert "setup.sh" in names and "run_autograder" in names  # at the root, as Gradescope requires
        assert (zf.getinfo("run_autograder").external_attr >> 16) & 0o111
        assert "stagewise/exercises/tiny/exercise.yaml" in names and "stagewise/solutions/tiny/Dockerfile" in names
        assert "stagewise/checker/grade/runner.py" in names and "stagewise/pyproject.toml" in names
        assert not [n for n in names if "__pycache__" in n]
    for script in ("setup.sh", "run_autograder"):
        subprocess.run(["bash", "-n", str(tmp_path / "bundle" / script)], check=True)
    text = (tmp_path / "bundle" / "run_autograder").read_text()
    assert "--timeout 120" in text and "results/results.json" in text
