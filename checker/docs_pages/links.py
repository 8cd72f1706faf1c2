"""Markdown copied from elsewhere in the repository (an exercise's README, a solution's EXPLANATION.md), with
its relative links rewritten for its page on the site."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from checker.docs_pages import structure
from checker.docs_pages.markdown_helpers import outside_fences

_LINK = re.compile(r"(?P<pre>!?\[(?:[^\]\\]|\\.)*\]\()(?P<target><[^>]*>|[^)\s]+)(?P<post>(?:\s+\"[^\"]*\")?\))")
_REFDEF = re.compile(r"^(?P<pre>\s{0,3}\[[^\]]+\]:\s*)(?P<target>\S+)(?P<post>.*)$")
_HREF = re.compile(r"(?P<pre>\b(?:href|src)=\")(?P<target>[^\"]+)(?P<post>\")")
IMAGE_EXTS = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}


@dataclass
class LinkMapper:
    """Rewrites the relative links of a markdown file from the repository for its page on the site.

    Lessons, exercises, solutions and docs pages become links between site pages (mkdocs checks them);
    images are copied next to the page; anything else in the repository becomes a link to GitHub."""

    repo: Path
    src: str  # the markdown file, repo-relative
    page: str  # its page, docs-relative
    docs_targets: dict[str, str]  # repo-relative path -> docs-relative page
    assets: dict[str, bytes] = field(default_factory=dict)  # docs-relative path -> bytes, to write

    def _map(self, target: str) -> str:
        if target.startswith("<") and target.endswith(">"):
            target = target[1:-1]
        if not target or target.startswith(("#", "/")) or re.match(r"^[a-z][a-z0-9+.-]*:", target):
            return target
        path, _, anchor = target.partition("#")
        if not path:
            return target
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(self.src), path))
        if rel.startswith(".."):
            return target
        docs_page = self.docs_targets.get(rel.rstrip("/")) or self.docs_targets.get(rel.rstrip("/") + "/")
        if docs_page is not None:
            return structure.link(docs_page, self.page, anchor)
        if (self.repo / rel).is_file() and PurePosixPath(rel).suffix.lower() in IMAGE_EXTS:
            asset = structure.asset(self.page, rel)
            self.assets[asset] = (self.repo / rel).read_bytes()
            return structure.link(asset, self.page, anchor)
        if (self.repo / rel).exists():
            new = structure.repo_url(rel, kind="tree" if (self.repo / rel).is_dir() else "blob")
            return new + (f"#{anchor}" if anchor else "")
        return target  # a broken link: left for mkdocs --strict to report

    def rewrite(self, markdown: str) -> str:
        lines = []
        for line, outside in outside_fences(markdown.splitlines()):
            if outside:
                sub = lambda m: m.group("pre") + self._map(m.group("target")) + m.group("post")  # noqa: E731
                line = _REFDEF.sub(sub, line) if _REFDEF.match(line) else _LINK.sub(sub, line)
                line = _HREF.sub(sub, line)
            lines.append(line)
        return "\n".join(lines) + "\n"


@dataclass
class SiteLinks:
    """Rewrites markdown from the repository for the site's pages, with one map of repository paths to pages,
    and keeps the images those pages show (docs-relative path -> bytes) to be written with them."""

    repo: Path
    docs_targets: dict[str, str]  # structure.pages_of_repository_paths
    assets: dict[str, bytes] = field(default_factory=dict)

    def rewrite(self, markdown: str, src: str, page: str) -> str:
        """`markdown`, read from the repository file `src`, for the docs page `page`."""
        return LinkMapper(self.repo, src, page, self.docs_targets, self.assets).rewrite(markdown)
