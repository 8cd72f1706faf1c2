"""SW250 sources-in-final-image: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

RULE = Rule(
    id="SW250",
    name="sources-in-final-image",
    concern=Concern.ARTIFACT_COPIES,
    title="No sources in the final image",
    rationale="Sources, tests and build files in the image leak code and waste space.",
    fix="Copy only the artifacts with `COPY --from`; keep the build context out of the final stage.",
    lesson="lessons/04-build-cache/#build-only-vs-runtime-files",
    kind=Kind.DYNAMIC,
    weight=2.0,
    doc=RuleDoc(
        what=(
            "Lists the built final image's files and reports source files and build inputs that "
            "should not ship: `*.java`, `*.go`, `*.ts`, `src/`, `pom.xml`, `go.mod`, `.git/`, "
            "tests, dev `node_modules` packages."
        ),
        why=(
            "The static rules guess from the Dockerfile; this check looks at what really landed in "
            "the image (pitfall 5, pitfall 20)."
        ),
        example=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
            "/src/app .\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /src "
            '/src\nENTRYPOINT ["/src/app"]\n'
        ),
        use_instead=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
            "/out/app .\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build "
            '/out/app /app\nENTRYPOINT ["/app"]\n'
        ),
        notes="",
    ),
)
