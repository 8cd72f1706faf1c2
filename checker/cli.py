"""The `stagewise` command line."""

from __future__ import annotations

import json
import os
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
    out.print(f"It answered with no network, asked on port {answer.port} by a probe in its namespace: "
              f"{answer.body.strip() or answer.error}")


# --- check ----------------------------------------------------------------------------------------------

# text for people; json, junit, sarif (GitHub code scanning), github (workflow-command annotations), gitlab (Code
# Quality) for the tools Docker users' platforms read; gradescope for its autograders (docs/checker/formats.md)
FORMATS = ["text", "json", "junit", "sarif", "github", "gitlab", "gradescope"]


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
@click.option("--smoke-network", type=click.Choice(["isolated", "host"]), default="isolated", show_default=True,
              help="Where the HTTP smoke run happens: isolated (no network; a probe container in the image's own "
              "namespace asks it) or host (the old path: the host's network and a loopback port, the image can "
              "reach the host and beyond).")
@click.pass_context
def check_cmd(ctx: click.Context, path: Path, exercise: str | None, static_only: bool, target: str | None,
              builder: str, fmt: str, output: Path | None, no_reuse: bool, verbose: bool,
              smoke_network: str) -> None:
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
    if smoke_network == "host" and not static_only:
        console.print("[yellow]smoke run on the host's network (--smoke-network host): the image can reach the "
                      "host's loopback services and beyond while it runs[/yellow]")
    opts = CheckOptions(static_only=static_only, target=target, builder=builder, reuse=not no_reuse,
                        on_phase=on_phase, on_step=on_step, smoke_network=smoke_network)
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
        if os.environ.get("GITHUB_ACTIONS") == "true":
            # in a GitHub Actions step, a plain `stagewise check` annotates the pull request too
            out.file.flush()
            sys.stdout.write(RENDERERS["github"](report))
    else:
        rendered = RENDERERS[fmt](report)
        if output:
            output.write_text(rendered)
        else:
            sys.stdout.write(rendered)
    if report.error and not report.findings:
        sys.exit(2)
    sys.exit(0 if report.passed else 1)


# --- grade ----------------------------------------------------------------------------------------------


@cli.command("grade")
@click.argument("submissions", required=False, type=click.Path(path_type=Path))
@click.option("--exercise", help="The exercise (an id, or a folder holding exercise.yaml); optional when the "
              "roster has an 'exercise' column.")
@click.option("--jobs", "-j", type=click.IntRange(1, 64), default=None, help="Submissions graded at once "
              "[default: the number of CPUs].")
@click.option("--out", "-o", "out_dir", type=click.Path(path_type=Path), default=Path("grades"), show_default=True,
              help="Where the gradebook, results and feedback go (and the state a re-run resumes from).")
@click.option("--timeout", type=click.FloatRange(1), default=300, show_default=True,
              help="Seconds each build may take; the whole grading of one submission is stopped after 4x that.")
@click.option("--regrade", is_flag=True, help="Grade every submission again, even the unchanged ones.")
@click.option("--builder", "buildx_builder", metavar="NAME", help="Build with this buildx builder (e.g. a "
              "remote or kubernetes one); images are loaded into the engine (DOCKER_HOST) for inspection.")
@click.option("--classic", is_flag=True, help="Build with the classic builder (it takes --memory and --cpu-quota).")
@click.option("--memory", default="2g", show_default=True, help="Memory limit per build (and worker).")
@click.option("--pids", type=click.IntRange(16), default=2048, show_default=True, help="Process limit per build.")
@click.option("--cpus", type=click.FloatRange(0.1), default=None, help="CPU limit per build and container.")
@click.option("--max-disk", default="4g", show_default=True, help="Disk a build may write (its layers); a build "
              "over it is stopped and what it wrote removed. Watched through the build cgroups (local engine).")
@click.option("--max-files", type=click.IntRange(1), default=2000, show_default=True,
              help="Refuse a submission with more files than this.")
@click.option("--max-size", default="50m", show_default=True, help="Refuse a submission (or archive) larger "
              "than this, unpacked.")
