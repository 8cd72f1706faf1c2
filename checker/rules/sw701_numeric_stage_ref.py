"""SW701 numeric-stage-ref: refer to stages by name, not index (pitfall 4)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ref in ctx.df.refs:
        if not ref.numeric or ref.problem == "out-of-range":
            continue
        ins = ref.instruction
        target = ctx.df.stages[ref.target] if ref.target is not None else None
        named = target.name_as_written if target is not None else None
        out.append(
            warned(
                f"Line {ins.line}: {q(ins)} refers to stage #{ref.raw} by its position"
                + (f" (line {target.line})" if target else "")
                + ". Adding or moving a stage silently changes which one it copies from.",
                ins.line,
                ins.snippet,
                hint=f"Use the name: `--from={named}`."
                if named
                else "Name the stage (`FROM ... AS build`) and use `--from=build`.",
            )
        )
    if not out:
        out.append(passed("Stages are referred to by name.", ctx.final.line))
    return out


RULE = Rule(
    id="SW701",
    name="numeric-stage-ref",
    concern=Concern.LINT,
    title="Name your stages",
    rationale="Stage indexes shift when a stage is added or moved.",
    fix="Name every stage with AS and use the name in --from.",
    lesson="lessons/02-stages-and-copy-from/#name-your-stages",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about `COPY --from=<number>` and `RUN --mount=from=<number>`.",
        why="After inserting a deps or test stage the copy takes the wrong stage: files go missing or the wrong "
        "binary ships (pitfall 4).",
        example="FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=0 /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
