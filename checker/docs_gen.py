"""Generate the docs' rule reference page from the registry.

``rule_reference_markdown()`` returns the Markdown for ``docs/rules.md`` (or wherever the docs keep it):
a summary table, then one section per rule in ruff's shape (What it does / Why is this bad? / Example /
Use instead), with the fix hint and a link to the lesson section. Each heading carries an explicit
``<a id="sw101"></a>`` anchor so other pages can link ``rules.md#sw101``. Lesson links point at the
notebooks (``../lessons/<stem>.ipynb#<anchor>``), which mkdocs(-jupyter) resolves to the rendered page.

Run ``python -m checker.docs_gen > docs/rules.md`` to write the page.
"""

from __future__ import annotations

import sys

from checker.report import Concern
from checker.rules.base import Kind, Rule
from checker.rules.registry import all_rules

_CONCERN_TITLES = {
    Concern.BUILD: "Build",
    Concern.STAGE_SEPARATION: "Stage separation",
    Concern.ARTIFACT_COPIES: "Artifact copies",
    Concern.CACHE_ORDERING: "Cache ordering",
    Concern.HARDENING: "Hardening",
    Concern.RUNTIME: "Runtime",
    Concern.SIZE: "Size",
    Concern.LINT: "Lint",
}


def lesson_link(rule: Rule, prefix: str = "../lessons/") -> str:
    return f"{prefix}{rule.lesson_stem}.ipynb#{rule.lesson_anchor}"


def _fence(text: str) -> str:
    body = text.rstrip("\n")
    return f"```dockerfile\n{body}\n```"


def _weight(rule: Rule) -> str:
    return "advisory (0)" if rule.weight == 0 else f"{rule.weight:g}"


def rule_markdown(rule: Rule, lesson_prefix: str = "../lessons/") -> str:
    d = rule.doc
    parts = [
        f'<a id="{rule.anchor}"></a>',
        "",
        f"### {rule.id} `{rule.name}`",
        "",
        f"*{rule.title}.*",
        "",
        f"| concern | kind | default weight | lesson |\n|---|---|---|---|\n"
        f"| {rule.concern.value} | {rule.kind.value} | {_weight(rule)} | "
        f"[{rule.lesson_anchor.replace('-', ' ')}]({lesson_link(rule, lesson_prefix)}) |",
        "",
        "#### What it does",
        "",
        d.what,
        "",
        "#### Why is this bad?",
        "",
        d.why,
        "",
    ]
    if d.notes:
        parts += [d.notes, ""]
    parts += ["#### Example", "", _fence(d.example), "", "#### Use instead", "", _fence(d.use_instead), ""]
    parts += [f"**Fix:** {rule.fix}", ""]
    if rule.buildkit:
        parts += ["BuildKit's own checks covering the same ground: " + ", ".join(f"`{b}`" for b in rule.buildkit), ""]
    return "\n".join(parts)


def rule_reference_markdown(lesson_prefix: str = "../lessons/") -> str:
    rules = all_rules()
    out = [
        "# Rule reference",
        "",
        "Every check the Stagewise checker runs. **Static** rules read the Dockerfile (and the build context "
        "for `.dockerignore`); **dynamic** rules build the image and look at the result. Each finding names "
        "its rule id, the Dockerfile line and the lesson section to read.",
        "",
        "Scoring: a rule is worth its weight in points unless the exercise spec sets other weights; a "
        "warning is advice and costs nothing; advisory rules (weight 0) are reported but not graded.",
        "",
        "| id | name | concern | kind | weight | title |",
        "|---|---|---|---|---|---|",
    ]
    for r in rules:
        out.append(
            f"| [{r.id}](#{r.anchor}) | `{r.name}` | {r.concern.value} | {r.kind.value} | {_weight(r)} | {r.title} |"
        )
    out.append("")
    for concern in Concern:
        mine = [r for r in rules if r.concern is concern]
        if not mine:
            continue
        out += [f"## {_CONCERN_TITLES[concern]}", ""]
        for kind in (Kind.STATIC, Kind.DYNAMIC):
            for r in (x for x in mine if x.kind is kind):
                out.append(rule_markdown(r, lesson_prefix))
    return "\n".join(out).rstrip("\n") + "\n"


def main() -> None:
    sys.stdout.write(rule_reference_markdown())


if __name__ == "__main__":
    main()
