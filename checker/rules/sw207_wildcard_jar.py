"""SW207 wildcard-jar: `*.jar` can match the -plain or -sources jar too (pitfall 7)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    jars = False
    for st in ctx.reachable_stages():
        for ins in st.instructions:
            cp = ins.copy
            if cp is None:
                continue
            for src in cp.sources:
                if not src.lower().endswith(".jar"):
                    continue
                jars = True
                if not any(c in src for c in "*?["):
                    continue
                extra = (
                    f" If it matches two jars, BuildKit does not stop: it copies each onto `{cp.dest}` in turn and "
                    "one silently wins (the last in name order, so `app.jar` beats `app-plain.jar` but a "
                    "`-sources` or `-tests` jar can beat yours), and `java -jar` may then say `no main manifest "
                    "attribute`. Only the classic builder refuses: `When using COPY with more than one source "
                    "file, the destination must be a directory and end with a /`."
                    if not cp.dest_is_dir
                    else " With a directory destination several jars are copied, and `java -jar` may pick the "
                    "wrong one: `no main manifest attribute`."
                )
                out.append(
                    warned(
                        f"Line {ins.line}: {q(ins)} copies `{src}`: besides the runnable jar, Gradle's Spring Boot "
                        "plugin writes a `-plain.jar` and Maven may add `-sources` or test jars." + extra,
                        ins.line,
                        ins.snippet,
                        hint="Give the jar a fixed name (`<finalName>app</finalName>` in Maven, "
                        "`bootJar { archiveFileName = 'app.jar' }` and `jar { enabled = false }` in Gradle) and "
                        "copy it by that name.",
                    )
                )
                break
    if out:
        return out
    if not jars:
        return [skipped("No jar is copied.", ctx.final.line)]
    return [passed("Jars are copied by their exact name.", ctx.final.line)]


RULE = Rule(
    id="SW207",
    name="wildcard-jar",
    concern=Concern.ARTIFACT_COPIES,
    title="Copy the jar by its exact name",
    rationale="A `*.jar` glob matches every jar the build wrote.",
    fix="Make the build produce one predictable file name and copy it.",
    lesson="lessons/03-language-examples/#java-jdk-to-jre",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about COPY sources such as `*.jar` or `app-*.jar`.",
        why="Spring Boot's Gradle plugin (2.5+) also writes `-plain.jar`, Maven may write `-sources.jar`. Copied "
        "onto one file name, BuildKit copies every match in turn and one silently wins; the classic builder "
        "fails with `When using COPY with more than one source file, the destination must be a directory and "
        "end with a /`. Either way the wrong jar can run: `no main manifest attribute` (pitfall 7).",
        example="FROM gradle:8.10-jdk21 AS build\nWORKDIR /app\nCOPY . .\nRUN gradle bootJar --no-daemon\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nCOPY --from=build /app/build/libs/*.jar /app.jar\n"
        'CMD ["java", "-jar", "/app.jar"]\n',
        use_instead="FROM gradle:8.10-jdk21 AS build\nWORKDIR /app\nCOPY . .\nRUN gradle bootJar --no-daemon\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nCOPY --from=build /app/build/libs/app.jar /app.jar\n"
        'CMD ["java", "-jar", "/app.jar"]\n',
    ),
    check=check,
)
