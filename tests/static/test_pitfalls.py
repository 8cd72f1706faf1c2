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


# The pitfalls the lessons teach by a build: each is cited in a lesson, and the lesson's saved output
# shows the error text the notes quote (a fragment of it, verbatim), as the learner will meet it.
LESSONS = REPO / "lessons"
SHOWN_IN_LESSONS = {
    7: "When using COPY with more than one source file, the destination must be a directory and end with a /",
    16: "Error: Unable to access jarfile /bin/sh",
    22: "command can only install with an existing package-lock.json",
    28: "the --mount option requires BuildKit",
    31: "Permission denied",
    33: "(13: Permission denied)",
    36: "exec /entrypoint.sh: no such file or directory",
    38: "docker history --no-trunc",
}
# Taught in a lesson's text, shown by a build whose error differs from the notes' (21: Node's own
# ERR_MODULE_NOT_FOUND, 39: the missing module's class), or said to be impossible here (18: the offline
# alpine is glibc; 25, 26: no remote Maven repository, no Gradle image).
TAUGHT_IN_LESSONS = {6, 8, 9, 18, 20, 21, 25, 26, 30, 37, 39, *SHOWN_IN_LESSONS}


def _lesson_texts() -> tuple[str, str]:
    """(markdown of every lesson, saved stream output of every lesson)."""
    import json

    prose, output = [], []
    for path in sorted(LESSONS.glob("*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            if cell["cell_type"] == "markdown":
                prose.append("".join(cell["source"]))
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    output.append("".join(out["text"]))
    return "\n".join(prose), "\n".join(output)


@pytest.mark.parametrize("number", sorted(TAUGHT_IN_LESSONS))
def test_the_lessons_teach_the_pitfall(number: int) -> None:
    prose, _output = _lesson_texts()
    cited_here = {int(n) for m in CITATION.finditer(prose) for n in re.findall(r"\d+", m.group(1))}
    assert number in cited_here, f"pitfall {number} ({PITFALLS[number][0]}) is not cited in a lesson's text"


@pytest.mark.parametrize("number", sorted(SHOWN_IN_LESSONS))
def test_the_lessons_show_the_error_text(number: int) -> None:
    fragment = SHOWN_IN_LESSONS[number]
    symptom = next(m["symptom"] for m in ROW.finditer(NOTES.read_text()) if int(m["n"]) == number)
    assert fragment.lower() in symptom.replace("`", "").lower(), "the fragment must be the notes' own text"
    _prose, output = _lesson_texts()
    assert fragment in output, f"no lesson's saved output shows {fragment!r} (pitfall {number})"
