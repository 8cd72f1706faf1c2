"""Every one of the 40 learner pitfalls (tests/data/learner-pitfalls.md, a copy of the course's notes) is
recognised: a rule, lesson, solution or wrong submission names it ("pitfall N"), or the checker's feedback
turns one of its exact error texts into a hint."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.hints import build_hint

REPO = Path(__file__).resolve().parents[2]
NOTES = REPO / "tests" / "data" / "learner-pitfalls.md"
ROW = re.compile(r"^\| (?P<n>\d+) \| (?P<title>[^|]+)\| (?P<symptom>[^|]+)\|", re.M)
CITATION = re.compile(r"[Pp]itfalls? (\d+(?:(?:, | and | or )\d+)*)")
WHERE = ["checker/**/*.py", "lessons/*.ipynb", "exercises/**/*.Dockerfile", "exercises/*/README.md",
         "solutions/**/EXPLANATION.md", "solutions/**/*Dockerfile*"]


def pitfalls() -> dict[int, tuple[str, list[str]]]:
    """number -> (title, the error texts quoted in its symptom)."""
    return {int(m["n"]): (m["title"].strip(), re.findall(r"`([^`]{12,})`", m["symptom"]))
            for m in ROW.finditer(NOTES.read_text())}


def cited() -> set[int]:
    numbers: set[int] = set()
    for pattern in WHERE:
        for path in REPO.glob(pattern):
            for m in CITATION.finditer(path.read_text(errors="replace")):
                numbers |= {int(n) for n in re.findall(r"\d+", m.group(1))}
    return numbers


PITFALLS = pitfalls()
CITED = cited()


def test_the_notes_hold_forty_pitfalls() -> None:
    assert sorted(PITFALLS) == list(range(1, 41))


@pytest.mark.parametrize("number", sorted(PITFALLS))
def test_each_pitfall_is_taught_or_recognised(number: int) -> None:
    title, errors = PITFALLS[number]
    hinted = [e for e in errors if build_hint(e)]
    assert number in CITED or hinted, f"pitfall {number} ({title}) is neither cited nor recognised in {errors}"


@pytest.mark.parametrize("number", [11, 12, 13, 18, 25, 28, 36, 39])
def test_the_exact_error_texts_get_a_hint(number: int) -> None:
    """The pitfalls no rule can see before running: their own error texts must lead to the fix."""
    _title, errors = PITFALLS[number]
    assert errors and any(build_hint(e) for e in errors), errors
