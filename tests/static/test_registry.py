"""The registry and the generated rule reference."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.docs_gen import rule_reference_markdown
from checker.report import Concern
from checker.rules.base import Kind
from checker.rules.registry import all_rules, dynamic_rules, get, static_rules

REPO = Path(__file__).resolve().parents[2]


def _anchors() -> set[str]:
    text = (REPO / "docs" / "lesson-anchors.md").read_text(encoding="utf-8")
    out: set[str] = set()
    for row in text.splitlines():
        m = re.match(r"\|\s*lessons/([^|]+)\.ipynb\s*\|(.*)\|\s*$", row)
        if m:
            for slug in re.findall(r"->\s*([a-z0-9-]+)", m.group(2)):
                out.add(f"lessons/{m.group(1).strip()}/#{slug}")
    return out


def test_ids_and_names_are_unique_and_well_formed() -> None:
    rules = all_rules()
    assert len({r.id for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)
    assert [r.id for r in rules] == sorted(r.id for r in rules)
    assert {r.concern for r in rules} == set(Concern)


def test_every_lesson_link_is_a_known_anchor() -> None:
    anchors = _anchors()
    assert len(anchors) > 20
    for r in all_rules():
        assert r.lesson in anchors, f"{r.id}: {r.lesson} is not in docs/lesson-anchors.md"


def test_static_and_dynamic() -> None:
    assert all(r.check is not None for r in static_rules())
    assert all(r.check is None for r in dynamic_rules())
    names = {r.name for r in dynamic_rules()}
    # the names the engine (checker/check.py) reports dynamic findings under
    assert {
        "image-builds",
        "toolchain-in-final-image",
        "sources-in-final-image",
        "expected-artifacts",
        "dependency-layer-reused",
        "runs-as-non-root",
        "smoke-test",
        "size-budget",
    } <= names
    assert len(static_rules()) >= 30


def test_docs_are_complete() -> None:
    for r in all_rules():
        d = r.doc
        assert d.what and d.why and d.example and d.use_instead, r.id
        assert r.title and r.rationale and r.fix, r.id
        assert "FROM" in d.example.upper() and "FROM" in d.use_instead.upper(), r.id


def test_get() -> None:
    assert get("SW101").name == "single-stage"
    assert get("sw101") is get("single-stage")
    with pytest.raises(KeyError):
        get("SW999")


def test_reference_page() -> None:
    md = rule_reference_markdown()
    for r in all_rules():
        assert f'<a id="{r.id.lower()}"></a>' in md
        assert f"### {r.id} `{r.name}`" in md
        assert f"../lessons/{r.lesson_stem}.ipynb#{r.lesson_anchor}" in md
    assert md.count("#### What it does") == len(all_rules())
    assert md.count("#### Use instead") == len(all_rules())
    assert "static" in md and "dynamic" in md and Kind.DYNAMIC.value in md
