"""The formats of `stagewise check` that other platforms read, each held to that platform's published contract:

- sarif: GitHub code scanning's SARIF subset (tests/report/schemas/github-code-scanning-sarif.schema.json,
  written from GitHub's "SARIF support for code scanning"), and its fingerprints stable across runs;
- github: GitHub Actions workflow commands, parsed back with the syntax and escaping the Actions toolkit uses;
- gitlab: GitLab Code Quality (tests/report/schemas/gitlab-code-quality.schema.json, written from GitLab's
  "Implement a custom tool").
Real static checks of real Dockerfiles (no engine), plus hand-made reports for the hostile strings."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from checker.check import CheckOptions, check, resolve
from checker.render import RENDERERS
from checker.render.github import escape_data, escape_property, render_github
from checker.render.gitlab import render_gitlab
from checker.render.sarif import render_sarif
from checker.report import Concern, Finding, Report, Status

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = Path(__file__).parent / "schemas"
WRONG = REPO / "exercises" / "node-nginx" / "wrong"

# one stage, the whole context copied, root, a build in the final stage: several findings on several lines
DOCKERFILE = """FROM node:22-alpine
WORKDIR /app
COPY . .
RUN npm ci \\
  && npm run build
EXPOSE 8080
CMD node dist/server.js
"""


def schema(name: str) -> dict[str, object]:
    return json.loads((SCHEMAS / name).read_text())


def static_report(path: Path) -> Report:
    return check(resolve(path, None), CheckOptions(static_only=True, reuse=False))


def hostile_report(dockerfile: str = "Dockerfile") -> Report:
    """Messages and titles with everything the formats must escape."""
    nasty = "50% of it, CR\r LF\n::error::injected, a: b, c %0A"
    return Report(dockerfile=dockerfile, findings=[
        Finding(rule="SW201", concern=Concern.ARTIFACT_COPIES, status=Status.FAIL, message=nasty, line=3,
                hint="Copy only what runs, 100%.", lesson="lessons/04-build-cache/#build-only-vs-runtime-files",
                max_points=3, title="Don't copy: the context, here"),
        Finding(rule="buildkit/JSONArgsRecommended", concern=Concern.LINT, status=Status.WARN, message="JSON args",
                line=7, docs_url="https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
                title="JSONArgsRecommended"),
        Finding(rule="SW050", concern=Concern.BUILD, status=Status.PASS, message="builds", points=5, max_points=5),
    ]).finalize()


@pytest.fixture(params=sorted(p.name for p in WRONG.glob("*.Dockerfile")))
def wrong_report(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Report:
    monkeypatch.chdir(REPO)  # the report's path is then repository-relative, as in a CI checkout
    return static_report(Path("exercises/node-nginx/wrong") / request.param)


def test_every_format_is_registered_for_check() -> None:
    from checker.cli import FORMATS

    assert set(FORMATS) == set(RENDERERS)
    assert {"github", "gitlab", "sarif"} <= set(FORMATS)


# ------------------------------------------------------------------------------------------------- SARIF


def _sarif_cross_checks(doc: dict) -> None:
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert len({r["id"] for r in rules}) == len(rules)
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
    hashes = [res["partialFingerprints"]["primaryLocationLineHash"] for res in run["results"]]
    assert len(set(hashes)) == len(hashes), "two results with one fingerprint are one alert on GitHub"


def test_sarif_uploads_to_code_scanning(wrong_report: Report) -> None:
    doc = json.loads(render_sarif(wrong_report))
    jsonschema.validate(doc, schema("github-code-scanning-sarif.schema.json"))
    _sarif_cross_checks(doc)
    run = doc["runs"][0]
    failing = [f for f in wrong_report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    assert len(run["results"]) == len(failing) > 0
    for res in run["results"]:
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"]["uri"].startswith("exercises/node-nginx/wrong/")
        if "endLine" in loc["region"]:  # the source was read: the region covers the whole instruction
            assert loc["region"]["endLine"] >= loc["region"]["startLine"]
    for rule in run["tool"]["driver"]["rules"]:
        if rule["id"].startswith("SW"):
            assert rule["helpUri"].startswith("https://stagewise.github.io/stagewise/lessons/")
            assert rule["helpUri"] in rule["help"]["text"] and rule["helpUri"] in rule["help"]["markdown"]
            assert "Fix:" in rule["help"]["text"]


def _hashes(path: Path) -> dict[tuple[str, str], str]:
    doc = json.loads(render_sarif(static_report(path)))
    src = path.read_text().splitlines()
    out = {}
    for res in doc["runs"][0]["results"]:
        line = src[res["locations"][0]["physicalLocation"]["region"]["startLine"] - 1].strip()
        out[(res["ruleId"], line)] = res["partialFingerprints"]["primaryLocationLineHash"]
    return out


def test_sarif_fingerprints_are_stable_across_runs_and_line_shifts(tmp_path: Path) -> None:
    df = tmp_path / "Dockerfile"
    df.write_text(DOCKERFILE)
    first, second = _hashes(df), _hashes(df)
    assert first == second and len(first) >= 3
    assert all(re.fullmatch(r"[0-9a-f]{16}:\d+", h) for h in first.values())
    # an unrelated line inserted above every finding: each result moves down a line, its fingerprint stays
    df.write_text("# syntax-free comment added by a teammate\n" + DOCKERFILE)
    shifted = json.loads(render_sarif(static_report(df)))["runs"][0]["results"]
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in shifted} <= set(range(2, 10))
    assert _hashes(df) == first
    # editing the instruction a finding points at is a different problem: that fingerprint changes
    df.write_text(DOCKERFILE.replace("COPY . .", "COPY . /app"))
    edited = _hashes(df)
    copy_rules = {rule for (rule, line) in first if line == "COPY . ."}
    assert copy_rules, first
    for rule in copy_rules:
        assert first[(rule, "COPY . .")] not in edited.values()


def test_sarif_fingerprints_count_identical_instructions() -> None:
    rep = Report(dockerfile="/nonexistent/Dockerfile", findings=[
        Finding(rule="SW402", concern=Concern.HARDENING, status=Status.WARN, message="m", line=n) for n in (4, 9)])
    hashes = [r["partialFingerprints"]["primaryLocationLineHash"] for r in json.loads(render_sarif(rep))["runs"][0]
              ["results"]]
    assert hashes[0].split(":")[0] == hashes[1].split(":")[0] and [h[-2:] for h in hashes] == [":1", ":2"]


def test_sarif_of_hostile_text_still_validates() -> None:
    doc = json.loads(render_sarif(hostile_report("/abs/path with space/Dockerfile")))
    jsonschema.validate(doc, schema("github-code-scanning-sarif.schema.json"))
    _sarif_cross_checks(doc)
    uri = doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "file:///abs/path%20with%20space/Dockerfile"


# ------------------------------------------------------------------------------------------------- GitHub


COMMAND_LINE = re.compile(r"^::(?P<cmd>[a-z-]+)(?: (?P<props>[^:]*))?::(?P<msg>.*)$")


def unescape(text: str) -> str:
    """The runner's unescaping, in the order that undoes the toolkit's escaping (%25 last)."""
    for code, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(code, char)
    return text


def parse_commands(output: str) -> list[tuple[str, dict[str, str], str]]:
    """Workflow commands as the runner reads stdout: one per line, `::name k=v,k=v::message`."""
    out = []
    for line in output.splitlines():
        m = COMMAND_LINE.match(line)
        assert m, f"not a workflow command: {line!r}"
        props = {}
        if m["props"]:
            for pair in m["props"].split(","):
                key, _, value = pair.partition("=")
                props[key] = unescape(value)
        out.append((m["cmd"], props, unescape(m["msg"])))
    return out


def test_github_annotations_round_trip(wrong_report: Report) -> None:
    commands = parse_commands(render_github(wrong_report))
    shown = [f for f in wrong_report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    annotations = [c for c in commands if c[0] in ("error", "warning")]
    assert len(annotations) == len(shown)
    kinds = [c[0] for c in annotations]
    assert kinds == sorted(kinds), "errors before warnings: GitHub shows only 10 of each per step"
    for _cmd, props, _msg in annotations:
        assert props["file"] == wrong_report.dockerfile
        assert props["line"].isdigit() and props["title"].split()[0] in {f.rule for f in shown}
        assert set(props) <= {"file", "line", "endLine", "col", "endColumn", "title"}
    assert commands[-1][0] == "notice" and "score" in commands[-1][2]


def test_github_escapes_what_the_toolkit_escapes() -> None:
    assert escape_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert escape_property("a: b, c%") == "a%3A b%2C c%25"
    out = render_github(hostile_report("dir, with: colon/Dockerfile"))
    assert all(line.startswith("::") for line in out.splitlines()), "a message must not start a new line"
    cmd, props, msg = parse_commands(out)[0]
    assert cmd == "error" and props["file"] == "dir, with: colon/Dockerfile" and props["line"] == "3"
    assert props["title"] == "SW201 Don't copy: the context, here"
    assert msg.startswith("50% of it, CR\r LF\n::error::injected, a: b, c %0A\nFix: Copy only what runs, 100%.")
    assert "Read: https://stagewise.github.io/stagewise/lessons/04-build-cache/" in msg


# ------------------------------------------------------------------------------------------------- GitLab


def test_gitlab_code_quality(wrong_report: Report) -> None:
    text = render_gitlab(wrong_report)
    assert text.startswith("[") and not text.startswith("\ufeff")
    issues = json.loads(text)
    jsonschema.validate(issues, schema("gitlab-code-quality.schema.json"))
    assert len({i["fingerprint"] for i in issues}) == len(issues)
    shown = [f for f in wrong_report.findings if f.status in (Status.FAIL, Status.ERROR, Status.WARN)]
    assert sorted(i["check_name"] for i in issues) == sorted(f.rule for f in shown)
    assert {i["location"]["path"] for i in issues} == {wrong_report.dockerfile}


def test_gitlab_fingerprints_survive_a_line_shift(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_text(DOCKERFILE)
    before = [(i["check_name"], i["fingerprint"]) for i in json.loads(render_gitlab(static_report(Path("Dockerfile"))))]
    Path("Dockerfile").write_text("\n\n" + DOCKERFILE)
    after = json.loads(render_gitlab(static_report(Path("Dockerfile"))))
    assert sorted(before) == sorted((i["check_name"], i["fingerprint"]) for i in after)
    jsonschema.validate(after, schema("gitlab-code-quality.schema.json"))


def test_gitlab_reports_a_broken_dockerfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Dockerfile").write_text('FROM busybox\nRUN ["unterminated\n')
    rep = static_report(Path("Dockerfile"))
    issues = json.loads(render_gitlab(rep))
    jsonschema.validate(issues, schema("gitlab-code-quality.schema.json"))
    assert issues and {i["location"]["path"] for i in issues} == {"Dockerfile"}
    assert any(i["severity"] in ("major", "critical", "blocker") for i in issues)


def test_the_documented_samples_are_valid() -> None:
    page = (REPO / "docs" / "checker" / "formats.md").read_text()
    github = page.split('```text title="stagewise check --format github"\n', 1)[1].split("\n```", 1)[0]
    commands = parse_commands(github)
    assert [c[0] for c in commands][-1] == "notice" and commands[0][1]["line"] == "14"
    gitlab = json.loads(page.split('```json title="gl-code-quality-report.json"\n', 1)[1].split("\n```", 1)[0])
    jsonschema.validate(gitlab, schema("gitlab-code-quality.schema.json"))


def test_a_plain_check_in_github_actions_annotates() -> None:
    env = {**os.environ, "GITHUB_ACTIONS": "true"}
    target = "exercises/node-nginx/wrong/whole-workdir.Dockerfile"
    run = subprocess.run([str(Path(sys.executable).parent / "stagewise"), "check", "--static-only", target],
                         cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1
    assert "stagewise check" in run.stdout  # the text report for people reading the log
    commands = parse_commands("\n".join(ln for ln in run.stdout.splitlines() if ln.startswith("::")))
    assert commands and all(c[1].get("file", target) == target for c in commands)
    env.pop("GITHUB_ACTIONS")
    plain = subprocess.run([str(Path(sys.executable).parent / "stagewise"), "check", "--static-only", target],
                           cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert "::error" not in plain.stdout
