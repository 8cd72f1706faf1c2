"""SW202 copy-from-root: `COPY --from=build / ...` copies a whole filesystem."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q

_ROOTS = frozenset({"/", "/.", "/*", ".", "./", "*", "/./"})


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.final_chain():
        for ins in st.instructions:
            cp = ins.copy
            if cp is None or cp.from_ref is None:
                continue
            if not any(s in _ROOTS for s in cp.sources):
                continue
            src_stage = ctx.copy_source_stage(ins)
            if src_stage is not None and ctx.image(src_stage).is_scratch:
                continue  # an export stage FROM scratch holds only what was put there
            what = src_stage.label if src_stage else f"the image `{cp.from_ref}`"
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} copies the entire filesystem of {what} into the final image: its "
                    "toolchain, sources and caches come along, which undoes the multi-stage build.",
                    ins.line,
                    ins.snippet,
                    hint="Name the artifact: `COPY --from=build /app/target/app.jar /app/app.jar`, "
                    "`COPY --from=build /out/app /app`, `COPY --from=build /app/dist /usr/share/nginx/html`.",
                )
            )
    if not out:
        out.append(passed("No COPY --from copies a whole stage's root.", ctx.final.line))
    return out


RULE = Rule(
    id="SW202",
    name="copy-from-root",
    concern=Concern.ARTIFACT_COPIES,
    title="Don't COPY --from a stage's root",
    rationale="Copying `/` from the builder brings its entire filesystem into the final image.",
    fix="Copy the artifact by its path.",
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Fails `COPY --from=<stage> / <dest>` (also `/.`, `/*`) in the final stage, unless the source "
        "stage is `FROM scratch` and so holds only what was copied into it.",
        why="The builder's root holds the compiler, the package caches and the sources: the image ends up as "
        "big as the single-stage one (pitfall 5).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM alpine:3.20\nCOPY --from=build / /\nENTRYPOINT ["/out/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM alpine:3.20\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
