"""GitHub Actions workflow commands: a plain `stagewise check --format github` step annotates the pull request.

One line per finding that failed, erred or warned, `::error file=F,line=L,endLine=E,title=T::MESSAGE` (or
`::warning`), as GitHub's "Workflow commands for GitHub Actions" documents, with the escaping of the toolkit's
`issueCommand`: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and `,` also
become `%3A` and `%2C`. Errors come first: GitHub shows at most 10 error and 10 warning annotations per step.
The message carries the fix and the lesson link on its own lines (an annotation keeps line breaks). Then a
`::notice::` with the verdict and the score, so the run's log says how it ended.
"""

from __future__ import annotations

from checker.report import Report, Status, lesson_url

from .locate import read_source, relative_path, span

COMMAND = {Status.ERROR: "error", Status.FAIL: "error", Status.WARN: "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(command: str, properties: dict[str, object], message: str) -> str:
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items() if v not in (None, ""))
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"


def render_github(report: Report) -> str:
    source = read_source(report)
    path = relative_path(report)
    order = {Status.ERROR: 0, Status.FAIL: 0, Status.WARN: 1}
    shown = sorted((f for f in report.findings if f.status in COMMAND), key=lambda f: (order[f.status], f.line or 0))
    lines = []
    if report.error:
        lines.append(workflow_command("error", {"file": path, "title": "stagewise: could not check"}, report.error))
    for f in shown:
        where = span(source, f.line)
        url = f.docs_url or lesson_url(f.lesson)
        body = "\n".join(x for x in (f.message, f"Fix: {f.hint}" if f.hint else "", f"Read: {url}" if url else "")
                         if x)
        props: dict[str, object] = {"file": path, "line": f.line,
                                    "endLine": where.end_line if where and where.end_line != f.line else None,
                                    "title": f.rule if not f.title or f.title in f.rule else f"{f.rule} {f.title}"}
        lines.append(workflow_command(COMMAND[f.status], props, body))
    verdict = "passed" if report.passed else "not passed yet"
    score = f", score {report.score:g}/{report.max_score:g}" if report.max_score else ""
    lines.append(workflow_command("notice", {"title": "stagewise"}, f"{path}: {verdict}{score}"))
    return "\n".join(lines) + "\n"
