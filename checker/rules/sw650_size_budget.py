"""SW650 size-budget: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

RULE = Rule(
    id="SW650",
    name="size-budget",
    concern=Concern.SIZE,
    title="The final image must fit the size budget",
    rationale="Every megabyte is pulled by every node, on every deploy.",
    fix=("Use a smaller runtime base and copy only the artifact; compare with `docker images` and `docker history`."),
    lesson="lessons/01-the-fat-image-problem/#why-size-matters",
    kind=Kind.DYNAMIC,
    weight=2.0,
    doc=RuleDoc(
        what=(
            "Measures the built final image and compares it with the exercise's budget: an "
            "absolute `max_mb`, and/or a fraction of the size of the exercise's single-stage twin."
        ),
        why=(
            "A multi-stage build that is as big as the single-stage one has missed the point: "
            "usually a toolchain base or a whole work directory copied across (pitfall 5)."
        ),
        example=(
            "FROM node:22 AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\nFROM "
            'node:22\nCOPY --from=build /app /app\nCMD ["node", "/app/dist/server.js"]\n'
        ),
        use_instead=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build && npm prune --omit=dev\n\nFROM "
            "gcr.io/distroless/nodejs22-debian12:nonroot\nWORKDIR /app\nCOPY --from=build "
            "/app/node_modules ./node_modules\nCOPY --from=build /app/dist ./dist\nCMD "
            '["dist/server.js"]\n'
        ),
        notes="",
    ),
)
