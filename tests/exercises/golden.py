"""Golden files of the feedback text: the rendered text report of each catalogue entry, kept in
tests/exercises/golden/<exercise>/<entry>.txt, so that a change of wording is a diff someone reviews.

`normalise` is pure: it takes the text renderer's output and replaces what differs between two runs of the
same check (build and probe times, image and container ids, digests, image sizes, temporary paths, the
ports the smoke run picks, the engine's version) by fixed placeholders, and drops the panel's frame, whose
width follows the longest line. Everything a learner reads as the checker's wording stays as it is:
rule ids, line numbers, Dockerfile snippets (`--interval=10s` is not a time the run measured), scores.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

UPDATE_ENV = "STAGEWISE_UPDATE_GOLDEN"

_FRAME_SIDE = "│"
_FRAME_EDGES = ("╭", "╰")

# (pattern, replacement), applied in order. Look-behinds keep numbers glued to `=`, letters or dots (a
# Dockerfile's `--interval=10s`, a tag such as `1.25-alpine`, a version `go1.23.4`) out of the time and size
# patterns.
_ISO_TIME = re.compile(r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?")
# nginx's logs: `2026/12/02 14:10:30` (error log), `[02/Dec/2026:14:10:30 +0000]` (access log)
_LOG_TIME = re.compile(r"\b\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\b|\b\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2}(?: [+-]\d{4})?")
# What a container's log says about the machine it ran on (nginx's start-up notices): worker pids, the kernel,
# the open-files limit
_MACHINE = [(re.compile(r"\b(worker process )\d+\b"), r"\1<pid>"),
            (re.compile(r"\b(OS: Linux )\S+"), r"\1<kernel>"),
            (re.compile(r"\b(getrlimit\(RLIMIT_NOFILE\): )\d+:\d+"), r"\1<limit>")]
_CLOCK = re.compile(r"(?<![\w:.])\d{1,2}:\d{2}:\d{2}(?:\.\d+)?(?![\w:])")
_DIGEST = re.compile(r"\bsha256:[0-9a-f]{6,64}\b")
_HEX_ID = re.compile(r"(?<![\w/.-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{12,64}(?![\w-])")
_ENGINE = re.compile(r"(\bon Docker )\S+")
# Measured times are printed with a decimal point (`53.1 s`); a whole number of seconds in a message is wording
# (`docker stop` waits 10 s) and stays.
_DURATION = re.compile(r"(?<![\w=.:/-])\d+\.\d+\s?(?:ms|s|sec|seconds?|min|minutes?)(?![\w/])")
# A measured size has a decimal point or a space before its unit (`6.4 MB`, `20 MB`, `2.5kB`); `2B` glued to its
# unit is a quoted message (`transferring context: 2B`) and stays.
_SIZE = re.compile(r"(?<![\w=.:/-])(?:\d+\.\d+\s?|\d+\s)(?:B|bytes|kB|KB|KiB|MB|MiB|GB|GiB)(?![\w/])")
# BuildKit's references to a build's context or stage (`failed to calculate checksum of ref <uuid>::<id>`)
_BUILDKIT_REF = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}(?:::[0-9a-z]+)?\b")
_HOST_PORT = re.compile(r"\b(127\.0\.0\.1|localhost|0\.0\.0\.0|\[::1\]):\d{5}\b")
_PORT_WORD = re.compile(r"\b(port |PORT=|NGINX_PORT=)\d{5}\b")


def _unframe(text: str) -> list[str]:
    out = []
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped.startswith(_FRAME_EDGES):
            continue
        if stripped.startswith(_FRAME_SIDE) and stripped.endswith(_FRAME_SIDE) and len(stripped) >= 2:
            stripped = stripped[1:-1]
            if stripped.startswith(" "):
                stripped = stripped[1:]
        out.append(stripped.rstrip())
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return out


def _paths(line: str, fixed: Sequence[tuple[str, str]], tmp_roots: Sequence[str]) -> str:
    for root, name in fixed:
        line = line.replace(root, name)
    for root in tmp_roots:
        # the root and the folder under it (tempfile's random name) become one placeholder
        line = re.sub(re.escape(root) + r"/[^\s/`'\"),:;]+", "<tmp>", line)
    return line


def normalise(text: str, *, paths: Mapping[str, str] | None = None,
              tmp_roots: Sequence[str] = ("/tmp", "/var/tmp")) -> str:
    """The text report with everything that varies between runs replaced by placeholders (pure).

    `paths` maps folders known to the caller (the repository, a test's own temporary folder) to the name
    the golden file shows; `tmp_roots` are where other temporary folders are made."""
    fixed = sorted(((k.rstrip("/"), v) for k, v in (paths or {}).items() if k.rstrip("/")),
                   key=lambda kv: len(kv[0]), reverse=True)  # the longest first: /tmp/x/y before /tmp/x
    roots = sorted({r.rstrip("/") for r in tmp_roots if r.rstrip("/")}, key=len, reverse=True)
    out = []
    for line in _unframe(text):
        line = _paths(line, fixed, roots)
        line = _ISO_TIME.sub("<timestamp>", line)
        line = _LOG_TIME.sub("<timestamp>", line)
        line = _CLOCK.sub("<clock>", line)
        line = _BUILDKIT_REF.sub("<ref>", line)
        line = _DIGEST.sub("sha256:<digest>", line)
        line = _HEX_ID.sub("<id>", line)
        line = _ENGINE.sub(r"\1<version>", line)
        line = _HOST_PORT.sub(r"\1:<port>", line)
        line = _PORT_WORD.sub(r"\1<port>", line)
        line = _DURATION.sub("<time>", line)
        line = _SIZE.sub("<size>", line)
        for pattern, placeholder in _MACHINE:
            line = pattern.sub(placeholder, line)
        out.append(line)
    return "\n".join(out) + "\n"


def compare(path: Path, actual: str, *, update: bool | None = None) -> str | None:
    """None when `actual` is what the golden file holds (or was just written); else why not, to the reader."""
    if update is None:
        update = os.environ.get(UPDATE_ENV, "") not in ("", "0")
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_text(encoding="utf-8") != actual:
            path.write_text(actual, encoding="utf-8")
        return None
    if not path.is_file():
        return (f"no golden file {path}: run the test with {UPDATE_ENV}=1 to create it, then read it and "
                "commit it")
    expected = path.read_text(encoding="utf-8")
    if expected == actual:
        return None
    diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                        fromfile=f"{path} (golden)", tofile="this run"))
    return (f"the feedback text differs from {path}; if the change is meant, rerun with {UPDATE_ENV}=1 and "
            f"commit the new file with the change:\n{diff}")
