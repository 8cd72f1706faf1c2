"""SW003 stage-cycle: a stage must not copy from itself or from a stage that needs it."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ref in ctx.df.cycles():
        ins = ref.instruction
        stage = ctx.df.stages[ref.stage_index]
        if ref.target == ref.stage_index:
            why = (
                f"it copies from its own {stage.label}, which is still being built: "
                f"`invalid from flag value {ref.raw}: refers to current build stage` (legacy builder) or "
                f"`circular dependency detected on stage: {stage.name or ref.raw}` (BuildKit)"
            )
        else:
            other = ctx.df.stages[ref.target or 0]
            why = (
                f"{other.label} depends (directly or through other stages) on {stage.label}, so the two wait "
                f"for each other: `circular dependency detected on stage`"
            )
        out.append(failed(f"Line {ins.line}: {q(ins)} cannot work: {why}.", ins.line, ins.snippet))
    if not out:
        out.append(passed("No stage copies from itself or from a stage that depends on it.", ctx.final.line))
    return out


RULE = Rule(
    id="SW003",
    name="stage-cycle",
    concern=Concern.BUILD,
    title="Stages must not depend on themselves",
    rationale="A stage can only copy from stages that can be finished before it.",
    fix="Copy from an earlier stage, or move the files you need into a separate stage both can use.",
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Finds `COPY --from` and `RUN --mount from=` references that point at the current stage or close "
        "a cycle between stages.",
        why="BuildKit stops with `circular dependency detected on stage: <name>`; the legacy builder says "
        "`refers to current build stage` (pitfall 4).",
        example="FROM alpine:3.20 AS build\nRUN echo hi > /hello\nCOPY --from=build /hello /copy\n",
        use_instead="FROM alpine:3.20 AS build\nRUN echo hi > /hello\n\nFROM alpine:3.20\n"
        "COPY --from=build /hello /copy\n",
    ),
    check=check,
)
