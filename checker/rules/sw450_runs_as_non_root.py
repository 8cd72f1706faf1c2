"""SW450 runs-as-non-root: the built image's config (base image's default included) names a non-root user."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, skipped


def judge(ctx: DynamicContext) -> list[Verdict]:
    if ctx.spec is not None and not ctx.spec.require_non_root:
        return [skipped("this exercise does not ask for a non-root user")]
    user = ctx.image.facts.user.strip()
    name = user.split(":", 1)[0]
    if name in ("", "root", "0"):
        return [failed(f"The image runs as root (its config says User={user or '(empty)'}, which includes the base "
                       "image's default).", ctx.final_line)]
    return [passed(f"The image runs as `{user}`, not root.")]


RULE = Rule(
    id="SW450",
    name="runs-as-non-root",
    concern=Concern.HARDENING,
    title="The built image runs as a non-root user",
    rationale="What counts is the user in the built image's config, including the base image's default.",
    fix="End the final stage with `USER <non-root>` (numeric on scratch/distroless), or use a base that "
    "defaults to a non-root user.",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.DYNAMIC,
    weight=2.0,
    doc=RuleDoc(
        what="Reads `User` from the built final image's config (which includes whatever the base image set) and "
        "fails an empty user, `root` or `0`. Skipped when the exercise does not require a non-root user.",
        why="The static rule SW401 works from the Dockerfile and the checker's image catalogue; this check reads "
        "the truth from the image, e.g. a base that switches users in ONBUILD or a USER set in an inherited "
        "stage (pitfall 31, pitfall 33).",
        example='FROM alpine:3.20\nCOPY app /app\nENTRYPOINT ["/app"]\n',
        use_instead='FROM alpine:3.20\nRUN adduser -D -u 10001 app\nCOPY app /app\nUSER 10001\nENTRYPOINT ["/app"]\n',
    ),
    judge=judge,
    needs=frozenset({Fact.IMAGE}),
)