@click.option("--keep-cache", is_flag=True, help="Keep the build cache the run made (faster re-runs); by default "
              "it is pruned, like the images and containers.")
@click.option("--no-reference", is_flag=True, help="Do not grade the reference solution (the exercise's max "
              "score is then the highest any submission could earn).")
@click.option("--student", help="SUBMISSIONS is one student's submission, graded under this name.")
@click.option("--emit-gradescope-bundle", type=click.Path(path_type=Path), metavar="DIR",
              help="Write a Gradescope autograder bundle for --exercise into DIR (and DIR/autograder.zip).")
@click.option("--emit-classroom50", type=click.Path(path_type=Path), metavar="DIR",
              help="Write a Classroom 50 assignment for --exercise into DIR: the template repository and the "
              "autograder (it writes result.json); --timeout is each build's limit (at most 600 s there).")
@click.option("--emit-classroom-workflow", type=click.Path(path_type=Path), metavar="FILE", hidden=True,
              help="Discontinued: GitHub Classroom ended on 28 August 2026 (use --emit-classroom50).")
@click.option("--smoke-network", type=click.Choice(["isolated", "host"]), default="isolated", show_default=True,
              help="Where the HTTP smoke run happens: isolated (no network; a probe container in the image's own "
              "namespace asks it) or host (the old path: the host's network and a loopback port, the image can "
              "reach the host and beyond).")
