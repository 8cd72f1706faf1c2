"""Every output format, checked against its documentation: Gradescope's results.json (schema), Classroom 50's
result.json (tests/grade/schemas/classroom50-result.schema.json, written from its wiki), JUnit (counts), the
gradebook's columns, results.json, the feedback, the generated Gradescope bundle and Classroom 50 assignment."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import jsonschema
import pytest

from checker.grade.classroom import MAX_TEXT, concern_message, grading_part
from checker.grade.classroom import result as c50_result
from checker.grade.emit import base_images, classroom50_files, gradescope_bundle
from checker.grade.outputs import GRADEBOOK_COLUMNS, ClassWriter, feedback_markdown, gradebook_csv, gradescope_for
from checker.grade.store import Status, StudentResult
from checker.grade.workspace import find_exercise
from checker.report import Concern, Finding, Report
from checker.report import Status as FS

from .conftest import TINY, TINY_SOLUTION

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


IDENTITY = {"classroom": "docker-101", "assignment": "node-nginx", "owner": "ada-l", "assignment_type": "individual",
            "submission": "submit/2026-06-01T14-32-05Z-a1b2c3d", "commit": "https://example.org/commit/a1b2c3d",
            "release": "https://example.org/releases/tag/submit%2F2026", "review": "https://example.org/compare/x...y",
            "datetime": "2026-06-01T14:32:01Z"}


def _contract(doc: dict) -> None:
    """What the schema cannot say: the sums, and no test above its max."""
    jsonschema.validate(doc, schema("classroom50-result.schema.json"))
    assert doc["score"] == sum(t["score"] for t in doc["tests"]) <= doc["max-score"]
    assert doc["max-score"] == sum(t["max-score"] for t in doc["tests"])
    assert all(t["score"] <= t["max-score"] for t in doc["tests"])


@pytest.mark.parametrize("row", ROWS, ids=[r.student for r in ROWS])
def test_classroom50_results_follow_the_contract(row: StudentResult) -> None:
    doc = c50_result(grading_part(row, 79.0), IDENTITY)
    _contract(doc)
    assert list(doc)[:2] == ["schema", "classroom"] and doc["schema"] == "classroom50/result/v1"
    if row.report is None:  # refused, invalid, timeout...: one failed test that says why
        (test,) = doc["tests"]
        assert not test["passed"] and test["max-score"] == 79 and (row.note or "Not graded") in test["message"]
        return
    by_concern = {t["concern"]: t for t in doc["tests"]}
    for c, verdict in row.report.concerns.items():
        if c in by_concern:
            assert by_concern[c]["passed"] == (verdict == "pass")
    if row.report.passed:
        assert all(t["passed"] for t in doc["tests"])
    else:  # Ada's cache-ordering test: the failing rule, its line and fix come first, then what passed
        cache = by_concern["cache-ordering"]
        assert cache["score"] == 0 and cache["max-score"] == 3 and not cache["passed"]
        assert cache["message"].startswith("✘ SW301 (line 3): `COPY . .` before the install. Fix: Copy the manifests")
        assert cache["findings"][0]["rule"] == "SW301"
    assert "lint" not in by_concern  # advice worth no points is not a test


def test_classroom50_messages_put_failures_first_within_2000_chars() -> None:
    many = [Finding(rule=f"SW{n:03d}", concern=Concern.HARDENING, status=FS.PASS, message="fine " * 30, line=n)
            for n in range(100, 140)]
    bad = Finding(rule="SW401", concern=Concern.HARDENING, status=FS.FAIL, message="Runs as root.", line=90,
                  hint="Add USER.", max_points=2)
    text = concern_message([*many, bad])
    assert len(text) <= MAX_TEXT and text.startswith("✘ SW401 (line 90): Runs as root. Fix: Add USER.")
    assert text.endswith("(the rest is in the release notes)")


def _autograder_module():  # the emitted script, imported as a module for its pure functions
    spec = importlib.util.spec_from_file_location("c50_autograder", Path(__file__).parents[2] / "checker" / "grade"
                                                  / "classroom50_autograder.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_classroom50_max_score_is_the_reference_one_for_everyone() -> None:
    ag = _autograder_module()
    concern_max = {"build": 5, "cache-ordering": 3, "artifact-copies": 3, "hardening": 2, "runtime": 6}
    titles = {"runtime": "Runtime: the image starts and answers"}
    for row in ROWS:
        doc = c50_result(ag.with_reference_max(grading_part(row, 0.0), concern_max, titles), IDENTITY)
        _contract(doc)
        assert doc["max-score"] == 19, row.student
    ada = ag.with_reference_max(grading_part(ROWS[0], 0.0), concern_max, titles)
    runtime = next(t for t in ada["tests"] if t["concern"] == "runtime")  # never judged: the image was not run
    assert (runtime["passed"], runtime["score"], runtime["max-score"]) == (False, 0, 6)
    assert runtime["test-name"] == titles["runtime"] and "Not judged" in runtime["message"]


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
    assert sorted(p.name for p in d.iterdir()) == ["classroom50.json", "feedback.md", "gradescope.json",
                                                   "report.json"]
    _contract(c50_result(json.loads((d / "classroom50.json").read_text()), IDENTITY))
    assert not (tmp_path / "students" / "mal" / "report.json").exists()
    jsonschema.validate(json.loads((d / "gradescope.json").read_text()), schema("gradescope-results.schema.json"))


def _emit(tmp_path: Path, **kw: object) -> tuple[Path, list[Path]]:
    ex = find_exercise(str(TINY))
    dest = tmp_path / "c50"
    return dest, classroom50_files(ex, dest, **kw)  # type: ignore[arg-type]


def test_the_classroom50_assignment_holds_no_solution(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    assert ex.reference is not None
    dest, files = _emit(tmp_path, timeout=900, concern_max={"build": 5})
    rel = {str(p.relative_to(dest)) for p in files}
    assert {"README.md", "runtime.json", "autograder/autograder.py", "autograder/stagewise.json",
            "autograder/exercise/exercise.yaml", "template/Dockerfile", "template/exercise.yaml"} <= rel
    assert not [r for r in rel if "solution" in r.lower() or r.endswith("autograde.yaml")]
    solution = {p.read_bytes() for p in ex.reference.rglob("*") if p.is_file()}
    assert not [r for r in rel if (dest / r).read_bytes() in solution], "a file of the solution was copied"
    assert (dest / "template" / "Dockerfile").read_text() == (TINY / "Dockerfile").read_text()  # the starter
    config = json.loads((dest / "autograder" / "stagewise.json").read_text())
    # Classroom 50 runs a command for at most 600 s (its default of 10 s fits no Docker build)
    assert config["build_timeout"] == 600 and config["grade_timeout"] <= 600 and config["setup_timeout"] + \
        config["grade_timeout"] < 15 * 60
    assert config["base_images"] == base_images(ex) and config["concern_max"] == {"build": 5}
    assert json.loads((dest / "runtime.json").read_text())["runs-on"] == "ubuntu-latest"
    compile((dest / "autograder" / "autograder.py").read_text(), "autograder.py", "exec")
    assert "CLASSROOM/autograders/ASSIGNMENT/" in (dest / "README.md").read_text()


def test_the_classroom50_autograder_writes_a_valid_result(tmp_path: Path, engine: object) -> None:
    """The emitted autograder.py run as Classroom 50's runner runs it: in the learner's checkout, with the
    submission's identity in the environment, the bundle in CLASSROOM50_BUNDLE_DIR (STAGEWISE_BIN: this
    checkout's stagewise, so nothing is installed or pulled)."""
    dest, _ = _emit(tmp_path, timeout=60, concern_max={"build": 40, "stage-separation": 9})
    checkout = tmp_path / "checkout"
    shutil.copytree(dest / "template", checkout)
    (checkout / "Dockerfile").write_text(TINY_SOLUTION.replace("# ", "# learner's copy: ", 1))
    (checkout / "notes.txt").write_text("not graded")
    env = {**os.environ, "CLASSROOM": IDENTITY["classroom"], "ASSIGNMENT": "tiny", "OWNER": "ada-l",
           "ASSIGNMENT_TYPE": "individual", "SUBMISSION_TAG": IDENTITY["submission"],
           "COMMIT_URL": IDENTITY["commit"], "RELEASE_URL": IDENTITY["release"], "REVIEW_URL": IDENTITY["review"],
           "CLASSROOM50_BUNDLE_DIR": str(dest / "autograder"), "STAGEWISE_BIN": str(Path(sys.executable).parent /
                                                                                   "stagewise")}
    proc = subprocess.run([sys.executable, str(dest / "autograder" / "autograder.py")], cwd=checkout, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    doc = json.loads((checkout / "result.json").read_text())
    _contract(doc)
    assert (doc["classroom"], doc["assignment"], doc["owner"]) == ("docker-101", "tiny", "ada-l")
    tests = {t["concern"]: t for t in doc["tests"]}
    assert tests["build"]["max-score"] == 40 and tests["stage-separation"]["max-score"] == 9
    assert tests["build"]["passed"], tests["build"]["message"]
    body = (checkout / "release-body.md").read_text()
    assert body.startswith(f"## Score: {doc['score']} / {doc['max-score']}")
    assert f"score **{doc['score']} / {doc['max-score']}**" in body
    assert "# Stagewise feedback: ada-l" in body  # named after the repository owner


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


def test_the_documented_result_json_sample_validates() -> None:
    page = (Path(__file__).parents[2] / "docs" / "checker" / "formats.md").read_text()
    sample = page.split('```json title="result.json"\n', 1)[1].split("\n```", 1)[0]
    doc = json.loads(sample)
    jsonschema.validate(doc, schema("classroom50-result.schema.json"))
    assert doc["tests"] and all(t["score"] <= t["max-score"] for t in doc["tests"])


def test_a_concern_nothing_could_judge_is_a_failed_test_that_says_why() -> None:
    rep = Report(dockerfile="Dockerfile", findings=[
        Finding(rule="SW050", concern=Concern.BUILD, status=FS.FAIL, message="The build failed at line 4.", line=4,
                max_points=5, hint="Read the build log."),
        Finding(rule="SW550", concern=Concern.RUNTIME, status=FS.SKIP, message="skipped: the image did not build"),
    ]).finalize()
    doc = c50_result(grading_part(result(rep=rep), 0.0), IDENTITY)
    _contract(doc)
    runtime = next(t for t in doc["tests"] if t["concern"] == "runtime")
    assert not runtime["passed"] and runtime["message"].startswith("Not judged")
    assert "skipped: the image did not build" in runtime["message"]
    build = next(t for t in doc["tests"] if t["concern"] == "build")
    assert (build["passed"], build["score"], build["max-score"]) == (False, 0, 5)
