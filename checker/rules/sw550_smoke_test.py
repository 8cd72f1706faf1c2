"""SW550 smoke-test: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

RULE = Rule(
    id="SW550",
    name="smoke-test",
    concern=Concern.RUNTIME,
    title="The image must start and answer",
    rationale="An image that builds but does not start is not done.",
    fix="Run it yourself: `docker run --rm -p 8080:8080 <image>` and read the first error it prints.",
    lesson="lessons/06-migration/#step-4-hardened-runtime",
    kind=Kind.DYNAMIC,
    weight=4.0,
    doc=RuleDoc(
        what=(
            "Runs the final image as the exercise says: an HTTP probe (status and body on a "
            "loopback port), or a command with expected output and exit code; optionally waits "
            "until Docker's HEALTHCHECK reports `healthy`."
        ),
        why=(
            "Typical failures only show at run time: a dynamically linked Go binary on scratch "
            "(`exec /app: no such file or directory`, pitfall 17), missing CA certificates "
            "(pitfall 12), the wrong port (pitfall 37), a root-owned directory the app writes to "
            "(pitfall 31)."
        ),
        example=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM "
            'scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n'
        ),
        use_instead=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
            "/out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\n"
            'ENTRYPOINT ["/app"]\n'
        ),
        notes=(
            "The example builds, but the binary is linked against glibc (cgo is on in the Debian "
            "golang image) and scratch has no loader."
        ),
    ),
)
