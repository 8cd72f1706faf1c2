"""Find every base image the course's Dockerfiles use.

Scans Dockerfile, *.Dockerfile and Dockerfile.* under the course folders and returns each external image
a build would need: FROM lines (global ARG defaults substituted; earlier stages and `scratch` skipped),
`COPY --from=<image>` and `RUN --mount=...,from=<image>` (a bare unknown word there is taken for a misspelt
stage, not an image). Heredoc bodies are skipped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

from checker.image_roles import KNOWN_IMAGE_NAMES, looks_like_image
from checker.images.catalogue import TAGS, normalize_ref

SCAN_DIRS = ("lessons", "exercises", "solutions", "tests", "examples", "benchmarks")
SKIP_DIRS = {".git", "node_modules", ".venv", "__pycache__", "target", "dist", ".pytest_cache"}
# A folder holding this file keeps Dockerfiles that are only read, never built (the labelled corpus of
# public Dockerfiles names images no offline recipe provides): its images are not needed.
NOT_BUILT_MARKER = ".stagewise-not-built"
REPO = Path(__file__).resolve().parents[2]

_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
_VAR = re.compile(
    r"\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?P<op>:?[-+])?(?P<word>[^}]*)\}"
    r"|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))"
)


@dataclass(frozen=True)
class ImageReference:
    """One external image a Dockerfile needs."""

    ref: str  # as the build would see it (ARG defaults substituted)
    file: Path
    line: int
    instruction: str  # "FROM", "COPY --from" or "RUN --mount"

    @property
    def normalized(self) -> str:
        return normalize_ref(self.ref)

    def where(self, root: Path | None = None) -> str:
        path = self.file
        if root is not None:
            try:
                path = self.file.resolve().relative_to(root.resolve())
            except ValueError:
                pass
        return f"{path}:{self.line}"


@dataclass
class _Instruction:
    keyword: str
    rest: str
    line: int


def is_dockerfile(path: Path) -> bool:
    name = path.name
    low = name.lower()
    return low == "dockerfile" or low.endswith(".dockerfile") or low.startswith("dockerfile.")


def dockerfiles(root: Path = REPO, dirs: tuple[str, ...] = SCAN_DIRS) -> list[Path]:
    found: list[Path] = []
    for d in dirs:
        base = root / d
        if not base.is_dir():
            continue
        stack = [base]
        while stack:
            current = stack.pop()
            try:
                entries = sorted(current.iterdir())
            except OSError:
                continue
            for entry in entries:
                if entry.is_dir() and not entry.is_symlink():
                    if entry.name not in SKIP_DIRS and not (entry / NOT_BUILT_MARKER).exists():
                        stack.append(entry)
                elif entry.is_file() and is_dockerfile(entry):
                    found.append(entry)
    return sorted(found)


def _instructions(text: str) -> list[_Instruction]:
    lines = text.splitlines()
    escape = "\\"
    # parser directives: only at the very top, as comments
    for raw in lines:
        m = re.match(r"^\s*#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$", raw)
        if not m:
            break
        if m.group(1).lower() == "escape" and m.group(2) in ("`", "\\"):
            escape = m.group(2)
    out: list[_Instruction] = []
    i = 0
    while i < len(lines):
        raw = lines[i]
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        start = i + 1
        parts: list[str] = []
        while True:
            current = lines[i].rstrip()
            if current.endswith(escape):
                parts.append(current[: -len(escape)])
                i += 1
                # comment and empty lines inside a continuation are dropped
                while i < len(lines) and (not lines[i].strip() or lines[i].strip().startswith("#")):
                    i += 1
                if i >= len(lines):
                    break
                continue
            parts.append(current)
            i += 1
            break
        joined = " ".join(p.strip() for p in parts).strip()
        keyword, _, rest = joined.partition(" ")
        instr = _Instruction(keyword.upper(), rest.strip(), start)
        out.append(instr)
        if instr.keyword in ("RUN", "COPY", "ADD"):
            for m in _HEREDOC.finditer(instr.rest):
                strip_tabs = m.group(1) == "-"
                terminator = m.group(3)
                while i < len(lines):
                    body = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    i += 1
                    if body.rstrip("\r") == terminator:
                        break
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _parse_args(rest: str) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    try:
        words = shlex.split(rest)
    except ValueError:
        words = rest.split()
    for word in words:
        name, eq, value = word.partition("=")
        out[name] = _unquote(value) if eq else None
    return out


def expand(value: str, args: dict[str, str | None]) -> str | None:
    """Substitute $VAR, ${VAR}, ${VAR:-default}, ${VAR:+alt}; None when a variable has no value."""
    unresolved = False

    def sub(m: re.Match[str]) -> str:
        nonlocal unresolved
        name = m.group("braced") or m.group("plain")
        op = m.group("op")
        word = m.group("word") or ""
        val = args.get(name)
        if op in (":-", "-"):
            if val is None or (op == ":-" and val == ""):
                return word
            return val
        if op in (":+", "+"):
            return word if val else ""
        if val is None:
            unresolved = True
            return ""
        return val

    out = _VAR.sub(sub, value)
    return None if unresolved else out


def _flags(rest: str) -> tuple[list[str], str]:
    """Leading --flags of an instruction, and what follows them."""
    flags: list[str] = []
    remaining = rest
    while remaining.startswith("--"):
        word, _, remaining = remaining.partition(" ")
        flags.append(word)
        remaining = remaining.lstrip()
    return flags, remaining


_BARE_NAMES = KNOWN_IMAGE_NAMES | {t.split(":", 1)[0] for t in TAGS}


def _image_like(name: str) -> bool:
    """Whether a `--from` value names an image. A bare unknown word (`--from=biuld`) is far more likely a
    misspelt stage than an image; it is not collected (the build itself will fail on it)."""
    return looks_like_image(name) or name.lower() in _BARE_NAMES


def references_in(path: Path) -> list[ImageReference]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    instructions = _instructions(text)
    stages: set[str] = set()
    n_from = 0
    for ins in instructions:
        if ins.keyword == "FROM":
            words = ins.rest.split()
            if len(words) >= 3 and words[-2].lower() == "as":
                stages.add(words[-1].lower())
            n_from += 1
    stage_indexes = {str(n) for n in range(n_from)}

    global_args: dict[str, str | None] = {}
    stage_args: dict[str, str | None] = {}
    earlier: set[str] = set()  # stages defined so far: FROM may only name those
    seen_from = False
    refs: list[ImageReference] = []

    def external(name: str) -> bool:
        low = name.lower()
        return bool(low) and low not in stages and low not in stage_indexes and low != "scratch"

    def external_from(name: str) -> bool:
        return bool(name) and name.lower() != "scratch"

    for ins in instructions:
        if ins.keyword == "ARG":
            parsed = _parse_args(ins.rest)
            if not seen_from:
                for k, v in parsed.items():
                    global_args[k] = expand(v, global_args) if v is not None else None
            else:
                for k, v in parsed.items():
                    # a bare `ARG NAME` in a stage re-imports the global default
                    stage_args[k] = (expand(v, {**global_args, **stage_args}) if v is not None
                                     else global_args.get(k))
        elif ins.keyword == "FROM":
            seen_from = True
            stage_args = {}
            _, remaining = _flags(ins.rest)
            words = remaining.split()
            if not words:
                continue
            image = expand(words[0], global_args)
            if image is not None and image.lower() not in earlier and external_from(image):
                refs.append(ImageReference(image, path, ins.line, "FROM"))
            if len(words) >= 3 and words[-2].lower() == "as":
                earlier.add(words[-1].lower())
        elif ins.keyword in ("COPY", "RUN"):
            flags, _ = _flags(ins.rest)
            scope = {**global_args, **stage_args}
            for flag in flags:
                source: str | None = None
                if ins.keyword == "COPY" and flag.startswith("--from="):
                    source = _unquote(flag[len("--from="):])
                elif ins.keyword == "RUN" and flag.startswith("--mount="):
                    for item in flag[len("--mount="):].split(","):
                        key, _, val = item.partition("=")
                        if key.strip().lower() == "from":
                            source = _unquote(val.strip())
                if source is None:
                    continue
                image = expand(source, scope)
                if image is not None and external(image) and _image_like(image):
                    kind = "COPY --from" if ins.keyword == "COPY" else "RUN --mount"
                    refs.append(ImageReference(image, path, ins.line, kind))
    return refs


def collect_references(root: Path = REPO) -> list[ImageReference]:
    out: list[ImageReference] = []
    for path in dockerfiles(root):
        out += references_in(path)
    return out
