"""SW501 base-entrypoint: distroless java/node/python already set ENTRYPOINT; CMD is its argument (pitfall 16)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped

_INTERPRETERS = frozenset({"java", "node", "nodejs", "python", "python3"})


def check(ctx: Context) -> list[Verdict]:
    info = ctx.final_image
    base_entry = info.entrypoint
    if not base_entry or info.ref.name.startswith("nginx") or "docker-entrypoint.sh" in base_entry[0]:
        return [skipped(f"`{info.display}` sets no ENTRYPOINT that CMD would be appended to.", ctx.final.line)]
    if ctx.last("ENTRYPOINT") is not None:
        ins = ctx.last("ENTRYPOINT")
        assert ins is not None
        return [passed(f"Line {ins.line}: {q(ins)} replaces the base image's ENTRYPOINT.", ins.line)]
    cmd = ctx.last("CMD")
    if cmd is None:
        return [
            passed(f"The base image's ENTRYPOINT `{' '.join(base_entry)}` runs with its default CMD.", ctx.final.line)
        ]
    shown = " ".join(base_entry)
    if not cmd.json:
        return [
            failed(
                f"Line {cmd.line}: {q(cmd)} is appended to the ENTRYPOINT `{shown}` of `{info.display}` as "
                f"`/bin/sh -c ...`, so the runtime gets `/bin/sh` as its argument: "
                + ("`Error: Unable to access jarfile /bin/sh`." if base_entry[0] == "java" else "it fails at start."),
                cmd.line,
                cmd.snippet,
                hint='Give only the arguments in exec form: `CMD ["app.jar"]` / `CMD ["server.js"]`.',
            )
        ]
    first = cmd.args[0].rsplit("/", 1)[-1] if cmd.args else ""
    if first in _INTERPRETERS:
        return [
            failed(
                f"Line {cmd.line}: {q(cmd)} repeats the interpreter: `{info.display}` already has ENTRYPOINT "
                f"`{shown}`, so the container runs `{shown} {' '.join(cmd.args)}`"
                + (
                    " and fails with `Error: Unable to access jarfile " + cmd.args[0] + "`."
                    if base_entry[0] == "java"
                    else " and the runtime tries to load its own binary as your script."
                ),
                cmd.line,
                cmd.snippet,
                hint='Pass only the arguments (`CMD ["app.jar"]`, `CMD ["server.js"]`), or set ENTRYPOINT '
                "explicitly in exec form.",
            )
        ]
    return [passed(f"Line {cmd.line}: {q(cmd)} gives arguments to the base ENTRYPOINT `{shown}`.", cmd.line)]


RULE = Rule(
    id="SW501",
    name="base-entrypoint",
    concern=Concern.RUNTIME,
    title="Don't repeat the interpreter in CMD on distroless language images",
    rationale="Distroless java/nodejs/python images set ENTRYPOINT to the runtime; CMD only supplies its arguments.",
    fix='Use `CMD ["app.jar"]` (java) or `CMD ["server.js"]` (node), or override ENTRYPOINT in exec form.',
    lesson="lessons/03-language-examples/#go-to-distroless",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="When the final base is a distroless language image with its own ENTRYPOINT (`java -jar`, "
        "`/nodejs/bin/node`, `python3`) and the Dockerfile sets no ENTRYPOINT, fails a CMD that starts with the "
        "interpreter again or is in shell form.",
        why="Docker runs ENTRYPOINT + CMD: `java -jar java -jar app.jar` gives `Error: Unable to access jarfile "
        "java`; a shell-form CMD gives `Unable to access jarfile /bin/sh` (pitfall 16).",
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM gcr.io/distroless/java21-debian12:nonroot\nCOPY --from=build /app/target/app.jar /app/app.jar\n"
        'CMD ["java", "-jar", "/app/app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM gcr.io/distroless/java21-debian12:nonroot\nCOPY --from=build /app/target/app.jar /app/app.jar\n"
        'CMD ["/app/app.jar"]\n',
    ),
    check=check,
)
