"""Markdown the generated pages share: heading ids as the site gives them, headings outside code blocks,
fences, indented blocks, table cells, GitHub's `<details>` as admonitions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


def slugify(text: str) -> str:
    """The heading id mkdocs' toc (Python-Markdown) gives a heading; mkdocs-jupyter gives notebook headings
    the same one."""
    from markdown.extensions.toc import slugify as md_slugify

    return str(md_slugify(text, "-"))


_INLINE_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_HTML_TAG = re.compile(r"<[^>]+>")


def heading_text(markdown_heading: str) -> str:
    """The plain text of a heading's markdown (what a renderer puts between <hN> and </hN>)."""
    text = _INLINE_LINK.sub(r"\1", markdown_heading)
    text = _HTML_TAG.sub("", text)
    text = text.replace("`", "").replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)\*(\S[^*]*?)\*(?!\w)", r"\1", text)
    text = re.sub(r"\s+#+\s*$", "", text)  # closing hashes
    return text.strip()


@dataclass(frozen=True)
class Heading:
    level: int
    text: str

    @property
    def slug(self) -> str:
        return slugify(self.text)


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*$")


def outside_fences(lines: Iterable[str]) -> Iterable[tuple[str, bool]]:
    """(line, is_outside_a_fenced_code_block) for each line."""
    fence: str | None = None
    for line in lines:
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)[0] * len(m.group(1))
            yield line, False
        elif fence is not None and m and m.group(1).startswith(fence):
            fence = None
            yield line, False
        else:
            yield line, fence is None


def _atx_headings(markdown: str) -> Iterable[tuple[str, re.Match[str] | None]]:
    """(line, its ATX heading match, or None for a line that is not a heading or is inside a code block)."""
    for line, outside in outside_fences(markdown.splitlines()):
        yield line, _ATX.match(line) if outside else None


def markdown_headings(markdown: str) -> list[Heading]:
    return [Heading(len(m.group(1)), heading_text(m.group(2))) for _line, m in _atx_headings(markdown) if m]


def shift_headings(markdown: str, by: int) -> str:
    """Demote (by > 0) every ATX heading outside code blocks."""
    lines = [("#" * min(6, len(m.group(1)) + by) + " " + m.group(2)) if m else line
             for line, m in _atx_headings(markdown)]
    return "\n".join(lines) + "\n"


_DETAILS = re.compile(r"^<details>\s*\n?\s*<summary>(?P<summary>.*?)</summary>\s*\n(?P<body>.*?)^</details>[ \t]*$",
                      re.S | re.M)


def details_to_admonitions(markdown: str) -> str:
    """GitHub's `<details><summary>` blocks as collapsible admonitions (Python-Markdown leaves markdown inside
    raw HTML blocks unrendered)."""

    def sub(m: re.Match[str]) -> str:
        summary = " ".join(m.group("summary").split()).replace('"', "'")
        return f'??? tip "{summary}"\n\n' + indent(m.group("body").strip("\n")) + "\n"

    return _DETAILS.sub(sub, markdown)


def admonition(kind: str, title: str, body: str, *, collapsed: bool = False) -> str:
    """An admonition block (`!!!`, or `???` when collapsed) with its body indented under it."""
    return f'{"???" if collapsed else "!!!"} {kind} "{title}"\n' + indent(body) + "\n"


def escape_table_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def indent(text: str, spaces: int = 4) -> str:
    pad = " " * spaces
    return "\n".join(pad + line if line.strip() else "" for line in text.rstrip("\n").splitlines())


def code_fence(code: str, lang: str = "", title: str | None = None) -> str:
    ticks = "```"
    while ticks in code:
        ticks += "`"
    head = ticks + lang + (f' title="{title}"' if title else "")
    return f"{head}\n{code.rstrip()}\n{ticks}"
