"""The terminal report: grouped by concern; each finding with its rule id, Dockerfile line, message, fix
hint and lesson link. Colour when the terminal has it (rich decides)."""

from __future__ import annotations

import io

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.text import Text

from checker.report import LESSON_SITE, Concern, Report, Status, lesson_url

__all__ = ["CONCERN_TITLES", "LESSON_SITE", "lesson_url", "progress_text", "render_text", "text_renderable"]

MARK = {Status.PASS: ("✔", "green"), Status.FAIL: ("✘", "red"), Status.WARN: ("!", "yellow"),
        Status.SKIP: ("–", "dim"), Status.ERROR: ("✘", "red bold")}
CONCERN_TITLES = {
    Concern.STAGE_SEPARATION: "Stage separation: toolchains stay in builder stages",
    Concern.ARTIFACT_COPIES: "Artifact-only copies: the final image gets build outputs only",
    Concern.CACHE_ORDERING: "Cache ordering: dependencies before sources",
    Concern.HARDENING: "Hardening of the final stage",
    Concern.BUILD: "Build",
    Concern.RUNTIME: "Runtime: the image starts and answers",
    Concern.SIZE: "Size",
    Concern.LINT: "Lint (BuildKit's build checks and style)",
}

def text_renderable(report: Report, *, verbose: bool = False) -> RenderableType:
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{report.dockerfile}", style="bold")
    if report.exercise:
        head.append(f"  exercise {report.exercise}")
    if report.engine.builder:
        head.append(f"  built with {report.engine.builder} on Docker {report.engine.version}", style="dim")
    parts.append(head)
    if report.error:
        parts.append(Text(f"✘ {report.error}", style="red bold"))
    for concern in Concern:
        findings = [f for f in report.findings if f.concern == concern]
        if not findings:
            continue
        verdict = report.concerns.get(concern.value, "skip")
        style = {"pass": "green", "fail": "red"}.get(verdict, "dim")
        parts.append(Text(f"\n{CONCERN_TITLES[concern]}: {verdict.upper()}", style=f"bold {style}"))
        order = {Status.ERROR: 0, Status.FAIL: 1, Status.WARN: 2, Status.PASS: 3, Status.SKIP: 4}
        for f in sorted(findings, key=lambda f: (order[f.status], f.line or 0)):
            if f.status in (Status.PASS, Status.SKIP) and not verbose:
                mark, colour = MARK[f.status]
                line = Text(f"  {mark} ", style=colour)
                line.append(f"{f.rule} ", style="dim")
                line.append(f.message, style="dim" if f.status == Status.SKIP else "")
                parts.append(line)
                continue
            mark, colour = MARK[f.status]
            line = Text(f"  {mark} ", style=colour)
            line.append(f"{f.rule}", style=f"bold {colour}")
            if f.line:
                line.append(f"  line {f.line}", style="cyan")
            if f.max_points:
                line.append(f"  ({f.points:g}/{f.max_points:g} pts)", style="dim")
            line.append(f"\n    {f.message}")
            for ev in f.evidence[:8]:
                line.append(f"\n      · {ev}", style="dim")
            if len(f.evidence) > 8:
                line.append(f"\n      · … and {len(f.evidence) - 8} more", style="dim")
            if f.hint:
                line.append("\n    fix: ", style="bold")
                line.append(f.hint)
            url = f.docs_url or lesson_url(f.lesson)
            if url:
                line.append("\n    read: ", style="bold")
                line.append(url, style="underline blue")
            parts.append(line)
    if report.milestones:
        parts.append(progress_text(report))
    summary = Text()
    summary.append("\nPASSED" if report.passed else "\nNOT PASSED YET", style="bold green" if report.passed
                   else "bold red")
    if report.max_score:
        summary.append(f"  score {report.score:g}/{report.max_score:g}")
    if report.image:
        summary.append(f"  image {report.image.get('size_mb')} MB", style="dim")
    parts.append(summary)
    return Panel(Group(*parts), title="stagewise check", expand=False)


def progress_text(report: Report) -> Text:
    """The steps of a staged exercise: which are reached, and what keeps the next one from it."""
    done, following = report.progress
    text = Text("\nProgress: ", style="bold")
    text.append(f"reached {done.title}" if done else "no step reached yet",
                style="bold green" if done else "bold yellow")
    for m in report.milestones:
        mark, colour = ("·", "dim") if m.reached is None else (("✔", "green") if m.reached else ("✘", "red"))
        text.append(f"\n  {mark} {m.title}", style=colour)
        if m.optional:
            text.append("  (optional, not graded)", style="dim")
        elif m.failing:
            text.append(f"  blocked by {', '.join(m.failing)}", style="dim")
    if following is not None:
        text.append(f"\n  next: {following.title}", style="bold")
        url = lesson_url(following.lesson)
        if url:
            text.append(f"  {url}", style="underline blue")
    return text


def render_text(report: Report, *, verbose: bool = False, width: int = 110) -> str:
    buf = io.StringIO()
    Console(file=buf, force_terminal=False, width=width, color_system=None).print(
        text_renderable(report, verbose=verbose))
    return buf.getvalue()
