"""SW407 non-root-cannot-write: after USER, the app cannot write where root made the folders (pitfall 31)."""

from __future__ import annotations

import posixpath

from checker.analysis import Context
from checker.model import Instruction
from checker.report import Concern
from checker.rules._paths import Made, made_by_run, made_in_stage
from checker.rules._users import effective_user, is_root
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

# Folders an app writes to at run time, by their usual names.
DATA_DIRS = frozenset({"logs", "log", "uploads", "upload", "data", "cache", "tmp", "storage", "var", "sessions",
                       "media", "files"})  # fmt: skip
SYSTEM_DIRS = frozenset({"/tmp", "/var", "/var/tmp", "/var/cache", "/run", "/var/run"})  # world-writable or base


def _handed_over(ctx: Context, path: str, before: int) -> bool:
    """Is `path` (or a folder holding it) chowned/chmodded or copied with --chown before line `before`?"""
    for st in ctx.final_chain():
        for ins, cmds in ctx.facts(st).runs:
            if ins.line >= before:
                continue
            for c in cmds:
                if c.program in ("chown", "chmod") and any(
                    a.startswith("/") or "/" in a or a == "." for a in c.args if not a.startswith("-")
                ):
                    for a in c.args:
                        target = posixpath.normpath(posixpath.join(ins.workdir, a)) if not a.startswith("-") else ""
                        if target and (path == target or path.startswith(target.rstrip("/") + "/")):
                            return True
        for ins in st.instructions:
            if ins.copy is not None and ins.copy.chown and ins.line < before:
                # --chown changes what is copied, not a destination folder that already exists
                dest = posixpath.normpath(ins.copy.dest_abs)
                if path.startswith(dest.rstrip("/") + "/"):
                    return True
    return False


def check(ctx: Context) -> list[Verdict]:
    user, user_ins, resolved = effective_user(ctx)
    if user is None or user_ins is None or not resolved or is_root(user):
        return [skipped("The final image does not switch to a non-root user.", ctx.final.line)]
    out: list[Verdict] = []
    root_made: list[Made] = []
    for st in ctx.final_chain():
        for m in made_in_stage(st):
            if m.instr.line < user_ins.line and m.how in ("WORKDIR", "RUN mkdir"):
                root_made.append(m)
    # (a) a write during the build, after USER, into a folder root made
    for st in ctx.final_chain():
        for ins in st.instructions:
            if ins.run is None or ins.line < user_ins.line:
                continue
            for m in made_by_run(ins):
                owner = _root_owner(ctx, root_made, posixpath.dirname(m.path), user_ins)
                if owner is not None:
                    out.append(_verdict(ins, m.path, owner, user, "the build stops with `Permission denied`"))
                    break
    # (b) a data folder root made and never handed to the user
    for m in root_made:
        if m.path in SYSTEM_DIRS or posixpath.basename(m.path) not in DATA_DIRS:
            continue
        if not _handed_over(ctx, m.path, user_ins.line):
            out.append(_verdict(user_ins, m.path, m, user, "the app fails with `permission denied` when it writes"))
    return out or [passed(f"{q(user_ins)}: the folders made before it are handed to the user.", user_ins.line)]


def _root_owner(ctx: Context, made: list[Made], path: str, user_ins: Instruction) -> Made | None:
    best: Made | None = None
    for m in made:
        if path == m.path and not _handed_over(ctx, m.path, user_ins.line):
            best = m
    return best


def _verdict(ins: Instruction, path: str, owner: Made, user: str, what: str) -> Verdict:
    """`path` is the folder the user needs to write; `owner` the root-made folder that holds (or is) it."""
    return warned(
        f"Line {ins.line}: {q(ins)}: `{owner.path}` was made by root (line {owner.instr.line} "
        f"`{owner.instr.snippet}`) and is not handed to `{user}`, so {what}. WORKDIR and `RUN mkdir` before USER "
        "create root-owned folders, and files copied from another stage stay root's.",
        ins.line,
        ins.snippet,
        hint=f"Before `USER {user}`: `RUN mkdir -p {path} && chown {user} {path}`, or copy with "
        f"`COPY --chown={user}`; keep the code read-only and make only the data folders writable.",
    )


RULE = Rule(
    id="SW407",
    name="non-root-cannot-write",
    concern=Concern.RUNTIME,
    title="Give the non-root user the folders it writes",
    rationale="Folders made by WORKDIR or RUN mkdir before USER belong to root.",
    fix="chown the folders the app writes (logs, uploads, data) to the user before USER.",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="After the final USER switches to non-root, warns about a RUN that writes into a folder root made "
        "(WORKDIR, `RUN mkdir`) and about data folders (logs, uploads, data, cache, tmp...) made by root and "
        "never chowned or copied with `--chown`.",
        why="The app fails with permission denied when writing logs or uploads, or `RUN mkdir -p logs` fails "
        "during the build (pitfall 31).",
        example="FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/logs\nUSER node\n"
        'CMD ["node", "server.js"]\n',
        use_instead="FROM node:22-slim\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/logs && chown node /app/logs\n"
        'USER node\nCMD ["node", "server.js"]\n',
    ),
    check=check,
)
