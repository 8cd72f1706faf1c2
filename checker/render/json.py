"""The stable JSON format (documented in docs/checker/formats.md; tests hold it)."""

from __future__ import annotations

import json

from checker.report import Report

JSON_FIELDS = ("dockerfile", "exercise", "engine", "findings", "concerns", "score", "max_score", "passed")


def report_dict(report: Report) -> dict[str, object]:
    data = report.model_dump(mode="json")
    ordered: dict[str, object] = {k: data[k] for k in JSON_FIELDS}
    ordered["findings"] = [
        {k: f[k] for k in ("rule", "concern", "status", "message", "line", "hint", "lesson", "points",
                           "max_points", "evidence")} | ({"title": f["title"]} if f.get("title") else {})
        | ({"docs_url": f["docs_url"]} if f.get("docs_url") else {})
        for f in data["findings"]
    ]
    for extra in ("image", "error"):
        if data.get(extra) is not None:
            ordered[extra] = data[extra]
    return ordered


def render_json(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
