"""SW206 relative-copy-from: COPY --from sources are read from the other stage's root (pitfall 1)."""

from __future__ import annotations

import posixpath

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q

_ROOTISH = frozenset({".", "./", "*", "./*"})


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        for ins in st.instructions:
            cp = ins.copy
            if cp is None or cp.from_ref is None:
                continue
            src_stage = ctx.copy_source_stage(ins)
            if src_stage is None or src_stage.final_workdir == "/":
                continue
            rel = [s for s in cp.sources if not s.startswith(("/", "$")) and s not in _ROOTISH]
            if not rel:
                continue
            src = rel[0]
            wd = src_stage.final_workdir
            meant = posixpath.join(wd, src)
            out.append(
                failed(
                    f"Line {ins.line}: {q(ins)} uses the relative source `{src}`. COPY --from ignores the WORKDIR "
                    f"of {src_stage.label} ({wd}) and looks for `/{src.lstrip('./')}`, so BuildKit fails with "
                    f'`failed to calculate checksum of ref ...: "/{src.lstrip("./")}": not found`, or silently '
                    "copies a file of that name from `/`.",
                    ins.line,
                    ins.snippet,
                    hint=f"Write the absolute path: `{meant}`.",
                )
            )
    if not out:
        out.append(passed("COPY --from sources are absolute paths.", ctx.final.line))
    return out


RULE = Rule(
    id="SW206",
    name="relative-copy-from",
    concern=Concern.ARTIFACT_COPIES,
    title="Use absolute paths as COPY --from sources",
    rationale="The source of COPY --from is looked up from the other stage's root, not its WORKDIR.",
    fix="Write the full path in the builder (`/app/target/app.jar`).",
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Fails a `COPY --from=<stage>` whose source is a relative path while that stage's WORKDIR is not `/`.",
        why="BuildKit resolves it from `/`: `failed to compute cache key: failed to calculate checksum of ref "
        '…: "/app.jar": not found`, or a same-named file from `/` is copied instead (pitfall 1).',
        example="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nCOPY --from=build target/app.jar /app.jar\n"
        'CMD ["java", "-jar", "/app.jar"]\n',
        use_instead="FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n\n"
        "FROM eclipse-temurin:21-jre-alpine\nCOPY --from=build /app/target/app.jar /app.jar\n"
        'CMD ["java", "-jar", "/app.jar"]\n',
    ),
    check=check,
)
