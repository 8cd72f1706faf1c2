"""`stagewise check`: static findings, then a real build and the dynamic findings, into one report.

Data flows one way: Dockerfile text -> model -> static findings (checker/static.py); build, image, cache probe,
smoke run -> typed facts (checker/dynamic/producers.py, facts.py) -> the dynamic rules' findings
(checker/dynamic/judge.py runs checker/rules/sw050_*.py ...); findings -> Report.finalize() (the only place the
report's verdicts are made) -> renderers. This module resolves the target, reuses a stored result when nothing
changed, starts the producers and assembles the report.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from checker import __version__
from checker.build import Step
from checker.dynamic.buildchecks import buildkit_twins, join_build_checks
from checker.dynamic.facts import DynamicContext, Facts
from checker.dynamic.judge import Judging, finding
from checker.dynamic.producers import CHECK_LABEL, FactProducer
from checker.engine import Engine, EngineUnavailable, find_engine, stagewise_home
from checker.parse import ParseError, parse
from checker.report import EngineInfo, Report, Status
from checker.report import Milestone as ReportMilestone
from checker.spec import Spec, load_spec
from checker.static import analyze

__all__ = ["BUILDKIT_TWINS", "CHECK_LABEL", "EXERCISES", "REPO", "CheckOptions", "Target", "UsageError", "check",
           "finding", "resolve"]

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"


class UsageError(Exception):
    """Bad usage or unreadable input: exit code 2."""


@dataclass
class Target:
    dockerfile: Path
    context: Path
    spec: Spec | None
    exercise_dir: Path | None = None


@dataclass
class CheckOptions:
    static_only: bool = False
    target: str | None = None
    builder: str = "auto"  # auto | buildkit | classic
    reuse: bool = True  # reuse a stored report when nothing changed
    keep_image: bool = False
    no_cache: bool = False  # build the image without the build cache (benchmarks, suspicious caches)
    build_timeout: float = 600
    # "isolated": the smoke run has no network and is asked by a probe in its namespace; "host": the old
    # host-network path on a loopback port, only when a user asks for it (--smoke-network host)
    smoke_network: str = "isolated"
    labels: dict[str, str] = field(default_factory=dict)
    on_step: Callable[[Step], None] | None = None
    on_phase: Callable[[str], None] | None = None


def resolve(path: Path, exercise: str | None) -> Target:
    """What to check: a directory (its Dockerfile, context = the directory) or a Dockerfile path."""
    spec: Spec | None = None
    exercise_dir: Path | None = None
    if exercise:
        exercise_dir = EXERCISES / exercise
        spec_file = exercise_dir / "exercise.yaml"
        if not spec_file.is_file():
            known = sorted(p.name for p in EXERCISES.iterdir() if (p / "exercise.yaml").is_file()) \
                if EXERCISES.is_dir() else []
            raise UsageError(f"no exercise {exercise!r}; known exercises: {', '.join(known) or 'none'}")
        spec = load_spec(spec_file)
    if not path.exists():
        raise UsageError(f"{path} does not exist")
    if path.is_dir():
        if spec is None and (path / "exercise.yaml").is_file():
            spec = load_spec(path / "exercise.yaml")
            exercise_dir = path
        name = spec.dockerfile if spec else "Dockerfile"
        dockerfile = path / name
        context = (path / spec.context).resolve() if spec else path
        if spec is not None and exercise_dir is not None and path.resolve() != exercise_dir.resolve() \
                and _holds_only_dockerfiles(path):
            # a folder of Dockerfiles (solutions/<id>/, a learner's own) checked against an exercise: the app
            # is in the exercise, as it is for a Dockerfile path
            context = (exercise_dir / spec.context).resolve()
        if not dockerfile.is_file():
            raise UsageError(f"{path} has no {name}: pass the Dockerfile's path, or a folder that holds one")
    else:
        dockerfile = path
        context = path.parent
        if spec is not None and exercise_dir is not None and (path.parent.resolve() != exercise_dir.resolve()):
            # a learner's Dockerfile kept elsewhere, checked against an exercise: the exercise is the context
            context = (exercise_dir / spec.context).resolve()
    return Target(dockerfile.resolve(), context.resolve(), spec, exercise_dir)


def _holds_only_dockerfiles(folder: Path) -> bool:
    """Dockerfiles, their ignore files and notes, and nothing a build could copy as the app."""
    return all(p.is_file() and (p.name.startswith("Dockerfile") or p.name.endswith((".Dockerfile", ".dockerignore"))
                                or p.suffix == ".md") for p in folder.iterdir())


# --------------------------------------------------------------------------------------------- helpers


def _context_fingerprint(context: Path, dockerfile: Path) -> str:
    h = hashlib.sha256()
    for root, dirs, files in os.walk(context):
        dirs.sort()
        if ".git" in dirs:
            dirs.remove(".git")
        for f in sorted(files):
            p = Path(root) / f
            try:
                h.update(str(p.relative_to(context)).encode())
                if p.is_symlink():
                    h.update(os.readlink(p).encode())
                else:
                    st = p.stat()
                    h.update(f"{st.st_size}:{st.st_mode}".encode())
                    h.update(hashlib.sha256(p.read_bytes()).digest())
            except OSError:
                continue
    h.update(dockerfile.read_bytes())
    return h.hexdigest()


def _result_key(tgt: Target, opts: CheckOptions, builder: str, engine: Engine) -> str:
    h = hashlib.sha256()
    h.update(__version__.encode())
    h.update(_code_fingerprint().encode())
    h.update(_context_fingerprint(tgt.context, tgt.dockerfile).encode())
    h.update((tgt.spec.model_dump_json() if tgt.spec else "").encode())
    h.update(f"{builder}|{opts.target}|{engine.server_version}|{opts.smoke_network}".encode())
    return h.hexdigest()


_CODE_FP: str | None = None


def _code_fingerprint() -> str:
    """The checker's own code: a stored result is reused only when the checker that made it is the same."""
    global _CODE_FP
    if _CODE_FP is None:
        h = hashlib.sha256()
        for p in sorted(Path(__file__).parent.rglob("*.py")):
            h.update(p.read_bytes())
        _CODE_FP = h.hexdigest()
    return _CODE_FP


