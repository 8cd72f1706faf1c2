"""Every generated page, put where ``structure`` says, and written into ``docs/``: only the files whose content
changed (so that `mkdocs serve` does not loop), and what is no longer generated is deleted."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.docs_pages import structure
from checker.docs_pages.cli_reference import cli_reference_markdown, grade_status_markdown
from checker.docs_pages.exercises import exercise_page_markdown, exercises, exercises_index
from checker.docs_pages.format_examples import format_examples
from checker.docs_pages.lessons import lessons, lessons_index, lessons_list, section_titles
from checker.docs_pages.links import SiteLinks
from checker.docs_pages.rule_reference import rule_reference_markdown
from checker.docs_pages.solutions import solution_page_markdown
from checker.docs_pages.structure import GENERATED_DIRS, GENERATED_FILES, REPO
from checker.docs_pages.substitutes import substitutes_markdown

log = logging.getLogger("stagewise.docs")


@dataclass
class Generated:
    files: dict[str, bytes] = field(default_factory=dict)  # docs-relative path -> content
    nav: dict[str, list[Any]] = field(default_factory=dict)  # section index page -> nav entries after it
    sources: dict[str, str] = field(default_factory=dict)  # docs-relative page -> repo path it comes from

    def text(self, path: str, content: str, source: str | None = None) -> None:
        self.add(path, content.encode("utf-8"), source)

    def add(self, path: str, content: bytes, source: str | None = None) -> None:
        self.files[path] = content
        if source:
            self.sources[path] = source


def build(repo: Path = REPO) -> Generated:
    g = Generated()
    all_lessons = lessons(repo)
    all_exercises = exercises(repo)
    links = SiteLinks(repo, structure.pages_of_repository_paths(all_lessons, all_exercises))
    titles = section_titles(all_lessons)

    g.text(structure.LESSONS_INDEX, lessons_index(all_lessons), "checker/docs_pages/lessons.py")
    for lesson in all_lessons:
        g.add(lesson.docs_path, lesson.path.read_bytes(), lesson.source)
    g.text(structure.EXERCISES_INDEX, exercises_index(all_exercises, links), structure.EXERCISES_README)
    for ex in all_exercises:
        g.text(structure.exercise_page(ex.id), exercise_page_markdown(ex, links, titles),
               structure.exercise_readme(ex.id))
        if ex.has_solution:
            g.text(structure.solution_page(ex.id), solution_page_markdown(ex, links),
                   structure.solution_explanation(ex.id))
    g.files.update(links.assets)
    g.nav = structure.generated_nav(all_lessons, all_exercises)

    g.text(structure.CLI_REFERENCE, cli_reference_markdown(), "checker/cli.py")
    g.text(structure.RULE_REFERENCE, rule_reference_markdown(), "checker/rules")
    for name, content in format_examples().items():
        g.text(structure.format_example(name), content)
    g.text(structure.snippet("grade-status.md"), grade_status_markdown())
    g.text(structure.snippet("substitutes.md"), substitutes_markdown())
    g.text(structure.snippet("lessons-list.md"), lessons_list(all_lessons))
    return g


def sync(g: Generated, docs_dir: Path) -> list[str]:
    """Write what changed, delete what is no longer generated; return the docs-relative paths written."""
    written = []
    for rel, content in sorted(g.files.items()):
        if not structure.is_generated(rel):
            raise ValueError(f"the generator may not write docs/{rel}")
        target = docs_dir / rel
        if target.is_file() and target.read_bytes() == content:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        written.append(rel)
    for d in GENERATED_DIRS:
        root = docs_dir / d
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*"), reverse=True):
            rel = path.relative_to(docs_dir).as_posix()
            if path.is_file() and rel not in g.files:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return written


def clean(docs_dir: Path) -> None:
    """Delete every generated file."""
    for d in GENERATED_DIRS:
        shutil.rmtree(docs_dir / d, ignore_errors=True)
    for f in GENERATED_FILES:
        (docs_dir / f).unlink(missing_ok=True)


def generate(docs_dir: Path | None = None, repo: Path = REPO) -> Generated:
    g = build(repo)
    written = sync(g, docs_dir or repo / "docs")
    if written:
        log.info("docs: generated %d file(s): %s", len(written), ", ".join(written[:8])
                 + (" ..." if len(written) > 8 else ""))
    return g
