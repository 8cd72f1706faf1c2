"""(b) Lesson links: every rule's lesson link names a heading of a lesson notebook (slugified as mkdocs'
toc does), and every link the checker prints lands on a built page that has that anchor."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker import docs_site
from checker.render.text import LESSON_SITE, lesson_url
from checker.rules.registry import all_rules

from .conftest import REPO

RULES = all_rules()


def _contract() -> list[tuple[str, str]]:
    """(stem, anchor) pairs of docs/lesson-anchors.md."""
    out = []
    for line in (REPO / "docs" / "lesson-anchors.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*lessons/(\S+)\.ipynb\s*\|(.*)\|\s*$", line)
        if m:
            out += [(m.group(1), a) for a in re.findall(r"->\s*([a-z0-9-]+)", m.group(2))]
    return out


def _printed_links() -> list[str]:
    """Every lesson link the checker can print: the rules', the exercise specs' reading lists and the lessons
    of their steps (the progress report's "next")."""
    links = {lesson_url(r.lesson) or "" for r in RULES}
    for ex in docs_site.exercises(REPO):
        if ex.spec is not None:
            links |= {lesson_url(lesson) or "" for lesson in ex.spec.lessons}
            links |= {lesson_url(m.lesson) or "" for m in ex.spec.milestones if m.lesson}
    return sorted(links)


def test_slugify_is_mkdocs_toc() -> None:
    from markdown.extensions.toc import slugify

    for text in ("Step 1: stages", "COPY --from copies only what you name", "FROM AS names a stage"):
        assert docs_site.slugify(text) == slugify(text, "-")
    assert docs_site.heading_text("`COPY --from` copies only what you **name**") == \
        "COPY --from copies only what you name"


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_rule_lesson_link_names_a_notebook_heading(rule: object) -> None:
    from checker.rules.base import Rule

    assert isinstance(rule, Rule)
    anchors = docs_site.lesson_anchors(REPO)
    assert rule.lesson_stem in anchors, f"{rule.id}: lessons/{rule.lesson_stem}.ipynb does not exist"
    assert rule.lesson_anchor in anchors[rule.lesson_stem], (
        f"{rule.id} links #{rule.lesson_anchor}, but lessons/{rule.lesson_stem}.ipynb has only "
        f"{sorted(anchors[rule.lesson_stem])}")


@pytest.mark.parametrize(("stem", "anchor"), _contract())
def test_contract_anchor_is_a_notebook_heading(stem: str, anchor: str) -> None:
    anchors = docs_site.lesson_anchors(REPO)
    assert stem in anchors, f"lessons/{stem}.ipynb does not exist"
    assert anchor in anchors[stem], f"lessons/{stem}.ipynb has no heading #{anchor}"


@pytest.mark.parametrize("url", _printed_links(), ids=lambda u: u[len(LESSON_SITE):])
def test_printed_link_lands_on_a_built_anchor(url: str, site: Path) -> None:
    assert url.startswith(LESSON_SITE), url
    path, _, anchor = url[len(LESSON_SITE):].partition("#")
    page = site / path / "index.html"
    assert page.is_file(), f"{url}: no page {path} in the built site"
    html = page.read_text(encoding="utf-8")
    assert f'id="{anchor}"' in html, f"{url}: {path} has no element with id {anchor!r}"
