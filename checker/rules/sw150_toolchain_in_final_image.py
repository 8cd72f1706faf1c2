"""SW150 toolchain-in-final-image: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

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
)
