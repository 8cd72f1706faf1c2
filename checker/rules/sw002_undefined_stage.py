"""SW002 undefined-stage: every --from / FROM that means a stage must name one (pitfall 3)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    names = [s.name_as_written for s in ctx.df.stages if s.name_as_written]
    for ref in ctx.df.refs:
        ins = ref.instruction
        flag = "--from=" if ref.kind == "copy" else "from="
        if ref.problem == "undefined":
            did = f" Did you mean `{ref.suggestion}`?" if ref.suggestion else ""
            known = ", ".join(f"`{n}`" for n in names) or "none (no stage has an AS name)"
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} copies `{flag}{ref.raw}`, but no stage is called `{ref.raw}`.{did} "
                    f"Docker treats an unknown name as an image and tries to pull it, failing with "
                    f"`pull access denied for {ref.raw.lower()}, repository does not exist or may require "
                    f"'docker login'`. Stage names in this file: {known}.",
                    ins.line,
                    ins.snippet,
                    hint="Use the exact name from `FROM ... AS <name>`"
                    + (f": `--from={ref.suggestion}`." if ref.suggestion else "."),
                )
            )
        elif ref.problem == "out-of-range":
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} refers to stage index {ref.raw}, but the file has only "
                    f"{len(ctx.df.stages)} stage(s) (numbered from 0): `index out of bounds`.",
                    ins.line,
                    ins.snippet,
                    hint="Name the stage (`FROM ... AS build`) and copy `--from=build`.",
                )
            )
        elif ref.problem == "image-like-name":
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} copies from `{ref.raw}`, which is not a stage here, so Docker "
                    f"pulls the image `{ref.raw}:latest`. If that is what you meant, pin a tag "
                    f"(`--from={ref.raw}:<version>`); if you meant a stage, define it with `AS {ref.raw}`.",
                    ins.line,
                    ins.snippet,
                )
            )
    if not out:
        out.append(passed("Every --from and FROM that names a stage finds it.", ctx.final.line))
    return out


RULE = Rule(
    id="SW002",
    name="undefined-stage",
    concern=Concern.BUILD,
    title="COPY --from must name a stage that exists",
    rationale="A --from value that matches no stage is pulled as an image, so a typo turns into a confusing "
    "`pull access denied` error.",
    fix="Keep `FROM ... AS <name>` and `--from=<name>` identical, or pin the external image you mean.",
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Resolves every `COPY --from=`, `RUN --mount=...,from=` and `FROM <stage>` like BuildKit does and "
        "reports names that match no stage: likely typos of a stage name (`bulid` for `build`) and bare names "
        "that are not images. A bare well-known image name (`--from=alpine`) is only a warning.",
        why="BuildKit treats any `--from` value that is not a stage as an image reference, so "
        "`COPY --from=bulid` fails with `invalid from flag value bulid: pull access denied for bulid, repository "
        "does not exist or may require 'docker login'` (pitfall 3).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=bulid /out/app /app\n"
        'ENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\n"
        'ENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
