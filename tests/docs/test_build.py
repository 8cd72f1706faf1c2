"""(a) The site builds with `mkdocs build --strict` (generator first), and holds the pages it promises."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checker import docs_site
from checker.render.text import LESSON_SITE
from checker.rules.registry import all_rules

from .conftest import REPO, SiteBuild

pytestmark = pytest.mark.timeout(900)


def _text(page: Path) -> str:
    """A page's text, tags removed (highlighted code is split into spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_strict_build_passes(site_build: SiteBuild) -> None:
    site = site_build.require()
    assert (site / "index.html").is_file()
    assert (site / "search" / "search_index.json").is_file()


def test_site_url_is_where_the_checker_links() -> None:
    m = re.search(r"^site_url:\s*(\S+)", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert m and m.group(1) == LESSON_SITE


def test_every_lesson_is_a_page_with_its_notebook(site: Path) -> None:
    notebooks = sorted((REPO / "lessons").glob("*.ipynb"))
    assert notebooks, "no lessons/*.ipynb"
    for nb in notebooks:
        page = site / "lessons" / nb.stem / "index.html"
        assert page.is_file(), f"{nb.name} has no page at lessons/{nb.stem}/"
        assert (site / "lessons" / nb.stem / nb.name).read_bytes() == nb.read_bytes(), "the download differs"
        assert 'data-stagewise="download-notebook"' in page.read_text(encoding="utf-8")


def test_every_exercise_has_a_page_and_its_solution_a_separate_one(site: Path) -> None:
    for ex in docs_site.exercises(REPO):
        page = _text(site / "exercises" / ex.id / "index.html")
        assert f"stagewise check exercises/{ex.id} --exercise {ex.id}" in page
        if ex.has_solution:
            solution = _text(site / "exercises" / ex.id / "solution" / "index.html")
            assert "Spoiler" in solution
            first_line = (ex.solution_dir / "Dockerfile").read_text(encoding="utf-8").splitlines()[0]
            assert first_line.split()[0] in solution


def test_rule_reference_has_an_anchor_per_rule(site: Path) -> None:
    html = (site / "checker" / "rules" / "index.html").read_text(encoding="utf-8")
    missing = [r.id for r in all_rules() if f'id="{r.anchor}"' not in html]
    assert not missing, f"rules without an #anchor on the rule reference: {missing}"


def test_cli_reference_lists_every_command(site: Path) -> None:
    html = (site / "checker" / "cli" / "index.html").read_text(encoding="utf-8")
    for name, _cmd, _ctx in docs_site.cli_commands():
        assert f'id="{docs_site.cli_anchor(name)}"' in html, name


def test_format_examples_are_what_the_renderers_print(site: Path) -> None:
    for name, content in docs_site.format_examples().items():
        assert (site / "checker" / "examples" / name).read_text(encoding="utf-8") == content
    report = json.loads((site / "checker" / "examples" / "report.json").read_text(encoding="utf-8"))
    assert list(report)[:8] == ["dockerfile", "exercise", "engine", "findings", "concerns", "score", "max_score",
                                "passed"]
    assert set(report["engine"]) == {"version", "builder"}
    for f in report["findings"]:
        for key in ("rule", "concern", "status", "message", "line", "hint", "lesson", "points", "max_points",
                    "evidence"):
            assert key in f
    sarif = json.loads((site / "checker" / "examples" / "report.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"


class _RemoteLoads(HTMLParser):
    """Resources a page loads from another host: scripts, styles, icons, images, frames, CSS url()s."""

    NAVIGATION = frozenset({"canonical", "prev", "next", "alternate", "edit", "license"})

    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = None
        if tag in ("script", "img", "iframe", "audio", "video", "source", "embed"):
            url = a.get("src")
        elif tag == "link" and not set((a.get("rel") or "").split()) <= self.NAVIGATION:
            url = a.get("href")
        self._style = tag == "style"
        if url and REMOTE.match(url):
            self.remote.append(f"<{tag}> {url}")

    def handle_data(self, data: str) -> None:
        if self._style:
            self.remote += [f"<style> {m}" for m in CSS_REMOTE.findall(data)]


REMOTE = re.compile(r"^(?:https?:)?//")
CSS_REMOTE = re.compile(r"(?:@import\s+|url\()\s*[\'\"]?((?:https?:)?//[^\'\")\s]+)")


def test_no_page_loads_anything_from_elsewhere(site: Path) -> None:
    """Scripts, styles, fonts and images all come from the site itself: it works offline."""
    offenders = {}
    for page in sorted(site.rglob("*.html")):
        parser = _RemoteLoads()
        parser.feed(page.read_text(encoding="utf-8"))
        if parser.remote:
            offenders[str(page.relative_to(site))] = parser.remote
    for css in sorted(site.rglob("*.css")):
        if found := CSS_REMOTE.findall(css.read_text(encoding="utf-8")):
            offenders[str(css.relative_to(site))] = found
    assert not offenders, offenders


def test_generated_files_are_gitignored() -> None:
    ignore = (REPO / "docs" / ".gitignore").read_text(encoding="utf-8")
    for path in (*docs_site.GENERATED_DIRS, *docs_site.GENERATED_FILES):
        assert any(line.strip("/") == path.strip("/") for line in ignore.splitlines()), path
