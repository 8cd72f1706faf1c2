"""The exercises' catalogue of wrong submissions: static fails only in the concerns each file expects,
and no static fail at all on the reference solutions."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.report import Report, Status
from checker.spec import load_spec
from checker.static import analyze

REPO = Path(__file__).resolve().parents[2]
EXERCISES = REPO / "exercises"


def _cases() -> list[tuple[str, Path, Path]]:
    out: list[tuple[str, Path, Path]] = []
    if not EXERCISES.is_dir():
        return out
    for ex in sorted(p for p in EXERCISES.iterdir() if (p / "exercise.yaml").is_file()):
        for df in sorted((ex / "wrong").glob("*.Dockerfile")):
            out.append(("wrong", ex, df))
        sol = REPO / "solutions" / ex.name / "Dockerfile"
        if sol.is_file():
            out.append(("solution", ex, sol))
    return out


CASES = _cases()


@pytest.mark.skipif(not CASES, reason="no exercises in this checkout")
@pytest.mark.parametrize(("kind", "exercise", "dockerfile"), CASES, ids=[f"{c[1].name}/{c[2].name}" for c in CASES])
def test_static_fails_match_expectations(kind: str, exercise: Path, dockerfile: Path) -> None:
    spec = load_spec(exercise / "exercise.yaml")
    text = dockerfile.read_text(encoding="utf-8")
    findings = analyze(text, context_dir=exercise, spec=spec, strict=True)
    report = Report(dockerfile=str(dockerfile), findings=findings).finalize()
    failed = {c for c, v in report.concerns.items() if v == "fail"}
    if kind == "solution":
        assert not failed, [(f.rule, f.message) for f in findings if f.status is Status.FAIL]
        return
    first = text.splitlines()[0]
    assert first.startswith("# expect-fail:"), first
    expected = {c.strip() for c in first.split(":", 1)[1].split(",")}
    extra = failed - expected
    assert not extra, [(f.rule, f.message) for f in findings if f.status is Status.FAIL and f.concern in extra]
