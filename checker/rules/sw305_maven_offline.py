"""SW305 maven-offline: `mvn -o` after `dependency:go-offline` (pitfall 25)."""

from __future__ import annotations

from checker.analysis import Context
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

MAVEN = frozenset({"mvn", "mvnw"})
HINT = (
    "Treat go-offline as a cache warm-up, not a guarantee: drop `-o`. Or keep the repository in a cache mount: "
    "`RUN --mount=type=cache,target=/root/.m2 mvn -B package`."
)


def _offline(args: tuple[str, ...]) -> bool:
    return any(a in ("-o", "--offline") or (a.startswith("-") and not a.startswith("--") and "o" in a[1:]
                                             and a[1:].isalpha() and len(a) <= 4) for a in args)  # fmt: skip


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    judged = False
    for st in ctx.reachable_stages():
        warmed: Instruction | None = None
        for anc in reversed(ctx.df.ancestors(st)):
            for ins, cmds in ctx.facts(anc).runs:
                for c in cmds:
                    if c.program not in MAVEN:
                        continue
                    judged = True
                    if any("go-offline" in a for a in c.args):
                        warmed = ins
                    elif warmed is not None and anc.index == st.index and _offline(c.args):
                        out.append(
                            warned(
                                f"Line {ins.line}: {q(ins)} runs Maven offline after `dependency:go-offline` (line "
                                f"{warmed.line}). go-offline does not resolve every plugin the lifecycle binds "
                                "(surefire, jar, resources in the versions your build really uses) nor the "
                                "dependencies declared on plugins (Maven bugs MDEP-82, MDEP-820), so the build can "
                                "stop with `Cannot access central (…) in offline mode and the artifact "
                                "org.apache.maven.plugins:maven-surefire-plugin:jar:… has not been downloaded from "
                                "it before.`",
                                ins.line,
                                ins.snippet,
                                hint=HINT,
                            )
                        )
    if out:
        return out
    if not judged:
        return [skipped("No Maven step.", ctx.final.line)]
    return [passed("Maven is not forced offline after go-offline.", ctx.final.line)]


RULE = Rule(
    id="SW305",
    name="maven-offline",
    concern=Concern.BUILD,
    title="Don't run `mvn -o` after go-offline",
    rationale="`dependency:go-offline` is not complete: some plugins are only fetched when the lifecycle runs.",
    fix="Drop `-o` (go-offline is a warm-up), or use a cache mount for ~/.m2.",
    lesson="lessons/04-build-cache/#dependencies-first-then-source",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about `mvn -o` / `mvn --offline` in a stage after a `dependency:go-offline` step.",
        why="`Cannot access central (…) in offline mode and the artifact org.apache.maven.plugins:"
        "maven-surefire-plugin:jar:2.12.4 has not been downloaded from it before.` (pitfall 25).",
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B -o package\n",
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package\n",
    ),
    check=check,
)
