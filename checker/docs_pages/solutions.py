"""The solutions' pages, one per exercise that has one, kept apart from the exercise (a spoiler): the solution's
Dockerfiles (and the `.dockerignore` files that go with them) and its EXPLANATION.md."""

from __future__ import annotations

import logging
import re
from pathlib import Path

from checker.docs_pages import structure
from checker.docs_pages.exercises import Exercise
from checker.docs_pages.links import SiteLinks
from checker.docs_pages.markdown_helpers import admonition, code_fence, details_to_admonitions, indent, shift_headings
from checker.docs_pages.structure import NOTICE

log = logging.getLogger("stagewise.docs")


def solution_files(d: Path) -> list[Path]:
    """The solution's Dockerfiles and `.dockerignore` files: `Dockerfile` first, then `Dockerfile.<name>`,
    then `<name>.Dockerfile`, then the `.dockerignore` files."""
    files = [p for p in d.iterdir() if p.is_file() and (p.name.startswith("Dockerfile")
                                                         or p.name.endswith((".Dockerfile", ".dockerignore")))]

    def key(p: Path) -> tuple[int, str]:
        if p.name == "Dockerfile":
            return (0, "")
        if p.name.startswith("Dockerfile.") and not p.name.endswith(".dockerignore"):
            return (1, p.name)
        if p.name.endswith(".dockerignore"):
            return (3, p.name)
        return (2, p.name)

    return sorted(files, key=key)


def solution_page_markdown(ex: Exercise, links: SiteLinks) -> str:
    page = structure.solution_page(ex.id)
    exercise_link = structure.link(structure.exercise_page(ex.id), page)
    out = [NOTICE.format(source=f"solutions/{ex.id}/"), f"# Solution: {ex.title}\n"]
    out.append(admonition("danger", "Spoiler: this is the answer",
                          "This page shows a Dockerfile that passes every check of the exercise "
                          "[" + ex.title.replace("[", "").replace("]", "") + f"]({exercise_link}). "
                          "You learn more by getting there yourself: run `stagewise check` on your own attempt "
                          "first, and come back to compare."))
    files = solution_files(ex.solution_dir)
    out.append("## The Dockerfile\n")
    out.append("Built with the exercise folder as the context:\n")
    out.append(code_fence(f"docker buildx build --network=none --load -f solutions/{ex.id}/Dockerfile "
                          f"exercises/{ex.id}", "sh") + "\n")
    if len(files) > 1:
        for p in files:
            lang = "text" if p.name.endswith(".dockerignore") else "dockerfile"
            label = p.name if p.name != "Dockerfile" else "Dockerfile (the solution)"
            out.append(f'=== "{label}"\n')
            out.append(indent(code_fence(p.read_text(encoding="utf-8"), lang, title=f"solutions/{ex.id}/{p.name}"))
                       + "\n")
        if any(p.name.endswith(".dockerignore") for p in files):
            out.append("A `<name>.dockerignore` next to a Dockerfile is the `.dockerignore` BuildKit uses for a "
                       "build with `-f <name>`: it is the `.dockerignore` the exercise expects you to add.\n")
    else:
        out.append(code_fence(files[0].read_text(encoding="utf-8"), "dockerfile",
                              title=f"solutions/{ex.id}/Dockerfile") + "\n")
    explanation = ex.solution_dir / "EXPLANATION.md"
    if explanation.is_file():
        text = explanation.read_text(encoding="utf-8")
        text = re.sub(r"\A\s*#\s+[^\n]*\n", "", text)  # its own title: this page has one
        out.append("## Why it looks like this\n")
        out.append(links.rewrite(details_to_admonitions(shift_headings(text, 1)),
                                 structure.solution_explanation(ex.id), page))
    else:
        log.warning("solutions/%s has no EXPLANATION.md yet", ex.id)
    return "\n".join(out)
