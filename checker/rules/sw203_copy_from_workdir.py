"""SW203 copy-from-workdir: copying the builder's whole work directory ships its sources (pitfall 5)."""

from __future__ import annotations

from checker.analysis import Context, abs_source
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q

_ROOTS = frozenset({"/"})


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ins, cp, src_stage in ctx.final_stage_copies():
        dirs = ctx.stage_source_dirs(src_stage)
        for src in cp.sources:
            p = abs_source(src)
            if p in _ROOTS or "*" in p:
                continue
            prefix = p.rstrip("/") + "/"
            hit = next(((d, i) for d, i in dirs if d == p or d.startswith(prefix)), None)
            if hit is None:
                continue
            d, where = hit
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} copies `{p}` from {src_stage.label}, but that directory holds "
                    f"your sources: line {where.line} {q(where)} put them in `{d}`. The final image gets the "
                    "sources, the build files and every dependency and cache next to the artifact.",
                    ins.line,
                    ins.snippet,
                    hint=f"Copy only the build output, e.g. `COPY --from={src_stage.name or src_stage.index} "
                    f"{prefix}dist ...`, `{prefix}target/app.jar` or the compiled binary.",
                )
            )
            break
    if not out:
        out.append(passed("No COPY --from brings a builder's source directory.", ctx.final.line))
    return out


RULE = Rule(
    id="SW203",
    name="copy-from-workdir",
    concern=Concern.ARTIFACT_COPIES,
    title="Copy the artifact, not the builder's work directory",
    rationale="`COPY --from=build /app /app` where /app received `COPY . .` ships the sources and everything "
    "the build wrote.",
    fix="Copy the artifact path only (`/app/dist`, `/app/target/app.jar`, `/out/app`).",
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Tracks where each stage copied its sources from the build context (`COPY . .`, `COPY src ./src`, "
        "`COPY *.go ./`) and fails a `COPY --from` in the final stage whose source is that directory or one "
        "of its parents.",
        why="The image grows by the whole work directory: sources, dev `node_modules`, Maven's `target/`, caches "
        "(pitfall 5).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
    ),
    check=check,
)
