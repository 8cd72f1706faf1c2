"""Parse a Dockerfile into the shared :mod:`checker.model` with BuildKit's own parser.

`parse(text)` returns a :class:`~checker.model.Dockerfile` or raises :class:`ParseError` (message + line,
never a traceback). The Go parser (the ``dockerfile`` package) does the lexing: continuations, the
``# escape=`` directive, heredocs, JSON vs shell form, CRLF, lower-case keywords. On top of it this module:

* reads the parser directives (``# syntax=``, ``# escape=``, ``# check=``) that the binding drops,
* rejects what BuildKit rejects after parsing (unknown instructions and flags, ``FROM`` arity and stage
  names, instructions before the first ``FROM``, missing arguments) with BuildKit's wording,
* substitutes ARG defaults declared before the first FROM into ``FROM`` (``$VAR``, ``${VAR}``,
  ``${VAR:-x}``, ``${VAR-x}``, ``${VAR:+x}``, ``${VAR+x}``),
* tracks WORKDIR per instruction and resolves COPY destinations and ``--from``/``--mount from=`` refs,
* builds the stage references (``Dockerfile.refs``) with BuildKit's resolution rules: a ``--from`` value
  is a stage name (any stage, case-insensitive), else a stage index, else an image reference; a
  ``FROM`` only sees earlier stages.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Mapping

import dockerfile as _gop

from checker.image_roles import KNOWN_IMAGE_NAMES, classify, looks_like_image, parse_ref
from checker.model import (
    ArgDecl,
    CopySpec,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    Mount,
    RunSpec,
    Stage,
    StageRef,
)


class ParseError(Exception):
    """The Dockerfile cannot be parsed; ``line`` is 1-based when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


KNOWN_INSTRUCTIONS = frozenset(
    {
        "FROM", "RUN", "CMD", "LABEL", "MAINTAINER", "EXPOSE", "ENV", "ADD", "COPY", "ENTRYPOINT",
        "VOLUME", "USER", "WORKDIR", "ARG", "ONBUILD", "STOPSIGNAL", "HEALTHCHECK", "SHELL",
    }
)  # fmt: skip

_ALLOWED_FLAGS: dict[str, frozenset[str]] = {
    "FROM": frozenset({"platform"}),
    "COPY": frozenset({"from", "chown", "chmod", "link", "parents", "exclude"}),
    "ADD": frozenset({"chown", "chmod", "link", "checksum", "keep-git-dir", "exclude", "parents", "unpack"}),
    "RUN": frozenset({"mount", "network", "security", "device"}),
    "HEALTHCHECK": frozenset({"interval", "timeout", "start-period", "start-interval", "retries"}),
}

PLATFORM_ARGS = frozenset(
    {
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    }
)  # fmt: skip

# The values BuildKit gives the automatic platform ARGs when a FROM line uses them (`FROM runtime-$TARGETARCH`):
# the checker reads a file as if it were built for linux/amd64, the platform of the machine it runs on.
_PLATFORM_DEFAULTS: dict[str, str] = {
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
}  # fmt: skip

