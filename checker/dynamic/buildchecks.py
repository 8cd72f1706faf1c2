"""BuildKit's own build checks, joined to the report under the `lint` concern with their rule names and
documentation links: read from the warnings the checked build itself reported (BuildKit runs its checks on
every build, cached or not), or, for the classic builder, from `docker buildx build --call=check,format=json`."""

from __future__ import annotations

import base64
import binascii
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from checker.engine import Engine
from checker.report import Concern, Finding, Status


@dataclass(frozen=True)
class BuildCheck:
    rule: str  # BuildKit's rule name, e.g. JSONArgsRecommended
    description: str
    detail: str
    url: str
    line: int | None


def run_build_checks(engine: Engine, context: Path, dockerfile: Path, *, target: str | None = None,
                     timeout: float = 120) -> list[BuildCheck] | None:
    """None when the engine has no build checks (no buildx, or an older frontend)."""
    if not engine.buildx_version:
        return None
    args = [engine.cli, "buildx", "build", "--call=check,format=json", "--network=none", "-f", str(dockerfile)]
    if target:
        args += ["--target", target]
    args.append(str(context))
    try:
        proc = subprocess.run(args, env=engine.full_env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    text = proc.stdout.strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    checks: list[BuildCheck] = []
    for w in data.get("warnings") or []:
        ranges = ((w.get("location") or {}).get("ranges") or [{}])
        line = (ranges[0].get("start") or {}).get("line")
        checks.append(BuildCheck(str(w.get("ruleName")), str(w.get("description") or ""),
                                 str(w.get("detail") or ""), str(w.get("url") or ""),
                                 int(line) if line else None))
    return checks


_SHORT = re.compile(r"^(?P<rule>[A-Z][A-Za-z]+): (?P<detail>.*?)(?: \(line \d+\))?$", re.S)


def _text(value: object) -> str:
    """A bytes field of BuildKit's JSON progress (base64), as text."""
    try:
        return base64.b64decode(str(value), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return str(value)


def checks_from_warnings(warnings: list[dict[str, object]]) -> list[BuildCheck]:
    """The build checks among a build's warnings: those with a rule's documentation link."""
    checks: list[BuildCheck] = []
    for w in warnings:
        url = str(w.get("url") or "")
        m = _SHORT.match(_text(w.get("short") or ""))
        if m is None or "/dockerfile/rule/" not in url:
            continue
        details = w.get("detail")
        description = _text(details[0]) if isinstance(details, list) and details else ""
        ranges = w.get("range")
        start = ranges[0].get("start") if isinstance(ranges, list) and ranges and isinstance(ranges[0], dict) \
            else None
        line = start.get("line") if isinstance(start, dict) else None
        checks.append(BuildCheck(m["rule"], description, m["detail"], url, int(line) if line else None))
    return checks


def buildkit_twins() -> dict[str, str]:
    """BuildKit rule name -> our rule id that already covers it (declared by each rule)."""
    from checker.rules.registry import all_rules

    return {name: rule.id for rule in all_rules() for name in rule.buildkit}


def join_build_checks(findings: list[Finding], checks: list[BuildCheck] | None, *, position: int,
                      twins: dict[str, str]) -> None:
    """BuildKit's findings go at `position` (right after the static ones), in its own words, minus those our
    own rules already make on the same line."""
    if checks is None:
        return
    static = findings[:position]
    ours = {(f.line, f.rule) for f in static if f.status in (Status.FAIL, Status.WARN)}
    our_lines = {line for line, _rule in ours}
    joined = []
    for c in checks:
        twin = twins.get(c.rule)
        if twin and c.line in our_lines and any(r == twin for line, r in ours if line == c.line):
            continue  # our own rule already says this, on this line
        joined.append(Finding(
            rule=f"buildkit/{c.rule}", concern=Concern.LINT, status=Status.WARN,
            message=f"{c.description}: {c.detail}", line=c.line, hint=None, lesson=None,
            points=0.0, max_points=0.0, evidence=[], title=c.rule, docs_url=c.url))
    findings[position:position] = joined
