"""SW004 forward-stage-reference: stages should be defined before they are used (pitfall 3)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ref in ctx.df.refs:
        if ref.problem != "forward":
            continue
        ins = ref.instruction
        later = ctx.df.stage_named(ref.raw)
        where = f" (defined on line {later.line})" if later else ""
        if ref.kind == "from":
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} names `{ref.raw}`, a stage defined further down{where}. A FROM "
                    f"only sees earlier stages, so Docker tries to pull an image called `{ref.raw}`.",
                    ins.line,
                    ins.snippet,
                    hint=f"Move the `{ref.raw}` stage above line {ins.line}.",
                )
            )
        elif ref.target is not None and ref.target != ref.stage_index:
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} copies from `{ref.raw}`, a stage defined further down{where}. "
                    "BuildKit resolves it, but the legacy builder pulls it as an image, and readers expect "
                    "stages in build order.",
                    ins.line,
                    ins.snippet,
                    hint=f"Move the `{ref.raw}` stage above line {ins.line}.",
                )
            )
    if not out:
        out.append(passed("Stages are defined before they are used.", ctx.final.line))
    return out


RULE = Rule(
    id="SW004",
    name="forward-stage-reference",
    concern=Concern.BUILD,
    title="Define a stage before you use it",
    rationale="FROM only sees earlier stages, and the legacy builder treats later stage names as images.",
    fix="Order stages in build order: dependencies first, the runtime stage last.",
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="Reports `FROM <stage>` (fail) and `COPY --from=<stage>` (warning) that name a stage defined "
        "further down the file.",
        why="A FROM that names a later stage pulls an image of that name instead. COPY --from of a later "
        "stage works with BuildKit only, and hides the build order (pitfall 3).",
        example="FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n\n"
        "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
        "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
    ),
    check=check,
)
