"""Proof for the exercises, with full dynamic verification on real builds:
- every solution passes every rule of its exercise (BuildKit, and the classic builder where it can build);
- every starter fails, and its first finding tells a newcomer what to do next;
- every typical wrong submission fails exactly the concerns it declares and passes the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.check import CheckOptions, check, resolve
from checker.engine import Engine
from checker.report import Status

REPO = Path(__file__).resolve().parents[2]
EXERCISES = sorted(p.parent.name for p in (REPO / "exercises").glob("*/exercise.yaml"))
JUDGED = {"stage-separation", "artifact-copies", "cache-ordering", "hardening", "build", "runtime", "size"}
EXPECT = re.compile(r"^#\s*expect-fail:\s*(.+)$", re.M)
REACHED = re.compile(r"^#\s*expect-reached:\s*(.+)$", re.M)
STEP = re.compile(r"^step\d+\.Dockerfile$")


def solutions() -> list[tuple[str, Path]]:
    out = []
    for ex in EXERCISES:
        for df in sorted((REPO / "solutions" / ex).glob("*Dockerfile*")):
            if df.name.endswith(".dockerignore") or STEP.match(df.name):
                continue  # an ignore file, or an intermediate step of a staged exercise (judged below)
            out.append((ex, df))
    return out


def steps() -> list[Path]:
    return [df for ex in EXERCISES for df in sorted((REPO / "solutions" / ex).glob("*.Dockerfile"))
            if STEP.match(df.name)]


def wrong_submissions() -> list[tuple[str, Path]]:
    return [(ex, df) for ex in EXERCISES for df in sorted((REPO / "exercises" / ex / "wrong").glob("*.Dockerfile"))]


def _check(engine: Engine, exercise: str, dockerfile: Path, builder: str = "auto",  # type: ignore[no-untyped-def]
           reuse: bool = False):
    return check(resolve(dockerfile, exercise), CheckOptions(builder=builder, reuse=reuse), engine=engine)


@pytest.mark.parametrize(("exercise", "dockerfile"), solutions(), ids=lambda v: v if isinstance(v, str) else
                         str(v.relative_to(REPO)))
def test_solution_passes_every_rule(engine: Engine, exercise: str, dockerfile: Path) -> None:
    report = _check(engine, exercise, dockerfile)
    bad = [(f.rule, f.status.value, f.message) for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]
    assert report.passed and not bad, bad
    assert report.score == report.max_score
    # A warning on a graded rule is a trade-off the solution must explain to the learner, by rule id.
    explanation = (dockerfile.parent / "EXPLANATION.md").read_text()
    unexplained = [(f.rule, f.message) for f in report.findings
                   if f.status == Status.WARN and f.max_points > 0 and f.rule not in explanation]
    assert not unexplained, unexplained
    assert all(m.reached is not False for m in report.milestones), report.milestones


def classic_buildable(dockerfile: Path) -> bool:
    """The classic builder has no cache mounts, heredocs, `COPY --link` or `--chmod`."""
    text = dockerfile.read_text()
    return not any(syntax in text for syntax in ("--mount", "<<", "--link", "--chmod"))


@pytest.mark.parametrize(("exercise", "dockerfile"), [s for s in solutions() if classic_buildable(s[1])],
                         ids=lambda v: v if isinstance(v, str) else str(v.relative_to(REPO)))
def test_solution_same_verdicts_on_the_classic_builder(engine: Engine, exercise: str, dockerfile: Path) -> None:
    # The BuildKit side is the report the test above made in this run (same Dockerfile, context, checker
    # code and builder: the checker's own result store); the classic side is always checked afresh.
    buildkit = _check(engine, exercise, dockerfile, "buildkit", reuse=True)
    classic = _check(engine, exercise, dockerfile, "classic")
    judged = {k: v for k, v in classic.concerns.items() if k != "lint"}
    assert judged == {k: v for k, v in buildkit.concerns.items() if k != "lint"}
    assert classic.passed, [(f.rule, f.message) for f in classic.findings if f.status == Status.FAIL]


@pytest.mark.parametrize("dockerfile", steps(), ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_each_step_reaches_its_milestone(engine: Engine, dockerfile: Path) -> None:
    """A staged exercise's intermediate solutions: the report says which step each one has reached."""
    m = REACHED.search(dockerfile.read_text())
    assert m, f"{dockerfile} lacks an expect-reached line"
    report = _check(engine, dockerfile.parent.name, dockerfile)
    done, following = report.progress
    assert done is not None and done.title == m.group(1).strip(), [(x.title, x.reached, x.failing)
                                                                   for x in report.milestones]
    if following is not None:
        assert following.failing, following  # what blocks the next step is named


@pytest.mark.parametrize("exercise", EXERCISES)
def test_starter_fails_and_says_what_to_do_next(engine: Engine, exercise: str) -> None:
    report = _check(engine, exercise, REPO / "exercises" / exercise / "Dockerfile")
    assert not report.passed
    failing = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]
    first = failing[0]
    assert first.hint and first.lesson and first.line, first
    if report.milestones:
        done, following = report.progress
        assert done is None and following is report.milestones[0]


@pytest.mark.parametrize(("exercise", "dockerfile"), wrong_submissions(),
                         ids=lambda v: v if isinstance(v, str) else v.stem)
def test_wrong_submission_fails_exactly_its_concerns(engine: Engine, exercise: str, dockerfile: Path) -> None:
    m = EXPECT.search(dockerfile.read_text())
    assert m, f"{dockerfile} lacks an expect-fail line"
    expected = {c.strip() for c in m.group(1).split(",")}
    report = _check(engine, exercise, dockerfile)
    failed = {k for k, v in report.concerns.items() if v == "fail" and k in JUDGED}
    detail = [(f.rule, f.status.value, f.message[:140]) for f in report.findings if f.status in
              (Status.FAIL, Status.ERROR)]
    assert failed == expected, detail
