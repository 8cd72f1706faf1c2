"""mkdocs hooks (mkdocs.yml `hooks:`): generate the generated pages, then make mkdocs treat them well.

* on_config: run checker.docs_site (writes only what changed, so `mkdocs serve` does not loop) and add the
  generated lessons and exercises to the nav after their section's index page;
* on_pre_page: the edit button of a generated page opens its real source (the notebook, the README...);
* on_page_content: a notebook page's heading ids are registered, so mkdocs validates links to its anchors;
  and nbconvert's empty MathJax `<script src="">` is dropped.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if sys.path[:1] != [str(REPO)]:  # this checkout's checker, even from a venv that has another one installed
    sys.path.insert(0, str(REPO))

from checker import docs_site  # noqa: E402

_sources: dict[str, str] = {}


def on_config(config: Any) -> Any:
    generated = docs_site.generate(Path(config["docs_dir"]))
    _sources.clear()
    _sources.update(generated.sources)
    if config["nav"]:
        config["nav"] = docs_site.expand_nav(config["nav"], generated.nav)
    return config


def on_pre_page(page: Any, config: Any, files: Any) -> Any:
    source = _sources.get(page.file.src_uri)
    if source and config["repo_url"]:
        kind = "tree" if (REPO / source).is_dir() else "edit"
        page.edit_url = docs_site.repo_url(source, kind=kind)
    return page


class _Ids(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and (name == "id" or (tag == "a" and name == "name")):
                self.ids.add(value)


_EMPTY_SCRIPT = re.compile(r'<script src="">\s*</script>')


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    if page.file.src_uri.endswith(".ipynb"):
        # nbconvert's MathJax loader, left without a URL: MathJax is not loaded (the site stays offline)
        html = _EMPTY_SCRIPT.sub("", html)
        parser = _Ids()
        parser.feed(html)
        page.present_anchor_ids = parser.ids
    return html
