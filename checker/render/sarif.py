"""SARIF 2.1.0: one run, the rule registry as the tool's rules, locations at Dockerfile lines."""

from __future__ import annotations

import json

from checker import __version__
from checker.report import Report, Status, lesson_url

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Status.FAIL: "error", Status.ERROR: "error", Status.WARN: "warning"}


def render_sarif(report: Report) -> str:
    rules: dict[str, dict[str, object]] = {}
    results = []
    for f in report.findings:
        if f.status not in LEVEL:
            continue
        if f.rule not in rules:
            rule: dict[str, object] = {"id": f.rule, "name": f.title or f.rule,
                                       "shortDescription": {"text": f.title or f.message},
                                       "properties": {"concern": f.concern.value}}
            if f.hint:
                rule["help"] = {"text": f.hint}
            if f.docs_url or f.lesson:
                rule["helpUri"] = f.docs_url or lesson_url(f.lesson)
            rules[f.rule] = rule
        result: dict[str, object] = {
            "ruleId": f.rule,
            "level": LEVEL[f.status],
            "message": {"text": f.message + (f" Fix: {f.hint}" if f.hint else "")},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": report.dockerfile},
                    **({"region": {"startLine": f.line}} if f.line else {}),
                }
            }],
            "properties": {"concern": f.concern.value, "points": f.points, "max_points": f.max_points},
        }
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "stagewise", "version": __version__,
                                "informationUri": "https://github.com/stagewise/stagewise",
                                "rules": list(rules.values())}},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"
