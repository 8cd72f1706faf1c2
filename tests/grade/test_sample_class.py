"""The main job: `stagewise grade examples/sample-class --out DIR` grades the bundled class (two exercises,
folders and archives, a malicious archive, a missing submission) with no other argument, and every student
gets the verdict their mistake deserves."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.grade import discover
from checker.grade.sandbox import GRADE_LABEL, count_labelled
from checker.grade.store import Store

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "examples" / "sample-class"
STAGEWISE = str(Path(sys.executable).parent / "stagewise")

# student -> (status, the concerns that must fail): the class's answer key (examples/sample-class/README.md)
EXPECTED = {
    "Ada Lovelace": ("passed", set()),
    "Ben Okafor": ("failed", {"stage-separation", "artifact-copies", "size"}),
    "Chloe Martin": ("failed", {"cache-ordering"}),
    "Dev Patel": ("failed", {"build"}),
    "Emma Schmidt": ("failed", {"artifact-copies"}),
    "Farid Haddad": ("passed", set()),
    "Gwen Li": ("failed", {"artifact-copies", "runtime"}),
    "Hugo Silva": ("passed", set()),
    "Ines Moreau": ("failed", {"stage-separation", "size"}),
    "Jonas Berg": ("failed", {"hardening", "runtime"}),
    "Kim Nguyen": ("failed", {"hardening", "runtime"}),
    "Leo Rossi": ("failed", {"artifact-copies"}),
    "Mallory Evans": ("refused", set()),
    "Noor Ahmed": ("invalid", set()),
}


def test_the_roster_is_found_in_the_folder() -> None:
    klass = discover(SAMPLE)
    assert klass.kind == "roster" and klass.roster == SAMPLE / "roster.csv"
    assert [e.student for e in klass.entries] == list(EXPECTED)
    assert {e.exercise for e in klass.entries} == {"node-nginx", "go-scratch"}
    shapes = {e.source.name.split(".", 1)[1] if e.source and e.source.is_file() else "folder"
              for e in klass.entries if e.source}
    assert shapes == {"folder", "zip", "tar.gz"}


def test_grading_the_sample_class(engine: Engine, tmp_path: Path) -> None:
    out = tmp_path / "grades"
    # --keep-cache only spares the shared engine's build cache for the next test run; the command needs nothing
    # but the folder and --out
    proc = subprocess.run([STAGEWISE, "grade", str(SAMPLE), "--out", str(out), "--keep-cache"], capture_output=True,
                          text=True, timeout=1200, env={**os.environ, "COLUMNS": "220"}, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    for name in EXPECTED:
        assert name in proc.stdout  # the gradebook is printed
    with (out / "gradebook.csv").open() as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    assert list(rows) == list(EXPECTED)
    for student, (status, failing) in EXPECTED.items():
        row = rows[student]
        got = {c for c in ("stage-separation", "artifact-copies", "cache-ordering", "hardening", "build", "runtime",
                           "size", "lint") if row[c] == "fail"}
        assert (row["status"], got) == (status, failing), (student, row)
    passed = [s for s, (st, _f) in EXPECTED.items() if st == "passed"]
    for s in passed:
        assert rows[s]["score"] == rows[s]["max"]
    assert "'..'" in rows["Mallory Evans"]["note"] and not Path("/etc/cron.d/stagewise").exists()
    assert "no submission" in rows["Noor Ahmed"]["note"]
    doc = json.loads((out / "results.json").read_text())
    assert all(r["passed"] for r in doc["run"]["references"].values())
    assert doc["run"]["complete"] is True
    farid = (out / "students" / "farid-haddad" / "feedback.md").read_text()
    assert "`notes.txt`" in farid and "`src/app.js`" in farid  # graded with the exercise's app, not his
    chloe = (out / "students" / "chloe-martin" / "feedback.md").read_text()
    assert "SW301" in chloe and "COPY . ." in chloe and "lessons/04-build-cache" in chloe
    assert count_labelled(engine, GRADE_LABEL, Store(out).key) == (0, 0)


@pytest.mark.parametrize("student", ["ada-lovelace", "dev-patel", "hugo-silva", "mallory-evans"])
def test_sample_students_are_what_the_readme_says(student: str) -> None:
    readme = (SAMPLE / "README.md").read_text()
    assert student in readme
