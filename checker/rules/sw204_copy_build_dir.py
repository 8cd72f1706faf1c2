"""SW204 copy-build-dir: copy the jar/binary, not Maven's target/ or Gradle's build/ (pitfall 2, 7)."""

from __future__ import annotations

from checker.analysis import Context, abs_source
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def _tools(ctx: Context, stage_index: int) -> set[str]:
    st = ctx.df.stages[stage_index]
    out: set[str] = set()
    for s in ctx.df.ancestors(st):
        for h in ctx.facts(s).build_hits:
            out.add(h.what.split()[0].lower())
    return out


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ins, cp, src_stage in ctx.final_stage_copies():
        tools = _tools(ctx, src_stage.index)
        for src in cp.sources:
            parts = abs_source(src).rstrip("/").split("/")
            last = parts[-1]
            parent = parts[-2] if len(parts) > 1 else ""
            what = None
            root = parts[:-2] if parent == "target" else parts[:-1]
            # target/ is Maven's or Cargo's build directory only when one of them built in that stage; a
            # Makefile's `/target` output folder holds just what the build put there.
            by_target_tool = bool(tools & {"maven", "cargo", "gradle"})
            if by_target_tool and (last == "target" or (parent == "target" and last in ("release", "debug"))):
                what = (
                    "Cargo's target directory (deps/, build/, incremental/ and the binary)"
                    if "cargo" in tools
                    else "Maven's whole target/ directory (classes/, test reports, the -sources jar...)"
                )
                better = "target/release/<binary>" if "cargo" in tools else "target/<your-app>.jar"
            elif last == "build" and "gradle" in tools:
                what = "Gradle's whole build/ directory (classes/, tmp/, reports, the -plain.jar)"
                better = "build/libs/<your-app>.jar"
            if what:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} copies {what} instead of the artifact.",
                        ins.line,
                        ins.snippet,
                        hint=f"Copy the one file that runs: `COPY --from={src_stage.name or src_stage.index} "
                        f"{'/'.join(root)}/{better} ...`. Fix its name "
                        "with `<finalName>` (Maven) or `bootJar { archiveFileName = 'app.jar' }` (Gradle).",
                    )
                )
                break
    if not out:
        out.append(passed("No COPY --from copies a whole target/ or build/ directory.", ctx.final.line))
    return out


RULE = Rule(
    id="SW204",
    name="copy-build-dir",
    concern=Concern.ARTIFACT_COPIES,
    title="Copy the artifact, not the build directory around it",
    rationale="Maven's target/ and Gradle's build/ hold classes, reports and extra jars besides the one you run.",
    fix="Copy the jar (or binary) by its exact name.",
    lesson="lessons/03-language-examples/#java-jdk-to-jre",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Fails a `COPY --from` in the final stage whose source is a `target` directory (Maven, Cargo's "
        "`target/release`) or, when the stage runs Gradle, a `build` directory. Static front ends that copy "
        "`build/` from Create React App are not affected.",
        why="The image carries compiled classes, test reports, `-sources`/`-plain` jars and incremental build "
        "data it never uses (pitfall 2, pitfall 7).",
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=build /app/target /app/target\n"
        'CMD ["java", "-jar", "target/app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=build /app/target/app.jar app.jar\n"
        'CMD ["java", "-jar", "app.jar"]\n',
    ),
    check=check,
)
