"""The offline images page's table of the substitutes the image kit declares (``checker/images``)."""

from __future__ import annotations

import importlib

from checker.docs_pages.markdown_helpers import admonition, escape_table_cell


def substitutes_markdown() -> str:
    """The offline substitutes the kit declares (checker/images), as a table."""
    try:
        substitutes = list(importlib.import_module("checker.images.recipes").SUBSTITUTES)
    except (ImportError, AttributeError):
        return admonition("note", "The list of substitutes",
                          "`stagewise images list` shows, on your machine, which local images are substitutes "
                          "and what each stands in for.")
    out = ["| image (and its other tags) | built from | how it differs from the upstream image |",
           "|---|---|---|"]
    for sub in substitutes:
        tags = [f"`{t}`" for t in sub.tags]
        names = tags[0] + (f" ({', '.join(tags[1:])})" if len(tags) > 1 else "")
        differs = "<br>".join(escape_table_cell(d) for d in sub.deviations) or "nothing known"
        out.append(f"| {names} | {escape_table_cell(sub.summary)} | {differs} |")
    return "\n".join(out) + "\n"
