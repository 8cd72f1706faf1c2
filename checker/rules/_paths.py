"""What paths a stage makes, as far as its Dockerfile shows: WORKDIRs, COPY destinations and the outputs of
RUN commands (`-o`, `--output`, `mkdir`, redirections, the usual build folders of Maven, Gradle and npm).

Used by the rules that ask "which stage holds this path?" (SW701) and "who owns this path?" (SW407). It is
a best effort from the text: a path it does not list may still exist (the base image's own files), so rules
only draw conclusions from paths it *does* list.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from checker.analysis import Context, split_commands
from checker.model import Instruction, Stage

_REDIRECT = re.compile(r"(?<![0-9&])>{1,2}\s*([^\s;&|<>]+)")
_OUT_OPTS = frozenset({"-o", "--output", "--out", "--outdir", "--out-dir", "--output-dir", "--dest"})
_TOOL_OUTPUT = {"mvn": "target", "mvnw": "target", "gradle": "build/libs", "gradlew": "build/libs"}
_NODE_BUILD_DIRS = ("dist", "build")


@dataclass(frozen=True, slots=True)
class Made:
    path: str  # absolute, normalised
    instr: Instruction
    how: str  # "WORKDIR", "COPY", "RUN mkdir", "RUN go build -o"...


def _abs(path: str, workdir: str) -> str:
    p = path.strip("'\"")
    if not p.startswith("/"):
        p = posixpath.join(workdir or "/", p)
    return posixpath.normpath(p)


def _usable(word: str) -> bool:
    return bool(word) and "$" not in word and not word.startswith("-") and word not in ("/dev/null", "&1", "&2")


def made_by_run(ins: Instruction) -> list[Made]:
    assert ins.run is not None
    out: list[Made] = []
    wd = ins.workdir
    for cmd in split_commands(ins.run.script):
        args = cmd.args
        for i, word in enumerate(args):
            nxt = args[i + 1] if i + 1 < len(args) else ""
            if word in _OUT_OPTS and _usable(nxt):
                out.append(Made(_abs(nxt, wd), ins, f"RUN {cmd.program} {word}"))
            elif word.startswith(("-o/", "--output=", "--outdir=", "--out-dir=")):
                val = word.split("=", 1)[1] if "=" in word else word[2:]
                if _usable(val):
                    out.append(Made(_abs(val, wd), ins, f"RUN {cmd.program}"))
        if cmd.program in ("mkdir", "touch"):
            out += [Made(_abs(w, wd), ins, f"RUN {cmd.program}") for w in args if _usable(w)]
        elif cmd.program in ("cp", "mv", "ln", "install") and len([a for a in args if not a.startswith("-")]) >= 2:
            dest = [a for a in args if not a.startswith("-")][-1]
            if _usable(dest):
                out.append(Made(_abs(dest, wd), ins, f"RUN {cmd.program}"))
        elif cmd.program in _TOOL_OUTPUT:
            out.append(Made(_abs(_TOOL_OUTPUT[cmd.program], wd), ins, f"RUN {cmd.program}"))
        elif cmd.program in ("npm", "pnpm", "yarn") and "build" in args[:2]:
            out += [Made(_abs(d, wd), ins, f"RUN {cmd.program} run build") for d in _NODE_BUILD_DIRS]
    for m in _REDIRECT.finditer(ins.run.script):
        if _usable(m.group(1)):
            out.append(Made(_abs(m.group(1), wd), ins, "RUN >"))
    return out


def made_in_stage(stage: Stage) -> list[Made]:
    """Paths this stage itself creates (not its base stages')."""
    out: list[Made] = []
    for ins in stage.instructions:
        if ins.keyword == "WORKDIR" and ins.args and _usable(ins.args[0]):
            out.append(Made(_abs(ins.args[0], ins.workdir), ins, "WORKDIR"))
        elif ins.copy is not None:
            cp = ins.copy
            out.append(Made(posixpath.normpath(cp.dest_abs), ins, "COPY"))
            if cp.dest_is_dir:
                for src in cp.sources:
                    base = posixpath.basename(src.rstrip("/"))
                    if base and not any(c in base for c in "*?[") and base not in (".", ".."):
                        out.append(Made(posixpath.join(posixpath.normpath(cp.dest_abs), base), ins, "COPY"))
        elif ins.run is not None:
            out += made_by_run(ins)
    return out


def made_in_chain(ctx: Context, stage: Stage) -> list[Made]:
    """Paths the stage and the stages it is built FROM create."""
    out: list[Made] = []
    for st in reversed(ctx.df.ancestors(stage)):
        out += made_in_stage(st)
    return out


def covers(made: str, wanted: str) -> bool:
    """True when a made path is the wanted path, holds it, or lies inside it (a directory that was filled)."""
    if made == "/" or wanted == "/":
        return False
    return made == wanted or wanted.startswith(made.rstrip("/") + "/") or made.startswith(wanted.rstrip("/") + "/")


def stage_makes(ctx: Context, stage: Stage, path: str) -> Made | None:
    """The instruction of the stage's chain that (as far as the text shows) makes `path`, if any."""
    glob_free = path.split("*", 1)[0].rstrip("/") or "/"
    norm = posixpath.normpath(glob_free)
    best: Made | None = None
    for m in made_in_chain(ctx, stage):
        if m.how == "WORKDIR" and not (m.path == norm or m.path.startswith(norm.rstrip("/") + "/")):
            continue  # a WORKDIR makes its folder, nothing under it
        if covers(m.path, norm) and (best is None or len(m.path) > len(best.path)):
            best = m
    return best
