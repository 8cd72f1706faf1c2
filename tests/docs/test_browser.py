"""(c) The built site in a real browser: Debian's headless Chromium driven by Playwright, the site served on
127.0.0.1. Every page loads with no console error and no request to another host; a lesson shows its
chart; search finds a rule id. Screenshots go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from checker import docs_site

from .conftest import REPO, lesson_with_chart

pytestmark = pytest.mark.timeout(900)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Browser:
    """One page, with every console error, page error and request to another host recorded."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.remote: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.errors.append(f"request failed: {r.url} {r.failure}")
                if self._local(r.url) else None)
        page.route("**/*", self._route)

    def _local(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"

    def _route(self, route: Any) -> None:
        url = route.request.url
        if self._local(url):
            route.continue_()
        else:
            self.remote.append(url)
            route.abort()

    def open(self, path: str) -> Any:
        response = self.page.goto(self.base + path, wait_until="load")
        assert response is not None and response.ok, f"{path}: HTTP {response.status if response else '?'}"
        self.page.wait_for_load_state("networkidle")
        return response

    def check_clean(self, what: str) -> None:
        assert not self.remote, f"{what}: the site asked other hosts for {self.remote}"
        assert not self.errors, f"{what}: {self.errors}"


@pytest.fixture(scope="module")
def browser(chromium: Path, site_url: str) -> Iterator[Browser]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(chromium), args=ARGS, headless=True)
        context = instance.new_context(viewport={"width": 1280, "height": 900})
        try:
            yield Browser(context.new_page(), site_url)
        finally:
            context.close()
            instance.close()


def test_home_page(browser: Browser, artifacts: Path) -> None:
    browser.open("")
    page = browser.page
    assert "Stagewise" in page.title()
    assert page.locator("h1").first.inner_text().startswith("Stagewise")
    assert page.locator("code", has_text="make demo").count() > 0
    assert page.locator(".md-tabs").is_visible(), "navigation tabs"
    assert page.locator("form[data-md-component=palette]").count() == 1, "light/dark toggle"
    page.screenshot(path=str(artifacts / "docs-home.png"), full_page=False)
    browser.check_clean("home page")


def test_lesson_with_its_chart(browser: Browser, artifacts: Path) -> None:
    stem = lesson_with_chart(REPO)
    assert stem, "no lesson notebook has a saved chart (image output)"
    browser.open(f"lessons/{stem}/")
    page = browser.page
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jupyter-wrapper img')].some(i => i.complete && i.naturalWidth > 0)",
        timeout=15000)
    chart = page.locator(".jupyter-wrapper img").first
    chart.scroll_into_view_if_needed()
    assert page.locator("[data-stagewise=download-notebook]").count() == 1
    page.screenshot(path=str(artifacts / f"docs-lesson-{stem}.png"), full_page=False)
    chart.screenshot(path=str(artifacts / f"docs-lesson-{stem}-chart.png"))
    browser.check_clean(f"lesson {stem}")


def test_every_lesson_page_loads_clean(browser: Browser, artifacts: Path) -> None:
    lessons = docs_site.lessons(REPO)
    assert lessons, "no lessons/*.ipynb"
    for lesson in lessons:
        browser.open(f"lessons/{lesson.stem}/")
        page = browser.page
        assert page.locator(".jupyter-wrapper").count() > 0, f"{lesson.stem}: no rendered notebook"
        broken = page.evaluate(
            "() => [...document.querySelectorAll('img')].filter(i => !(i.complete && i.naturalWidth > 0))"
            ".map(i => (i.getAttribute('src') || '').slice(0, 80))")
        assert not broken, f"{lesson.stem}: images that did not load: {broken}"
        page.screenshot(path=str(artifacts / f"docs-lesson-{lesson.stem}-top.png"), full_page=False)
        browser.check_clean(f"lesson {lesson.stem}")


def test_exercise_page(browser: Browser, artifacts: Path) -> None:
    exercises = docs_site.exercises(REPO)
    assert exercises, "no exercise with a README"
    ex = exercises[0]
    browser.open(f"exercises/{ex.id}/")
    page = browser.page
    assert page.locator("h1").first.is_visible()
    assert page.locator("code", has_text=f"stagewise check exercises/{ex.id}").count() > 0
    page.screenshot(path=str(artifacts / f"docs-exercise-{ex.id}.png"), full_page=False)
    if ex.has_solution:
        browser.open(f"exercises/{ex.id}/solution/")
        assert browser.page.locator(".admonition.danger").first.is_visible(), "the spoiler warning"
    browser.check_clean(f"exercise {ex.id}")


def test_rule_reference(browser: Browser, artifacts: Path) -> None:
    browser.open("checker/rules/#sw101")
    page = browser.page
    assert page.locator("#sw101").count() == 1
    page.screenshot(path=str(artifacts / "docs-rules.png"), full_page=False)
    browser.check_clean("rule reference")


def test_search_finds_a_rule_id(browser: Browser, artifacts: Path) -> None:
    browser.open("")
    page = browser.page
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box = page.locator("input.md-search__input")
    box.fill("")
    box.type("SW202", delay=50)
    hit = page.locator(".md-search-result__item a[href*='checker/rules/']").first
    hit.wait_for(state="visible", timeout=20000)
    page.screenshot(path=str(artifacts / "docs-search.png"), full_page=False)
    href = hit.get_attribute("href") or ""
    assert "checker/rules/" in href
    browser.check_clean("search")
