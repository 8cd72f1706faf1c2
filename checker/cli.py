"""The `stagewise` command line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from checker.engine import Engine, EngineUnavailable, engine_down, engine_up, find_engine

console = Console(stderr=True)
out = Console()

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "hello-go"


def _log(msg: str) -> None:
    console.print(f"[dim]•[/dim] {msg}")


def _engine(ctx: click.Context, *, provision: bool = False) -> Engine:
    offline = True if ctx.obj.get("offline") else None
    try:
        return engine_up(_log, offline=offline) if provision else find_engine(offline=offline)
    except EngineUnavailable as exc:
        console.print(f"[red]{exc}[/red]")
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--offline", is_flag=True, help="Never reach a registry (implied by CI=true and by an engine "
              "Stagewise provisioned).")
@click.version_option(package_name="stagewise")
@click.pass_context
def cli(ctx: click.Context, offline: bool) -> None:
    """Stagewise: learn multi-stage Docker builds, and check Dockerfiles by building them for real."""
    ctx.ensure_object(dict)
    ctx.obj["offline"] = offline


# --- engine -------------------------------------------------------------------------------------------


@cli.group()
def engine() -> None:
    """Find, provision, inspect or stop the Docker engine."""


@engine.command("up")
@click.pass_context
def engine_up_cmd(ctx: click.Context) -> None:
    """Use the engine that answers (DOCKER_HOST, the default socket) or provision one for this project."""
    start = time.monotonic()
    eng = _engine(ctx, provision=True)
    console.print(f"[green]engine ready[/green] Docker {eng.server_version} at {eng.docker_host} "
                  f"({'provisioned by Stagewise, ' + eng.flavour if eng.provisioned else 'your own engine'}) "
                  f"in {time.monotonic() - start:.1f} s")
    if eng.provisioned:
        env_file = Path(eng.env.get("DOCKER_CONFIG", "")).parent / "engine.env"
        console.print(f"  use it from a shell: [bold]set -a; . {env_file}; set +a[/bold]")


@engine.command("down")
def engine_down_cmd() -> None:
    """Stop the engine Stagewise started (by pid) and clean up after it."""
    engine_down(_log)


@engine.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def engine_info_cmd(ctx: click.Context, as_json: bool) -> None:
    """Versions, builders and BuildKit features, each found by a tiny real build."""
    from checker.engine.features import engine_report

    report = engine_report(_engine(ctx))
    if as_json:
        out.print_json(json.dumps(report.to_dict()))
        return
    table = Table(title="Docker engine", show_header=False)
    table.add_row("engine", f"{report.engine_version} ({report.flavour})")
    table.add_row("buildx", report.buildx_version or "not available")
    table.add_row("address", report.docker_host)
    table.add_row("provisioned by Stagewise", "yes" if report.provisioned else "no")
    table.add_row("online", "yes: missing images are pulled as Docker always does" if report.online
                  else "no: nothing will try to reach a registry")
    for name, ok in report.builders.items():
        table.add_row(f"builder: {name}", "[green]yes[/green]" if ok else "[red]no[/red]")
    for name, probe in report.features.items():
        mark = "[green]yes[/green]" if probe.available else "[red]no[/red]"
        table.add_row(f"feature: {name}", f"{mark} {probe.detail}".rstrip())
    out.print(table)


# --- images -------------------------------------------------------------------------------------------


@cli.group()
def images() -> None:
    """Base images for the course: keep, pull, or build offline substitutes."""


@images.command("prepare")
@click.option("--only", "names", multiple=True, help="Prepare only these images (repeatable).")
@click.option("--jobs", default=2, show_default=True, help="Substitutes built at once.")
@click.pass_context
def images_prepare_cmd(ctx: click.Context, names: tuple[str, ...], jobs: int) -> None:
    """Make every base image the course's Dockerfiles use available locally."""
    from checker.images import prepare

    eng = _engine(ctx, provision=True)
    start = time.monotonic()
    results = prepare(eng, names=list(names) or None, jobs=jobs, log=_log)
    _print_prepare(results, time.monotonic() - start)
    if any(getattr(r, "action", "") in ("missing", "failed") for r in results):
        sys.exit(1)


def _print_prepare(results: list[Any], seconds: float) -> None:
    table = Table(title=f"Base images ({seconds:.1f} s)")
    for col in ("image", "action", "seconds", "size MB", "note"):
        table.add_column(col)
    for r in results:
        table.add_row(str(r.name), str(r.action), f"{r.seconds:.1f}", f"{r.size_mb:.1f}" if r.size_mb else "",
                      str(getattr(r, "note", "") or ""))
    out.print(table)


@images.command("list")
@click.pass_context
def images_list_cmd(ctx: click.Context) -> None:
    """Local images, and which are offline substitutes (for what, built how)."""
    from checker.images import list_images

    rows = list_images(_engine(ctx))
    table = Table(title="Local images")
    for col in ("image", "size MB", "substitute", "stands in for / built how"):
        table.add_column(col)
    for row in rows:
        table.add_row(row.ref, f"{row.size_mb:.1f}", "yes" if row.substitute else "no", row.description or "")
    out.print(table)


