"""Hostile submissions graded for real, in one class beside two honest students: a build that fills the disk,
one that floods its log, fork and memory bombs in a RUN and in the smoke run, entrypoints that ignore SIGTERM,
exit at once or flood stdout, directives that reach outside the sandbox, and hostile files. Each ends with a
clear row; the honest students pass; nothing the run made is left on the engine (containers, images, build
cache records of these builds)."""

from __future__ import annotations

import csv
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from checker.build import LOG_TAIL_BYTES, build
from checker.engine import Engine
from checker.grade import GradeOptions, ResourceLimits, Summary, discover, grade_class
from checker.grade.sandbox import GRADE_LABEL, GradingEngine, cgroup_support, count_labelled
from checker.grade.store import Store

from .conftest import TINY, TINY_SOLUTION, tiny_variant

TOKEN = uuid.uuid4().hex[:10]  # in every hostile RUN: the build cache of an earlier test run cannot answer
TIMEOUT = 25.0
DISK_BUDGET = 200 * 1024**2


def _final(entrypoint: str, tag: str) -> str:
    """The tiny solution with another ENTRYPOINT in its final stage (a distinct submission)."""
    body = TINY_SOLUTION.replace('ENTRYPOINT ["cat", "/app/greeting.txt"]', entrypoint)
    assert body != TINY_SOLUTION
    return f"# submission {tag}-{TOKEN}\n{body}"


HOSTILE: dict[str, str] = {
    # writes 10 MB at a time, up to 400 MB: the 200 MB budget stops it half way
    "disk": tiny_variant("disk", f"RUN for i in $(seq 1 40); do dd if=/dev/zero of=/fill$i bs=1M count=10 "
                                 f"2>/dev/null; sleep 0.25; done; echo {TOKEN}-disk"),
    "flood": tiny_variant("flood", f"RUN yes {TOKEN}-0123456789abcdef0123456789 | head -c 80000000; echo flooded"),
    "forkbomb": tiny_variant("forkbomb", f"RUN echo {TOKEN}; for i in $(seq 1 400); do sleep 60 & done; wait"),
    "membomb": tiny_variant("membomb", f'RUN echo {TOKEN}; x="$(head -c 400000000 /dev/zero | tr "\\\\0" a)"; '
                                       'echo ${#x}'),
    "runfork": _final('ENTRYPOINT ["sh", "-c", "for i in $(seq 1 400); do sleep 60 & done; echo all started"]',
                      "runfork"),
    "runmem": _final('ENTRYPOINT ["sh", "-c", "x=\\"$(head -c 700000000 /dev/zero | tr \\"\\\\\\\\0\\" a)\\"; '
                     'echo ${#x}"]', "runmem"),
    "noterm": _final('ENTRYPOINT ["sh", "-c", "trap \\"\\" TERM INT; while true; do sleep 1; done"]', "noterm"),
    "quick": _final('ENTRYPOINT ["true"]', "quick"),
    "chatty": _final('ENTRYPOINT ["yes", "hello from tiny, forever"]', "chatty"),
    "nethost": tiny_variant("nethost", f"RUN --network=host echo {TOKEN}"),
    "insecure": tiny_variant("insecure", f"RUN --security=insecure echo {TOKEN}"),
    # builds only if /ctx is the build context (its build.sh) and not the host's / (no /ctx/etc, /ctx/proc)
    "bindroot": tiny_variant("bindroot", "RUN --mount=type=bind,source=/,target=/ctx test -f /ctx/build.sh && "
                                         f"test ! -e /ctx/etc && test ! -e /ctx/proc && echo {TOKEN}"),
    "addurl": tiny_variant("addurl", "ADD https://files.example.invalid/tool.tar.gz /tool.tar.gz"),
    "slashsyntax": "//syntax=docker/dockerfile:1\n" + tiny_variant("slashsyntax"),
    "shebangsyntax": "#!/bin/sh\n# syntax=docker/dockerfile:1\n" + tiny_variant("shebangsyntax"),
    "jsonsyntax": '{"syntax": "docker/dockerfile:1"}\n',

}


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def _records(engine: Engine) -> list[dict[str, Any]]:
    return list(engine.client.df().get("BuildCache") or [])


