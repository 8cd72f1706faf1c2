"""SW304 dockerignore-excludes-copy: .dockerignore drops a file a COPY needs (pitfall 24)."""

from __future__ import annotations

from checker.analysis import Context
from checker.dockerignore import Matcher, ignore_file
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped


def check(ctx: Context) -> list[Verdict]:
    line = ctx.final.line
    if ctx.context_dir is None or not ctx.context_dir.is_dir():
        return [skipped("No build context given: .dockerignore not compared with the COPY sources.", line)]
    path = ignore_file(ctx.context_dir, ctx.assumed_dockerfile)
    if path is None:
        return [skipped("No .dockerignore: nothing is excluded.", line)]
    matcher = Matcher.read(path)
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        for cc in ctx.facts(st).context_copies:
            for src, kind in cc.sources:
                if kind == "broad" or any(c in src for c in "*?[") or "$" in src:
                    continue
                rel = src.strip("/")
                while rel.startswith("./"):
                    rel = rel[2:]
                if not rel or not (ctx.context_dir / rel).exists():
                    continue  # a missing file is another mistake (the build says "not found")
                rule = matcher.why(rel)
                if rule is None:
                    continue
                ins = cc.instr
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} needs `{rel}`, but line {rule.line} of {path.name} (`{rule.text}`) "
                        f"excludes it from the build context, so the build stops with `failed to compute cache key: "
                        f'... "/{rel}": not found` although the file is there.',
                        ins.line,
                        ins.snippet,
                        f"{path.name}:{rule.line} {rule.text}",
                        hint=f"Let it through: remove `{rule.text}` from {path.name}, or add `!{rel}` after it.",
                    )
                )
    return out or [passed(f"{path.name} lets through every file the COPY steps name.", line)]


RULE = Rule(
    id="SW304",
    name="dockerignore-excludes-copy",
    concern=Concern.BUILD,
    title="Don't ignore the files you COPY",
    rationale="A file .dockerignore excludes is not in the build context, so a COPY of it fails.",
    fix="Remove the pattern, or re-include the file with `!<path>` after it.",
    lesson="lessons/04-build-cache/#dockerignore",
    kind=Kind.STATIC,
    weight=0.0,  # the build fails on its own (SW050): this names why, without moving every max score
    doc=RuleDoc(
        what="Needs the build context. Reads the ignore file the build uses and fails every COPY of a named "
        "file or folder (no globs) that exists in the context but a pattern excludes; names the pattern's line.",
        why='`failed to compute cache key: failed to calculate checksum of ref …: "/package-lock.json": not '
        'found`, with the file right there (pitfall 24, pitfall 22).',
        example="# .dockerignore: *.json\nFROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
        "RUN npm ci\n",
        use_instead="# .dockerignore: node_modules\nFROM node:22-alpine\nWORKDIR /app\n"
        "COPY package.json package-lock.json ./\nRUN npm ci\n",
    ),
    check=check,
)
