"""Which `.dockerignore` a build reads, and what its patterns exclude (BuildKit's rules, pitfall 24).

One rule for every reader (the static rules, `stagewise check`'s builds and cache probe, `stagewise grade`):

1. `<Dockerfile-name>.dockerignore` beside the Dockerfile (BuildKit reads it first);
2. for a Dockerfile kept outside the build context (a learner's folder checked against an exercise: it is
   laid over the exercise's app, as `stagewise grade` lays a submission over a fresh copy), that folder's
   `.dockerignore`, which is the submission's context root;
3. the `.dockerignore` at the root of the build context.

Only one file is read, never several. A `.dockerignore` in a sub-folder of the context is never read, even
beside a Dockerfile built with `-f sub/Dockerfile` (use `sub/Dockerfile.dockerignore`).

Patterns follow moby/patternmatcher: each line is cleaned like a path (a leading `/` dropped), `*` and `?`
stay inside one path segment, `**` spans any number of segments, a pattern that matches a folder excludes
everything in it, `!` re-includes, and the last matching line wins.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

IGNORE = ".dockerignore"


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def beside(dockerfile: Path) -> Path:
    return dockerfile.with_name(dockerfile.name + IGNORE)


def submission_ignore(folder: Path, dockerfile_name: str, *, graded_as: str | None = None) -> Path | None:
    """The ignore file a learner's folder contributes: `<name>.dockerignore` (for the Dockerfile as found, then
    as the exercise names it), else `.dockerignore`. Symlinks are not followed (a hostile submission)."""
    names = [dockerfile_name + IGNORE]
    if graded_as and graded_as != dockerfile_name:
        names.append(graded_as + IGNORE)
    names.append(IGNORE)
    for name in names:
        p = folder / name
        if p.is_file() and not p.is_symlink():
            return p
    return None


def ignore_file(context: Path, dockerfile: Path | None) -> Path | None:
    """The one ignore file a build of `dockerfile` with `context` reads (see the module docstring)."""
    if dockerfile is not None:
        if beside(dockerfile).is_file():
            return beside(dockerfile)
        if not _inside(dockerfile, context):
            own = submission_ignore(dockerfile.parent, dockerfile.name)
            if own is not None:
                return own
    root = context / IGNORE
    return root if root.is_file() else None


def native_ignore_file(context: Path, dockerfile: Path) -> Path | None:
    """What BuildKit itself reads for this Dockerfile and context (rules 1 and 3 only)."""
    if beside(dockerfile).is_file():
        return beside(dockerfile)
    root = context / IGNORE
    return root if root.is_file() else None


def read_patterns(path: Path | None) -> list[tuple[int, str]]:
    """(line number, pattern) for every pattern line; comments and blank lines skipped."""
    if path is None:
        return []
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return []
    out: list[tuple[int, str]] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line and not line.startswith("#"):
            out.append((n, line))
    return out


@lru_cache(maxsize=1024)
def _regex(pattern: str) -> re.Pattern[str]:
    out = ["^"]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            if pattern.startswith("**", i):
                i += 2
                if pattern.startswith("/", i):
                    out.append("(?:.*/)?")
                    i += 1
                else:
                    out.append(".*")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                out.append(re.escape(c))
            else:
                body = pattern[i + 1 : end]
                if body.startswith("^"):
                    body = "!" + body[1:]
                out.append("[" + ("^" + body[1:] if body.startswith("!") else body).replace("\\", "\\\\") + "]")
                i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(pattern[i]))
        else:
            out.append(re.escape(c))
        i += 1
    out.append("$")
    return re.compile("".join(out))


def clean(pattern: str) -> str:
    p = posixpath.normpath(pattern.replace("\\", "/")) if pattern not in ("", ".") else pattern
    if len(p) > 1 and p.startswith("/"):
        p = p.lstrip("/") or "/"
    return p


@dataclass(frozen=True, slots=True)
class Rule:
    line: int
    text: str  # as written
    pattern: str  # cleaned
    exclude: bool  # False for a `!` exception


@dataclass(frozen=True, slots=True)
class Matcher:
    rules: tuple[Rule, ...]

    @classmethod
    def of(cls, patterns: list[tuple[int, str]]) -> Matcher:
        out = []
        for line, text in patterns:
            neg = text.startswith("!")
            body = text[1:].strip() if neg else text
            pat = clean(body)
            if pat and pat != ".":
                out.append(Rule(line, text, pat, not neg))
        return cls(tuple(out))

    @classmethod
    def read(cls, path: Path | None) -> Matcher:
        return cls.of(read_patterns(path))

    def why(self, path: str) -> Rule | None:
        """The line that excludes `path` (a context-relative path), or None when it is sent to the builder."""
        rel = path
        while rel.startswith("./"):
            rel = rel[2:]
        rel = clean(rel).lstrip("/")
        parts = rel.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        verdict: Rule | None = None
        for rule in self.rules:
            rx = _regex(rule.pattern)
            if any(rx.match(p) for p in prefixes):
                verdict = rule if rule.exclude else None
        return verdict

    def excludes(self, path: str) -> bool:
        return self.why(path) is not None
