"""SW250 sources-in-final-image: only build outputs reach the built final image (no sources, tests, manifests,
VCS data or dev dependencies from the context, nothing the exercise forbids)."""

from __future__ import annotations

import fnmatch

from checker.dynamic.contents import StrayFile, context_index, stray_files
from checker.dynamic.facts import BuiltImage, DynamicContext, Fact
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed
from checker.spec import Spec


def judge(ctx: DynamicContext) -> list[Verdict]:
    image = ctx.image
    index = context_index(ctx.context_dir)
    strays = stray_files(image.facts, image.traced, index, image.first_own_layer)
    strays += _forbidden(image, ctx.spec, {s.path for s in strays})
    if not strays:
        return [passed("Only build outputs reached the final image: no sources, tests, manifests, VCS data or "
                       "dev dependencies from the context.")]
    cats = sorted({s.category for s in strays})
    lines = sorted({s.line for s in strays if s.line})
    first = strays[0]
    evidence = [f"line {s.line} `{s.instruction}` brought in {s.path} ({s.category}: {s.context_path})"
                if s.line else f"{s.path} ({s.category})" for s in strays[:40]]
    if len(strays) > 40:
        evidence.append(f"... {len(strays) - 40} more")
    lead = (f"line {first.line} `{first.instruction}` brought in {first.path}" if first.line
            else f"{first.path} is in the image")
    return [failed(f"The final image holds files that are not build outputs ({', '.join(cats)}): {lead}"
                   f"{f' and {len(strays) - 1} more' if len(strays) > 1 else ''}.",
                   lines[0] if lines else None, *evidence)]


def _forbidden(image: BuiltImage, spec: Spec | None, known: set[str]) -> list[StrayFile]:
    """The spec's forbidden paths, among the files the Dockerfile itself added (not the base image's).
    A forbidden folder is reported once, not file by file."""
    if not spec or not spec.forbidden:
        return []
    out: list[StrayFile] = []
    reported: list[str] = []
    for path, (_entry, layer) in sorted(image.facts.files(from_layer=image.first_own_layer).items()):
        if path in known or any(path.startswith(r + "/") for r in reported):
            continue
        pattern = next((pat for pat in spec.forbidden if fnmatch.fnmatchcase(path, pat)), None)
        if pattern is None:
            continue
        reported.append(path)
        instr = image.traced.get(layer.index)
        out.append(StrayFile(path, pattern, "forbidden by the exercise", instr.line if instr else None,
                             instr.snippet if instr else None))
    return out


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
    judge=judge,
    needs=frozenset({Fact.IMAGE}),
)