def _results_dir() -> Path:
    d = stagewise_home() / "results"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _pick_builder(engine: Engine, wanted: str) -> str:
    if wanted == "auto":
        return "buildkit" if engine.has_buildkit else "classic"
    if wanted == "buildkit" and not engine.has_buildkit:
        raise UsageError("this engine has no BuildKit (buildx); use --builder classic")
    return wanted


# --------------------------------------------------------------------------------------------- check


def check(tgt: Target, opts: CheckOptions | None = None, *, engine: Engine | None = None) -> Report:
    opts = opts or CheckOptions()
    exercise = tgt.spec.id if tgt.spec else None
    report = Report(dockerfile=_display_path(tgt.dockerfile), exercise=exercise,
                    milestones=[ReportMilestone(title=m.title, concerns=m.concerns, optional=m.optional,
                                                lesson=m.lesson) for m in (tgt.spec.milestones if tgt.spec else [])])
    try:
        text = tgt.dockerfile.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        report.error = f"cannot read {tgt.dockerfile}: {exc}"
        return report.finalize()
    target = opts.target or (tgt.spec.target if tgt.spec else None)
    report.findings = analyze(text, context_dir=tgt.context, target=target, spec=tgt.spec,
                              dockerfile_path=tgt.dockerfile)
    try:
        model = parse(text)
    except ParseError:
        return report.finalize()

    def context(facts: Facts) -> DynamicContext:
        return DynamicContext(facts, model, tgt.spec, model.target_stage(target), tgt.context)

    if opts.static_only:
        report.findings += Judging(context(Facts.nothing_built("static-only: nothing was built"))).finish()
        return report.finalize()

    if engine is None:
        try:
            engine = find_engine()
        except EngineUnavailable as exc:
            nothing = Facts.nothing_built("no Docker engine: nothing was built", build_status=Status.ERROR)
            report.findings += Judging(context(nothing)).finish()
            report.error = str(exc).splitlines()[0] + " (run `stagewise engine up`, or use --static-only)"
            return report.finalize()
    builder = _pick_builder(engine, opts.builder)
    report.engine = EngineInfo(version=engine.server_version, builder=builder)

    key = _result_key(tgt, opts, builder, engine)
    stored = _results_dir() / f"{key}.json"
    if opts.reuse and stored.is_file():
        try:
            return Report.model_validate_json(stored.read_text())
        except ValueError:
            stored.unlink(missing_ok=True)

    producer = FactProducer(engine, tgt, opts, model, target, builder, key)
    judging = Judging(context(producer.facts))
    # Work that mostly waits on the engine runs side by side: BuildKit's checks beside the build; the cache
    # probe, the rebuild from edited sources, reading the image, running it and the health probe after. The
    # rules judge each fact as it arrives.
    try:
        with ThreadPoolExecutor(max_workers=6, thread_name_prefix="stagewise-check") as pool:
            static_count = len(report.findings)
            buildkit_checks = producer.start_buildkit_checks(pool)
            producer.produce(pool, on_facts=judging.ready)
            report.findings += judging.finish()
            report.image = _image_summary(producer.facts)
            join_build_checks(report.findings, producer.buildkit_checks(buildkit_checks), position=static_count,
                              twins=BUILDKIT_TWINS)
    finally:
        # after the pool has shut down: no producer task still runs on the image while it is removed
        producer.cleanup()
    report.finalize()
    if report.error is None:
        tmp = stored.with_suffix(".tmp")
        tmp.write_text(report.model_dump_json())
        tmp.replace(stored)
    return report


def _image_summary(facts: Facts) -> dict[str, object] | None:
    if facts.image is None or facts.build is None:
        return None
    image = facts.image.facts
    return {"size_mb": image.size_mb, "layers": len(image.layers), "user": image.user or "",
            "entrypoint": image.entrypoint, "cmd": image.cmd, "healthcheck": bool(image.healthcheck),
            "build_seconds": round(facts.build.seconds, 2)}


def _display_path(p: Path) -> str:
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


BUILDKIT_TWINS: dict[str, str] = buildkit_twins()
