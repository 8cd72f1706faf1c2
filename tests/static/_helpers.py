"""Helpers for the static checker tests (pure logic: no Docker engine)."""

from __future__ import annotations

from pathlib import Path

from checker.report import Finding, Report, Status
from checker.spec import Spec
from checker.static import analyze


def run(
    text: str, *, context_dir: Path | None = None, target: str | None = None, spec: Spec | None = None
) -> list[Finding]:
    return analyze(text, context_dir=context_dir, target=target, spec=spec, strict=True)


def of(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def statuses(findings: list[Finding], rule: str) -> set[Status]:
    return {f.status for f in of(findings, rule)}


def verdicts(findings: list[Finding]) -> dict[str, str]:
    return Report(dockerfile="Dockerfile", findings=findings).finalize().concerns
