"""SW450 runs-as-non-root: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

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
)
