"""checker.static.analyze: the public API, parse errors, the report model."""

from __future__ import annotations

from checker.report import Concern, Finding, Report, Status
from checker.rules.registry import static_rules
from checker.static import analyze, make_finding

GOOD = (
    "# syntax=docker/dockerfile:1\nARG GO_VERSION=1.23\nFROM golang:${GO_VERSION} AS build\nWORKDIR /src\n"
    "COPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
    'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n'
)


def test_every_static_rule_reports() -> None:
    findings = analyze(GOOD)
    assert {f.rule for f in findings} == {r.id for r in static_rules()}
    report = Report(dockerfile="Dockerfile", findings=findings).finalize()
    assert report.passed, [(f.rule, f.message) for f in findings if f.status is Status.FAIL]
    for concern in ("build", "stage-separation", "artifact-copies", "cache-ordering", "hardening", "size", "lint"):
        assert report.concerns[concern] == "pass", concern
    assert report.concerns["runtime"] == "pass"  # SW209: the Go binary is built static (CGO_ENABLED=0)
    assert report.score == report.max_score > 0


def test_parse_error_is_one_error_finding() -> None:
    findings = analyze("FROM alpine:3.20\nRUN echo hi\nCOPY --frm=build /a /b\n")
    assert len(findings) == 1
    f = findings[0]
    assert (f.rule, f.concern, f.status, f.line) == ("SW001", Concern.BUILD, Status.ERROR, 3)
    assert "unknown flag: frm" in f.message and "`COPY --frm=build /a /b`" in f.message
    assert f.max_points > 0 and f.points == 0
    report = Report(dockerfile="Dockerfile", findings=findings).finalize()
    assert report.concerns["build"] == "fail" and not report.passed


def test_findings_are_real_findings() -> None:
    for f in analyze(GOOD):
        again = Finding.model_validate(f.model_dump())
        assert again == f
        f.points = 1.0  # assignment works like on any model
    values = dict(
        rule="SW101",
        concern=Concern.BUILD,
        status=Status.PASS,
        message="m",
        line=1,
        hint=None,
        lesson="lessons/x/#y",
        points=1.0,
        max_points=1.0,
        evidence=[],
        title="t",
        docs_url=None,
    )
    assert make_finding(**values) == Finding(**values)
    assert make_finding(rule="SW101", concern=Concern.BUILD, status=Status.PASS, message="m") == Finding(
        rule="SW101", concern=Concern.BUILD, status=Status.PASS, message="m"
    )


def test_every_non_passing_finding_names_a_line() -> None:
    bad = "FROM maven:3.9\nWORKDIR /app\nCOPY . .\nRUN mvn package\nCMD java -jar target/app.jar\n"
    for f in analyze(bad):
        if f.status in (Status.FAIL, Status.WARN):
            assert f.line is not None, f.rule
            assert f.title and f.lesson and f.hint