@click.pass_context
def grade_cmd(ctx: click.Context, submissions: Path | None, exercise: str | None, jobs: int | None, out_dir: Path,
              timeout: float, regrade: bool, buildx_builder: str | None, classic: bool, memory: str, pids: int,
              cpus: float | None, max_disk: str, max_files: int, max_size: str, keep_cache: bool, no_reference: bool,
              student: str | None, emit_gradescope_bundle: Path | None, emit_classroom50: Path | None,
              emit_classroom_workflow: Path | None, smoke_network: str) -> None:
    """Grade a class: every submission under SUBMISSIONS, built for real, in parallel.

    SUBMISSIONS is a folder of per-student folders or .zip/.tar.gz archives, a CSV roster (student,
    submission, exercise), or a folder holding roster.csv. A submission is the learner's Dockerfile (and
    .dockerignore), built with a fresh copy of the exercise's app. Writes gradebook.csv, results.json,
    junit.xml and, per student, feedback.md, report.json, gradescope.json and classroom50.json (the tests of
    Classroom 50's result.json) into --out. GitHub Classroom was discontinued (its service ended on 28 August
    2026): its classroom.json and workflow are no longer written.
    Re-running skips unchanged submissions and finishes an interrupted run.

    Exit status: 0 when every student was graded (whatever their scores), 2 on bad usage, 3 when the run
    stopped early (interrupted, or the engine went away): run the same command again to finish it.
    """
    from checker.grade import (
        GradeError,
        GradeOptions,
        ResourceLimits,
        RosterError,
        UnpackLimits,
        discover,
        grade_class,
        parse_bytes,
    )
    from checker.grade.emit import classroom50_files, gradescope_bundle, reference_concern_max
    from checker.grade.progress import LiveReporter, gradebook_table, summary_text
    from checker.grade.workspace import UnknownExercise, find_exercise

    def fail(msg: str) -> None:
        console.print(f"[red]error:[/red] {msg}")
        sys.exit(2)

    ex_obj = None
    if exercise:
        try:
            ex_obj = find_exercise(exercise, base=Path.cwd())
        except (UnknownExercise, ValueError) as exc:
            fail(str(exc).splitlines()[0])
    if emit_classroom_workflow:
        fail("GitHub Classroom was discontinued (its service ended on 28 August 2026): --emit-classroom-workflow "
             "is gone. Use --emit-classroom50 DIR for Classroom 50, which grades on GitHub Actions runners too.")
    if emit_gradescope_bundle or emit_classroom50:
        if ex_obj is None:
            fail("--emit-gradescope-bundle and --emit-classroom50 need --exercise")
        assert ex_obj is not None
        if emit_gradescope_bundle:
            archive = gradescope_bundle(ex_obj, emit_gradescope_bundle, timeout=timeout)
            console.print(f"[green]Gradescope bundle[/green] {emit_gradescope_bundle} (upload {archive})")
        if emit_classroom50:
            if timeout > 600:
                console.print("[yellow]Classroom 50 runs a command for at most 600 s: each build gets 600 s[/yellow]")
            concern_max = None
            if no_reference or ex_obj.reference is None:
                console.print("[yellow]no reference solution graded: each learner's max-score is what the checks "
                              "that judged their Dockerfile are worth[/yellow]")
            else:
                _log(f"grading the reference solution of {ex_obj.id} for each concern's points")
                try:
                    ref_engine = find_engine(offline=True if ctx.obj.get("offline") else None)
                except EngineUnavailable as exc:
                    fail(f"{str(exc).splitlines()[0]} (grading the reference solution needs one; --no-reference "
                         "emits without it)")
                concern_max = reference_concern_max(ex_obj, ref_engine, timeout=min(timeout, 600))
                if concern_max is None:
                    fail(f"the reference solution of {ex_obj.id} does not pass: fix it, or use --no-reference")
            files = classroom50_files(ex_obj, emit_classroom50, timeout=timeout, concern_max=concern_max)
            console.print(f"[green]Classroom 50 assignment[/green] {emit_classroom50} ({len(files)} files): "
                          f"{emit_classroom50 / 'template'} is the template repository, "
                          f"{emit_classroom50 / 'autograder'} goes to CLASSROOM/autograders/ASSIGNMENT/ in your "
                          f"classroom50 repository (see {emit_classroom50 / 'README.md'})")
        if submissions is None:
            return
    if submissions is None:
        fail("give SUBMISSIONS: a folder of submissions, a roster (.csv), or one submission")
    assert submissions is not None
    try:
        klass = discover(submissions, exercise=exercise, student=student)
        size = parse_bytes(max_size)
        limits = ResourceLimits(memory_bytes=parse_bytes(memory), pids=pids, cpus=cpus,
                                disk_bytes=parse_bytes(max_disk))
    except (RosterError, ValueError) as exc:
        fail(str(exc))
    engine_obj = _engine(ctx)
    if buildx_builder:
        from checker.grade.sandbox import buildx_builder_problem

        problem = buildx_builder_problem(engine_obj, buildx_builder)
        if problem:
            fail(problem)
    opts = GradeOptions(out=out_dir, exercise=exercise, jobs=jobs or GradeOptions(out=out_dir).jobs, timeout=timeout,
                        regrade=regrade, builder="classic" if classic else "auto", buildx_builder=buildx_builder,
                        limits=limits, unpack=UnpackLimits(max_files=max_files, max_bytes=size, max_archive_bytes=size),
                        keep_cache=keep_cache, reference=not no_reference, smoke_network=smoke_network)
    if smoke_network == "host":
        console.print("[yellow]smoke runs on the host's network (--smoke-network host): every submission's image "
                      "can reach the host's loopback services and beyond while it runs[/yellow]")
    try:
        summary = grade_class(klass, opts, engine_obj, LiveReporter(console))
    except GradeError as exc:
        fail(str(exc))
    (out if sys.stdout.isatty() else Console(width=200)).print(gradebook_table(summary))
    for w in summary.warnings:
        console.print(f"[yellow]warning:[/yellow] {w}")
    console.print(summary_text(summary))
    console.print(f"[dim]{out_dir / 'gradebook.csv'} · {out_dir / 'results.json'} · {out_dir / 'junit.xml'} · "
                  f"{out_dir / 'students'}/<student>/feedback.md[/dim]")
    if summary.leftovers != (0, 0):
        console.print(f"[red]{summary.leftovers[0]} container(s) and {summary.leftovers[1]} image(s) of this run "
                      "could not be removed[/red]")
    sys.exit(0 if summary.complete else 3)


def main() -> None:
    cli(obj={})
