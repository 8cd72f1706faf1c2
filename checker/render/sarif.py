"""SARIF 2.1.0, shaped to upload as it is to GitHub code scanning (`github/codeql-action/upload-sarif`).

GitHub's "SARIF support for code scanning" reference asks, of each rule (`reportingDescriptor`), for `id`,
`shortDescription.text`, `fullDescription.text` and `help.text` (`help.markdown` shown instead when present), and
reads `name`, `defaultConfiguration.level`, `properties.tags` and `properties.precision`; of each result, for
`message.text`, one location with `artifactLocation.uri` (relative to the repository's root) and a region, and
`partialFingerprints` of which it uses `primaryLocationLineHash` to match results across runs. Here each rule's
help is its fix and its lesson link (the rule's "What it does" / "Why is this bad?" as the full description);
the fingerprint is :func:`checker.render.locate.fingerprints` (content, never line numbers).
"""

from __future__ import annotations

import json

from checker import __version__
from checker.report import Finding, Report, Status, lesson_url

from .locate import artifact_uri, fingerprints, read_source, span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}
INFORMATION_URI = "https://stagewise.github.io/stagewise/checker/"
MAX_NAME = 255  # GitHub: rule names are limited to 255 characters, descriptions to 1024
MAX_DESCRIPTION = 1024


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _rule_descriptor(f: Finding) -> dict[str, object]:
    """The rule's metadata, from the registry for Stagewise's rules, from the finding for BuildKit's checks."""
    from checker.rules.registry import get

    try:
        rule = get(f.rule)
    except KeyError:
        rule = None
    title = rule.title if rule else (f.title or f.rule)
    fix = rule.fix if rule else f.hint
    url = (lesson_url(rule.lesson) if rule else None) or f.docs_url or lesson_url(f.lesson)
    full = f"{rule.doc.what} {rule.doc.why}".strip() if rule else title
    help_text = " ".join(x for x in (f"Fix: {fix}" if fix else "", f"Read: {url}" if url else "") if x) or title
    markdown = [f"**{title}**", ""]
    if rule:
        markdown += [rule.doc.what, "", f"*Why:* {rule.doc.why}", ""]
    if fix:
        markdown += [f"**How to fix:** {fix}", ""]
    if url:
        markdown.append(f"[Read the lesson]({url})" if rule else f"[Documentation]({url})")
    descriptor: dict[str, object] = {
        "id": f.rule,
        "name": _cut(rule.name if rule else f.rule, MAX_NAME),
        "shortDescription": {"text": _cut(title, MAX_DESCRIPTION)},
        "fullDescription": {"text": _cut(full, MAX_DESCRIPTION)},
        "defaultConfiguration": {"level": "error" if rule and rule.weight > 0 else "warning"},
        "help": {"text": help_text, "markdown": "\n".join(markdown).strip()},
        "properties": {"tags": ["dockerfile", f.concern.value], "precision": "high", "concern": f.concern.value,
                       "problem.severity": "error" if rule and rule.weight > 0 else "warning"},
    }
    if url:
        descriptor["helpUri"] = url
    return descriptor


def sarif_dict(report: Report) -> dict[str, object]:
    shown = [f for f in report.findings if f.status in LEVEL]
    source = read_source(report)
    prints = fingerprints(report, shown, source)
    rules: dict[str, dict[str, object]] = {}
    index: dict[str, int] = {}
    results = []
    uri = artifact_uri(report)
    for f, fingerprint in zip(shown, prints, strict=True):
        if f.rule not in rules:
            index[f.rule] = len(rules)
            rules[f.rule] = _rule_descriptor(f)
        where = span(source, f.line)
        region: dict[str, int] = {"startLine": f.line or 1}
        if where is not None:
            region |= {"startColumn": 1, "endLine": where.end_line, "endColumn": where.end_column}
        message = f.message + (f" Fix: {f.hint}" if f.hint else "")
        results.append({
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": LEVEL[f.status],
            "message": {"text": message},
            "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
            "partialFingerprints": {"primaryLocationLineHash": fingerprint},
            "properties": {"concern": f.concern.value, "points": f.points, "max_points": f.max_points,
                           **({"evidence": f.evidence[:20]} if f.evidence else {})},
        })
    run: dict[str, object] = {
        "tool": {"driver": {"name": "stagewise", "semanticVersion": __version__, "version": __version__,
                            "informationUri": INFORMATION_URI, "rules": list(rules.values())}},
        "results": results,
    }
    if report.exercise:
        run["automationDetails"] = {"id": f"stagewise/{report.exercise}/"}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render_sarif(report: Report) -> str:
    return json.dumps(sarif_dict(report), indent=2, ensure_ascii=False) + "\n"
