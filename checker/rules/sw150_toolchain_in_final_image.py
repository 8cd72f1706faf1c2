"""SW150 toolchain-in-final-image: no compiler, SDK or package manager in the built final image."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.dynamic.toolchains import find_toolchains
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed

# A Node runtime image legitimately carries node; npm/npx are still package managers. Python runtimes need
# pip only when the spec says so (language "python" apps installed with pip at build).
ALLOWED_TOOLS: frozenset[str] = frozenset()


def judge(ctx: DynamicContext) -> list[Verdict]:
    image = ctx.image
    merged = image.facts.files()
    hits = find_toolchains({p: e for p, (e, _l) in merged.items()}, allow=ALLOWED_TOOLS)
    if not hits:
        return [passed("No compiler, SDK or language package manager in the final image.")]
    evidence = []
    lines: list[int] = []
    for h in hits:
        _entry, layer = merged[h.path]
        instr = image.traced.get(layer.index)
        if instr is not None:
            lines.append(instr.line)
            evidence.append(f"{h.path}: {h.what} ({h.toolchain}), added by line {instr.line} `{instr.snippet}`")
        else:
            root = ctx.model.root_image(ctx.final) if ctx.final else "the base image"
            evidence.append(f"{h.path}: {h.what} ({h.toolchain}), from the base image `{root}`")
    tools = sorted({h.binary for h in hits})
    where = "its base image" if not lines else f"line {min(lines)}"
    return [failed(f"The final image ships build tools: {', '.join(tools)} (found via {where}). They belong in a "
                   "builder stage; the runtime needs only what the build produced.",
                   min(lines) if lines else ctx.final_line, *evidence)]


RULE = Rule(
    id="SW150",
    name="toolchain-in-final-image",
    concern=Concern.STAGE_SEPARATION,
    title="No build tools in the final image",
    rationale="Compilers and package managers in the shipped image are attack surface and dead weight.",
    fix="Base the final stage on a runtime image and copy only the artifact into it.",
    lesson="lessons/05-security/#attack-surface",
    kind=Kind.DYNAMIC,
    weight=3.0,
    doc=RuleDoc(
        what=(
            "Scans the built final image's filesystem for toolchains: `javac`, `mvn`, `gradle`, "
            "`go`, `gcc`/`cc`, `make`, `cargo`/`rustc`, `npm`/`yarn` (unless the exercise allows a "
            "Node runtime), pip's build dependencies and `-dev` headers."
        ),
        why=(
            "Whatever the Dockerfile says, this is what actually ships: tools can sneak in through "
            "the base image, an `apt-get install`, or a copied directory (pitfall 5)."
        ),
        example=(
            "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package "
            '-DskipTests\nCMD ["java", "-jar", "target/app.jar"]\n'
        ),
        use_instead=(
            "FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\nRUN mvn -B "
            "dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\nFROM "
            "eclipse-temurin:21-jre-alpine\nCOPY --from=build /app/target/app.jar /app/app.jar\n"
            'USER 10001\nCMD ["java", "-jar", "/app/app.jar"]\n'
        ),
        notes="",
    ),
    judge=judge,
    needs=frozenset({Fact.IMAGE}),
)