_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_KNOWN_DIRECTIVES = frozenset({"syntax", "escape", "check"})
_STAGE_NAME = re.compile(r"^[a-z][a-z0-9\-_.]*$")
_VAR = re.compile(r"\\\$|\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_MAX_LINE = 65536
_NO_FLAGS: frozenset[str] = frozenset()


# ----------------------------------------------------------------------------------------- helpers


def read_directives(text: str) -> tuple[dict[str, str], dict[str, int]]:
    """Parser directives at the top of the file (they end at the first line that is not one)."""
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    if not text.lstrip(" \t\ufeff").startswith("#"):
        return values, lines
    for n, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        m = _DIRECTIVE.match(line)
        if not m:
            break
        key = m.group(1).lower()
        if key not in _KNOWN_DIRECTIVES:
            break
        if key in values:
            raise ParseError(f"only one {key} parser directive can be used", n)
        values[key] = m.group(2)
        lines[key] = n
    return values, lines


def expand(word: str, scope: Mapping[str, str | None]) -> tuple[str, bool]:
    """Substitute ``$VAR``/``${VAR...}`` from ``scope``; returns (text, every variable had a value)."""
    if "$" not in word:
        return word, True
    ok = True

    def sub(m: re.Match[str]) -> str:
        nonlocal ok
        if m.group(0) == "\\$":
            return "$"
        name = m.group(1) or m.group(4)
        op = m.group(2)
        arg = m.group(3) or ""
        present = name in scope and scope[name] is not None
        value = scope.get(name) or ""
        if op is None:
            if not present:
                ok = False
            return value
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if present else arg
        if op == ":+":
            return arg if value else ""
        if op == "+":
            return arg if present else ""
        # ${VAR:?msg} / ${VAR?msg}
        if not present:
            ok = False
        return value

    return _VAR.sub(sub, word), ok


def unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        inner = value[1:-1]
        return inner.replace('\\"', '"') if value[0] == '"' else inner
    return value


def _split_flag(raw: str) -> Flag:
    body = raw[2:] if raw.startswith("--") else raw.lstrip("-")
    name, sep, value = body.partition("=")
    return Flag(name.lower(), unquote(value) if sep else None)


def _parse_mount(value: str, scope: Mapping[str, str | None]) -> Mount:
    opts: dict[str, str] = {}
    for part in value.split(","):
        k, _, v = part.partition("=")
        opts[k.strip().lower()] = v.strip()
    from_ref = opts.get("from")
    return Mount(
        type=opts.get("type", "bind") or "bind",
        from_ref=expand(from_ref, scope)[0] if from_ref else None,
        source=opts.get("source") or opts.get("src"),
        target=opts.get("target") or opts.get("dst") or opts.get("destination"),
        id=opts.get("id"),
        raw=value,
    )


def _join(workdir: str, path: str) -> str:
    full = path if path.startswith("/") else workdir.rstrip("/") + "/" + path if workdir else "/" + path
    if "//" in full or "/." in full or (full.endswith("/") and len(full) > 1):
        full = posixpath.normpath(full)
        if full.startswith("//"):
            full = full[1:]
    return full or "/"


def _closest(name: str, candidates: list[str]) -> str | None:
    if not candidates:
        return None
    low = name.lower()
    for c in candidates:
        if _edit_distance_le(low, c, 2):
            return c
    hits = difflib.get_close_matches(low, candidates, n=1, cutoff=0.75)
    return hits[0] if hits else None


def _edit_distance_le(a: str, b: str, k: int) -> bool:
    """Damerau-Levenshtein (optimal string alignment) distance <= k, for short stage names."""
    if abs(len(a) - len(b)) > k:
        return False
    if len(a) > 64 or len(b) > 64:
        return a == b
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        cur = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        prev2, prev = prev, cur
    return prev[-1] <= k


def _go_parse(text: str) -> tuple[_gop.Command, ...]:
    try:
        return tuple(_gop.parse_string(text))
    except _gop.GoParseError:
        raise
    except Exception as exc:  # encoding problems in the binding, e.g. lone surrogates
        raise ParseError(f"the Dockerfile could not be read: {exc}") from None


def _locate(text: str, message: str) -> int | None:
    """Find the first line at which the Go parser starts failing with ``message`` (bisection)."""
    lines = text.splitlines(keepends=True)

    def fails(k: int) -> bool:
        try:
            _gop.parse_string("".join(lines[:k]))
        except _gop.GoParseError as exc:
            return str(exc) == message
        except Exception:
            return False
        return False

    lo, hi = 1, len(lines)
    if hi == 0 or not fails(hi):
        return None
    while lo < hi:
        mid = (lo + hi) // 2
        if fails(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo


def _friendly_go_error(text: str, message: str) -> ParseError:
    if message == "file with no instructions":
        for n, line in enumerate(text.splitlines(), start=1):
            if len(line) >= _MAX_LINE:
                return ParseError(
                    f"line {n} is {len(line)} characters long; the Dockerfile parser reads lines of at most "
                    "64 KiB (bufio.Scanner: token too long)",
                    n,
                )
        return ParseError("the Dockerfile has no instructions: it needs at least a FROM line", None)
    if message.startswith("invalid escape token"):
        return ParseError(message, 1)
    where = _locate(text, message)
    if message == "unterminated heredoc":
        message = (
            "unterminated heredoc: the closing delimiter line was never found (it must stand alone on its "
            "own line, without leading spaces unless you use <<-)"
        )
    return ParseError(message, where)


# ----------------------------------------------------------------------------------------- parse


def parse(text: str) -> Dockerfile:
    if text.startswith("\ufeff"):
        text = text[1:]
    nul = text.find("\x00")
    if nul >= 0:
        raise ParseError(
            "the file contains a NUL byte: is it a binary file, or saved as UTF-16? Save it as UTF-8 text",
            text.count("\n", 0, nul) + 1,
        )
    directives, directive_lines = read_directives(text)
    escape = directives.get("escape")
    if escape is not None and escape not in ("\\", "`"):
        raise ParseError(f"invalid escape token '{escape}' does not match ` or \\", directive_lines["escape"])
    try:
        commands = _go_parse(text)
    except _gop.GoParseError as exc:
        raise _friendly_go_error(text, str(exc)) from None

    global_args: list[ArgDecl] = []
    global_scope: dict[str, str | None] = {}
    stages: list[Stage] = []
    by_name: dict[str, int] = {}
    pending_refs: list[tuple[str, int, Instruction, str]] = []  # kind, stage, instr, value
    scope: dict[str, str | None] = {}
    current: Stage | None = None
    workdir = "/"

    for cmd in commands:
        if not cmd.cmd:
            continue  # a stray line continuation with nothing after it
        keyword = cmd.cmd.upper()
        line = cmd.start_line
        if keyword not in KNOWN_INSTRUCTIONS:
            shown = cmd.cmd if len(cmd.cmd) <= 80 else cmd.cmd[:77] + "..."
            why = ""
            if cmd.cmd.startswith("//"):
                why = (" (a Dockerfile comment starts with `#`; a `//syntax=` line would ask BuildKit for another "
                       "frontend, which the checker never fetches)")
            elif cmd.cmd.startswith("{"):
                why = " (a Dockerfile is not JSON)"
            raise ParseError(f"unknown instruction: {shown}{why}", line)
        raw_flags = cmd.flags
        if raw_flags:
            flags = tuple(map(_split_flag, raw_flags))
            allowed = _ALLOWED_FLAGS.get(keyword, _NO_FLAGS)
            for f in flags:
                if f.name not in allowed:
                    raise ParseError(f"unknown flag: {f.name}", line)
        else:
            flags = ()
        args = tuple(cmd.value)
        instr = Instruction(
            keyword=keyword,
            line=line,
            end_line=cmd.end_line,
            original=cmd.original,
            args=args,
            flags=flags,
            json=bool(cmd.json),
            heredocs=tuple(Heredoc(h.name, h.content) for h in cmd.heredocs) if cmd.heredocs else (),
            sub_keyword=cmd.sub_cmd.upper() if cmd.sub_cmd else None,
        )

        if keyword == "ARG" and not args:
            raise ParseError("ARG requires exactly one argument", line)

        if keyword == "FROM":
            if len(args) not in (1, 3):
                raise ParseError("FROM requires either one or three arguments", line)
            if len(args) == 3 and args[1].lower() != "as":
                raise ParseError("FROM requires either one or three arguments: the second one must be AS", line)
            name_written = args[2] if len(args) == 3 else None
            name = name_written.lower() if name_written else None
            if name is not None and not _STAGE_NAME.match(name):
                raise ParseError(
                    f'invalid name for build stage: "{name_written}", name can\'t start with a number or '
                    "contain symbols",
                    line,
                )
            base_raw = args[0]
            from_scope = {**_PLATFORM_DEFAULTS, **{k: v for k, v in global_scope.items() if v is not None}}
            base, resolved = expand(base_raw, {**global_scope, **from_scope})
            index = len(stages)
            base_stage = None
            low = base.lower()
            if low in by_name:
                base_stage = by_name[low]
            elif name is not None and low == name:
                pass  # FROM x AS x: pulls image x
            platform = instr.flag("platform")
            instr.stage_index = index
            current = Stage(
                index=index,
                name=name,
                name_as_written=name_written,
                base_raw=base_raw,
                base=base,
                base_resolved=resolved,
                base_stage=base_stage,
                platform=platform,
                from_instr=instr,
            )
            if base_stage is not None:
                parent = stages[base_stage]
                workdir = parent.final_workdir
                scope = {k: v for k, v in parent.env.items()}
                current.env = dict(parent.env)
            else:
                workdir = classify(base).workdir if resolved else "/"
                scope = {}
            current.final_workdir = workdir
            if base_stage is None and low != "scratch":
                pending_refs.append(("from", index, instr, base))
            stages.append(current)
            if name is not None and name not in by_name:
                by_name[name] = index
            continue

        if current is None:
            if keyword == "ARG":
                for a in args:
                    k, sep, v = a.partition("=")
                    gdefault = expand(unquote(v), global_scope)[0] if sep else None
                    global_args.append(ArgDecl(k, gdefault, line))
                    global_scope[k] = gdefault
                continue
            raise ParseError("no build stage in current context", line)

        instr.stage_index = current.index
        instr.workdir = workdir

        if keyword == "ARG":
            for a in args:
                k, sep, v = a.partition("=")
                if sep:
                    default: str | None = expand(unquote(v), scope)[0]
                else:
                    default = global_scope.get(k)
                current.args[k] = default
                scope[k] = default
        elif keyword == "ENV":
            if len(args) % 2:
                raise ParseError("ENV must have two arguments", line)
            for k, v in zip(args[0::2], args[1::2], strict=True):
                val = expand(unquote(v), scope)[0]
                current.env[k] = val
                scope[k] = val
        elif keyword == "WORKDIR":
            if len(args) != 1:
                raise ParseError("WORKDIR requires exactly one argument", line)
            workdir = _join(workdir, expand(unquote(args[0]), scope)[0])
            current.final_workdir = workdir
        elif keyword in ("COPY", "ADD"):
            heredoc = bool(instr.heredocs)
            if len(args) < 2 and not (heredoc and len(args) >= 1):
                raise ParseError(
                    f"{keyword} requires at least two arguments, but only one was provided. Destination "
                    "could not be determined.",
                    line,
                )
            parts = [expand(a, scope)[0] for a in args]
            sources, dest = tuple(parts[:-1]), parts[-1]
            from_flag = instr.flag("from") if flags and keyword == "COPY" else None
            from_ref = expand(from_flag, scope)[0] if from_flag else None
            dest_is_dir = dest.endswith("/") or dest in (".", "./") or len(sources) > 1
            instr.copy = CopySpec(
                sources=sources,
                dest=dest,
                dest_abs=_join(workdir, dest),
                dest_is_dir=dest_is_dir,
                from_ref=from_ref,
                chown=instr.flag("chown") if flags else None,
                chmod=instr.flag("chmod") if flags else None,
                link=bool(flags) and instr.has_flag("link") and instr.flag("link") != "false",
                is_add=keyword == "ADD",
                heredoc=heredoc,
            )
            if from_ref:
                pending_refs.append(("copy", current.index, instr, from_ref))
        elif keyword == "RUN":
            if not args and not instr.heredocs:
                raise ParseError("RUN requires at least one argument", line)
            script = " ".join(args)
            if instr.heredocs:
                script = script + "\n" + "\n".join(h.content for h in instr.heredocs)
            mounts = tuple(_parse_mount(f.value or "", scope) for f in flags if f.name == "mount") if flags else ()
            instr.run = RunSpec(script=script, shell_form=not instr.json, mounts=mounts)
            for m in mounts:
                if m.from_ref:
                    pending_refs.append(("mount", current.index, instr, m.from_ref))
        elif keyword == "USER":
            if len(args) != 1:
                raise ParseError("USER requires exactly one argument", line)
        elif keyword == "EXPOSE":
            if not args:
                raise ParseError("EXPOSE requires at least one argument", line)
        elif keyword == "HEALTHCHECK":
            if not args:
                raise ParseError("HEALTHCHECK requires at least one argument", line)
            kind = args[0].upper()
            if kind not in ("CMD", "NONE"):
                raise ParseError(f'Unknown type "{args[0]}" in HEALTHCHECK (try CMD)', line)
            if kind == "CMD" and len(args) < 2:
                raise ParseError("Missing command after HEALTHCHECK CMD", line)
        elif keyword == "ONBUILD" and instr.sub_keyword in ("ONBUILD", "FROM", "MAINTAINER"):
            raise ParseError(f"{instr.sub_keyword} isn't allowed as an ONBUILD trigger", line)

        current.instructions.append(instr)

    if not stages:
        last = commands[-1].start_line if commands else None
        raise ParseError("no build stage in current context: the Dockerfile has no FROM line", last)

    df = Dockerfile(
        text=text,
        directives=directives,
        directive_lines=directive_lines,
        global_args=global_args,
        stages=stages,
        refs=[],
        _by_name=by_name,
    )
    names = list(by_name)
    for kind, stage_index, instr, value in pending_refs:
        df.refs.append(_resolve(kind, stage_index, instr, value, df, names))
    for st in stages:
        if st.base_stage is not None:
            df.refs.append(StageRef("from", st.index, st.from_instr, st.base, st.base_stage))
    return df


def _resolve(kind: str, stage_index: int, instr: Instruction, value: str, df: Dockerfile, names: list[str]) -> StageRef:
    v = value.strip()
    low = v.lower()
    ref = StageRef(kind="copy", stage_index=stage_index, instruction=instr, raw=v, target=None)
    if kind == "mount":
        ref.kind = "mount"
    if kind == "from":
        # a FROM only sees earlier stages; a later stage of that name means an image pull
        ref.kind = "from"
        ref.external = True
        later = df._by_name.get(low)
        if later is not None and later >= stage_index:
            ref.problem = "forward"
            ref.external = False
        return ref
    target: int | None = None
    if low in df._by_name:
        target = df._by_name[low]
    elif v.isdigit():
        ref.numeric = True
        idx = int(v)
        if idx >= len(df.stages):
            ref.problem = "out-of-range"
            return ref
        target = idx
    if target is not None:
        ref.target = target
        if target == stage_index:
            ref.problem = "self"
        elif target > stage_index:
            ref.problem = "forward"
        return ref
    suggestion = _closest(low, names)
    if suggestion is not None and not looks_like_image(v):
        ref.problem = "undefined"
        ref.suggestion = suggestion
        return ref
    if looks_like_image(v):
        ref.external = True
        return ref
    if parse_ref(v).path in KNOWN_IMAGE_NAMES:
        ref.external = True
        ref.problem = "image-like-name"
        return ref
    ref.problem = "undefined"
    ref.suggestion = suggestion
    return ref
