"""SW302 dockerignore: keep heavy directories out of the build context (pitfall 24)."""

from __future__ import annotations

import fnmatch
from pathlib import Path

from checker import dockerignore
from checker.analysis import HEAVY_DIRS, Context
from checker.dockerignore import ignore_file
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, skipped


def ignore_files(ctx: Context) -> list[Path]:
    """The ignore file the build reads (one at most: checker.dockerignore has the rule)."""
    assert ctx.context_dir is not None
    found = ignore_file(ctx.context_dir, ctx.assumed_dockerfile)
    return [found] if found is not None else []


def read_patterns(path: Path) -> list[str]:
    return [p for _, p in dockerignore.read_patterns(path)]


def is_ignored(name: str, patterns: list[str]) -> bool:
    """dockerignore semantics for a top-level entry: the last matching pattern wins, `!` re-includes."""
    ignored = False
    for raw in patterns:
        neg = raw.startswith("!")
        pat = raw[1:].strip() if neg else raw
        pat = pat.lstrip("/").rstrip("/")
        while pat.startswith("./"):
            pat = pat[2:]
        if not pat:
            continue
        candidates = [pat]
        if pat.startswith("**/"):
            candidates.append(pat[3:])
        if any(fnmatch.fnmatchcase(name, c) for c in candidates) or pat in ("*", "**"):
            ignored = not neg
    return ignored


def check(ctx: Context) -> list[Verdict]:
    broad = next(
        (c.instr for st in ctx.reachable_stages() for c in ctx.facts(st).context_copies if "broad" in c.kinds), None
    )
    line = broad.line if broad else ctx.final.line
    if ctx.context_dir is None:
        return [skipped("No build context given: .dockerignore not checked.", line)]
    if not ctx.context_dir.is_dir():
        return [skipped(f"The build context {ctx.context_dir} is not a directory.", line)]
    heavy = [d for d in HEAVY_DIRS if (ctx.context_dir / d).is_dir()]
    files = ignore_files(ctx)
    where = f"line {broad.line} `{broad.snippet}`" if broad else "the build"
    if not files:
        if heavy:
            listing = ", ".join(f"`{d}/`" for d in heavy)
            return [
                failed(
                    f"The build context holds {listing} and there is no .dockerignore, so {where} sends them to "
                    "the builder: `COPY . .` is never cached (their timestamps change all the time), uploads are "
                    "slow, and host node_modules can overwrite the ones built in the image.",
                    line,
                    *heavy,
                    hint="Add a .dockerignore at the context root: " + ", ".join(heavy) + ", *.log, .env, Dockerfile*.",
                )
            ]
        return [passed("No heavy directories in the build context (a .dockerignore is still a good habit).", line)]
    patterns = [p for f in files for p in read_patterns(f)]
    missing = [d for d in heavy if not is_ignored(d, patterns)]
    if missing:
        listing = ", ".join(f"`{d}/`" for d in missing)
        return [
            failed(
                f"{files[0].name} does not exclude {listing}, which sit in the build context: {where} still "
                "sends them (slow uploads, cache misses on every `git` operation or local build).",
                line,
                *missing,
                hint="Add these lines to " + files[0].name + ": " + ", ".join(missing) + ".",
            )
        ]
    return [passed(f"{files[0].name} excludes the heavy directories of the context.", line)]


RULE = Rule(
    id="SW302",
    name="dockerignore",
    concern=Concern.CACHE_ORDERING,
    title="Exclude heavy directories with .dockerignore",
    rationale="Everything in the context is uploaded and checksummed by `COPY . .`.",
    fix="Add a .dockerignore at the context root listing .git, node_modules, target, dist, build, .venv.",
    lesson="lessons/04-build-cache/#dockerignore",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="Needs the build context directory (skipped without it). Fails when the context holds "
        "`node_modules`, `.git`, `target`, `dist`, `build`, `.venv`, `venv`, `__pycache__`, `.gradle` or "
        "`.next` and no `.dockerignore` (or `<Dockerfile>.dockerignore`) excludes them.",
        why="The upload is slow and `COPY . .` misses the cache after every `git fetch`, branch switch or local "
        "build; host `node_modules` can even overwrite native modules built for the image (pitfall 19, "
        "pitfall 24).",
        example="# context: Dockerfile, package.json, src/, node_modules/, .git/  (no .dockerignore)\n"
        "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n",
        use_instead="# .dockerignore: node_modules  .git  dist  *.log  .env  Dockerfile*\n"
        "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n",
    ),
    check=check,
)
