"""SW104 build-in-final-stage: compile and install build tools in the builder, not in the final stage."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern, Status
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    facts = ctx.facts(ctx.final)
    seen: set[int] = set()
    for hit in facts.build_hits:
        ins = hit.instr
        if hit.severity == "ok" or ins.line in seen:
            continue
        seen.add(ins.line)
        if hit.severity == "fail":
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} runs {hit.what} in the final stage. The tools and everything the "
                    "step downloads or writes stay in the image you ship.",
                    ins.line,
                    ins.snippet,
                )
            )
        else:
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} runs {hit.what}. If any package needs a compiler this fails in a "
                    "slim image; building wheels (or a virtualenv) in the builder and copying them keeps the final "
                    "stage free of pip's downloads.",
                    ins.line,
                    ins.snippet,
                    hint="In the builder: `RUN pip wheel -r requirements.txt -w /wheels` (or a venv); in the final "
                    "stage: `COPY --from=build /wheels /wheels` and `pip install --no-index /wheels/*`.",
                )
            )
    if any(v.status is Status.FAIL for v in out):
        return [v for v in out if v.status is Status.FAIL] + [v for v in out if v.status is not Status.FAIL]
    if not out:
        line = ctx.final.line
        out.append(passed("The final stage runs no build commands.", line))
    return out


RULE = Rule(
    id="SW104",
    name="build-in-final-stage",
    concern=Concern.STAGE_SEPARATION,
    title="Don't build in the final stage",
    rationale="Build commands in the final stage bring their tools, caches and dev dependencies into the "
    "shipped image.",
    fix="Move the build (npm ci/run build, mvn, gradle, go build, cargo, gcc, apt-get install build-essential) to "
    "the builder stage and COPY --from the artifact.",
    lesson="lessons/01-the-fat-image-problem/#what-a-naive-image-ships",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Looks at every simple command of every RUN in the final stage and fails build commands: "
        "`npm ci`/`npm install` with devDependencies, `npm run build`, `mvn`, `gradle`, `go build`, "
        "`cargo build`, `gcc`/`make`, `tsc`, `dotnet publish`, and compilers installed with apt-get/apk "
        "(`build-essential`, `gcc`, `*-dev`). `npm ci --omit=dev` and `pip install --no-index` from prebuilt "
        "wheels pass; other `pip install`s are a warning.",
        why="The final image then ships the toolchain and whatever the build wrote (pitfall 5, pitfall 20).",
        example="FROM node:22-alpine AS deps\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\n\n"
        "FROM node:22-slim\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\nCOPY . .\n"
        'RUN npm run build\nUSER node\nCMD ["node", "dist/server.js"]\n',
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build && npm prune --omit=dev\n\nFROM node:22-slim\nWORKDIR /app\n"
        "COPY --from=build /app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\n"
        'USER node\nCMD ["node", "dist/server.js"]\n',
    ),
    check=check,
)
