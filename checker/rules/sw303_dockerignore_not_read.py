"""SW303 dockerignore-not-read: an ignore file the build never reads (wrong place or wrong name, pitfall 24)."""

from __future__ import annotations

import re
from pathlib import Path

from checker.analysis import Context
from checker.dockerignore import IGNORE, ignore_file
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, skipped, warned

# Names learners give the file that BuildKit does not know: dockerignore, .dockerignore.txt, .docker-ignore,
# .Dockerignore (the name is case-sensitive)...
_NEAR = re.compile(r"^\.?docker[-_.]?ignore(\.txt)?$", re.I)
_SKIP_DIRS = frozenset({".git", "node_modules", "target", "dist", "build", ".venv", "venv", "__pycache__", "wrong"})


def _candidates(root: Path, depth: int = 2) -> list[Path]:
    out: list[Path] = []
    todo = [(root, 0)]
    while todo:
        folder, level = todo.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for p in entries:
            if p.is_dir() and not p.is_symlink() and level < depth and p.name not in _SKIP_DIRS:
                todo.append((p, level + 1))
            elif p.is_file() and (_NEAR.match(p.name) or p.name.endswith(IGNORE)):
                out.append(p)
    return out


def check(ctx: Context) -> list[Verdict]:
    line = ctx.df.stages[0].line if ctx.df.stages else 1
    if ctx.context_dir is None or not ctx.context_dir.is_dir():
        return [skipped("No build context given: ignore files not looked for.", line)]
    read = ignore_file(ctx.context_dir, ctx.assumed_dockerfile)
    dockerfile = ctx.assumed_dockerfile
    out: list[Verdict] = []
    for p in _candidates(ctx.context_dir):
        if read is not None and p.resolve() == read.resolve():
            continue
        rel = p.relative_to(ctx.context_dir).as_posix()
        if p.name.endswith(IGNORE) and p.name != IGNORE and p.parent == ctx.context_dir:
            continue  # another Dockerfile's own ignore file (Dockerfile.dev.dockerignore)
        if p.name == IGNORE:
            folder = p.parent.relative_to(ctx.context_dir).as_posix()
            beside = f"{folder}/{dockerfile.name if dockerfile else 'Dockerfile'}"
            why = (
                f"`{rel}` sits in a sub-folder of the build context; BuildKit reads `.dockerignore` only from the "
                "context root, even for a build with `-f` of a Dockerfile in that folder"
            )
            fix = f"Move it to the context root (`{IGNORE}`), or name it `{beside}{IGNORE}` beside that Dockerfile."
        elif _NEAR.match(p.name):
            why = f"`{rel}` is not named `.dockerignore` (the name is exact: leading dot, lower case, no extension)"
            fix = f"Rename it to `{IGNORE}` at the context root."
        else:
            continue
        state = f"the build reads `{read.relative_to(ctx.context_dir).as_posix()}` instead" if read is not None and \
            read.is_relative_to(ctx.context_dir) else "the build reads no ignore file at all"
        out.append(
            warned(
                # about a file of the context, not a Dockerfile line: the finding sits on the first FROM
                f"{why[0].upper()}{why[1:]}, so its patterns have no effect ({state}): the whole context is sent "
                "(`load .dockerignore` shows `transferring context: 2B`).",
                line,
                rel,
                hint=fix,
            )
        )
    if out:
        return out
    return [passed("Every ignore file in the context is one the build reads.", line)]


RULE = Rule(
    id="SW303",
    name="dockerignore-not-read",
    concern=Concern.CACHE_ORDERING,
    title="Put .dockerignore where the build reads it",
    rationale="The ignore file is read only from the context root, or as `<Dockerfile>.dockerignore` beside it.",
    fix="Keep `.dockerignore` at the root of the build context, spelled exactly so.",
    lesson="lessons/04-build-cache/#dockerignore",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Needs the build context (skipped without it). Warns about a `.dockerignore` in a sub-folder of the "
        "context and about misnamed ignore files (`dockerignore`, `.dockerignore.txt`, `.docker-ignore`) that "
        "the build therefore never reads.",
        why="The ignore patterns seem to have no effect: `load .dockerignore` reports `transferring context: 2B` "
        "and `COPY . .` sends node_modules and .git (pitfall 24).",
        example="# context: Dockerfile, docker/.dockerignore (never read), src/\nFROM alpine:3.20\nCOPY . /app\n",
        use_instead="# context: Dockerfile, .dockerignore, src/\nFROM alpine:3.20\nCOPY . /app\n",
    ),
    check=check,
)
