"""SW005 unknown-target: the --target stage must exist (pitfall 29)."""

from __future__ import annotations

import difflib

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, skipped


def closest_stage(ctx: Context, wanted: str) -> str | None:
    """The stage name (as written) closest to `wanted`, when one is close enough to be a typo of it."""
    written = {s.name: s.name_as_written for s in ctx.df.stages if s.name and s.name_as_written}
    hits = difflib.get_close_matches(wanted.lower(), list(written), n=1, cutoff=0.6)
    return written[hits[0]] if hits else None


def check(ctx: Context) -> list[Verdict]:
    if not ctx.target:
        return [skipped("No --target: the last stage is the image.", ctx.final.line)]
    if not ctx.target_found:
        names = ", ".join(f"`{s.name_as_written}`" for s in ctx.df.stages if s.name_as_written) or "none"
        near = closest_stage(ctx, ctx.target)
        # Whose spelling is wrong? The exercise fixes its target (the stage must carry that name); a target
        # the learner typed on the command line is theirs to correct.
        from_exercise = ctx.spec is not None and (ctx.spec.target or "").lower() == ctx.target.lower()
        if from_exercise:
            stage = ctx.df.stage_named(near) if near else None
            hint = (
                f"The exercise builds `--target {ctx.target}`: rename your stage `AS {near}` (line {stage.line}) "
                f"to `AS {ctx.target}`."
                if near and stage
                else f"The exercise builds `--target {ctx.target}`: name the stage you ship `AS {ctx.target}`."
            )
        else:
            hint = (
                f"Did you mean `--target {near}`? Build a stage that exists: `--target` takes a name from "
                "`FROM ... AS <name>`."
                if near
                else f"Build one of the stages of this file ({names}), or name the stage you want `AS <name>`."
            )
        return [
            failed(
                f"The build targets stage `{ctx.target}`, but no stage has that name: "
                f'`target stage "{ctx.target}" could not be found`. Stage names in this file: {names}. '
                f"The checker judged the last stage (line {ctx.final.line}) instead.",
                ctx.final.line,
                hint=hint,
            )
        ]
    return [passed(f"Target stage `{ctx.target}` is defined on line {ctx.final.line}.", ctx.final.line)]


RULE = Rule(
    id="SW005",
    name="unknown-target",
    concern=Concern.BUILD,
    title="The target stage must exist",
    rationale="`docker build --target` fails when no stage has that name.",
    fix="Build a stage that exists, or give the stage you ship the name the exercise builds with `--target`.",
    lesson="lessons/02-stages-and-copy-from/#target-and-skipped-stages",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="When the build names a target, checks that a stage of that name exists "
        "(case-insensitively, like BuildKit). For a `--target` typed on the command line it suggests the "
        "closest stage name; for the target an exercise builds it says which stage to rename.",
        why='BuildKit stops with `target stage "<name>" could not be found` (pitfall 29).',
        example="# built with --target runtime\nFROM golang:1.23 AS build\nRUN go version\n\n"
        "FROM alpine:3.20 AS final\nCOPY --from=build /usr/local/go/VERSION /VERSION\n",
        use_instead="# built with --target runtime\nFROM golang:1.23 AS build\nRUN go version\n\n"
        "FROM alpine:3.20 AS runtime\nCOPY --from=build /usr/local/go/VERSION /VERSION\n",
    ),
    check=check,
)
