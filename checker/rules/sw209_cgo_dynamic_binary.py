"""SW209 cgo-dynamic-binary: a Go binary built with cgo on, shipped where there is no glibc (pitfall 17)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules._native import cgo_off, go_builds, is_data, libc, libc_words
from checker.rules._paths import stage_makes
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

_COMPILERS = frozenset({"gcc", "build-base", "musl-dev", "clang"})


def check(ctx: Context) -> list[Verdict]:
    final = ctx.final_image
    out: list[Verdict] = []
    judged = False
    reported: set[int] = set()  # go builds already named: one finding each
    for ins, cp, src_stage in ctx.final_stage_copies():
        builds = go_builds(ctx, src_stage)
        if not builds:
            continue
        judged = True
        builder = ctx.image(src_stage)
        for build in builds:
            if build.line in reported or cgo_off(ctx, src_stage, build):
                continue
            # golang:*-alpine has no C compiler unless one is installed: cgo then switches itself off
            has_cc = libc(builder) == "glibc" or bool(ctx.facts(src_stage).packages_installed & _COMPILERS)
            if not has_cc or libc(final) not in ("none", "musl") or libc(final) == libc(builder):
                continue
            src = next((s for s in cp.sources if not is_data(s)), None)
            made = stage_makes(ctx, src_stage, src) if src else None
            if src is None or (made is not None and made.instr is not build and "-o" in build.original):
                continue
            reported.add(build.line)
            shipped = cp.dest_abs.rstrip("/") + "/" + src.rstrip("/").rsplit("/", 1)[-1] if cp.dest_is_dir \
                else cp.dest_abs
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} ships the Go binary built on line {build.line} "
                    f"({q(build)}) on {libc_words(builder)} without `CGO_ENABLED=0`. That image has a C "
                    "compiler, so cgo is on and a program that uses `net` or `os/user` is linked against "
                    f"{libc(builder)}; {libc_words(final)} has no such loader, and the container fails with "
                    f"`exec {shipped}: no such file or directory` although `ls` shows the file is there.",
                    ins.line,
                    ins.snippet,
                    build.snippet,
                    hint=f"Build it static: `RUN CGO_ENABLED=0 go build ...` on line {build.line} (check with "
                    "`file` in the builder). If a dependency needs cgo, use a runtime with the same libc "
                    f"({'an Alpine image' if libc(builder) == 'musl' else 'gcr.io/distroless/base'}) instead.",
                )
            )
            break
    if out:
        return out
    if not judged:
        return [skipped("The final image gets no Go binary from a stage.", ctx.final.line)]
    return [passed("Go binaries are built static (CGO_ENABLED=0) or run on a matching libc.", ctx.final.line)]


RULE = Rule(
    id="SW209",
    name="cgo-dynamic-binary",
    concern=Concern.RUNTIME,
    title="Build Go static for scratch and distroless static",
    rationale="With cgo on, Go links `net` and `os/user` against the builder's glibc, which scratch lacks.",
    fix="Build with `CGO_ENABLED=0` (optionally `-tags netgo,osusergo`).",
    lesson="lessons/03-language-examples/#go-to-scratch",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Follows each Go binary the final image copies back to its `go build`: warns when that build runs "
        "on a glibc Go image (which has gcc, so cgo is on) without `CGO_ENABLED=0` and the binary lands on "
        "scratch, distroless static or Alpine.",
        why="The kernel reports the missing glibc loader as a missing file: `exec /golang-server: no such file "
        "or directory` (pitfall 17).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
