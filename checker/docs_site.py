"""Generate the docs site's generated pages from their sources, so that the site cannot drift from them.

    python -m checker.docs_site            # writes into docs/ (only files whose content changed)
    mkdocs build --strict                  # does the same first, through docs/hooks.py

What is generated (all gitignored, see docs/.gitignore), each kind of page by its module in ``checker/docs_pages/``:

* ``docs/lessons/`` (``lessons``): a copy of every ``lessons/*.ipynb`` (rendered by mkdocs-jupyter with its
  saved outputs, never re-executed) and an index of the lessons and their sections;
* ``docs/exercises/`` (``exercises``, ``solutions``): each exercise's README (links rewritten for the site, its
  "checks" section filled from ``exercise.yaml`` and the rule registry) and, on a separate page, the solution
  with its EXPLANATION.md;
* ``docs/checker/cli.md`` (``cli_reference``): the CLI reference, walked from the click commands;
* ``docs/checker/rules.md`` (``rule_reference``): the rule reference, from the rule registry;
* ``docs/checker/examples/`` (``format_examples``): one report built in code, rendered by every renderer (text,
  JSON, SARIF, JUnit, Gradescope), included by ``docs/checker/formats.md``;
* ``docs/snippets/``: the status of ``stagewise grade`` (``cli_reference``), the offline substitutes
  (``substitutes``) and the list of lessons (``lessons``), included by hand-written pages.

``checker/docs_pages/structure.py`` says where each page goes and what the nav lists; ``checker/docs_pages/generate.py``
puts them there. Everything under those paths is owned by the generator: files it no longer produces are
deleted. This module is the command and the generator's interface for docs/hooks.py and the tests.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from checker.docs_pages.cli_reference import cli_anchor, cli_commands, cli_reference_markdown
from checker.docs_pages.exercises import exercises
from checker.docs_pages.format_examples import EXAMPLES, example_report, format_examples
from checker.docs_pages.generate import Generated, build, clean, generate, sync
from checker.docs_pages.lessons import lesson_anchors, lessons
from checker.docs_pages.links import LinkMapper
from checker.docs_pages.markdown_helpers import (
    details_to_admonitions,
    heading_text,
    markdown_headings,
    shift_headings,
    slugify,
)
from checker.docs_pages.structure import GENERATED_DIRS, GENERATED_FILES, REPO, REPO_URL, SITE_URL, expand_nav, repo_url

__all__ = [
    "EXAMPLES", "GENERATED_DIRS", "GENERATED_FILES", "REPO", "REPO_URL", "SITE_URL", "Generated", "LinkMapper",
    "build", "cli_anchor", "cli_commands", "cli_reference_markdown", "details_to_admonitions", "example_report",
    "exercises", "expand_nav", "format_examples", "generate", "heading_text", "lesson_anchors", "lessons",
    "main", "markdown_headings", "repo_url", "shift_headings", "slugify", "sync",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m checker.docs_site", description=__doc__.split("\n")[0])
    parser.add_argument("--docs-dir", type=Path, default=REPO / "docs")
    parser.add_argument("--clean", action="store_true", help="Delete every generated file, then stop.")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(message)s")
    if args.clean:
        clean(args.docs_dir)
        return 0
    g = generate(args.docs_dir)
    print(f"{len(g.files)} generated files in {args.docs_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
