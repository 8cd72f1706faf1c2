"""Proof for the exercises, with full dynamic verification on real builds:
- every solution passes every rule of its exercise (BuildKit, and the classic builder where it can build),
  and passes again with the same score when checked a second time;
- every starter fails exactly the concerns declared for it, and its first finding tells a newcomer what to do next;
- every typical wrong submission fails exactly the concerns it declares and passes the others, names its
  mistake by the rule it declares, and its text report is the one kept in golden/<exercise>/<entry>.txt
  (`STAGEWISE_UPDATE_GOLDEN=1` rewrites those files instead of comparing)."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

import pytest

from checker.check import CheckOptions, Target, check, resolve
from checker.engine import Engine
from checker.render.text import render_text
from checker.report import Report, Status

from .golden import compare, normalise

REPO = Path(__file__).resolve().parents[2]
EXERCISES = sorted(p.parent.name for p in (REPO / "exercises").glob("*/exercise.yaml"))
JUDGED = {"stage-separation", "artifact-copies", "cache-ordering", "hardening", "build", "runtime", "size"}
EXPECT = re.compile(r"^#\s*expect-fail:\s*(.+)$", re.M)
# The rules that name the entry's mistake: each must report it (fail or warn). For a mistake that only a
# warning names (a rule of weight 0), `expect-fail: none` says that no concern fails.
FINDING = re.compile(r"^#\s*expect-finding:\s*(.+)$", re.M)
# Files the entry's learner has in their folder besides the Dockerfile (a misnamed .dockerignore): the
# folder wrong/<name> is laid over a copy of the exercise, and that copy is the build context.
CONTEXT = re.compile(r"^#\s*expect-context:\s*(\S+)\s*$", re.M)
REACHED = re.compile(r"^#\s*expect-reached:\s*(.+)$", re.M)
STEP = re.compile(r"^step\d+\.Dockerfile$")
GOLDEN = Path(__file__).resolve().parent / "golden"
GOLDEN_WIDTH = 2000  # one line per message: a change of wording is a one-line diff, never a re-wrapped paragraph
# A copy of an exercise for an entry with context files leaves out what no build of it sees.
_NOT_CONTEXT = shutil.ignore_patterns(".git", "wrong", "node_modules", "dist", "target", "__pycache__")

# What each starter fails, and only that: the starters are the exercises' deliberate mistakes. A single stage
# (go-scratch, java-jre, migration, node-nginx) that copies everything before building fails stage separation,
# size, artifact copies and cache ordering; running as root fails hardening where the spec asks for non-root;
# without a working HEALTHCHECK the image is never healthy where the spec expects it (runtime).
STARTER_FAILS: dict[str, set[str]] = {
    "cache-ordering": {"cache-ordering"},
    "go-scratch": {"stage-separation", "size", "artifact-copies", "cache-ordering", "hardening", "runtime"},
    "harden": {"hardening", "runtime"},
    "java-jre": {"stage-separation", "size", "artifact-copies", "cache-ordering", "hardening"},
    "migration": {"stage-separation", "size", "artifact-copies", "cache-ordering", "hardening", "runtime"},
    "node-nginx": {"stage-separation", "size", "artifact-copies", "cache-ordering"},
}


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


def _check(engine: Engine, exercise: str, dockerfile: Path, builder: str = "auto", reuse: bool = False,
           context: Path | None = None) -> Report:
    target = resolve(dockerfile, exercise)
    if context is not None:
        target = Target(target.dockerfile, context.resolve(), target.spec, target.exercise_dir)
    return check(target, CheckOptions(builder=builder, reuse=reuse), engine=engine)


def _declared(pattern: re.Pattern[str], text: str) -> set[str]:
    m = pattern.search(text)
    return {c.strip() for c in m.group(1).split(",") if c.strip() and c.strip() != "none"} if m else set()


def entry_context(exercise: str, dockerfile: Path, tmp: Path) -> Path | None:
    """The build context of an entry that declares its own files: a copy of the exercise with them on top."""
    m = CONTEXT.search(dockerfile.read_text())
    if m is None:
        return None
    files = dockerfile.parent / m.group(1)
    assert files.is_dir(), f"{dockerfile}: no folder {files} for its expect-context line"
    context = tmp / "context"
    shutil.copytree(REPO / "exercises" / exercise, context, ignore=_NOT_CONTEXT)
    shutil.copytree(files, context, dirs_exist_ok=True)
    return context


def golden_text(report: Report, dockerfile: Path, context: Path | None) -> str:
    """The text report as the golden file keeps it: the path as the repository names it, run-specific values
    replaced (tests/exercises/golden.py)."""
    shown = report.model_copy(update={"dockerfile": str(dockerfile.relative_to(REPO))})
    paths = {str(REPO): "<repo>"}
    if context is not None:
        paths[str(context)] = "<context>"
    return normalise(render_text(shown, width=GOLDEN_WIDTH), paths=paths,
                     tmp_roots=(tempfile.gettempdir(), "/tmp", "/var/tmp"))


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


@pytest.mark.parametrize(("exercise", "dockerfile"), solutions(), ids=lambda v: v if isinstance(v, str) else
                         str(v.relative_to(REPO)))
def test_solution_passes_twice_with_the_same_score(engine: Engine, exercise: str, dockerfile: Path) -> None:
    """A flaky verdict is a bug. The first check is the one the test above made in this run (the checker's result
    store: same Dockerfile, context, checker code and engine), or a fresh one; the second always runs again, on
    a warm build cache, so it is cheap."""
    first = _check(engine, exercise, dockerfile, "buildkit", reuse=True)
    second = _check(engine, exercise, dockerfile, "buildkit", reuse=False)
    for report in (first, second):
        assert report.passed, [(f.rule, f.message) for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]
    assert (second.score, second.max_score) == (first.score, first.max_score)
    assert second.concerns == first.concerns
    assert {(f.rule, f.status) for f in second.findings} == {(f.rule, f.status) for f in first.findings}


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
    failed = {k for k, v in report.concerns.items() if v == "fail" and k in JUDGED}
    assert failed == STARTER_FAILS[exercise], [(f.rule, f.status.value, f.message[:140]) for f in report.findings
                                               if f.status in (Status.FAIL, Status.ERROR)]
    failing = [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]
    first = failing[0]
    assert first.hint and first.lesson and first.line, first
    if report.milestones:
        done, following = report.progress
        assert done is None and following is report.milestones[0]


@pytest.mark.parametrize(("exercise", "dockerfile"), wrong_submissions(),
                         ids=lambda v: v if isinstance(v, str) else v.stem)
def test_wrong_submission_fails_exactly_its_concerns(engine: Engine, exercise: str, dockerfile: Path,
                                                     tmp_path: Path) -> None:
    """One check per entry (CI time): its concerns, the rules that must name its mistake, and its golden text."""
    text = dockerfile.read_text()
    assert EXPECT.search(text), f"{dockerfile} lacks an expect-fail line"
    expected = _declared(EXPECT, text)
    unknown = expected - JUDGED
    assert not unknown, f"{dockerfile}: unknown concerns {sorted(unknown)} (known: {sorted(JUDGED)}, or none)"
    context = entry_context(exercise, dockerfile, tmp_path)
    report = _check(engine, exercise, dockerfile, context=context)
    failed = {k for k, v in report.concerns.items() if v == "fail" and k in JUDGED}
    detail = [(f.rule, f.status.value, f.message[:140]) for f in report.findings if f.status in
              (Status.FAIL, Status.ERROR)]
    problems = []
    if failed != expected:
        problems.append(f"failed concerns {sorted(failed)}, expected {sorted(expected)}: {detail}")
    named = {f.rule for f in report.findings if f.status in (Status.FAIL, Status.WARN, Status.ERROR)}
    unnamed = _declared(FINDING, text) - named
    if unnamed:
        problems.append(f"no finding of {sorted(unnamed)} (fail or warn) in the report")
    why = compare(GOLDEN / exercise / f"{dockerfile.stem}.txt", golden_text(report, dockerfile, context))
    if why:
        problems.append(why)
    assert not problems, "\n".join(problems)
