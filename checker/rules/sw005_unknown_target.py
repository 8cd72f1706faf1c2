"""SW005 unknown-target: the --target stage must exist (pitfall 29)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, skipped


def check(ctx: Context) -> list[Verdict]:
    if not ctx.target:
        return [skipped("No --target: the last stage is the image.", ctx.final.line)]
    if not ctx.target_found:
        names = ", ".join(f"`{s.name_as_written}`" for s in ctx.df.stages if s.name_as_written) or "none"
        return [
            failed(
                f"The build targets stage `{ctx.target}`, but no stage has that name: "
                f'`target stage "{ctx.target}" could not be found`. Stage names in this file: {names}. '
                f"The checker judged the last stage (line {ctx.final.line}) instead.",
                ctx.final.line,
                hint=f"Name the stage you want to ship `AS {ctx.target}`.",
            )
        ]
    return [passed(f"Target stage `{ctx.target}` is defined on line {ctx.final.line}.", ctx.final.line)]


RULE = Rule(
    id="SW005",
    name="unknown-target",
    concern=Concern.BUILD,
    title="The target stage must exist",
    rationale="`docker build --target` fails when no stage has that name.",
    fix="Give the stage you ship the name the exercise builds with `--target`.",
    lesson="lessons/02-stages-and-copy-from/#target-and-skipped-stages",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="When the exercise builds a named target, checks that a stage of that name exists "
        "(case-insensitively, like BuildKit).",
        why='BuildKit stops with `target stage "<name>" could not be found` (pitfall 29).',
        example="# built with --target runtime\nFROM golang:1.23 AS build\nRUN go version\n\n"
        "FROM alpine:3.20 AS final\nCOPY --from=build /usr/local/go/VERSION /VERSION\n",
        use_instead="# built with --target runtime\nFROM golang:1.23 AS build\nRUN go version\n\n"
        "FROM alpine:3.20 AS runtime\nCOPY --from=build /usr/local/go/VERSION /VERSION\n",
    ),
    check=check,
)
