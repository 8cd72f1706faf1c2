"""SW403 healthcheck: a HEALTHCHECK the runtime image can actually run (pitfall 34)."""

from __future__ import annotations

from checker.analysis import Context, split_commands
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped, warned


def _required(ctx: Context) -> bool:
    spec = ctx.spec
    return spec is not None and (spec.require_healthcheck or bool(spec.smoke and spec.smoke.expect_healthy))


def check(ctx: Context) -> list[Verdict]:
    required = _required(ctx)
    info = ctx.final_image
    hc = ctx.last("HEALTHCHECK")
    if hc is None or hc.args[0].upper() == "NONE":
        if hc is not None and required:
            return [
                failed(
                    f"Line {hc.line}: {q(hc)} switches the health check off, but this exercise needs one.",
                    hc.line,
                    hc.snippet,
                )
            ]
        if required:
            return [
                failed(
                    f"The final stage (line {ctx.final.line}) has no HEALTHCHECK, so Docker cannot tell a hung app "
                    "from a healthy one, and this exercise asks for one.",
                    ctx.final.line,
                    hint="Add one that the runtime image can run, e.g. `HEALTHCHECK --interval=30s CMD "
                    '["/app", "healthcheck"]` or, on Alpine, `HEALTHCHECK CMD wget -q --spider '
                    "http://localhost:8080/health || exit 1`.",
                )
            ]
        return [skipped("No HEALTHCHECK, and this exercise does not ask for one.", ctx.final.line)]
    words = list(hc.args[1:])
    text = " ".join(words)
    if not hc.json and info.has_shell is False:
        return [
            failed(
                f"Line {hc.line}: {q(hc)} is in shell form, which needs /bin/sh, and `{info.display}` has none: "
                'the container stays unhealthy with `exec: "/bin/sh": stat /bin/sh: no such file or directory`.',
                hc.line,
                hc.snippet,
                hint='Use exec form and call something that exists in the image: `HEALTHCHECK CMD ["/app", '
                '"healthcheck"]` (a health sub-command of your app or a static probe copied from the builder).',
            )
        ]
    out: list[Verdict] = []
    if hc.json and any(w in ("||", "&&", "|") for w in words):
        out.append(
            warned(
                f"Line {hc.line}: {q(hc)} is in exec form, so `||` and `exit` are passed to the program as plain "
                "arguments, not run by a shell.",
                hc.line,
                hc.snippet,
            )
        )
    if hc.json and any("$" in w for w in words):
        out.append(
            warned(
                f"Line {hc.line}: {q(hc)} is in exec form, so no shell expands the `$` variables in it: the probe "
                "receives them literally (e.g. `http://127.0.0.1:${PORT}/healthz`) and never succeeds.",
                hc.line,
                hc.snippet,
                hint="Use the shell form where the image has a shell, or write the value out.",
            )
        )
    programs = (
        {c.program for c in split_commands(text)}
        if not hc.json
        else ({words[0].rsplit("/", 1)[-1]} if words else set())
    )
    installed: set[str] = set()
    for st in ctx.final_chain():
        installed |= ctx.facts(st).packages_installed
    copied = " ".join(" ".join(i.copy.sources) for st in ctx.final_chain() for i in st.instructions if i.copy)
    for tool, has in (("curl", info.has_curl), ("wget", info.has_wget)):
        if tool in programs and has is False and tool not in installed and tool not in copied:
            alt = (
                "BusyBox `wget -q --spider http://localhost:PORT/health || exit 1`"
                if info.has_wget and tool == "curl"
                else "an exec-form call to your app's own health sub-command"
            )
            out.append(
                warned(
                    f"Line {hc.line}: {q(hc)} calls {tool}, but `{info.display}` does not ship it and the final "
                    f"stage does not install it: the health log shows `/bin/sh: {tool}: not found` and the "
                    "container stays unhealthy.",
                    hc.line,
                    hc.snippet,
                    hint=f"Use {alt}, or install {tool} in the final stage on purpose.",
                )
            )
    if not out:
        out.append(passed(f"Line {hc.line}: {q(hc)} can run in `{info.display}`.", hc.line))
    return out


RULE = Rule(
    id="SW403",
    name="healthcheck",
    concern=Concern.HARDENING,
    title="Add a HEALTHCHECK that the runtime image can run",
    rationale="Without a health check an orchestrator only knows whether the process exists, not whether it answers.",
    fix="Add `HEALTHCHECK` with a probe that exists in the final image (exec form on shell-less images).",
    lesson="lessons/05-security/#healthcheck",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="When the exercise asks for a health check (`require_healthcheck` or a smoke test that waits for "
        "`healthy`), fails a final image without one. Whenever there is one, fails a shell-form HEALTHCHECK on "
        "a shell-less base and warns when it calls `curl`/`wget` that the base does not ship and the final stage "
        "does not install (Alpine has BusyBox wget, not curl), or when an exec-form check contains `||`.",
        why='The container stays `unhealthy` with `/bin/sh: curl: not found` or `exec: "/bin/sh": stat '
        "/bin/sh: no such file or directory` in `docker inspect` (pitfall 34).",
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=build /app/target/app.jar app.jar\n"
        "USER 10001\nHEALTHCHECK CMD curl -f http://localhost:8080/actuator/health || exit 1\n"
        'ENTRYPOINT ["java", "-jar", "app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nWORKDIR /app\nCOPY --from=build /app/target/app.jar app.jar\n"
        "USER 10001\nHEALTHCHECK CMD wget -q --spider http://localhost:8080/actuator/health || exit 1\n"
        'ENTRYPOINT ["java", "-jar", "app.jar"]\n',
    ),
    check=check,
)
