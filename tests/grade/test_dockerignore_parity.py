"""`stagewise check <folder> --exercise <id>` and `stagewise grade` read a learner's .dockerignore the same way
(checker/dockerignore.py), and the build really uses it (a real build on the engine, a second or two)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from checker.build import build
from checker.check import resolve
from checker.dockerignore import Matcher, ignore_file
from checker.engine import Engine
from checker.grade.unpack import UnpackLimits, materialize
from checker.grade.workspace import build_context, find_exercise, inspect_submission

from .conftest import TINY, TINY_SOLUTION

# Each case: the learner's folder (besides the Dockerfile) -> the ignore file both must read.
CASES = {
    "only .dockerignore": ({".dockerignore": "a\n"}, "a\n"),
    "only Dockerfile.dockerignore": ({"Dockerfile.dockerignore": "b\n"}, "b\n"),
    # BuildKit reads <Dockerfile>.dockerignore before any .dockerignore; grade used to take .dockerignore
    "both": ({".dockerignore": "a\n", "Dockerfile.dockerignore": "b\n"}, "b\n"),
    "none (the exercise's own)": ({}, (TINY / ".dockerignore").read_text()),
}


@pytest.mark.parametrize("case", list(CASES))
def test_check_and_grade_choose_the_same_ignore_file(tmp_path: Path, case: str) -> None:
    files, expected = CASES[case]
    folder = tmp_path / "learner"
    folder.mkdir()
    (folder / "Dockerfile").write_text(TINY_SOLUTION)
    for name, text in files.items():
        (folder / name).write_text(text)
    # check: the learner's folder checked against the exercise (the app comes from the exercise)
    tgt = resolve(folder, str(TINY))
    assert tgt.context == TINY.resolve()
    checked = ignore_file(tgt.context, tgt.dockerfile)
    assert checked is not None and checked.read_text() == expected
    # grade: the same folder as a submission, laid over a fresh copy of the exercise
    up = tmp_path / "unpacked"
    materialize(folder, up, UnpackLimits())
    prepared = inspect_submission(up, find_exercise(str(TINY)))
    ctx = tmp_path / "ctx"
    df = build_context(find_exercise(str(TINY)), prepared, ctx, max_bytes=10_000_000)
    graded = ignore_file(ctx, df)
    assert graded is not None and graded.read_text() == expected


def test_patterns_follow_buildkit() -> None:
    m = Matcher.of([(1, "node_modules"), (2, "**/*.log"), (3, "*.md"), (4, "!README.md"), (5, "/dist/")])
    assert m.excludes("node_modules/x/index.js") and not m.excludes("web/node_modules")  # root only
    assert m.excludes("a/b/c.log") and m.excludes("x.log")
    assert m.excludes("NOTES.md") and not m.excludes("README.md")
    assert m.why("dist/assets/app.js") is not None and m.why("dist/assets/app.js").line == 5  # type: ignore[union-attr]
    assert Matcher.of([(1, "*"), (2, "!src")]).why("src/app.js") is None


def test_a_build_reads_the_learners_ignore_file(engine: Engine, tmp_path: Path) -> None:
    """A Dockerfile kept outside the context (and one with a `# syntax=` line, which the checker rewrites):
    the learner's ignore file is the one the build applies."""
    context = tmp_path / "app"
    context.mkdir()
    (context / "keep.txt").write_text("keep")
    (context / "secret.txt").write_text("secret")
    (context / ".dockerignore").write_text("keep.txt\n")  # the exercise's: would drop keep.txt instead
    folder = tmp_path / "learner"
    folder.mkdir()
    text = "FROM busybox:1.36\nCOPY . /ctx\nRUN test -e /ctx/keep.txt && test ! -e /ctx/secret.txt\n"
    syntax = "# syntax=docker/dockerfile:1\n" + text
    for name, dockerfile in ((".dockerignore", text), ("Dockerfile.dockerignore", syntax)):
        for old in folder.iterdir():
            old.unlink()
        (folder / "Dockerfile").write_text(dockerfile)
        (folder / name).write_text("secret.txt\n")
        result = build(engine, context, dockerfile=folder / "Dockerfile", labels={"io.stagewise.test": "ignore"})
        assert result.ok, (name, result.error)
    shutil.rmtree(folder)