# --- demo (the foundation's main job) -------------------------------------------------------------------


@cli.command("demo")
@click.pass_context
def demo_cmd(ctx: click.Context) -> None:
    """Engine, images, then one multi-stage example built next to its single-stage twin."""
    from checker.build import build
    from checker.images import prepare
    from checker.run import run_http

    eng = _engine(ctx, provision=True)
    t0 = time.monotonic()
    results = prepare(eng, names=["golang:1.23-alpine"], log=_log)
    _print_prepare(results, time.monotonic() - t0)
    rows = []
    for label, dockerfile, tag in (("single-stage", "Dockerfile.single", "stagewise-demo:single"),
                                   ("multi-stage", "Dockerfile", "stagewise-demo:multi")):
        res = build(eng, EXAMPLE, dockerfile=EXAMPLE / dockerfile, tag=tag)
        if not res.ok:
            console.print(f"[red]{label} build failed:[/red] {res.error}")
            sys.exit(1)
        size = eng.client.images.get(tag).attrs["Size"] / 1e6
        rows.append((label, dockerfile, f"{size:.1f}", f"{res.seconds:.1f}"))
    answer = run_http(eng, "stagewise-demo:multi", port_env="PORT", path="/")
    table = Table(title="examples/hello-go")
    for col in ("image", "Dockerfile", "size MB", "build s"):
        table.add_column(col)
    for row in rows:
        table.add_row(*row)
    out.print(table)
    ratio = float(rows[0][2]) / max(float(rows[1][2]), 0.001)
    out.print(f"The multi-stage image is {ratio:.0f}x smaller.")
    out.print(f"It answered on 127.0.0.1:{answer.port}: {answer.body.strip() or answer.error}")


# --- check ----------------------------------------------------------------------------------------------

FORMATS = ["text", "json", "junit", "sarif", "gradescope"]


@cli.command("check")
@click.argument("path", required=False, default=".", type=click.Path(path_type=Path))
@click.option("--exercise", help="Grade against an exercise's spec (exercises/<ID>/exercise.yaml).")
@click.option("--static-only", is_flag=True, help="Read the Dockerfile only: no context, no engine, no build.")
@click.option("--target", help="The stage to build (default: the last stage, or the exercise's target).")
@click.option("--builder", type=click.Choice(["auto", "buildkit", "classic"]), default="auto", show_default=True)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--no-reuse", is_flag=True, help="Check again even if nothing changed since the last check.")
@click.option("-v", "--verbose", is_flag=True, help="Show passing findings in full.")
@click.pass_context
def check_cmd(ctx: click.Context, path: Path, exercise: str | None, static_only: bool, target: str | None,
              builder: str, fmt: str, output: Path | None, no_reuse: bool, verbose: bool) -> None:
    """Check a Dockerfile (or a folder holding one) by building it for real.

    Exit status: 0 when every required rule passes, 1 when one fails, 2 on bad usage or unreadable input.
    """
    from checker.check import CheckOptions, UsageError, check, resolve
    from checker.render import RENDERERS
    from checker.render.text import text_renderable

    try:
        tgt = resolve(path, exercise)
    except UsageError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
    except ValueError as exc:  # a spec that does not validate
        console.print(f"[red]error:[/red] invalid exercise spec: {exc}")
        sys.exit(2)
    status = console.status("checking", spinner="dots") if fmt == "text" and console.is_terminal else None

    def on_phase(msg: str) -> None:
        if status is not None:
            status.update(msg)
        elif fmt == "text":
            console.print(f"[dim]• {msg}[/dim]")

    def on_step(step: Any) -> None:
        if status is not None:
            status.update(f"building: {step.name[:90]}")

    engine_obj = None
    if not static_only:
        try:
            engine_obj = find_engine(offline=True if ctx.obj.get("offline") else None)
        except EngineUnavailable as exc:
            console.print(f"[red]{exc}[/red]")
            sys.exit(2)
    opts = CheckOptions(static_only=static_only, target=target, builder=builder, reuse=not no_reuse,
                        on_phase=on_phase, on_step=on_step)
    try:
        if status is not None:
            with status:
                report = check(tgt, opts, engine=engine_obj)
        else:
            report = check(tgt, opts, engine=engine_obj)
    except UsageError as exc:
        console.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
    if fmt == "text" and output is None:
        out.print(text_renderable(report, verbose=verbose))
    else:
        rendered = RENDERERS[fmt](report)
        if output:
            output.write_text(rendered)
        else:
            sys.stdout.write(rendered)
    if report.error and not report.findings:
        sys.exit(2)
    sys.exit(0 if report.passed else 1)


def main() -> None:
    cli(obj={})
