"""Pure logic: how a staged exercise's steps are judged from the findings (Report.finalize)."""

from __future__ import annotations

from checker.render.gradescope import gradescope_dict
from checker.render.text import render_text
from checker.report import Concern, Finding, Milestone, Report, Status

STEPS = [
    Milestone(title="Step 1: stages", concerns=[Concern.BUILD, Concern.STAGE_SEPARATION]),
    Milestone(title="Step 2: cache", concerns=[Concern.CACHE_ORDERING]),
    Milestone(title="Step 3: slimmer builder", concerns=[Concern.STAGE_SEPARATION], optional=True),
    Milestone(title="Step 4: hardened runtime", concerns=[Concern.HARDENING, Concern.RUNTIME]),
]


def finding(rule: str, concern: Concern, status: Status) -> Finding:
    return Finding(rule=rule, concern=concern, status=status, message=f"{rule} {status}", max_points=1,
                   points=1 if status == Status.PASS else 0)


def report(*findings: Finding, error: str | None = None) -> Report:
    steps = [m.model_copy(deep=True) for m in STEPS]
    return Report(dockerfile="Dockerfile", findings=list(findings), milestones=steps, error=error).finalize()


def test_steps_are_reached_in_order_and_the_next_names_what_blocks_it() -> None:
    r = report(finding("SW050", Concern.BUILD, Status.PASS), finding("SW102", Concern.STAGE_SEPARATION, Status.PASS),
               finding("SW301", Concern.CACHE_ORDERING, Status.FAIL), finding("SW401", Concern.HARDENING, Status.PASS),
               finding("SW550", Concern.RUNTIME, Status.PASS))
    done, following = r.progress
    assert done is not None and done.title == "Step 1: stages"
    assert following is not None and following.title == "Step 2: cache" and following.failing == ["SW301"]
    # step 4's own concerns pass, but a step is only reached after every earlier required one
    assert r.milestones[3].reached is False and r.milestones[3].failing == []
    assert r.milestones[2].reached is None  # optional: shown, not judged


def test_an_optional_step_never_blocks_the_next() -> None:
    r = report(*(finding(f"SW{i}", c, Status.PASS) for i, c in enumerate(Concern) if c != Concern.LINT))
    assert [m.reached for m in r.milestones] == [True, True, None, True]
    assert r.progress == (r.milestones[3], None)


def test_nothing_judged_reaches_nothing() -> None:
    """A static-only check skips the dynamic concerns: a step with only skipped concerns is not reached."""
    r = report(finding("SW050", Concern.BUILD, Status.SKIP), finding("SW102", Concern.STAGE_SEPARATION, Status.SKIP))
    assert r.progress[0] is None and r.milestones[0].reached is False


def test_an_error_reaches_nothing() -> None:
    r = report(finding("SW050", Concern.BUILD, Status.PASS), finding("SW102", Concern.STAGE_SEPARATION, Status.PASS),
               error="engine went away")
    assert all(m.reached is not True for m in r.milestones)


def test_renderers_show_the_progress_they_are_given() -> None:
    r = report(finding("SW050", Concern.BUILD, Status.PASS), finding("SW102", Concern.STAGE_SEPARATION, Status.PASS),
               finding("SW301", Concern.CACHE_ORDERING, Status.FAIL))
    text = render_text(r)
    assert "Progress: reached Step 1: stages" in text and "blocked by SW301" in text
    assert "next: Step 2: cache" in text
    assert gradescope_dict(r)["output"] == "Progress: reached Step 1: stages; next: Step 2: cache"
