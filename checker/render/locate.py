"""Where a finding is, for the formats that annotate code: the Dockerfile's path as a repository-relative URI, the
instruction a finding's line starts (continuation lines included), and a fingerprint that names the same problem
in the same instruction from one run to the next.

A fingerprint hashes the rule, the file and the instruction's own text (whitespace collapsed), never the line
number, so inserting an unrelated line above keeps it, as GitHub code scanning's `primaryLocationLineHash` does
(a hash of the line's content, then `:N`, the N-th result with that hash). Editing the instruction changes it:
that is a new problem, or a fixed one. The renderer reads the Dockerfile the report names, the way GitHub's
upload action reads the source files; when it cannot, the hash is of the rule and the file alone.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from checker.report import Finding, Report

MAX_SOURCE_BYTES = 256 * 1024


@dataclass(frozen=True)
class Span:
    start_line: int
    end_line: int
    end_column: int  # the column after the last character of end_line (SARIF's endColumn)
    text: str  # the instruction, continuation lines joined, whitespace collapsed


def read_source(report: Report) -> list[str] | None:
    """The checked Dockerfile's lines, when the path in the report can still be read (it is relative to the
    directory `stagewise check` ran in, or absolute)."""
    path = Path(report.dockerfile)
    try:
        if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None


def artifact_uri(report: Report) -> str:
    """A relative path stays relative (GitHub and GitLab read it from the repository's root); an absolute one
    becomes a file URI."""
    path = Path(report.dockerfile)
    if path.is_absolute():
        return path.as_uri()
    return urllib.parse.quote(relative_path(report))


def relative_path(report: Report) -> str:
    """GitLab's location.path: the path as given, with forward slashes and no leading ./"""
    return PurePosixPath(*Path(report.dockerfile).parts).as_posix() if report.dockerfile else "Dockerfile"


def span(source: list[str] | None, line: int | None) -> Span | None:
    """The instruction that starts at `line`: it runs on while a line ends with a backslash."""
    if source is None or line is None or not 1 <= line <= len(source):
        return None
    end = line
    while end < len(source) and source[end - 1].rstrip().endswith("\\"):
        end += 1
    text = " ".join(s.strip().removesuffix("\\") for s in source[line - 1:end])
    return Span(line, end, len(source[end - 1]) + 1, re.sub(r"\s+", " ", text).strip())


def fingerprints(report: Report, findings: list[Finding], source: list[str] | None) -> list[str]:
    """One `<16 hex>:<n>` per finding: the hash of (rule, file, instruction text), and n counting the findings
    with that hash in the order they come (1, 2, ...)."""
    seen: dict[str, int] = {}
    out = []
    path = relative_path(report)
    for f in findings:
        where = span(source, f.line)
        key = "\0".join((f.rule, path, where.text if where else ""))
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
        seen[digest] = seen.get(digest, 0) + 1
        out.append(f"{digest}:{seen[digest]}")
    return out
