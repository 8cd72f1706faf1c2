"""Every rule's documentation examples are true: "Example" trips the rule, "Use instead" does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.report import Status
from checker.rules.base import Kind, Rule
from checker.rules.registry import all_rules, static_rules

from ._helpers import of, run

BAD = (Status.FAIL, Status.WARN, Status.ERROR)


# The build contexts the examples of the context-reading rules describe in their first comment line.
CONTEXTS: dict[str, tuple[dict[str, str], dict[str, str]]] = {  # rule -> (bad files, good files)
    "SW303": ({"docker/.dockerignore": "node_modules\n", "src/a.txt": "a"}, {".dockerignore": "node_modules\n"}),
    "SW304": (
        {".dockerignore": "*.json\n", "package.json": "{}", "package-lock.json": "{}"},
        {".dockerignore": "node_modules\n", "package.json": "{}", "package-lock.json": "{}"},
    ),
}


def _context(rule: Rule, tmp_path: Path, bad: bool) -> Path | None:
    if rule.id in CONTEXTS:
        for rel, text in CONTEXTS[rule.id][0 if bad else 1].items():
            (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / rel).write_text(text)
        return tmp_path
    if rule.id != "SW302":
        return None
    (tmp_path / "node_modules").mkdir()
    (tmp_path / ".git").mkdir()
    if not bad:
        (tmp_path / ".dockerignore").write_text("node_modules\n.git\ndist\n*.log\n.env\nDockerfile*\n")
    return tmp_path


def _target(rule: Rule) -> str | None:
    return "runtime" if rule.id == "SW005" else None


@pytest.mark.parametrize("rule", static_rules(), ids=lambda r: r.id)
def test_example_trips_the_rule(rule: Rule, tmp_path: Path) -> None:
    findings = run(rule.doc.example, context_dir=_context(rule, tmp_path, True), target=_target(rule))
    mine = of(findings, rule.id)
    assert mine, f"{rule.id} produced no finding for its own example"
    assert any(f.status in BAD for f in mine), [(f.status, f.message) for f in mine]
    for f in mine:
        if f.status in BAD:
            assert f.line is not None and f.line >= 1, f"{rule.id}: a failing finding must name its line"


@pytest.mark.parametrize("rule", static_rules(), ids=lambda r: r.id)
def test_use_instead_passes_the_rule(rule: Rule, tmp_path: Path) -> None:
    findings = run(rule.doc.use_instead, context_dir=_context(rule, tmp_path, False), target=_target(rule))
    mine = of(findings, rule.id)
    assert mine, f"{rule.id} produced no finding"
    assert all(f.status in (Status.PASS, Status.SKIP) for f in mine), [(f.status, f.message) for f in mine]


@pytest.mark.parametrize("rule", [r for r in all_rules() if r.kind is Kind.STATIC], ids=lambda r: r.id)
def test_use_instead_parses(rule: Rule) -> None:
    findings = run(rule.doc.use_instead)
    assert not [f for f in findings if f.status is Status.ERROR]
