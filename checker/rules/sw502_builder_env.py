"""SW502 builder-env: ENV set in a builder stage, expected when the final image runs (pitfall 10)."""

from __future__ import annotations

import re

from checker.analysis import Context, variables_used
from checker.model import Instruction, Stage
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

# Variables that steer a build tool or the shell: set in a builder for the builder's own sake.
BUILD_VARS = frozenset(
    {
        "PATH", "CGO_ENABLED", "GOOS", "GOARCH", "GOARM", "GOFLAGS", "GOPATH", "GOCACHE", "GOMODCACHE", "GOPROXY",
        "GOPRIVATE", "GONOSUMDB", "GOTOOLCHAIN", "GO111MODULE", "NODE_ENV", "NODE_OPTIONS", "NPM_CONFIG_LOGLEVEL",
        "CI", "MAVEN_OPTS", "MAVEN_CONFIG", "MAVEN_HOME", "GRADLE_OPTS", "GRADLE_USER_HOME", "JAVA_HOME",
        "JAVA_TOOL_OPTIONS", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK", "PYTHONDONTWRITEBYTECODE",
        "PYTHONUNBUFFERED", "POETRY_VIRTUALENVS_CREATE", "POETRY_HOME", "UV_COMPILE_BYTECODE", "VIRTUAL_ENV",
        "DEBIAN_FRONTEND", "LANG", "LC_ALL", "HOME", "CARGO_HOME", "RUSTUP_HOME", "RUSTFLAGS", "CC", "CXX",
        "CFLAGS", "LDFLAGS", "DOTNET_CLI_TELEMETRY_OPTOUT", "NEXT_TELEMETRY_DISABLED", "VITE_BASE", "PUBLIC_URL",
    }
)  # fmt: skip


# Names made for run-time configuration of an app.
RUNTIME_NAME = re.compile(
    r"PROFILE|^JAVA_OPTS$|^JDK_JAVA_OPTIONS$|^SPRING_|^APP_|^(RAILS|RACK|APP|FLASK|DJANGO|ASPNETCORE|GO)_ENV$|"
    r"^LOG_LEVEL$|^PORT$|^HOST$|^LISTEN_|^SERVER_PORT$|^DATABASE_URL$|^TZ$|^FLASK_|^DJANGO_SETTINGS_MODULE$"
)


def _env_lines(stage: Stage) -> list[tuple[str, str, Instruction]]:
    out: list[tuple[str, str, Instruction]] = []
    for ins in stage.of("ENV"):
        args = list(ins.args)
        for i in range(0, len(args) - 1, 2):
            out.append((args[i], args[i + 1].strip("\"'"), ins))
    return out


def _used_after(stage: Stage, name: str, ins: Instruction) -> bool:
    """Does the stage itself read the variable later (a build setting, not runtime configuration)?"""
    later = [i for i in stage.instructions if i.line > ins.line]
    return any(name in variables_used(i.original) for i in later)


def check(ctx: Context) -> list[Verdict]:
    chain = {st.index for st in ctx.final_chain()}
    final_env: set[str] = set()
    for st in ctx.final_chain():
        final_env.update(st.env)
    spec_vars: set[str] = set()
    if ctx.spec is not None and ctx.spec.smoke is not None and ctx.spec.smoke.http is not None:
        spec_vars = {v for v in (ctx.spec.smoke.http.port_env, ctx.spec.smoke.http.host_env) if v}
    final_refs: set[str] = set()
    for ins in ctx.final_instructions():
        if ins.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK", "RUN", "EXPOSE", "USER", "WORKDIR", "VOLUME"):
            final_refs |= variables_used(ins.original)
    info = ctx.final_image
    serves_files = info.ref.name in ("nginx", "nginx-unprivileged", "httpd", "caddy", "lighttpd", "openresty")
    out: list[Verdict] = []
    judged = False
    for st in ctx.reachable_stages():
        if st.index in chain:
            continue
        for name, value, ins in _env_lines(st):
            judged = True
            if name in final_env or _used_after(st, name, ins):
                continue
            # Only variables the running app is known to read: the exercise's port/host variables, ones the
            # final image's own instructions use, or names made for run-time configuration. Build tools read
            # plenty of others from the environment (POETRY_*, UV_*, SQLX_OFFLINE...).
            if not (name in spec_vars or name in final_refs or (RUNTIME_NAME.search(name) and not serves_files)):
                continue
            app = " (the variable this exercise's app reads)" if name in spec_vars else ""
            out.append(
                warned(
                    f"Line {ins.line}: {q(ins)} sets `{name}`{app} in {st.label}, but the final stage (line "
                    f"{ctx.final.line}, `FROM {ctx.final.base_raw}`) does not start from that stage, so it does "
                    f"not inherit it: when the container runs, `{name}` is empty. ENV belongs to the image of the "
                    "stage that sets it; only `FROM <that stage>` inherits it.",
                    ins.line,
                    ins.snippet,
                    hint=f"Set it in the final stage: `ENV {name}={value}` after line {ctx.final.line} (or in a "
                    "base stage both stages are built FROM). For a build argument, `ARG X` then `ENV X=$X` in the "
                    "final stage.",
                )
            )
    if out:
        return out
    if not judged:
        return [skipped("No ENV in a stage the final image does not inherit.", ctx.final.line)]
    return [passed("ENV set in builder stages is used there (or set again in the final stage).", ctx.final.line)]


RULE = Rule(
    id="SW502",
    name="builder-env",
    concern=Concern.RUNTIME,
    title="Set runtime ENV in the final stage",
    rationale="The final stage inherits ENV only from the stage it is built FROM, never from a builder.",
    fix="Set the variables the app reads with ENV in the final stage.",
    lesson="lessons/02-stages-and-copy-from/#only-the-last-stage-ships",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about ENV in a stage the final stage does not inherit (it is not in the final stage's FROM "
        "chain) when that stage does not use the variable itself and the final stage does not set it again. "
        "Build-tool variables (CGO_ENABLED, GOFLAGS, MAVEN_OPTS, NODE_ENV, PATH...) are left alone.",
        why="Variables set in the builder (`JAVA_OPTS`, app mode, ports) are empty when the container runs "
        "(pitfall 10).",
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nENV SPRING_PROFILES_ACTIVE=prod\nWORKDIR /app\n"
        "COPY . .\nRUN mvn -B package\n\nFROM eclipse-temurin:21-jre\nCOPY --from=build /app/target/app.jar "
        '/app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\n\n"
        "FROM eclipse-temurin:21-jre\nENV SPRING_PROFILES_ACTIVE=prod\nCOPY --from=build /app/target/app.jar "
        '/app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
    ),
    check=check,
)