@pytest.fixture(scope="module")
def hostile_run(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("hostile")
    files: dict[str, str | bytes] = {"ann": tiny_variant(f"ann-{TOKEN}"), "bob": tiny_variant(f"bob-{TOKEN}"),
                                     **HOSTILE}
    # hostile files: several MB, binary garbage, Latin-1, UTF-16, a BOM, NUL bytes, 10,000 stages
    files["huge"] = "FROM busybox:1.36\n" + "RUN true\n" * 400_000
    files["garbage"] = bytes(range(256)) * 64
    files["latin1"] = ("# déjà vu\n" + TINY_SOLUTION).encode("latin-1")
    files["utf16"] = TINY_SOLUTION.encode("utf-16")
    files["bom"] = b"\xef\xbb\xbf" + tiny_variant(f"bom-{TOKEN}").encode()
    files["nul"] = (tiny_variant(f"nul-{TOKEN}") + "RUN echo \0\n").encode()
    files["stages"] = "".join(f"FROM scratch AS s{i}\n" for i in range(10_000)) + TINY_SOLUTION
    for name, content in files.items():
        (base / name).mkdir()
        df = base / name / "Dockerfile"
        df.write_bytes(content) if isinstance(content, bytes) else df.write_text(content)
    out = tmp_path_factory.mktemp("out")
    opts = GradeOptions(out=out, exercise=str(TINY), jobs=2, timeout=TIMEOUT,
                        limits=ResourceLimits(memory_bytes=128 * 1024**2, pids=128, disk_bytes=DISK_BUDGET))
    cg_version, _why = cgroup_support(engine, None)
    summary = grade_class(discover(base), opts, engine)
    yield {"out": out, "summary": summary, "rows": _rows(out), "cgroups": cg_version is not None,
           "results": {r["student"]: r for r in json.loads((out / "results.json").read_text())["students"]}}


def _needs_cgroups(run: dict[str, Any]) -> None:
    if not run["cgroups"]:
        assert "without a disk budget" in " ".join(run["summary"].warnings)
        pytest.skip("no build cgroups on this engine: the run says so")


def test_the_honest_students_lose_nothing(hostile_run: dict[str, Any]) -> None:
    s: Summary = hostile_run["summary"]
    rows = hostile_run["rows"]
    assert s.complete and s.stopped_because is None
    assert rows["ann"]["status"] == rows["bob"]["status"] == "passed", (rows["ann"], rows["bob"])
    assert rows["ann"]["score"] == rows["ann"]["max"]
    assert all(r["status"] != "pending" and r["status"] != "error" for r in rows.values()), \
        {n: (r["status"], r["note"]) for n, r in rows.items()}
    assert len(rows) == 2 + len(HOSTILE) + 7


def test_a_build_over_its_disk_budget_is_stopped_and_removed(hostile_run: dict[str, Any], engine: Engine) -> None:
    _needs_cgroups(hostile_run)
    row = hostile_run["rows"]["disk"]
    assert row["status"] == "failed" and row["build"] == "fail", row
    assert "more than its budget of 200 MiB (--max-disk)" in row["note"] and "was stopped" in row["note"]
    assert float(row["duration_s"]) < TIMEOUT + 60
    assert "200 MiB of disk per build" in hostile_run["summary"].limits
    # what it wrote is gone: no build-cache record of this build is left (the run prunes them)
    left = [r for r in _records(engine) if TOKEN in str(r.get("Description", ""))]
    assert not left, [(r.get("Description"), r.get("Size")) for r in left]


def test_a_log_flood_is_kept_as_a_tail_and_the_row_says_so(hostile_run: dict[str, Any]) -> None:
    row = hostile_run["rows"]["flood"]
    assert row["status"] == "passed", row
    assert "The build log was cut" in row["note"], row["note"]


def test_the_kept_build_log_is_bounded(engine: Engine, tmp_path: Path) -> None:
    """The classic builder does not clip a step's output: 60 MB of log costs the grader one MiB."""
    (tmp_path / "Dockerfile").write_text(f"FROM busybox:1.36\nRUN yes {TOKEN}-log-0123456789abcdef | "
                                         "head -c 60000000; echo done\n")
    ge = GradingEngine.wrap(engine, run_labels={GRADE_LABEL: f"log-{TOKEN}"})
    res = build(ge, tmp_path, builder="classic", timeout=120, tag=f"stagewise-hostile:{TOKEN}")
    try:
        assert res.ok, res.error
        assert len(res.log) <= LOG_TAIL_BYTES + 64 * 1024
        assert res.log_cut is not None and "of 5" in res.log_cut, res.log_cut  # "... of 57.x MiB were kept"
        assert "done" in res.log.splitlines()[-5:] or any("done" in ln for ln in res.log.splitlines()[-20:])
    finally:
        engine.docker("rmi", "-f", f"stagewise-hostile:{TOKEN}", check=False)
    assert count_labelled(engine, GRADE_LABEL, f"log-{TOKEN}") == (0, 0)


def test_a_fork_bomb_in_a_run_step_hits_the_process_limit(hostile_run: dict[str, Any]) -> None:
    _needs_cgroups(hostile_run)
    row = hostile_run["rows"]["forkbomb"]
    assert row["status"] == "failed" and row["build"] == "fail", row
    report = hostile_run["results"]["forkbomb"]["report"]
    sw050 = next(f for f in report["findings"] if f["rule"] == "SW050")
    assert "can't fork" in json.dumps(sw050), sw050
    assert "can't fork" in row["note"] and "128 processes" in row["note"], row["note"]


def test_a_memory_bomb_in_a_run_step_is_killed(hostile_run: dict[str, Any]) -> None:
    _needs_cgroups(hostile_run)
    row = hostile_run["rows"]["membomb"]
    assert row["status"] == "failed" and row["build"] == "fail", row
    assert "exit code 137" in row["note"] and "128 MiB" in row["note"], row["note"]


def _smoke(run: dict[str, Any], name: str) -> dict[str, Any]:
    report = run["results"][name]["report"]
    return next(f for f in report["findings"] if f["rule"] == "SW550")


def test_a_fork_bomb_in_the_smoke_run_hits_its_process_limit(hostile_run: dict[str, Any]) -> None:
    row = hostile_run["rows"]["runfork"]
    assert row["build"] == "pass" and row["status"] == "failed", row
    smoke = _smoke(hostile_run, "runfork")
    assert smoke["status"] == "fail" and "can't fork" in json.dumps(smoke), smoke


def test_a_memory_bomb_in_the_smoke_run_is_killed(hostile_run: dict[str, Any]) -> None:
    smoke = _smoke(hostile_run, "runmem")
    assert smoke["status"] == "fail" and "exit code 137 (killed" in smoke["message"], smoke


def test_an_entrypoint_that_ignores_sigterm_is_stopped_in_time(hostile_run: dict[str, Any]) -> None:
    row = hostile_run["rows"]["noterm"]
    smoke = _smoke(hostile_run, "noterm")
    assert smoke["status"] == "fail" and "did not finish within 20 s and was stopped" in smoke["message"], smoke
    assert "did not finish within 20 s and was stopped" in row["note"]
    assert float(row["duration_s"]) < 120


def test_an_entrypoint_that_exits_at_once_says_so(hostile_run: dict[str, Any]) -> None:
    smoke = _smoke(hostile_run, "quick")
    assert smoke["status"] == "fail" and "output lacks 'hello from tiny'" in smoke["message"], smoke


def test_an_entrypoint_that_floods_stdout_is_stopped_and_bounded(hostile_run: dict[str, Any]) -> None:
    row = hostile_run["rows"]["chatty"]
    smoke = _smoke(hostile_run, "chatty")
    assert smoke["status"] == "fail" and "did not finish within 20 s" in smoke["message"], smoke
    assert len(json.dumps(hostile_run["results"]["chatty"])) < 200_000
    assert float(row["duration_s"]) < 120


@pytest.mark.parametrize(("name", "words"), [
    ("nethost", "`RUN --network=host`: grading builds have no network at all"),
    ("insecure", "`RUN --security=insecure`: a step outside the container sandbox"),
    ("addurl", "`ADD https://files.example.invalid/tool.tar.gz`: grading builds have no network"),
])
def test_directives_that_reach_outside_are_refused_before_building(hostile_run: dict[str, Any], name: str,
                                                                   words: str) -> None:
    row = hostile_run["rows"][name]
    assert row["status"] == "failed" and row["build"] == "fail", row
    sw050 = next(f for f in hostile_run["results"][name]["report"]["findings"] if f["rule"] == "SW050")
    assert "refused before building" in sw050["message"] and words in sw050["message"], sw050["message"]


@pytest.mark.parametrize("name", ["slashsyntax", "jsonsyntax"])
def test_a_frontend_in_another_form_is_never_fetched(hostile_run: dict[str, Any], name: str) -> None:
    """`//syntax=` and a JSON "syntax" key are BuildKit's other spellings of `# syntax=`: not Dockerfile lines,
    so the file does not parse, and nothing is built (the refusal before building would catch it too)."""
    row = hostile_run["rows"][name]
    assert row["status"] == "failed" and "does not parse" in row["note"], row
    findings = hostile_run["results"][name]["report"]["findings"]
    assert not any(f["rule"] == "SW050" and f["status"] == "pass" for f in findings)


def test_a_syntax_line_after_a_shebang_is_neutralised(hostile_run: dict[str, Any]) -> None:
    """BuildKit reads `# syntax=` after a `#!` line too: the grader blanks it, the built-in frontend builds."""
    row = hostile_run["rows"]["shebangsyntax"]
    assert row["status"] == "passed", row


def test_a_bind_mount_of_slash_is_the_build_context(hostile_run: dict[str, Any]) -> None:
    """`--mount=type=bind,source=/` binds the root of the build context (read-only), never the host's /."""
    row = hostile_run["rows"]["bindroot"]
    assert row["build"] == "pass" and row["status"] == "passed", row


@pytest.mark.parametrize(("name", "words"), [
    ("huge", "KiB, more than 256 KiB"),
    ("garbage", "binary"),
    ("latin1", "not UTF-8"),
    ("utf16", "UTF-16"),
    ("nul", "NUL byte"),
])
def test_hostile_files_get_a_clear_row(hostile_run: dict[str, Any], name: str, words: str) -> None:
    row = hostile_run["rows"][name]
    assert row["status"] in ("refused", "failed", "invalid"), row
    assert words in row["note"] or words in json.dumps(hostile_run["results"][name].get("report") or {}), row
    assert len(row["note"]) < 600


def test_a_bom_is_read_as_utf8(hostile_run: dict[str, Any]) -> None:
    assert hostile_run["rows"]["bom"]["status"] == "passed", hostile_run["rows"]["bom"]


def test_ten_thousand_stages_get_a_bounded_report(hostile_run: dict[str, Any]) -> None:
    row = hostile_run["rows"]["stages"]
    assert row["status"] in ("passed", "failed"), row
    report = hostile_run["results"]["stages"]["report"]
    assert len(json.dumps(report)) < 500_000
    assert all(len(f["message"]) < 5_000 for f in report["findings"])


def test_nothing_the_hostile_run_made_is_left(hostile_run: dict[str, Any], engine: Engine) -> None:
    key = Store(hostile_run["out"]).key
    assert count_labelled(engine, GRADE_LABEL, key) == (0, 0)
    assert hostile_run["summary"].leftovers == (0, 0)
    left = [r for r in _records(engine) if TOKEN in str(r.get("Description", ""))]
    assert not left, [(r.get("Description"), r.get("Size")) for r in left]
