"""GitLab Code Quality: the subset of the Code Climate issue format GitLab reads (its "Code Quality" page,
"Implement a custom tool"): a JSON array of objects with `description`, `check_name`, `fingerprint`, `severity`
(`info`, `minor`, `major`, `critical` or `blocker`), `location.path` (relative to the repository's root) and
`location.lines.begin`. GitLab ignores other fields, shows findings with equal fingerprints as one entry in the
merge request widget, and refuses a byte order mark: so each finding has its own stable fingerprint, and the
file starts with `[`. Publish it with `artifacts: reports: codequality: gl-code-quality-report.json`.
"""

from __future__ import annotations

import hashlib
import json

from checker.report import Report, Status

from .locate import fingerprints, read_source, relative_path

SEVERITY = {Status.ERROR: "critical", Status.FAIL: "major", Status.WARN: "minor"}


def gitlab_issues(report: Report) -> list[dict[str, object]]:
    shown = [f for f in report.findings if f.status in SEVERITY]
    path = relative_path(report)
    issues: list[dict[str, object]] = []
    if report.error:
        key = f"stagewise/error\0{path}".encode()
        issues.append({"description": f"stagewise could not check {path}: {report.error}",
                       "check_name": "stagewise/error",
                       "fingerprint": hashlib.md5(key, usedforsecurity=False).hexdigest(),
                       "severity": "blocker", "location": {"path": path, "lines": {"begin": 1}}})
    for f, print_ in zip(shown, fingerprints(report, shown, read_source(report)), strict=True):
        description = f.message + (f" Fix: {f.hint}" if f.hint else "")
        issues.append({
            "description": description,
            "check_name": f.rule,
            # GitLab's example is an MD5; any unique string works. The same hash as SARIF's line hash, spelled out
            "fingerprint": hashlib.md5(print_.encode(), usedforsecurity=False).hexdigest(),
            "severity": SEVERITY[f.status],
            "location": {"path": path, "lines": {"begin": f.line or 1}},
        })
    return issues


def render_gitlab(report: Report) -> str:
    return json.dumps(gitlab_issues(report), indent=2, ensure_ascii=False) + "\n"
