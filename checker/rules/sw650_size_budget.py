"""SW650 size-budget: the built image is within the exercise's budget (MB, or a fraction of its single-stage
twin built from the same context)."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, errored, failed, passed, skipped


def judge(ctx: DynamicContext) -> list[Verdict]:
    size_mb = ctx.image.facts.size_mb
    budget = ctx.spec.size if ctx.spec else None
    limits: list[tuple[float, str]] = []  # (MB, what the limit is)
    if budget is not None and budget.max_mb is not None:
        limits.append((budget.max_mb, f"the budget of {budget.max_mb:g} MB"))
    twin = ctx.single_stage_twin
    if budget is not None and budget.max_fraction_of_single_stage is not None and twin.asked:
        if twin.mb is None:
            return [errored(f"The single-stage twin could not be measured: {twin.problem}")]
        fraction = budget.max_fraction_of_single_stage
        limit = round(twin.mb * fraction, 1)
        limits.append((limit, f"{fraction:.0%} of the single-stage image ({twin.mb} MB, built from the same "
                              f"context) = {limit:g} MB"))
    if not limits:
        return [skipped(f"no size budget declared (the image is {size_mb} MB)")]
    over = [(mb, what) for mb, what in limits if size_mb > mb]
    if over:
        return [failed(f"The image is {size_mb} MB, over " + " and ".join(what for _mb, what in over) + ".")]
    return [passed(f"The image is {size_mb} MB, within " + " and ".join(what for _mb, what in limits) + ".")]


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
    judge=judge,
    needs=frozenset({Fact.IMAGE, Fact.SINGLE_STAGE_TWIN}),
)
