"""The live display of a grading run (rich): students done, running, failed, elapsed, estimated remaining;
and, once done, the gradebook as a table."""

from __future__ import annotations

import threading
import time
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from checker.report import Concern

from .runner import GradeRun, Job, Reporter, Summary
from .store import Status, StudentResult

STYLE = {Status.PASSED: "green", Status.FAILED: "red", Status.TIMEOUT: "magenta", Status.REFUSED: "yellow",
         Status.INVALID: "yellow", Status.ERROR: "red bold", Status.PENDING: "dim"}
SHORT = {Concern.STAGE_SEPARATION: "stages", Concern.ARTIFACT_COPIES: "copies", Concern.CACHE_ORDERING: "cache",
         Concern.HARDENING: "harden", Concern.BUILD: "build", Concern.RUNTIME: "run", Concern.SIZE: "size",
         Concern.LINT: "lint"}


def _clock(seconds: float) -> str:
    s = int(max(0, seconds))
    return f"{s // 60}:{s % 60:02d}"


class LiveReporter(Reporter):
    def __init__(self, console: Console) -> None:
        self.console = console
        self.live: Live | None = None
        self.run: GradeRun | None = None
        self.t0 = time.monotonic()
        self.done = 0
        self.failed = 0
        self.todo = 0
        self.lock = threading.Lock()
        self.durations: list[float] = []

    def start(self, run: GradeRun) -> None:
        self.run = run
        self.t0 = time.monotonic()
        self.todo = sum(len(j.students) for j in run.jobs)
        head = (f"grading {len(run.order)} submission(s) into {run.opts.out}: {run.reused} unchanged since the "
                f"last run, {self.todo} to grade with {min(run.opts.jobs, max(1, len(run.jobs)))} worker(s)")
        self.console.print(f"[bold]stagewise grade[/bold] {head}")
        self.console.print(f"[dim]limits: {run.limits_note}[/dim]")
        if self.console.is_terminal:
            self.live = Live(self._render(), console=self.console, refresh_per_second=4, transient=True)
            self.live.start()

    def _render(self) -> RenderableType:
        run = self.run
        elapsed = time.monotonic() - self.t0
        running = dict(run.running) if run else {}
        left = max(0, self.todo - self.done)
        eta = "?"
        if self.durations and run is not None:
            per = sum(self.durations) / len(self.durations) / max(1, min(run.opts.jobs, len(run.jobs) or 1))
            eta = _clock(per * left)
        bar_w = 30
        frac = self.done / self.todo if self.todo else 1.0
        bar = "█" * int(bar_w * frac) + "░" * (bar_w - int(bar_w * frac))
        line = Text()
        line.append(f"{bar} ", style="cyan")
        line.append(f"{self.done}/{self.todo} done", style="bold")
        line.append(f" · {len(running)} running · ")
        line.append(f"{self.failed} failed", style="red" if self.failed else "")
        line.append(f" · elapsed {_clock(elapsed)} · remaining ~{eta}")
        table = Table(show_header=False, box=None, padding=(0, 1))
        for slot, job in sorted(running.items()):
            table.add_row(f"[dim]w{slot}[/dim]", escape(job.label), f"[dim]{job.exercise.id}[/dim]",
                          _clock(time.monotonic() - job.started), Text(job.phase[:60], style="dim"))
        return Group(line, table)

    def tick(self) -> None:
        if self.live is not None:
            self.live.update(self._render())

    def job_started(self, slot: int, job: Job) -> None:
        if self.live is None:
            self.console.print(f"[dim]• w{slot} {escape(job.label)} ({job.exercise.id})[/dim]")

    def job_finished(self, slot: int, job: Job) -> None:
        with self.lock:
            if job.started:
                self.durations.append(time.monotonic() - job.started)

    def result(self, result: StudentResult) -> None:
        if self.run is None:
            return  # a refusal found while preparing: shown in the gradebook
        with self.lock:
            self.done += 1
            if result.status not in (Status.PASSED,):
                self.failed += 1
        score = f"{result.score:g}" if result.report else "-"
        note = f"  [dim]{escape(result.note[:80])}[/dim]" if result.note else ""
        text = (f"[{STYLE[result.status]}]{result.status.value:>7}[/] {escape(result.student)} ({result.exercise}) "
                f"score {score}  {result.duration_s:.1f} s{note}")
        if self.live is not None:
            self.live.console.print(text)
        else:
            self.console.print(text)

    def message(self, text: str) -> None:
        self.console.print(f"[yellow]{escape(text)}[/yellow]")

    def finish(self, summary: Summary) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def gradebook_table(summary: Summary) -> Table:
    t = Table(title=f"Gradebook ({summary.out / 'gradebook.csv'})")
    for col in ("student", "exercise", "score", *[SHORT[c] for c in Concern], "status", "s", "MB", "note"):
        t.add_column(col, no_wrap=col not in ("note",), overflow="fold")
    for r in summary.rows:
        rep = r.report
        mx = summary.exercise_max.get(r.exercise or "", 0.0)
        score = f"{r.score:g}/{mx:g}" if r.status != Status.PENDING else ""
        cells: list[Any] = [escape(r.student), r.exercise or "", score]
        for c in Concern:
            v = rep.concerns.get(c.value, "skip") if rep else ""
            cells.append({"pass": "[green]✔[/green]", "fail": "[red]✘[/red]", "skip": "[dim]–[/dim]"}.get(v, ""))
        cells += [f"[{STYLE[r.status]}]{r.status.value}[/]", f"{r.duration_s:.0f}" if rep else "",
                  f"{r.image_mb:g}" if r.image_mb is not None else "",
                  escape((r.note + (f"; identical to {r.same_as}" if r.same_as else ""))[:70])]
        t.add_row(*cells)
    return t


def summary_text(summary: Summary) -> str:
    parts = [f"{v} {k}" for k, v in sorted(summary.counts.items())]
    done = "complete" if summary.complete else f"INCOMPLETE ({summary.stopped_because or 'pending students'})"
    return (f"{summary.total} students: {', '.join(parts)} · graded {summary.graded}, unchanged {summary.reused} · "
            f"{summary.seconds:.1f} s · run {done}")
