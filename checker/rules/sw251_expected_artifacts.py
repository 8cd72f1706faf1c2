"""SW251 expected-artifacts: the build outputs the exercise names are in the built final image."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, skipped


def judge(ctx: DynamicContext) -> list[Verdict]:
    if not ctx.spec or not ctx.spec.artifacts:
        return [skipped("no expected artifacts declared")]
    paths = ctx.image.facts.files()
    missing = [a for a in ctx.spec.artifacts if a.rstrip("/") not in paths]
    if missing:
        return [failed(f"Expected build outputs are missing from the final image: {', '.join(missing)}.", None,
                       *missing)]
    return [passed(f"The build outputs are in place: {', '.join(ctx.spec.artifacts)}.")]


RULE = Rule(
    id="SW251",
    name="expected-artifacts",
    concern=Concern.ARTIFACT_COPIES,
    title="The final image holds the expected artifacts",
    rationale="An image without its artifact builds fine and fails at run time.",
    fix=(
        "Check the builder's real output path (`docker build --target build -t dbg . && docker run "
        "--rm dbg ls -la /app`) and copy exactly that."
    ),
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.DYNAMIC,
    weight=2.0,
    doc=RuleDoc(
        what="Checks that every path the exercise lists under `artifacts` exists in the built final image.",
        why=(
            "Copying a directory copies its contents, not the directory, and tools write to "
            "different places (`dist/` vs `build/`, `target/` vs `build/libs/`): the artifact ends "
            "up missing or one level off (pitfall 2, pitfall 6)."
        ),
        example=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist/assets "
            "/usr/share/nginx/html\n"
        ),
        use_instead=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist "
            "/usr/share/nginx/html\n"
        ),
        notes="",
    ),
    judge=judge,
    needs=frozenset({Fact.IMAGE}),
)
