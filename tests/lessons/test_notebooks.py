"""The lesson notebooks, read as files (no engine): the anchors the checker's rules link to exist as
headings, and every notebook is saved with the outputs of a complete, successful run."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LESSONS = REPO / "lessons"
ANCHORS_DOC = REPO / "docs" / "lesson-anchors.md"


def slugify(text: str) -> str:
    """mkdocs' default heading id (Python-Markdown's toc.slugify)."""
    value = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value).strip().lower()
    return re.sub(r"[-\s]+", "-", value)


def expected_anchors() -> dict[str, dict[str, str]]:
    """notebook stem -> {heading text: slug}, from docs/lesson-anchors.md."""
    table: dict[str, dict[str, str]] = {}
    for line in ANCHORS_DOC.read_text().splitlines():
        m = re.match(r"^\|\s*lessons/(?P<stem>[\w-]+)\.ipynb\s*\|(?P<anchors>.*)\|\s*$", line)
        if m:
            pairs = re.findall(r'"([^"]+)"\s*->\s*([\w-]+)', m.group("anchors"))
            table[m.group("stem")] = dict(pairs)
    return table


def notebook(stem: str) -> dict:
    return json.loads((LESSONS / f"{stem}.ipynb").read_text())


def headings(nb: dict) -> list[str]:
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            found += re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", "".join(cell["source"]), flags=re.M)
    return found


ANCHORS = expected_anchors()


def test_the_anchor_table_is_read() -> None:
    assert len(ANCHORS) == 7
    assert all(ANCHORS.values())


@pytest.mark.parametrize("stem", sorted(ANCHORS))
def test_every_anchor_is_a_heading(stem: str) -> None:
    nb = notebook(stem)
    texts = headings(nb)
    slugs = {slugify(t) for t in texts}
    for text, slug in ANCHORS[stem].items():
        assert slugify(text) == slug, f"docs/lesson-anchors.md: {text!r} does not slugify to {slug!r}"
        assert text in texts, f"{stem}: no heading {text!r}"
        assert slug in slugs


@pytest.mark.parametrize("stem", sorted(ANCHORS))
def test_saved_with_outputs_of_a_clean_run(stem: str) -> None:
    code = [c for c in notebook(stem)["cells"] if c["cell_type"] == "code"]
    assert code
    counts = [c["execution_count"] for c in code]
    assert None not in counts, f"{stem}: some code cells were not run"
    assert counts == list(range(1, len(code) + 1)), f"{stem}: not run top to bottom in one go"
    errors = [o for c in code for o in c["outputs"] if o["output_type"] == "error"]
    assert not errors, f"{stem}: saved with an error output"


APPS = LESSONS / "apps"  # the apps' sources, once; each lesson folder holds only its own Dockerfiles
PATH_IN_CODE = re.compile(r'\b(HERE|APPS) / "([^"]+)"')


def code_paths(stem: str) -> list[tuple[str, Path]]:
    """Every `HERE / "..."` (the lesson's folder) and `APPS / "..."` (lessons/apps) in the code cells."""
    bases = {"HERE": LESSONS / stem, "APPS": APPS}
    found = []
    for cell in notebook(stem)["cells"]:
        if cell["cell_type"] == "code":
            found += [(f"{var} / {rel!r}", bases[var] / rel)
                      for var, rel in PATH_IN_CODE.findall("".join(cell["source"]))]
    return found


@pytest.mark.parametrize("stem", sorted(ANCHORS))
def test_files_shown_exist(stem: str) -> None:
    """Every path a lesson shows or builds (lk.show, build contexts, dockerfile=) exists: a Dockerfile in
    the lesson's folder, an app folder or file in lessons/apps."""
    paths = code_paths(stem)
    assert paths
    for text, path in paths:
        assert path.exists(), f"{stem}: {text} ({path.relative_to(REPO)}) is missing"


def app_files() -> list[Path]:
    return sorted(p for p in APPS.rglob("*") if p.is_file())


def test_each_app_is_kept_once() -> None:
    """The apps live in lessons/apps only: no lesson folder holds a copy of an app file again."""
    assert {"node", "java", "go"} <= {p.name for p in APPS.iterdir()} and app_files()
    copies = {p.read_bytes(): p for p in app_files() if p.stat().st_size}
    for folder in sorted(LESSONS.glob("0*")):
        if not folder.is_dir():
            continue
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            twin = copies.get(path.read_bytes())
            assert twin is None, f"{path.relative_to(LESSONS)} is a copy of {twin.relative_to(LESSONS)}"
