"""Grading a class for real on the tiny busybox exercise: every submission shape, every refusal, the
broken ones (does not parse, never finishes, floods its output, eats memory), resume, determinism and
cleanup (nothing labelled by the run is left)."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from checker.build import build
from checker.engine import Engine
from checker.grade import GradeOptions, ResourceLimits, Summary, discover, grade_class
from checker.grade.emit import gradescope_bundle
from checker.grade.sandbox import CGROUP_ROOT, GRADE_LABEL, RUN_LABEL, GradingEngine, cgroup_support, count_labelled
from checker.grade.store import Store
from checker.grade.workspace import find_exercise

from .conftest import TINY, TINY_BROKEN, TINY_SINGLE_STAGE, tar_bytes, tiny_variant, zip_bytes

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).parent / "schemas"
STAGEWISE = str(Path(sys.executable).parent / "stagewise")
TIMEOUT = 20.0
RUN_TOKEN = uuid.uuid4().hex[:8]  # builds that must really run: the cache of an earlier test run cannot answer

SLEEPER = tiny_variant("gus", "RUN sleep 100000")
FLOOD = tiny_variant("hal", "RUN yes 0123456789abcdef0123456789abcdef | head -c 100000000; echo flooded")
HOG = tiny_variant("ivy", 'RUN x="$(head -c 400000000 /dev/zero | tr "\\\\0" a)"; echo ${#x}')


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as f:
        return {r["student"]: r for r in csv.DictReader(f)}


class Poller:
    """Watches the engine's events during a run: what happened to containers and images carrying the run's
    label. Events, not polling: an image that lives for a second between two polls is still seen."""

    def __init__(self, engine: Engine, key: str) -> None:
        self.engine, self.key = engine, key
        self.seen: dict[str, int] = {"container": 0, "image": 0}
        self.proc: subprocess.Popen[str] | None = None

    def __enter__(self) -> Poller:
        self.proc = subprocess.Popen([self.engine.cli, "events", "--filter", f"label={GRADE_LABEL}={self.key}",
                                      "--format", "{{.Type}}"], env=self.engine.full_env, stdout=subprocess.PIPE,
                                     text=True)
        time.sleep(0.5)  # the stream is open before the run starts
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        time.sleep(1.0)  # the last events reach the stream
        self.proc.terminate()
        for line in self.proc.stdout.read().split():
            self.seen[line] = self.seen.get(line, 0) + 1
        self.proc.wait(timeout=30)


@pytest.fixture(scope="module")
def class_run(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("class")
    files: dict[str, bytes | str] = {
        "ann": tiny_variant("ann"),
        "ben.zip": zip_bytes({"ben/Dockerfile": TINY_SINGLE_STAGE, "ben/notes.txt": "my notes"}),
        "cat.tar.gz": tar_bytes([("cat/Dockerfile", tiny_variant("cat")), ("cat/.dockerignore", "Dockerfile*\n")]),
        "dup": tiny_variant("ann"),
        "eve.zip": zip_bytes({"Dockerfile": tiny_variant("eve"), "/etc/cron.d/evil": "* * * * * root true\n"}),
        "fay": TINY_BROKEN,
        "gus": SLEEPER,
        "hal": FLOOD,
        "ivy": HOG,
    }
    for name, content in files.items():
        if isinstance(content, bytes):
            (base / name).write_bytes(content)
        else:
            (base / name).mkdir()
            (base / name / "Dockerfile").write_text(content)
    (base / "jo").mkdir()
    (base / "jo" / "README.md").write_text("I forgot the Dockerfile")
    roster = ["student,submission,exercise"] + [f"{n.split('.')[0]},{n},{TINY}" for n in files] + \
        [f"jo,jo,{TINY}", "kim,,", f"lu,lu,{REPO / 'exercises' / 'no-such'}"]
    (base / "roster.csv").write_text("\n".join(roster) + "\n")
    out = tmp_path_factory.mktemp("out")
    opts = GradeOptions(out=out, exercise=str(TINY), jobs=2, timeout=TIMEOUT, keep_cache=True,
                        limits=ResourceLimits(memory_bytes=128 * 1024**2, pids=512))
    cg_version, _why = cgroup_support(engine, None)
    with Poller(engine, Store(out).key) as poller:
        t0 = time.monotonic()
        summary = grade_class(discover(base), opts, engine)
        seconds = time.monotonic() - t0
    yield {"base": base, "out": out, "summary": summary, "seconds": seconds, "poller": poller, "opts": opts,
           "cgroups": cg_version is not None}


def test_every_shape_gets_its_row(class_run: dict[str, Any]) -> None:
    rows = _rows(class_run["out"])
    s: Summary = class_run["summary"]
    assert s.complete and s.stopped_because is None
    want = {"ann": "passed", "ben": "failed", "cat": "passed", "dup": "passed", "eve": "refused", "fay": "failed",
            "gus": "timeout", "hal": "passed", "jo": "invalid", "kim": "invalid", "lu": "invalid"}
    for name, status in want.items():
        assert rows[name]["status"] == status, (name, rows[name])
    assert rows["ann"]["score"] == rows["ann"]["max"] == "74"
    assert "absolute path" in rows["eve"]["note"]
    assert "no Dockerfile" in rows["jo"]["note"] and "README.md" in rows["jo"]["note"]
    assert "no submission" in rows["kim"]["note"]  # the run's --exercise stands in for the empty cell
    assert "no exercise" in rows["lu"]["note"]
    assert rows["fay"]["build"] == "fail" and float(rows["fay"]["score"]) < 74
    assert rows["ben"]["stage-separation"] == "fail" and rows["ben"]["hardening"] == "fail"


def test_identical_submissions_are_graded_once(class_run: dict[str, Any]) -> None:
    rows = _rows(class_run["out"])
    assert "identical to ann" in rows["dup"]["note"]
    students = {r["student"]: r for r in json.loads((class_run["out"] / "results.json").read_text())["students"]}
    assert students["dup"]["report"] == students["ann"]["report"] | {"dockerfile": "Dockerfile"}
    assert class_run["summary"].graded == 8  # ann+dup, ben, cat, fay, gus, hal, ivy


def test_a_build_that_never_ends_is_stopped_and_the_class_goes_on(class_run: dict[str, Any]) -> None:
    rows = _rows(class_run["out"])
    assert rows["gus"]["status"] == "timeout" and "--timeout" in rows["gus"]["note"]
    assert float(rows["gus"]["duration_s"]) < TIMEOUT + 30
    assert float(rows["gus"]["score"]) > 0  # the static rules still count
    assert class_run["seconds"] < 240


def test_a_flood_of_output_does_not_stop_anything(class_run: dict[str, Any]) -> None:
    rows = _rows(class_run["out"])
    assert rows["hal"]["status"] == "passed"  # BuildKit clips the log; the grader never holds it all
    assert float(rows["hal"]["duration_s"]) < 120


def test_memory_is_limited_per_build(class_run: dict[str, Any]) -> None:
    rows = _rows(class_run["out"])
    if not class_run["cgroups"]:
        assert "without memory and process limits" in " ".join(class_run["summary"].warnings)
        pytest.skip("no build cgroups on this engine: the run says so")
    assert rows["ivy"]["status"] == "failed" and rows["ivy"]["build"] == "fail"
    assert "exit code 137" in rows["ivy"]["note"] and "128 MiB" in rows["ivy"]["note"]
    assert "128 MiB, 512 processes per worker" in class_run["summary"].limits


def test_nothing_the_run_made_is_left(class_run: dict[str, Any], engine: Engine) -> None:
    key = Store(class_run["out"]).key
    poller: Poller = class_run["poller"]
    assert poller.seen["image"] > 0 and poller.seen["container"] > 0, f"the run's labelled objects: {poller.seen}"
    assert count_labelled(engine, GRADE_LABEL, key) == (0, 0)
    assert class_run["summary"].leftovers == (0, 0)
    assert not list(CGROUP_ROOT.glob(f"*/stagewise-grade-{key}"))
    assert not (class_run["out"] / ".state" / "work").exists()


def test_every_student_has_feedback_and_platform_results(class_run: dict[str, Any]) -> None:
    out = class_run["out"]
    gs_schema = json.loads((SCHEMAS / "gradescope-results.schema.json").read_text())
    c50_schema = json.loads((SCHEMAS / "classroom50-result.schema.json").read_text())
    identity = {"classroom": "c", "assignment": "tiny", "submission": "submit/x", "commit": "u", "release": "u",
                "review": "u", "datetime": "2026-01-01T00:00:00Z"}
    for slug in ("ann", "ben", "eve", "gus", "jo", "kim"):
        d = out / "students" / slug
        assert (d / "feedback.md").read_text().startswith(f"# Stagewise feedback: {slug}")
        jsonschema.validate(json.loads((d / "gradescope.json").read_text()), gs_schema)
        c50 = json.loads((d / "classroom50.json").read_text())
        jsonschema.validate({**identity, **c50}, c50_schema)
        assert c50["score"] == sum(t["score"] for t in c50["tests"]) and not (d / "classroom.json").exists()
    ben = (out / "students" / "ben" / "feedback.md").read_text()
    assert "## What to fix" in ben and "**How to fix:**" in ben and "notes.txt" in ben
    assert "```dockerfile" in ben
    doc = json.loads((out / "results.json").read_text())
    assert doc["run"]["references"]["tiny"]["passed"] is True and doc["exercises"]["tiny"]["max_score"] == 74


def test_a_rerun_skips_what_did_not_change(class_run: dict[str, Any], engine: Engine) -> None:
    out, base = class_run["out"], class_run["base"]
    before = (out / "gradebook.csv").read_text()
    again = grade_class(discover(base), class_run["opts"], engine)
    assert again.graded == 0 and again.reused == 8 and again.complete
    after = (out / "gradebook.csv").read_text()
    assert [ln.split(",")[:13] for ln in after.splitlines()] == [ln.split(",")[:13] for ln in before.splitlines()]
    (base / "ann" / "Dockerfile").write_text(tiny_variant("ann, second try"))
    third = grade_class(discover(base), class_run["opts"], engine)
    assert third.graded == 1 and third.reused == 7
    assert _rows(out)["ann"]["status"] == "passed"


def test_grading_is_deterministic(engine: Engine, tmp_path: Path, make_class: Any) -> None:
    base = make_class({"ann": tiny_variant("det"), "ben": TINY_SINGLE_STAGE})
    runs = []
    for i in range(2):
        opts = GradeOptions(out=tmp_path / "out", exercise=str(TINY), jobs=2, keep_cache=True, regrade=True,
                            reference=i == 0)
        s = grade_class(discover(base), opts, engine)
        assert s.graded == 2
        runs.append({r.student: (r.score, r.status, [(f.rule, f.status, f.points, f.line) for f in r.report.findings]
                                 if r.report else None) for r in s.rows})
    assert runs[0] == runs[1]


def test_builds_and_containers_are_labelled_and_hardened(engine: Engine, tmp_path: Path) -> None:
    labels = {GRADE_LABEL: "test-key", RUN_LABEL: "test-run"}
    ge = GradingEngine.wrap(engine, run_labels=labels)
    ctx = tmp_path / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text("FROM busybox:1.36\nRUN echo labelled > /x\n")
    res = build(ge, ctx, tag="stagewise-grade-test:labels")
    try:
        assert res.ok, res.error
        img = engine.client.images.get("stagewise-grade-test:labels")
        assert {k: img.labels.get(k) for k in labels} == labels
        c = ge.client.containers.create("stagewise-grade-test:labels", ["true"], network_mode="none")
        try:
            c.reload()
            assert c.labels[RUN_LABEL] == "test-run"
            assert "no-new-privileges:true" in (c.attrs["HostConfig"]["SecurityOpt"] or [])
        finally:
            c.remove(force=True)
        # a probe may join the namespace of a container this run made, and of no other
        mine = ge.client.containers.create("stagewise-grade-test:labels", ["true"], network_mode="none")
        try:
            ge.client.containers.create("stagewise-grade-test:labels", ["true"], network_mode=f"container:{mine.id}",
                                        cap_drop=["ALL"], cap_add=["SETUID", "SETGID"]).remove(force=True)
        finally:
            mine.remove(force=True)
        other = engine.client.containers.create("stagewise-grade-test:labels", ["true"], network_mode="none")
        try:
            with pytest.raises(PermissionError):
                ge.client.containers.create("stagewise-grade-test:labels", ["true"],
                                            network_mode=f"container:{other.id}")
        finally:
            other.remove(force=True)
        for bad in ({"volumes": {"/": {"bind": "/host"}}}, {"privileged": True}, {"network_mode": "bridge"},
                    {"network_mode": "host"},  # only with --smoke-network host
                    {"cap_add": ["SETUID"]},  # without cap_drop ALL
                    {"cap_drop": ["ALL"], "cap_add": ["SYS_ADMIN"]},  # not in the checker's list
                    {"security_opt": ["seccomp=unconfined"]}):  # without no-new-privileges
            with pytest.raises(PermissionError):
                ge.client.containers.create("stagewise-grade-test:labels", ["true"], **bad)
        host = GradingEngine.wrap(engine, run_labels=labels, smoke_network="host")
        host.client.containers.create("stagewise-grade-test:labels", ["true"], network_mode="host").remove(force=True)
    finally:
        engine.docker("rmi", "-f", "stagewise-grade-test:labels", check=False)


def test_the_command_line(engine: Engine, tmp_path: Path, make_class: Any) -> None:
    base = make_class({"ann": tiny_variant("cli"), "bad.zip": zip_bytes({"../x": "y"})})
    out = tmp_path / "out"
    proc = subprocess.run([STAGEWISE, "grade", str(base), "--exercise", str(TINY), "--out", str(out), "--jobs", "2",
                           "--keep-cache", "--no-reference"], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Gradebook" in proc.stdout and "ann" in proc.stdout and "refused" in proc.stdout
    assert "2 students" in proc.stderr
    rows = _rows(out)
    assert rows["ann"]["status"] == "passed" and rows["bad"]["status"] == "refused"
    bad = subprocess.run([STAGEWISE, "grade", str(base), "--exercise", "no-such-exercise", "--out", str(out)],
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "no exercise 'no-such-exercise'" in bad.stderr


def test_ctrl_c_keeps_every_finished_result(engine: Engine, tmp_path: Path, make_class: Any) -> None:
    base = make_class({f"s{i}": tiny_variant(f"s{i}", f"RUN echo s{i}-{RUN_TOKEN} && sleep {2 + i % 2}")
                       for i in range(5)})
    out = tmp_path / "out"
    args = [STAGEWISE, "grade", str(base), "--exercise", str(TINY), "--out", str(out), "--jobs", "1",
            "--keep-cache", "--no-reference"]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = out / ".state" / "students"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and len(list(state.glob("*.json"))) < 2:
        time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 3, stderr[-2000:]
    assert "interrupted (SIGINT)" in stderr
    rows = _rows(out)
    done = [n for n, r in rows.items() if r["status"] == "passed"]
    assert 2 <= len(done) < 5 and all(rows[n]["status"] == "pending" for n in rows if n not in done)
    assert count_labelled(engine, GRADE_LABEL, Store(out).key) == (0, 0)
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"unchanged {len(done)}" in rerun.stderr
    assert all(r["status"] == "passed" for r in _rows(out).values())


def test_kill_9_of_the_grader_loses_nothing(engine: Engine, tmp_path: Path, make_class: Any) -> None:
    base = make_class({f"k{i}": tiny_variant(f"k{i}", f"RUN echo k{i}-{RUN_TOKEN} && sleep 2") for i in range(4)})
    out = tmp_path / "out"
    args = [STAGEWISE, "grade", str(base), "--exercise", str(TINY), "--out", str(out), "--jobs", "1",
            "--keep-cache", "--no-reference"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = out / ".state" / "students"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and not list(state.glob("*.json")):
        time.sleep(0.1)
    time.sleep(1.0)  # the next student is being built
    proc.kill()
    proc.wait(timeout=30)
    rows = _rows(out)  # whole and readable at any instant
    assert sorted(rows) == ["k0", "k1", "k2", "k3"]
    done = {p.stem for p in state.glob("*.json")}
    assert done and all(rows[n]["status"] == ("passed" if n in done else "pending") for n in rows)
    key = Store(out).key
    deadline = time.monotonic() + 30  # the orphaned worker follows its grader (PR_SET_PDEATHSIG)
    while time.monotonic() < deadline and any("checker.grade.worker" in _cmdline(p) and key in _cmdline(p)
                                              for p in os.listdir("/proc") if p.isdigit()):
        time.sleep(0.2)
    assert time.monotonic() < deadline, "the worker outlived its grader"
    rerun = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    assert f"unchanged {len(done)}" in rerun.stderr
    assert all(r["status"] == "passed" for r in _rows(out).values())
    assert count_labelled(engine, GRADE_LABEL, Store(out).key) == (0, 0)


def _cmdline(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_the_gradescope_autograder_runs(engine: Engine, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    gradescope_bundle(find_exercise(str(TINY)), bundle, timeout=60)
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "Dockerfile").write_text(TINY_SINGLE_STAGE)
    os.symlink(bundle, root / "source")
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "STAGEWISE_BIN": STAGEWISE}
    proc = subprocess.run([str(bundle / "run_autograder")], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = json.loads((root / "results" / "results.json").read_text())
    jsonschema.validate(data, json.loads((SCHEMAS / "gradescope-results.schema.json").read_text()))
    assert 0 < data["score"] < 74 and any(t["status"] == "failed" for t in data["tests"])
