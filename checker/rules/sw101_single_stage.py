"""SW101 single-stage: the image must be built in stages (pitfall 5, pitfall 27)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped


def _builds_nothing(ctx: Context) -> Verdict | None:
    """A single stage that compiles nothing is judged by what it holds (SW102, SW104), not by its shape: a
    goreleaser-style `FROM scratch` + `COPY app /` ships a binary built outside the Dockerfile, and an
    interpreted app installed into its runtime image has no build to separate."""
    if any(h.severity == "fail" for st in ctx.final_chain() for h in ctx.facts(st).build_hits):
        return None
    ins = ctx.final.from_instr
    copies = [c for st in ctx.final_chain() for c in ctx.facts(st).context_copies]
    prebuilt = copies and not any(c.brings_sources for c in copies)
    how = (
        "it copies in files built outside this Dockerfile (the artifact is built before `docker build`)"
        if prebuilt
        else "it compiles nothing, so there is no build to keep out of it"
    )
    return passed(
        f"Line {ins.line}: {q(ins)} is the only stage that ships, but {how}; what the image holds is judged by "
        "SW102 (its base) and SW104 (what it installs).",
        ins.line,
    )


def check(ctx: Context) -> list[Verdict]:
    final = ctx.final
    ins = final.from_instr
    others = [s for s in ctx.df.stages if s.index != final.index]
    used = sorted(ctx.reachable - {final.index})
    if not others:
        nothing = _builds_nothing(ctx)
        if nothing is not None:
            return [nothing]
        return [
            failed(
                f"Line {ins.line}: {q(ins)} is the only stage, so the image that builds your app is the image "
                "that ships: compilers, package managers, sources and caches included.",
                ins.line,
                ins.snippet,
            )
        ]
    broken = [r for r in ctx.df.refs if r.stage_index == final.index and r.problem in ("undefined", "out-of-range")]
    if not used and broken:
        return [
            skipped(
                f"Line {broken[0].line}: the final stage copies from `{broken[0].raw}`, which names no stage "
                "(see SW002), so stage separation cannot be judged.",
                broken[0].line,
            )
        ]
    if not used:
        # Other stages that do nothing (a stray `FROM ubuntu` + LABEL) leave a single stage; a stage that runs or
        # copies something and is never used is a builder whose output the final image forgot.
        idle = all(not any(i.keyword in ("RUN", "COPY", "ADD") for i in s.instructions) for s in others)
        nothing = _builds_nothing(ctx) if idle else None
        if nothing is not None:
            return [nothing]
        unused = ", ".join(s.label for s in others)
        return [
            failed(
                f"Line {ins.line}: the final stage {q(ins)} uses no other stage (no `COPY --from`, no `FROM "
                f"<stage>`), so BuildKit never builds {unused}: the result is a single-stage image.",
                ins.line,
                ins.snippet,
                hint="Copy the build output into the final stage: `COPY --from=<builder> /path/to/artifact /dest`.",
            )
        ]
    names = ", ".join(ctx.df.stages[i].label for i in used)
    return [passed(f"The final stage (line {ins.line}) is built from {names}.", ins.line)]


RULE = Rule(
    id="SW101",
    name="single-stage",
    concern=Concern.STAGE_SEPARATION,
    title="Build in one stage, ship from another",
    rationale="A single stage ships everything used to build the app.",
    fix="Add a builder stage (`FROM <sdk> AS build`) and a small final stage that copies only the "
    "artifact with `COPY --from=build`.",
    lesson="lessons/06-migration/#step-1-stages",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Fails when the Dockerfile has a single stage that builds (a compile, a devDependency install, a "
        "compiler), or when the final stage uses no other stage although another stage does work (then BuildKit "
        "skips it and the result is single-stage anyway). A single stage that compiles nothing passes: a "
        "goreleaser-style `FROM scratch` + `COPY app /` ships an artifact built outside the Dockerfile, and "
        "what it holds is judged by SW102 and SW104.",
        why="The shipped image carries the JDK, Maven, npm, the Go toolchain, the sources and the caches: "
        "big pulls and a large attack surface (pitfall 5). BuildKit only builds the stages the target needs, "
        "so an unused builder is silently skipped (pitfall 27).",
        example="FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -q -B package -DskipTests\n"
        'CMD ["java", "-jar", "target/app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -q -B dependency:go-offline\nCOPY src ./src\nRUN mvn -q -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=build /app/target/app.jar app.jar\n"
        'CMD ["java", "-jar", "app.jar"]\n',
    ),
    check=check,
)
