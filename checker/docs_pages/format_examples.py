"""The output formats page's examples: one report built in code, rendered by every renderer (text, JSON, SARIF,
JUnit, Gradescope); ``docs/checker/formats.md`` includes them."""

from __future__ import annotations

from checker.report import Concern, EngineInfo, Finding, Report, Status
from checker.rules.registry import get


def example_report() -> Report:
    """A report as `stagewise check exercises/node-nginx --exercise node-nginx` gives for a typical first
    attempt: findings made by the checker's own `finding()` from real rules of the registry (ids, titles,
    weights, fixes, lessons); only the messages and the measurements are written for the example."""
    from checker.check import finding

    def f(rule_id: str, status: Status, message: str, *, line: int | None = None,
          evidence: list[str] | None = None) -> Finding:
        return finding(get(rule_id), status, message, None, line=line, evidence=evidence)

    report = Report(
        dockerfile="exercises/node-nginx/Dockerfile",
        exercise="node-nginx",
        engine=EngineInfo(version="28.5.1", builder="buildkit"),
        findings=[
            f("SW050", Status.PASS, "The image built in 9.8 s (7 steps, 2 from the cache)."),
            f("SW101", Status.PASS, "The final stage (line 11) is built from build.", line=11),
            f("SW202", Status.FAIL, "Line 14: `COPY --from=build /app /usr/share/nginx/html/` copies the whole "
              "working directory of the build stage, sources and node_modules included.", line=14,
              evidence=["/usr/share/nginx/html/src/app.js", "/usr/share/nginx/html/package.json"]),
            f("SW301", Status.PASS, "`package.json` and `package-lock.json` are copied, and `npm ci` runs "
              "(line 5), before the rest of the source (line 6).", line=5),
            f("SW350", Status.PASS, "A source-only edit (src/app.js) reused the dependency step, line 5 "
              "`RUN npm ci`; an edit of package.json ran it again."),
            f("SW403", Status.WARN, "The final stage has no HEALTHCHECK.", line=11),
            f("SW550", Status.PASS, "GET / on 127.0.0.1:39117 answered 200 in 0.4 s."),
            Finding(rule="buildkit/FromAsCasing", concern=Concern.LINT, status=Status.WARN,
                    message="The 'as' keyword should match the case of the 'from' keyword: 'as' and 'FROM' "
                    "keywords' casing do not match", line=1, title="FromAsCasing",
                    docs_url="https://docs.docker.com/go/dockerfile/rule/from-as-casing/"),
        ],
        image={"size_mb": 48.2, "layers": 9, "user": ""},
    )
    return report.finalize()


# file name (in structure.FORMAT_EXAMPLES_DIR) -> the renderer that writes it
EXAMPLES = {"report.txt": "text", "report.json": "json", "report.sarif": "sarif", "report.junit.xml": "junit",
            "results.json": "gradescope"}


def format_examples() -> dict[str, str]:
    from checker.render import RENDERERS

    report = example_report()
    return {name: RENDERERS[fmt](report) for name, fmt in EXAMPLES.items()}
