"""Grading with the classic builder (`--classic`, the one that takes --memory/--cpu-quota): it labels only
the final image, so each builder stage's image and its step images stay behind untagged, and a failed RUN
leaves its container. A run must leave none of them on the instructor's engine."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import uuid
from pathlib import Path

from checker.engine import Engine
from checker.grade.sandbox import image_ids

from .conftest import TINY, tiny_variant

STAGEWISE = str(Path(sys.executable).parent / "stagewise")


def _mentions(engine: Engine, image_id: str, token: str) -> bool:
    history = engine.docker("history", "--no-trunc", "--format", "{{.CreatedBy}}", image_id, check=False)
    return token in history.stdout


def test_a_classic_run_leaves_no_stage_image_and_no_failed_container(engine: Engine, tmp_path: Path) -> None:
    token = uuid.uuid4().hex[:10]  # in every build step the run makes: what it leaves is found by it
    base = tmp_path / "class"
    students = {
        "ann": tiny_variant("ann", f"RUN echo {token}-ann > /tmp/marker"),
        "ben": tiny_variant("ben", f"RUN echo {token}-ben > /tmp/marker"),
        "cat": tiny_variant("cat", f"RUN echo {token}-cat && exit 3"),  # fails in the builder stage
    }
    for name, text in students.items():
        (base / name).mkdir(parents=True)
        (base / name / "Dockerfile").write_text(text)
    before = image_ids(engine)
    assert before is not None
    out = tmp_path / "out"
    proc = subprocess.run([STAGEWISE, "--offline", "grade", str(base), "--exercise", str(TINY), "--out", str(out),
                           "--classic", "--no-reference", "--jobs", "2"],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "COLUMNS": "200"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    with (out / "gradebook.csv").open() as f:
        status = {r["student"]: r["status"] for r in csv.DictReader(f)}
    assert status == {"ann": "passed", "ben": "passed", "cat": "failed"}, status
    report = (out / "students" / "cat" / "feedback.md").read_text()
    assert "exit" in report and "3" in report  # the failure the classic builder reported reached the student
    after = image_ids(engine)
    assert after is not None
    left = [i for i in after - before if _mentions(engine, i, token)]
    assert not left, f"images the run built are still there: {left}"
    containers = engine.docker("ps", "-a", "--no-trunc", "--format", "{{.ID}} {{.Command}}").stdout.splitlines()
    assert not [c for c in containers if token in c], "a failed step's container is still there"
