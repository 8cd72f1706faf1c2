"""The static checker scored against a hand-labelled corpus of real public Dockerfiles (tests/static/corpus/).

Every file is judged the way `stagewise check --static-only` judges it (``checker.static.analyze``, then the
report's own per-concern verdicts), without a build context: the corpus holds the Dockerfiles, not their
repositories, so the context-dependent SW302 skips. Each of the three promises is compared with the
labels written by hand before the checker ever saw the files. A concern's verdict ``skip`` is the label
``n/a``. The agreement per concern must reach ``GOAL``; on failure the message lists every disagreement
with the label's reason, so a regression reads as the files it broke.

Parser checks on the same files: no parse failure on a file BuildKit accepts; exactly one clear SW001
error (with its line) on a file BuildKit rejects; and the verdicts do not change when a file is saved with
CRLF line endings or written with lower-case instruction keywords (both legal, both common).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from checker.parse import ParseError, parse
from checker.report import Report
from checker.static import analyze

CORPUS = Path(__file__).parent / "corpus"
CONCERNS = ("stage-separation", "artifact-copies", "cache-ordering")
GOAL = 0.95  # agreement per concern (issue 13)
REJECTED = "buildkit-rejects"


@dataclass(frozen=True)
class Entry:
    slug: str
    text: str
    labels: dict[str, tuple[str, str]]  # concern -> (verdict, reason)
    traps: tuple[str, ...]


@cache
def entries() -> tuple[Entry, ...]:
    out = []
    for meta in sorted(CORPUS.glob("*/meta.toml")):
        data = tomllib.loads(meta.read_text(encoding="utf-8"))
        text = (meta.parent / "Dockerfile").read_bytes().decode("utf-8-sig")
        labels = {c: (v["verdict"], v["reason"]) for c, v in data["labels"].items()}
        out.append(Entry(meta.parent.name, text, labels, tuple(data.get("traps", ()))))
    return tuple(out)


def verdicts(text: str) -> dict[str, str]:
    """Per-concern verdicts exactly as the static-only report makes them; ``skip`` reads as ``n/a``."""
    report = Report(dockerfile="Dockerfile", findings=analyze(text)).finalize()
    return {c: ("n/a" if report.concerns[c] == "skip" else report.concerns[c]) for c in CONCERNS}


@cache
def scored() -> dict[str, dict[str, str]]:
    return {e.slug: verdicts(e.text) for e in entries()}


def agreement(concern: str) -> tuple[float, list[str]]:
    got = scored()
    misses = [
        f"{e.slug}: labelled {e.labels[concern][0]} ({e.labels[concern][1]}), checker says {got[e.slug][concern]}"
        for e in entries()
        if got[e.slug][concern] != e.labels[concern][0]
    ]
    return 1 - len(misses) / len(entries()), misses


def test_corpus_is_big_and_labelled() -> None:
    assert len(entries()) >= 120
    for e in entries():
        assert set(e.labels) == set(CONCERNS), e.slug
        assert all(v in ("pass", "fail", "n/a") and why for v, why in e.labels.values()), e.slug


@pytest.mark.parametrize("concern", CONCERNS)
def test_agreement_with_hand_labels(concern: str) -> None:
    rate, misses = agreement(concern)
    assert rate >= GOAL, f"{concern}: {rate:.1%} agreement (goal {GOAL:.0%}); disagreements:\n" + "\n".join(misses)


def test_files_buildkit_accepts_parse() -> None:
    for e in entries():
        if REJECTED in e.traps:
            continue
        try:
            parse(e.text)
        except ParseError as err:  # pragma: no cover - the failure message is the point
            pytest.fail(f"{e.slug}: BuildKit accepts this file but the checker says line {err.line}: {err.message}")


def test_files_buildkit_rejects_get_one_clear_error() -> None:
    rejected = [e for e in entries() if REJECTED in e.traps]
    assert rejected
    for e in rejected:
        findings = analyze(e.text)
        assert [f.rule for f in findings] == ["SW001"], e.slug
        assert findings[0].line and f"Line {findings[0].line}" in findings[0].message, findings[0].message


def _lower_keywords(text: str) -> str:
    """The same file with every instruction keyword in lower case (heredoc bodies and continuations kept)."""
    lines = text.split("\n")
    for stage_ins in [i for s in parse(text).stages for i in [s.from_instr, *s.instructions]]:
        n = stage_ins.line - 1
        stripped = lines[n].lstrip()
        word = stripped.split(None, 1)[0] if stripped else ""
        if word.upper() == stage_ins.keyword:
            lines[n] = lines[n][: len(lines[n]) - len(stripped)] + word.lower() + stripped[len(word):]
    return "\n".join(lines)


def test_crlf_and_lower_case_keywords_do_not_change_verdicts() -> None:
    for e in entries():
        if REJECTED in e.traps:
            continue
        want = scored()[e.slug]
        crlf = e.text.replace("\r\n", "\n").replace("\n", "\r\n")
        assert verdicts(crlf) == want, f"{e.slug} with CRLF line endings"
        assert verdicts(_lower_keywords(e.text)) == want, f"{e.slug} with lower-case keywords"
