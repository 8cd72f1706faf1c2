"""SW601 late-cleanup: `RUN rm` / `RUN chown -R` in a later layer don't shrink the image (pitfall 30)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned

_CREATORS = frozenset({"mkdir", "apt-get", "apt", "apk", "yum", "dnf", "pip", "pip3", "npm", "curl", "wget", "tar",
                       "unzip", "git", "cp", "mv", "touch", "ln", "install", "adduser", "useradd"})  # fmt: skip


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ins, cmds in ctx.facts(ctx.final).runs:
        programs = {c.program for c in cmds}
        creates = bool(programs & _CREATORS)
        for c in cmds:
            recursive = any(
                a in ("-R", "--recursive") or (a.startswith("-") and "R" in a and not a.startswith("--"))
                for a in c.args
            )
            if c.program in ("chown", "chmod") and recursive and not creates:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} changes ownership or mode of files added by earlier layers, so "
                        "every touched file is copied into a new layer: the image grows by the size of what it "
                        "changes.",
                        ins.line,
                        ins.snippet,
                        hint="Set owner and mode while copying: `COPY --from=build --chown=app:app --chmod=755 ...`.",
                    )
                )
                break
            if c.program == "rm" and programs <= {"rm", "true", "echo", "find"}:
                out.append(
                    warned(
                        f"Line {ins.line}: {q(ins)} deletes files in a later layer; they stay in the earlier layer, "
                        "so the image does not get smaller.",
                        ins.line,
                        ins.snippet,
                        hint="Don't copy the files into the final stage in the first place, or delete them in the "
                        "same RUN that creates them.",
                    )
                )
                break
    if not out:
        out.append(passed("No late rm/chown -R layers in the final stage.", ctx.final.line))
    return out


RULE = Rule(
    id="SW601",
    name="late-cleanup",
    concern=Concern.SIZE,
    title="Don't clean up or chown in a later layer",
    rationale="Layers only add: a later delete hides files, a later chown duplicates them.",
    fix="Use `COPY --chown/--chmod`, and don't copy what you would delete.",
    lesson="lessons/01-the-fat-image-problem/#why-size-matters",
    kind=Kind.STATIC,
    weight=1.0,
    doc=RuleDoc(
        what="In the final stage, fails a RUN with `chown -R`/`chmod -R` that does not also create the files it "
        "changes, and warns about a RUN that only deletes files (`rm -rf ...`).",
        why="`RUN chown -R app /app` copies every file under /app into a new layer, doubling its size; "
        "`RUN rm -rf` after a COPY leaves the bytes in the COPY layer (pitfall 30).",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n\n"
        "FROM node:22-slim\nWORKDIR /app\nCOPY --from=build /app/node_modules ./node_modules\nCOPY server.js ./\n"
        'RUN chown -R node:node /app\nUSER node\nCMD ["node", "server.js"]\n',
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n\n"
        "FROM node:22-slim\nWORKDIR /app\nCOPY --from=build --chown=node:node /app/node_modules ./node_modules\n"
        'COPY --chown=node:node server.js ./\nUSER node\nCMD ["node", "server.js"]\n',
    ),
    check=check,
)
