"""SW011 test-stage-skipped: a test stage nothing depends on never runs under BuildKit (pitfall 27)."""

from __future__ import annotations

from checker.analysis import Cmd, Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned


def is_test(cmd: Cmd) -> bool:
    p, a, sub = cmd.program, cmd.args, cmd.sub()
    if p in ("npm", "pnpm", "yarn", "bun"):
        return sub in ("test", "t") or (sub == "run" and len(a) > 1 and a[1].startswith("test"))
    if p in ("go", "cargo", "dotnet"):
        return sub in ("test", "vet")
    if p in ("mvn", "mvnw"):
        return any(w in ("test", "verify", "integration-test") for w in a)
    if p in ("gradle", "gradlew"):
        return any(w in ("test", "check") for w in a)
    return p in ("pytest", "tox", "jest", "vitest", "mocha", "phpunit", "rspec")


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    final_name = ctx.final.name_as_written
    for st in ctx.df.stages:
        if st.index in ctx.reachable:
            continue
        runs = [(ins, c) for ins, cmds in ctx.facts(st).runs for c in cmds if is_test(c)]
        if not runs:
            continue
        ins, _ = runs[0]
        name = st.name_as_written or "test"
        marker = "/tests-passed"
        out.append(
            warned(
                f"Line {ins.line}: {q(ins)} runs tests in {st.label}, but the build target, {ctx.final.label}, "
                "depends on nothing from that stage. BuildKit builds only the stages the target "
                "needs, so these tests never run and a broken test still gives a green build (only the legacy "
                "builder runs every stage).",
                ins.line,
                ins.snippet,
                hint=f"Run it on purpose (`docker build --target {name} .` in CI), or make the final stage depend "
                f"on it: end the test step with `&& touch {marker}` and add `COPY --from={name} {marker} /tmp/` "
                f"to {'stage ' + repr(final_name) if final_name else 'the final stage'}.",
            )
        )
    if out:
        return out
    if len(ctx.df.stages) == len(ctx.reachable):
        return [skipped("Every stage is built for the target.", ctx.final.line)]
    return [passed("No stage that runs tests is skipped.", ctx.final.line)]


RULE = Rule(
    id="SW011",
    name="test-stage-skipped",
    concern=Concern.BUILD,
    title="Make the test stage run",
    rationale="BuildKit skips stages the target does not depend on, test stages included.",
    fix="Build the test stage explicitly, or copy a marker file from it into the final stage.",
    lesson="lessons/07-beyond-the-basics/#a-test-stage",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about a stage that runs tests (`npm test`, `go test`, `mvn verify`, `pytest`...) when the "
        "build target depends on it neither by FROM nor by COPY/--mount.",
        why="The `test` stage with `RUN npm test` never runs, so broken tests still give a green build "
        "(pitfall 27).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM build AS test\nRUN npm test\n\nFROM nginx:1.27-alpine\n"
        "COPY --from=build /app/dist /usr/share/nginx/html\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM build AS test\nRUN npm test && touch /tests-passed\n\nFROM nginx:1.27-alpine\n"
        "COPY --from=test /tests-passed /tmp/\nCOPY --from=build /app/dist /usr/share/nginx/html\n",
    ),
    check=check,
)
