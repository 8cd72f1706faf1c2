"""SW050 image-builds: the submission builds (BuildKit or the classic builder), or the first error, its line."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.hints import build_hint
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed


def judge(ctx: DynamicContext) -> list[Verdict]:
    build = ctx.build
    cut = f" The build log was cut: {build.log_cut}." if build.log_cut else ""
    if not build.ok:
        error = build.error or "the build failed"
        return [failed(f"The image does not build: {error}{cut}", build.failed_line,
                       # the failed step's own output and BuildKit's error (with the Dockerfile excerpt);
                       # the log's tail would also hold other steps' lines, there or not by the cache
                       *[ln[:300] for ln in (build.failure_log or build.log.splitlines())[-12:] if ln.strip()],
                       hint=build_hint(error + "\n" + build.log[-3000:]))]
    return [passed(f"The image builds ({build.builder}, {build.seconds:.1f} s).{cut}")]


RULE = Rule(
    id="SW050",
    name="image-builds",
    concern=Concern.BUILD,
    title="The image must build",
    rationale="A Dockerfile that does not build ships nothing.",
    fix=(
        "Read the first error BuildKit prints (it names the line), fix it, and build again with "
        "`docker build --progress=plain .`."
    ),
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.DYNAMIC,
    weight=5.0,
    doc=RuleDoc(
        what=(
            "Builds the submission with BuildKit (the exercise's context and `--target`) and "
            "reports the first error with its Dockerfile line, plus BuildKit's own build-check "
            "warnings."
        ),
        why=(
            "Every other run-time check needs the image. Typical causes: a wrong artifact path "
            '(`"/app/dist": not found`, pitfall 2), a stage typo pulled as an image (pitfall 3), a '
            "shell in a shell-less stage (pitfall 15)."
        ),
        example=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/build "
            "/usr/share/nginx/html\n"
        ),
        use_instead=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist "
            "/usr/share/nginx/html\n"
        ),
        notes="The example fails for a Vite project, which writes `dist/`, not `build/` (pitfall 2).",
    ),
    judge=judge,
    needs=frozenset({Fact.BUILD}),
)
