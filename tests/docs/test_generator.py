"""The generator's pure parts (no mkdocs build): link rewriting, markdown transforms, nav, sync, CLI walk."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker import docs_site
from checker.cli import cli


def test_headings_outside_code_only_and_plain_text() -> None:
    md = "# Title\n\n```sh\n# not a heading\n```\n\n## `COPY --from` copies only what you **name**\n"
    assert [(h.level, h.text, h.slug) for h in docs_site.markdown_headings(md)] == [
        (1, "Title", "title"),
        (2, "COPY --from copies only what you name", "copy-from-copies-only-what-you-name"),
    ]


def test_shift_headings_leaves_code_alone() -> None:
    md = "# A\n\n```\n# comment\n```\n### B\n"
    assert docs_site.shift_headings(md, 1) == "## A\n\n```\n# comment\n```\n#### B\n"


def test_details_become_collapsible_admonitions() -> None:
    md = ('<details>\n<summary>Hint 1: "where"?</summary>\n\nUse `COPY`:\n\n```dockerfile\nFROM x\n```\n'
          "</details>\n")
    out = docs_site.details_to_admonitions(md)
    assert out.startswith("??? tip \"Hint 1: 'where'?\"\n\n    Use `COPY`:\n\n    ```dockerfile\n    FROM x\n")
    assert "<details>" not in out


def _mapper(tmp_path: Path) -> docs_site.LinkMapper:
    (tmp_path / "exercises" / "go" / "img").mkdir(parents=True)
    (tmp_path / "exercises" / "go" / "main.go").write_text("package main\n")
    (tmp_path / "exercises" / "go" / "img" / "a.png").write_bytes(b"\x89PNG")
    targets = {"lessons/03-x.ipynb": "lessons/03-x.ipynb", "lessons/03-x": "lessons/03-x.ipynb",
               "exercises/go": "exercises/go/index.md", "solutions/go": "exercises/go/solution.md"}
    return docs_site.LinkMapper(tmp_path, "exercises/go/README.md", "exercises/go/index.md", targets)


def test_links_between_site_pages(tmp_path: Path) -> None:
    m = _mapper(tmp_path)
    assert m.rewrite("[L](../../lessons/03-x.ipynb#go-to-scratch)") == \
        "[L](../../lessons/03-x.ipynb#go-to-scratch)\n"
    assert m.rewrite("see [sol](../../solutions/go/) and [me](#hints)") == \
        "see [sol](solution.md) and [me](#hints)\n"


def test_links_to_repository_files_go_to_github(tmp_path: Path) -> None:
    m = _mapper(tmp_path)
    assert m.rewrite("[code](main.go)") == f"[code]({docs_site.REPO_URL}/blob/main/exercises/go/main.go)\n"
    assert m.rewrite('<a href="main.go">x</a>') == \
        f'<a href="{docs_site.REPO_URL}/blob/main/exercises/go/main.go">x</a>\n'
    assert m.rewrite("[ext](https://example.org/a.md) [gone](nothere.md)") == \
        "[ext](https://example.org/a.md) [gone](nothere.md)\n"


def test_images_are_copied_next_to_the_page(tmp_path: Path) -> None:
    m = _mapper(tmp_path)
    assert m.rewrite("![chart](img/a.png)") == "![chart](assets/exercises_go_img_a.png)\n"
    assert m.assets == {"exercises/go/assets/exercises_go_img_a.png": b"\x89PNG"}


def test_links_in_code_blocks_are_left_alone(tmp_path: Path) -> None:
    m = _mapper(tmp_path)
    md = "```md\n[code](main.go)\n```\n"
    assert m.rewrite(md) == md


def test_expand_nav_inserts_after_the_section_index() -> None:
    nav = [{"Home": "index.md"}, {"Lessons": ["lessons/index.md"]}]
    extra = {"lessons/index.md": [{"One": "lessons/01-a.ipynb"}]}
    assert docs_site.expand_nav(nav, extra) == [
        {"Home": "index.md"}, {"Lessons": ["lessons/index.md", {"One": "lessons/01-a.ipynb"}]}]


def test_sync_writes_changes_only_and_deletes_stale_files(tmp_path: Path) -> None:
    g = docs_site.Generated()
    g.text("lessons/index.md", "a")
    g.text("checker/cli.md", "b")
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "old.ipynb").write_text("{}")
    (tmp_path / "index.md").write_text("hand-written")
    assert docs_site.sync(g, tmp_path) == ["checker/cli.md", "lessons/index.md"]
    assert not (tmp_path / "lessons" / "old.ipynb").exists()
    assert (tmp_path / "index.md").read_text() == "hand-written"
    assert docs_site.sync(g, tmp_path) == []
    g.text("index.md", "x")
    with pytest.raises(ValueError):
        docs_site.sync(g, tmp_path)


def test_lesson_title_headings_and_summary(tmp_path: Path) -> None:
    (tmp_path / "lessons").mkdir()
    nb = {"cells": [{"cell_type": "markdown", "source": ["# The fat image problem\n", "\n", "Why images bloat."]},
                    {"cell_type": "code", "source": "# not a heading", "outputs": []},
                    {"cell_type": "markdown", "source": "## Why size matters\n"}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (tmp_path / "lessons" / "01-the-fat-image-problem.ipynb").write_text(json.dumps(nb))
    [lesson] = docs_site.lessons(tmp_path)
    assert lesson.title == "The fat image problem"
    assert lesson.summary() == "Why images bloat."
    assert docs_site.lesson_anchors(tmp_path) == {
        "01-the-fat-image-problem": {"the-fat-image-problem", "why-size-matters"}}


def test_cli_reference_has_every_option_click_prints() -> None:
    md = docs_site.cli_reference_markdown()
    runner = CliRunner()
    for name, cmd, _ctx in docs_site.cli_commands():
        assert f"{{#{docs_site.cli_anchor(name)}}}" in md
        result = runner.invoke(cli, [*name.split()[1:], "--help"], obj={})
        assert result.exit_code == 0, result.output
        for param in cmd.params:
            hidden = getattr(param, "hidden", False)  # kept only to say it is gone (GitHub Classroom's workflow)
            for opt in getattr(param, "opts", []):
                if opt.startswith("-") and not hidden:
                    assert opt in result.output and opt in md, (name, opt)
                elif opt.startswith("-"):
                    assert opt not in result.output and opt not in md, (name, opt)


def test_example_report_is_made_by_the_checker() -> None:
    report = docs_site.example_report()
    assert not report.passed and 0 < report.score < report.max_score
    assert {f.status.value for f in report.findings} >= {"pass", "fail", "warn"}
    examples = docs_site.format_examples()
    assert set(examples) == set(docs_site.EXAMPLES)
