"""SW210 libc-mismatch: a native program or runtime built on glibc copied onto musl, or the reverse (pitfall 18)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules._native import go_builds, is_data, libc, libc_words, looks_like_program, native_build
from checker.rules._paths import stage_makes
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

_SYMPTOM = {
    "musl": "`sh: ./server: not found`, `Error relocating …/libjli.so: __strdup: symbol not found` or "
    '`exec user process caused "no such file or directory"`',
    "glibc": "`bash: ./server: No such file or directory`",
    "none": "`exec /app: no such file or directory` (scratch has no libc and no loader at all)",
}


def check(ctx: Context) -> list[Verdict]:
    final = ctx.final_image
    out: list[Verdict] = []
    judged = False
    for ins, cp, src_stage in ctx.final_stage_copies():
        built_on = ctx.image(src_stage)
        if libc(built_on) not in ("glibc", "musl") or libc(final) not in ("glibc", "musl", "none"):
            continue
        if built_on.language == "go" and native_build(ctx, src_stage) is None:
            continue  # Go binaries: SW209 follows cgo (a `make` in a Go image usually wraps `go build`)
        judged = True
        if libc(final) == libc(built_on):
            continue
        native = native_build(ctx, src_stage)
        if built_on.language == "go" and native is not None and not any(
            c.program in ("gcc", "g++", "cc", "clang", "cargo", "rustc", "cmake")
            for _, cmds in ctx.facts(src_stage).runs
            for c in cmds
        ):
            continue  # only `make` in a Go image: it usually wraps `go build`
        for src in cp.sources:
            if is_data(src) or "node_modules" in src:
                continue  # plain files, and node_modules (SW211)
            made = stage_makes(ctx, src_stage, src)
            if made is not None and made.instr in go_builds(ctx, src_stage):
                continue  # a Go binary (SW209 judges cgo)
            by_native = native is not None and made is not None and made.instr is native
            if not (by_native or looks_like_program(src)):
                continue
            how = f" (line {native.line} `{native.snippet}`)" if by_native and native else ""
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} copies `{src}`, made on {libc_words(built_on)}{how}, onto "
                    f"{libc_words(final)}. Dynamically linked programs name their loader "
                    "(`ld-linux-x86-64.so.2` for glibc, `ld-musl-x86_64.so.1` for musl), and that loader is "
                    f"not in the runtime image: it fails with {_SYMPTOM[libc(final) or 'none']}.",
                    ins.line,
                    ins.snippet,
                    hint="Keep the builder and the runtime on the same libc family (an `-alpine` builder for an "
                    "Alpine runtime, Debian for Debian slim or distroless), or link statically. Check the "
                    "interpreter with `readelf -l` or `file` in the builder.",
                )
            )
            break
    if out:
        return out
    if not judged:
        return [skipped("No stage's output lands on a base of known libc.", ctx.final.line)]
    return [passed("Native artifacts are built on the same libc family as the runtime.", ctx.final.line)]


RULE = Rule(
    id="SW210",
    name="libc-mismatch",
    concern=Concern.RUNTIME,
    title="Build native code on the runtime's libc",
    rationale="A program linked against glibc does not run on musl (Alpine), nor the reverse.",
    fix="Use builder and runtime images of the same libc family, or link statically.",
    lesson="lessons/03-language-examples/#java-jdk-to-jre",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Follows each `COPY --from=<stage>` of the final image: warns when a native program, shared "
        "library or runtime (a jlink JRE, a C/Rust build, anything under bin/, sbin/, opt/, jvm/) made on a "
        "glibc base lands on a musl base (Alpine), or the reverse, or on scratch.",
        why="The copied program asks for a loader the runtime does not have: `sh: ./server: not found` on "
        "Alpine, `Error relocating …/libjli.so: __strdup: symbol not found` for a glibc JRE (pitfall 18).",
        example="FROM eclipse-temurin:21-jdk AS jre\nRUN jlink --add-modules java.base,jdk.httpserver "
        "--output /opt/jre\n\nFROM alpine:3.20\nCOPY --from=jre /opt/jre /opt/jre\n"
        'ENTRYPOINT ["/opt/jre/bin/java", "-version"]\n',
        use_instead="FROM eclipse-temurin:21-jdk-alpine AS jre\nRUN jlink --add-modules java.base,jdk.httpserver "
        "--output /opt/jre\n\nFROM alpine:3.20\nCOPY --from=jre /opt/jre /opt/jre\n"
        'ENTRYPOINT ["/opt/jre/bin/java", "-version"]\n',
    ),
    check=check,
)
