"""SW009 npm-ci-without-lockfile: npm ci needs package-lock.json next to package.json (pitfall 22)."""

from __future__ import annotations

import fnmatch

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped

_LOCKS = ("package-lock.json", "npm-shrinkwrap.json")


def _brings_lock(src: str, kind: str) -> bool:
    base = src.rstrip("/").rsplit("/", 1)[-1].lower()
    if kind == "broad":
        return True
    if any(c in base for c in "*?["):
        return any(fnmatch.fnmatchcase(lock, base) for lock in _LOCKS)
    if base in _LOCKS:
        return True
    return kind == "source" and (src.endswith("/") or "." not in base)  # a whole directory


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    seen = False
    lock_in_context: bool | None = None
    if ctx.context_dir is not None:
        lock_in_context = any((ctx.context_dir / n).is_file() for n in _LOCKS)
    for st in ctx.reachable_stages():
        chain = list(reversed(ctx.df.ancestors(st)))
        copies = [c for s in chain for c in ctx.facts(s).context_copies]
        for ins, cmds in ctx.facts(st).runs:
            if not any(c.program == "npm" and c.sub() == "ci" for c in cmds):
                continue
            seen = True
            before = [c for c in copies if c.instr.line < ins.line or c.instr.stage_index != st.index]
            mounted = (
                any(m.type == "bind" and (m.source or "").endswith(_LOCKS) for m in ins.run.mounts)
                if ins.run
                else False
            )
            brings = mounted or any(_brings_lock(s, k) for c in before for s, k in c.sources)
            has_pkg = mounted or any(
                s.rstrip("/").rsplit("/", 1)[-1].lower() == "package.json" or k == "broad"
                for c in before
                for s, k in c.sources
            )
            if not has_pkg and not brings:
                continue  # package.json comes from elsewhere (another stage, a mount): not judged
            if not brings:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} runs in {st.label}, but only package.json was copied before "
                        "it, not package-lock.json. npm stops with ``The `npm ci` command can only install with "
                        "an existing package-lock.json or npm-shrinkwrap.json with lockfileVersion >= 1``.",
                        ins.line,
                        ins.snippet,
                        hint="Copy both: `COPY package.json package-lock.json ./` (or `COPY package*.json ./`), "
                        "then `RUN npm ci`.",
                    )
                )
            elif lock_in_context is False:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} needs package-lock.json, but the build context has none. "
                        "Commit the lockfile (run `npm install` once locally); swapping `npm ci` for `npm install` "
                        "only hides the problem and makes builds unreproducible.",
                        ins.line,
                        ins.snippet,
                    )
                )
            else:
                out.append(passed(f"Line {ins.line}: {q(ins)} gets the lockfile it needs.", ins.line))
    if not seen:
        return [skipped("No `npm ci` in the stages that are built.", ctx.final.line)]
    return out or [passed("npm ci gets its lockfile.", ctx.final.line)]


RULE = Rule(
    id="SW009",
    name="npm-ci-without-lockfile",
    concern=Concern.BUILD,
    title="npm ci needs the lockfile",
    rationale="`npm ci` installs exactly what package-lock.json says, and refuses to run without it.",
    fix="COPY package.json and package-lock.json (or package*.json) before RUN npm ci.",
    lesson="lessons/04-build-cache/#dependencies-first-then-source",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Fails an `npm ci` when the copies before it bring package.json but no package-lock.json (or "
        "npm-shrinkwrap.json), or when the build context has no lockfile at all.",
        why="npm stops with ``The `npm ci` command can only install with an existing package-lock.json or "
        "npm-shrinkwrap.json with lockfileVersion >= 1`` (pitfall 22).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n",
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
        "RUN npm ci\nCOPY . .\nRUN npm run build\n",
    ),
    check=check,
)
