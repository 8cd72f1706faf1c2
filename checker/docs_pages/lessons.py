"""The lessons' pages: every ``lessons/*.ipynb`` (copied as it is: mkdocs-jupyter renders it with its saved
outputs, never re-executed), the lessons' index page, the list of lessons on the home page, and links to a
lesson's sections from other pages."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from checker.docs_pages import structure
from checker.docs_pages.markdown_helpers import Heading, admonition, markdown_headings
from checker.docs_pages.structure import NOTICE, REPO


@dataclass(frozen=True)
class Lesson:
    path: Path  # lessons/<stem>.ipynb in the repo

    @property
    def stem(self) -> str:
        return self.path.stem

    @property
    def source(self) -> str:
        """The notebook, repo-relative."""
        return f"lessons/{self.path.name}"

    @property
    def docs_path(self) -> str:
        return structure.lesson_page(self.path.name)

    def cells(self) -> list[dict[str, Any]]:
        data = json.loads(self.path.read_text(encoding="utf-8"))
        return list(data.get("cells", []))

    def markdown(self) -> str:
        parts = []
        for cell in self.cells():
            if cell.get("cell_type") == "markdown":
                src = cell.get("source", "")
                parts.append("".join(src) if isinstance(src, list) else str(src))
        return "\n\n".join(parts)

    def headings(self) -> list[Heading]:
        return markdown_headings(self.markdown())

    @property
    def number(self) -> int | None:
        m = re.match(r"^(\d+)-", self.stem)
        return int(m.group(1)) if m else None

    @property
    def nav_title(self) -> str:
        """`3. Title` (the number from the file name), unless the title has its number already."""
        if self.number is None or re.match(r"^\d+[.:)]\s", self.title):
            return self.title
        return f"{self.number}. {self.title}"

    @property
    def title(self) -> str:
        for h in self.headings():
            if h.level == 1:
                return h.text
        return self.stem.split("-", 1)[-1].replace("-", " ").capitalize()

    def summary(self) -> str:
        """The first paragraph after the title."""
        seen_title = False
        for block in re.split(r"\n\s*\n", self.markdown()):
            block = block.strip()
            if not block:
                continue
            if block.startswith("#"):
                seen_title = True
                rest = block.split("\n", 1)
                if len(rest) == 2 and rest[1].strip() and not rest[1].lstrip().startswith(("#", "|", "```")):
                    return " ".join(rest[1].split())
                continue
            if seen_title and not block.startswith(("|", "```", "<", "-", "*", ">")):
                return " ".join(block.split())
        return ""


def lessons(repo: Path = REPO) -> list[Lesson]:
    return [Lesson(p) for p in sorted((repo / "lessons").glob("*.ipynb"))]


def lesson_anchors(repo: Path = REPO) -> dict[str, set[str]]:
    """stem -> the heading ids of that lesson (as rendered on the site)."""
    return {lesson.stem: {h.slug for h in lesson.headings()} for lesson in lessons(repo)}


def section_titles(items: list[Lesson]) -> dict[str, str]:
    """`<stem>#<heading id>` -> the heading's text, for every heading of every lesson."""
    return {f"{lesson.stem}#{h.slug}": h.text for lesson in items for h in lesson.headings()}


def section_link(lesson: str, from_page: str, titles: dict[str, str] | None = None) -> str:
    """A site link to a lesson section (`lessons/<stem>/#<anchor>`) as a link to its notebook, relative to a
    docs page: mkdocs --strict checks that the notebook and (see docs/hooks.py) the heading exist. `titles`
    (see `section_titles`) gives the link its heading's text."""
    stem = lesson.split("/")[1]
    anchor = lesson.split("#", 1)[1] if "#" in lesson else ""
    target = structure.link(structure.lesson_page(f"{stem}.ipynb"), from_page, anchor)
    label = (titles or {}).get(f"{stem}#{anchor}") or (anchor.replace("-", " ").capitalize() if anchor else stem)
    return f"[{label}]({target})"


def lessons_list(items: list[Lesson]) -> str:
    """The lessons, for the home page."""
    if not items:
        return "*(The lessons are being written.)*\n"
    lines = []
    for lesson in items:
        summary = lesson.summary()
        lines.append(f"- [{lesson.nav_title}]({structure.link(lesson.docs_path, structure.HOME)})"
                     + (f": {summary}" if summary else ""))
    return "\n".join(lines) + "\n"


def lessons_index(items: list[Lesson]) -> str:
    here = structure.LESSONS_INDEX
    out = [NOTICE.format(source="lessons/*.ipynb"), "# Lessons\n"]
    out.append(
        "Each lesson is a Jupyter notebook. Every claim in it is measured by a cell that builds, inspects or "
        "runs a real image, and ends in an assertion of what it teaches. The pages below show the notebooks "
        "with the outputs saved when they were last run; the site never re-runs them.\n"
    )
    if not items:
        out.append(admonition("warning", "No lessons yet",
                              "No notebook was found in `lessons/` when this site was built."))
    for lesson in items:
        out.append(f"## [{lesson.nav_title}]({structure.link(lesson.docs_path, here)})\n")
        if summary := lesson.summary():
            out.append(summary + "\n")
        sections = [h for h in lesson.headings() if h.level == 2]
        if sections:
            out.append("Sections: " + " · ".join(f"[{h.text}]({structure.link(lesson.docs_path, here, h.slug)})"
                                                  for h in sections) + "\n")
        out.append(f'<a href="{structure.link(structure.lesson_download(lesson.path.name), here)}" download>'
                   f'Download the notebook</a> · <a href="{structure.repo_url(lesson.source)}">View it on GitHub</a>\n')
    out.append(
        "## Run the lessons yourself\n\n"
        "The notebooks drive a real Docker engine through the same code the checker uses "
        "(`checker.lessonkit`), so they run in a clone of the repository, not in a hosted notebook service:\n\n"
        "```sh\n"
        "make images                    # venv, engine and base images (see the home page)\n"
        ".venv/bin/jupyter lab lessons/  # then open a notebook and run all cells\n"
        "```\n\n"
        "Each notebook's Dockerfiles live in the folder of the same name next to it "
        "(`lessons/<notebook>/`), and the small apps they build in `lessons/apps/`, so you can build them by "
        "hand too: `docker buildx build -f lessons/03-language-examples/go/Dockerfile.scratch lessons/apps/go`.\n"
    )
    return "\n".join(out)
