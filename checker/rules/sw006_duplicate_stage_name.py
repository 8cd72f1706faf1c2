"""SW006 duplicate-stage-name: stage names must be unique."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    first: dict[str, int] = {}
    for st in ctx.df.stages:
        if st.name is None:
            continue
        if st.name in first:
            ins = st.from_instr
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} reuses the stage name `{st.name_as_written}` already given on "
                    f"line {first[st.name]} (names are case-insensitive). `--from={st.name}` can only mean one "
                    "of them.",
                    ins.line,
                    ins.snippet,
                    hint="Give every stage its own name, such as `deps`, `build`, `test` and `runtime`.",
                )
            )
        else:
            first[st.name] = st.line
    if not out:
        out.append(passed("Stage names are unique.", ctx.final.line))
    return out


RULE = Rule(
    id="SW006",
    name="duplicate-stage-name",
    concern=Concern.BUILD,
    title="Stage names must be unique",
    rationale="Two stages with one name make every --from ambiguous; BuildKit rejects or warns about it.",
    fix="Rename one of the stages.",
    lesson="lessons/02-stages-and-copy-from/#name-your-stages",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="Reports a `FROM ... AS <name>` whose name (case-insensitive) was already used.",
        why="`COPY --from=<name>` can only refer to one stage; BuildKit's `DuplicateStageName` check flags it.",
        example="FROM node:22-alpine AS build\nRUN echo one\n\nFROM node:22-alpine AS Build\nRUN echo two\n",
        use_instead="FROM node:22-alpine AS deps\nRUN echo one\n\nFROM node:22-alpine AS build\nRUN echo two\n",
    ),
    check=check,
    buildkit=("DuplicateStageName",),
)
