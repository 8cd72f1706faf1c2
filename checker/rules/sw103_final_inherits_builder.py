"""SW103 final-inherits-builder: `FROM build AS runtime` ships the builder (pitfall 5)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    final = ctx.final
    ins = final.from_instr
    chain = ctx.df.ancestors(final)[1:]
    for st in chain:
        facts = ctx.facts(st)
        # Build work is what leaves tools behind (a compile, a devDependency install, a compiler). Sources copied
        # into an inherited stage are an artifact-copies matter (SW201), not a toolchain.
        hits = [h for h in facts.build_hits if h.severity == "fail"]
        if hits:
            what = f"`{hits[0].what}` on line {hits[0].instr.line}"
            return [
                failed(
                    f"Line {ins.line}: {q(ins)} starts the final stage from {st.label}, which does build work "
                    f"({what}). Everything that stage holds (tools, sources, caches) ships in the final image.",
                    ins.line,
                    ins.snippet,
                    hint=f"Start the final stage from a fresh runtime image and copy only the artifact: "
                    f"`COPY --from={st.name or st.index} <artifact> <dest>`.",
                )
            ]
    if chain:
        return [passed(f"The final stage builds on {chain[0].label}, which does no build work.", ins.line)]
    return [passed("The final stage starts from an image, not from a builder stage.", ins.line)]


RULE = Rule(
    id="SW103",
    name="final-inherits-builder",
    concern=Concern.STAGE_SEPARATION,
    title="The final stage must not start FROM a builder stage",
    rationale="`FROM build AS runtime` inherits every layer of the builder: multi-stage in name only.",
    fix="Start the final stage from a runtime image and COPY --from the builder.",
    lesson="lessons/02-stages-and-copy-from/#only-the-last-stage-ships",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Follows the final stage's `FROM <stage>` chain and fails when any stage in it builds (npm, mvn, "
        "gradle, go build, cargo, gcc, compilers from apt/apk) or copies the sources. A shared `base` stage "
        "that only sets up the runtime is fine.",
        why="A stage starts with the full filesystem of the stage it is built from, so the final image still "
        "holds the toolchain and the sources (pitfall 5).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
        'FROM build AS runtime\nCMD ["node", "dist/server.js"]\n',
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
        "FROM node:22-slim AS runtime\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\n"
        'USER node\nCMD ["node", "dist/server.js"]\n',
    ),
    check=check,
)
