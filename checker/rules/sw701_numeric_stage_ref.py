"""SW701 numeric-stage-ref: refer to stages by name, not index (pitfall 4)."""

from __future__ import annotations

from checker.analysis import Context
from checker.model import Stage, StageRef
from checker.report import Concern
from checker.rules._paths import stage_makes
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, warned


def _stage_words(st: Stage) -> str:
    return f"stage #{st.index} `{st.name_as_written}`" if st.name_as_written else f"stage #{st.index}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _holder(ctx: Context, ref: StageRef, target: Stage) -> tuple[str, Stage] | None:
    """(path, the stage that really makes it) when the indexed stage does not make a copied path and another
    stage above the copy does: the index points at the wrong stage, typically after a stage was inserted."""
    ins = ref.instruction
    if ins.copy is None:
        return None
    for src in ins.copy.sources:
        if stage_makes(ctx, target, src) is not None:
            continue
        makers = [
            st for st in ctx.df.stages[: ref.stage_index]
            if st.index != target.index and stage_makes(ctx, st, src) is not None
        ]  # fmt: skip
        if makers:
            return src, makers[-1]
    return None


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ref in ctx.df.refs:
        if not ref.numeric or ref.problem == "out-of-range":
            continue
        ins = ref.instruction
        target = ctx.df.stages[ref.target] if ref.target is not None else None
        wrong = _holder(ctx, ref, target) if target is not None else None
        if target is not None and wrong is not None:
            path, real = wrong
            made = stage_makes(ctx, real, path)
            how = f" (line {made.instr.line} `{made.instr.snippet}`)" if made else ""
            name = real.name_as_written
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} copies from stage #{ref.raw} by its position, and index "
                    f"{ref.raw} is now {_stage_words(target)} (line {target.line}), which does not make "
                    f"`{path}`. {_cap(_stage_words(real))} (line {real.line}) does{how}: a stage added "
                    "above shifted the indexes, so the copy takes the wrong stage.",
                    ins.line,
                    ins.snippet,
                    hint=f"Copy from that stage by name: `--from={name}`."
                    if name
                    else f"Name the stage on line {real.line} (`FROM ... AS build`) and use `--from=build`.",
                )
            )
            continue
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
        what="Warns about `COPY --from=<number>` and `RUN --mount=from=<number>`. When the stage at that index "
        "does not make the copied path but another stage does (a stage was inserted above), it says which stage "
        "index N is now and names the stage that holds the path.",
        why="After inserting a deps or test stage the copy takes the wrong stage: files go missing or the wrong "
        "binary ships (pitfall 4).",
        example="FROM golang:1.23\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=0 /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
