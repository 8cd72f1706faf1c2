"""The rule reference page, from the rule registry (``checker.docs_gen`` writes its body)."""

from __future__ import annotations

from checker.docs_pages import structure
from checker.docs_pages.structure import NOTICE


def rule_reference_markdown() -> str:
    """The rule reference from the registry: each rule has an anchor (its lower-case id) and links its lesson
    as `../lessons/<stem>.ipynb#<anchor>`, which mkdocs checks."""
    from checker.docs_gen import rule_reference_markdown as from_registry

    lessons = structure.link(structure.LESSONS_DIR, structure.RULE_REFERENCE) + "/"
    return NOTICE.format(source="the rule registry (checker/rules/) through checker/docs_gen.py") + \
        from_registry(lessons)
