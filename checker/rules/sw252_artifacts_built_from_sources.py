"""SW252 artifacts-built-from-sources: the artifacts the final image ships change when their sources change
(proven by a rebuild with edited sources)."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.dynamic.rebuild import ArtifactComparison
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, errored, failed, passed, skipped


def _writer(ctx: DynamicContext, path: str) -> Instruction | None:
    """The instruction of the final stage's chain that last wrote `path` (or a file under it)."""
    files = ctx.image.facts.files(from_layer=ctx.image.first_own_layer)
    hit = files.get(path.rstrip("/"))
    if hit is None:
        under = [v for p, v in sorted(files.items()) if p.startswith(path.rstrip("/") + "/")]
        hit = under[-1] if under else None
    return ctx.image.traced.get(hit[1].index) if hit else None


def _how(ins: Instruction | None) -> str:
    if ins is None:
        return "it comes from the base image, not from your build"
    where = f"line {ins.line} `{ins.snippet}`"
    if ins.keyword == "RUN":
        return f"{where} writes it by hand instead of building it"
    if ins.copy is not None and ins.copy.from_ref is None:
        return f"{where} copies a prebuilt file from the build context instead of the build's output"
    if ins.copy is not None:
        return f"{where} copies it from `{ins.copy.from_ref}`, where it is not built from the sources either"
    return f"{where} puts it there"


def judge(ctx: DynamicContext) -> list[Verdict]:
    rebuild = ctx.rebuild.result
    if rebuild is None:
        return [skipped("no artifacts declared that must be built from the sources")]
    edits = ", ".join(rebuild.edited) or "the sources"
    if rebuild.error:
        return [errored(f"Could not rebuild with edited sources ({edits}) to compare the artifacts: "
                        f"{rebuild.error}")]
    judged: list[ArtifactComparison] = [c for c in rebuild.comparisons if c.before is not None]
    absent = [c.path for c in rebuild.comparisons if c.before is None]
    note = [f"not in the image, so not compared (SW251 checks the expected artifacts): {', '.join(absent)}"] \
        if absent else []
    if not judged:
        return [skipped("none of the artifacts that must be built from the sources is in the image", None)]
    stale = [c for c in judged if not c.changed]
    evidence = [f"{c.path}: {'changed' if c.changed else 'unchanged'} after inserting `{c.constant}` into "
                f"{c.source}"
                + (f" (the rebuilt image has the constant in {c.constant_found})" if c.constant_found else "")
                for c in judged] + note
    if stale:
        out = []
        for c in stale:
            ins = _writer(ctx, c.path)
            out.append(failed(
                f"{c.path} did not change when {c.source} changed, so it is not built from the sources: "
                f"{_how(ins)}. The checker inserted `{c.constant}` into {c.source}, rebuilt, and the shipped "
                "file stayed byte for byte the same.", ins.line if ins else None, *evidence,
                hint=f"Build {c.path} in a build stage from the sources (`RUN npm run build`, `mvn package`, "
                "`go build`) and copy the build's output into the final stage with `COPY --from=<build stage>`."))
        return out
    return [passed(f"Every artifact changed with its source ({edits}): "
                   f"{', '.join(c.path for c in judged)}.", None, *evidence)]


RULE = Rule(
    id="SW252",
    name="artifacts-built-from-sources",
    concern=Concern.ARTIFACT_COPIES,
    title="The shipped artifacts must be built from the sources",
    rationale="An image that ships a hand-written or prebuilt file passes every smoke test and ships none of "
    "the learner's code changes.",
    fix="Build the artifact from the sources in a build stage and `COPY --from=<build stage>` its output.",
    lesson="lessons/02-stages-and-copy-from/#copy-from-copies-only-what-you-name",
    kind=Kind.DYNAMIC,
    weight=2.0,
    doc=RuleDoc(
        what="Beside the smoke test, rebuilds a scratch copy of the context in which each source the exercise "
        "names under `built_from` has a constant inserted (valid code), then hashes the named artifact paths "
        "of both images. Every artifact must change; where the constant can be found in the rebuilt "
        "artifact (looking into jars too), the evidence says so.",
        why="A final stage that writes the expected file itself (`RUN echo '<h1>...' > index.html`) or copies "
        "a file built once on the laptop (`COPY dist/app.js ...`) answers the smoke test, but the image no "
        "longer follows the code: the next change to the sources never ships.",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
        "FROM nginx:1.25-alpine\nCOPY --from=build /app/dist/assets /usr/share/nginx/html/assets\n"
        "RUN echo '<h1>Stagewise packing list</h1>' > /usr/share/nginx/html/index.html\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n\n"
        "FROM nginx:1.25-alpine\nCOPY --from=build /app/dist/ /usr/share/nginx/html/\n",
        notes="The inserted constants are fixed, so a second check finds the rebuild in the build cache.",
    ),
    judge=judge,
    needs=frozenset({Fact.REBUILD, Fact.IMAGE}),
)
