"""`stagewise check`: static findings, then a real build and the dynamic findings, into one report.

Data flows one way: Dockerfile text -> model -> static findings; build -> image facts -> dynamic findings;
findings -> Report.finalize() (the only place verdicts are made) -> renderers.
"""

from __future__ import annotations

import fnmatch
import hashlib
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import docker.errors

from checker import __version__
from checker.build import Step, build, offline_preflight, without_syntax_directive
from checker.dynamic.buildchecks import BuildCheck, run_build_checks
from checker.dynamic.cacheprobe import INSTALL_PATTERN, CacheProbeResult, run_cache_probe
from checker.dynamic.contents import StrayFile, context_index, stray_files, trace_layers
from checker.dynamic.toolchains import find_toolchains
from checker.engine import Engine, EngineUnavailable, find_engine, stagewise_home
from checker.hints import build_hint, runtime_hint
from checker.inspect import ImageFacts, image_facts
from checker.model import Dockerfile, Instruction, Stage
from checker.parse import ParseError, parse
from checker.report import Concern, EngineInfo, Finding, Report, Status
from checker.report import Milestone as ReportMilestone
from checker.rules.base import Rule
from checker.rules.registry import all_rules
from checker.run import run_command, run_http
from checker.spec import Spec, load_spec
from checker.static import analyze

REPO = Path(__file__).resolve().parents[1]
EXERCISES = REPO / "exercises"
CHECK_LABEL = "io.stagewise.check"


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


def _rules_by_name() -> dict[str, Rule]:
    return {r.name: r for r in all_rules()}


def _weight(rule: Rule, spec: Spec | None) -> tuple[float, bool]:
    """(points, required) for a rule under a spec; without a spec every rule counts its default weight."""
    if spec and spec.rules:
        w = spec.rules.get(rule.id)
        if w is None:
            return 0.0, False
        return w.points, w.required
    return rule.weight, True


def finding(rule: Rule, status: Status, message: str, spec: Spec | None, *, line: int | None = None,
            hint: str | None = None, evidence: list[str] | None = None) -> Finding:
    points, required = _weight(rule, spec)
    if not required:
        points = 0.0
    earned = points if status in (Status.PASS, Status.WARN, Status.SKIP) else 0.0
    return Finding(rule=rule.id, concern=rule.concern, status=status, message=message, line=line,
                   hint=hint if hint is not None else (rule.fix if status in (Status.FAIL, Status.ERROR, Status.WARN)
                                                       else None),
                   lesson=rule.lesson, points=earned if status != Status.SKIP else 0.0,
                   max_points=points if status != Status.SKIP else 0.0, evidence=evidence or [], title=rule.title)


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
    h.update(f"{builder}|{opts.target}|{engine.server_version}".encode())
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
    report.findings = analyze(text, context_dir=tgt.context, target=target, spec=tgt.spec)
    try:
        model = parse(text)
    except ParseError:
        return report.finalize()
    if opts.static_only:
        _skip_dynamic(report, tgt.spec, "static-only: nothing was built")
        return report.finalize()

    if engine is None:
        try:
            engine = find_engine()
        except EngineUnavailable as exc:
            _skip_dynamic(report, tgt.spec, "no Docker engine: nothing was built", status=Status.ERROR)
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

    rules = _rules_by_name()
    dynamic = DynamicCheck(engine, tgt, opts, model, target, builder, rules, report, key)
    # Work that mostly waits on the engine runs side by side: BuildKit's checks beside the build; the cache
    # probe, reading the image and running it after. Findings keep one fixed order whatever finishes first.
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="stagewise-check") as pool:
        try:
            static_count = len(report.findings)
            buildkit_checks = dynamic.start_buildkit_checks(pool)
            dynamic.run(pool)
            if buildkit_checks is not None:
                dynamic.join_buildkit_checks(buildkit_checks.result(), position=static_count)
        finally:
            dynamic.cleanup()
    report.finalize()
    if report.error is None:
        tmp = stored.with_suffix(".tmp")
        tmp.write_text(report.model_dump_json())
        tmp.replace(stored)
    return report


def _display_path(p: Path) -> str:
    try:
        return str(p.relative_to(Path.cwd()))
    except ValueError:
        return str(p)


DYNAMIC_NAMES = ("image-builds", "toolchain-in-final-image", "sources-in-final-image", "expected-artifacts",
                 "dependency-layer-reused", "runs-as-non-root", "smoke-test", "size-budget")


def _skip_dynamic(report: Report, spec: Spec | None, why: str, status: Status = Status.SKIP) -> None:
    rules = _rules_by_name()
    for name in DYNAMIC_NAMES:
        rule = rules.get(name)
        if rule is not None:
            report.findings.append(finding(rule, status if name == "image-builds" else Status.SKIP, why, spec))


@dataclass
class ProbeStart:
    """What the cache probe was started with: the install step (None: nothing to probe), the source file it
    edits (None: none to edit) and the running probe builds."""

    install: Instruction | None
    source: str | None = None
    builds: Future[CacheProbeResult] | None = None


class DynamicCheck:
    def __init__(self, engine: Engine, tgt: Target, opts: CheckOptions, model: Dockerfile, target: str | None,
                 builder: str, rules: dict[str, Rule], report: Report, key: str) -> None:
        self.engine, self.tgt, self.opts, self.model = engine, tgt, opts, model
        self.target, self.builder, self.rules, self.report = target, builder, rules, report
        self.spec = tgt.spec
        # Unique per check: two checks of the same files at once (a class, parallel tests) never share a tag,
        # so one's cleanup cannot remove the image the other is inspecting.
        self.tag = f"stagewise-check/{(self.spec.id if self.spec else 'dockerfile')}:{key[:12]}-{secrets.token_hex(4)}"
        self.labels = {CHECK_LABEL: "true", **opts.labels}
        self.final: Stage | None = model.target_stage(target)

    def add(self, name: str, status: Status, message: str, *, line: int | None = None, hint: str | None = None,
            evidence: list[str] | None = None) -> None:
        rule = self.rules[name]
        self.report.findings.append(finding(rule, status, message, self.spec, line=line, hint=hint,
                                            evidence=evidence))

    def phase(self, msg: str) -> None:
        if self.opts.on_phase:
            self.opts.on_phase(msg)

    # -- BuildKit's own checks ---------------------------------------------------------------------
    def start_buildkit_checks(self, pool: ThreadPoolExecutor) -> Future[list[BuildCheck] | None] | None:
        if self.engine.offline and offline_preflight(self.engine, self.model.text) is not None:
            return None  # the checks would resolve a missing image against a registry; the build reports it
        return pool.submit(self._fetch_buildkit_checks)

    def _fetch_buildkit_checks(self) -> list[BuildCheck] | None:
        text = self.model.text
        dockerfile = self.tgt.dockerfile
        sanitized = without_syntax_directive(text)
        tmp: Path | None = None
        if sanitized != text and self.engine.offline:
            tmp = Path(tempfile.mkstemp(prefix="stagewise-df-", suffix=".Dockerfile")[1])
            tmp.write_text(sanitized)
            dockerfile = tmp
        try:
            return run_build_checks(self.engine, self.tgt.context, dockerfile, target=self.target)
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)

    def join_buildkit_checks(self, checks: list[BuildCheck] | None, *, position: int) -> None:
        """BuildKit's findings go right after the static ones, minus those our own rules already make."""
        if checks is None:
            return
        static = self.report.findings[:position]
        ours = {(f.line, f.rule) for f in static if f.status in (Status.FAIL, Status.WARN)}
        our_lines = {line for line, _rule in ours}
        joined = []
        for c in checks:
            twin = BUILDKIT_TWINS.get(c.rule)
            if twin and c.line in our_lines and any(r == twin for line, r in ours if line == c.line):
                continue  # our own rule already says this, on this line
            joined.append(Finding(
                rule=f"buildkit/{c.rule}", concern=Concern.LINT, status=Status.WARN,
                message=f"{c.description}: {c.detail}", line=c.line, hint=None, lesson=None,
                points=0.0, max_points=0.0, evidence=[], title=c.rule, docs_url=c.url))
        self.report.findings[position:position] = joined

    # -- the build and everything after it ---------------------------------------------------------
    def run(self, pool: ThreadPoolExecutor) -> None:
        self.phase(f"building with {self.builder}")
        result = build(self.engine, self.tgt.context, dockerfile=self.tgt.dockerfile, tag=self.tag,
                       builder=self.builder, target=self.target, labels=self.labels,
                       timeout=self.opts.build_timeout, on_step=self.opts.on_step, no_cache=self.opts.no_cache)
        if not result.ok:
            err = result.error or "the build failed"
            line = self._line_of_failed_step(result.steps)
            self.add("image-builds", Status.FAIL, f"The image does not build: {err}", line=line,
                     hint=build_hint(err + "\n" + result.log[-3000:]),
                     evidence=[ln for ln in result.log.splitlines()[-12:] if ln.strip()])
            for name in DYNAMIC_NAMES[1:]:
                self.add(name, Status.SKIP, "skipped: the image did not build")
            return
        self.add("image-builds", Status.PASS, f"The image builds ({self.builder}, {result.seconds:.1f} s).")
        # The probe builds need only the build cache this build left: they run while the image is read and run.
        probe = self.start_cache_probe(pool)
        # Reading the image (mostly Python reading its layers) and running it (mostly waiting on the container)
        # overlap too; the reader gets its own SDK client, as an SDK client is not shared between threads.
        self.phase("reading and running the image")
        reading = pool.submit(_read_image_apart, self.engine, self.tag)
        before_runtime = len(self.report.findings)
        self.runtime()
        runtime_findings = self.report.findings[before_runtime:]
        del self.report.findings[before_runtime:]
        facts = reading.result()
        self.report.image = {"size_mb": facts.size_mb, "layers": len(facts.layers), "user": facts.user or "",
                             "entrypoint": facts.entrypoint, "cmd": facts.cmd,
                             "healthcheck": bool(facts.healthcheck), "build_seconds": round(result.seconds, 2)}
        assert self.final is not None
        base_len = self._root_history_len()
        traced = trace_layers(facts, self.model, self.final, base_len)
        first_own_layer = min(traced) if traced else len(facts.layers)
        self.stage_separation(facts, traced, first_own_layer)
        self.artifact_copies(facts, traced, first_own_layer)
        self.effective_user(facts)
        self.phase("judging the cache probe")
        self.cache_ordering(probe)
        self.report.findings.extend(runtime_findings)
        self.size(facts)

    def _line_of_failed_step(self, steps: list[Step]) -> int | None:
        from checker.dynamic.cacheprobe import matches_instruction

        failed = next((s for s in steps if s.error), None)
        if failed is None:
            return None
        for st in self.model.stages:
            for ins in st.instructions:
                if matches_instruction(failed, ins):
                    return ins.line
        return None

    def _root_history_len(self) -> int:
        assert self.final is not None
        root = self.model.root_image(self.final)
        if root.lower() == "scratch":
            return 0
        try:
            return len([h for h in self.engine.client.images.get(root).history()])
        except Exception:
            return 0

    # -- stage separation ---------------------------------------------------------------------------
    def stage_separation(self, facts: ImageFacts, traced: dict[int, Instruction], first_own: int) -> None:
        merged = facts.files()
        hits = find_toolchains({p: e for p, (e, _l) in merged.items()}, allow=self._allowed_tools())
        if not hits:
            self.add("toolchain-in-final-image", Status.PASS,
                     "No compiler, SDK or language package manager in the final image.")
            return
        evidence = []
        lines: list[int] = []
        for h in hits:
            _entry, layer = merged[h.path]
            instr = traced.get(layer.index)
            if instr is not None:
                lines.append(instr.line)
                evidence.append(f"{h.path}: {h.what} ({h.toolchain}), added by line {instr.line} `{instr.snippet}`")
            else:
                root = self.model.root_image(self.final) if self.final else "the base image"
                evidence.append(f"{h.path}: {h.what} ({h.toolchain}), from the base image `{root}`")
        tools = sorted({h.binary for h in hits})
        where = "its base image" if not lines else f"line {min(lines)}"
        self.add("toolchain-in-final-image", Status.FAIL,
                 f"The final image ships build tools: {', '.join(tools)} (found via {where}). They belong in a "
                 "builder stage; the runtime needs only what the build produced.",
                 line=min(lines) if lines else (self.final.line if self.final else None), evidence=evidence)

    def _allowed_tools(self) -> frozenset[str]:
        # A Node runtime image legitimately carries node; npm/npx are still package managers. Python
        # runtimes need pip only when the spec says so (language "python" apps installed with pip at build).
        return frozenset()

    # -- artifact-only copies ------------------------------------------------------------------------
    def artifact_copies(self, facts: ImageFacts, traced: dict[int, Instruction], first_own: int) -> None:
        index = context_index(self.tgt.context)
        strays = stray_files(facts, traced, index, first_own)
        strays += self._forbidden(facts, traced, first_own, {s.path for s in strays})
        # the context's own Dockerfile name may differ (Dockerfile.x): count it as a build file too
        if strays:
            cats = sorted({s.category for s in strays})
            lines = sorted({s.line for s in strays if s.line})
            first = strays[0]
            evidence = [f"line {s.line} `{s.instruction}` brought in {s.path} ({s.category}: {s.context_path})"
                        if s.line else f"{s.path} ({s.category})" for s in strays[:40]]
            if len(strays) > 40:
                evidence.append(f"... {len(strays) - 40} more")
            lead = (f"line {first.line} `{first.instruction}` brought in {first.path}" if first.line
                    else f"{first.path} is in the image")
            self.add("sources-in-final-image", Status.FAIL,
                     f"The final image holds files that are not build outputs ({', '.join(cats)}): {lead}"
                     f"{f' and {len(strays) - 1} more' if len(strays) > 1 else ''}.",
                     line=lines[0] if lines else None, evidence=evidence)
        else:
            self.add("sources-in-final-image", Status.PASS,
                     "Only build outputs reached the final image: no sources, tests, manifests, VCS data or "
                     "dev dependencies from the context.")
        if self.spec and self.spec.artifacts:
            paths = facts.files()
            missing = [a for a in self.spec.artifacts if a.rstrip("/") not in paths]
            if missing:
                self.add("expected-artifacts", Status.FAIL,
                         f"Expected build outputs are missing from the final image: {', '.join(missing)}.",
                         evidence=missing)
            else:
                self.add("expected-artifacts", Status.PASS,
                         f"The build outputs are in place: {', '.join(self.spec.artifacts)}.")
        else:
            self.add("expected-artifacts", Status.SKIP, "no expected artifacts declared")

    def _forbidden(self, facts: ImageFacts, traced: dict[int, Instruction], first_own: int,
                   known: set[str]) -> list[StrayFile]:
        """The spec's forbidden paths, among the files the Dockerfile itself added (not the base image's).
        A forbidden folder is reported once, not file by file."""
        if not self.spec or not self.spec.forbidden:
            return []
        out: list[StrayFile] = []
        reported: list[str] = []
        for path, (_entry, layer) in sorted(facts.files(from_layer=first_own).items()):
            if path in known or any(path.startswith(r + "/") for r in reported):
                continue
            pattern = next((pat for pat in self.spec.forbidden if fnmatch.fnmatchcase(path, pat)), None)
            if pattern is None:
                continue
            reported.append(path)
            instr = traced.get(layer.index)
            out.append(StrayFile(path, pattern, "forbidden by the exercise", instr.line if instr else None,
                                 instr.snippet if instr else None))
        return out

    # -- hardening (what the image really runs as) ---------------------------------------------------
    def effective_user(self, facts: ImageFacts) -> None:
        if self.spec is not None and not self.spec.require_non_root:
            self.add("runs-as-non-root", Status.SKIP, "this exercise does not ask for a non-root user")
            return
        user = facts.user.strip()
        name = user.split(":", 1)[0]
        if name in ("", "root", "0"):
            self.add("runs-as-non-root", Status.FAIL,
                     f"The image runs as root (its config says User={user or '(empty)'}, which includes the base "
                     "image's default).", line=self.final.line if self.final else None)
        else:
            self.add("runs-as-non-root", Status.PASS, f"The image runs as `{user}`, not root.")

    # -- cache ordering --------------------------------------------------------------------------------
    def _install_step(self) -> Instruction | None:
        assert self.final is not None
        reach = self._reached_stages()
        # The exercise's own pattern when it names one (it knows its package manager), else every one we know.
        pattern = re.compile(self.spec.cache.install_pattern) if self.spec and self.spec.cache else INSTALL_PATTERN
        for st in self.model.stages:
            if st.index not in reach:
                continue
            for ins in st.instructions:
                if ins.keyword == "RUN" and ins.run is not None and pattern.search(ins.run.script):
                    return ins
        return None

    def _reached_stages(self) -> set[int]:
        assert self.final is not None
        seen: set[int] = set()
        todo = [self.final.index]
        while todo:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            st = self.model.stages[i]
            if st.base_stage is not None:
                todo.append(st.base_stage)
            for ref in self.model.refs:
                if ref.stage_index == i and ref.target is not None:
                    todo.append(ref.target)
        return seen

    def _probe_files(self, install: Instruction) -> tuple[str | None, str | None]:
        """(source file, manifest) to edit: the spec's, else a source copied after the install step and a
        manifest copied before it."""
        if self.spec and self.spec.cache:
            return self.spec.cache.source_file, self.spec.cache.manifest_file
        stage = self.model.stages[install.stage_index or 0]
        before = [i for i in stage.instructions if i.copy is not None and i.copy.from_ref is None
                  and i.line < install.line]
        after = [i for i in stage.instructions if i.copy is not None and i.copy.from_ref is None
                 and i.line > install.line]
        index = context_index(self.tgt.context)
        manifest = None
        for ins in before:
            assert ins.copy is not None
            for src in ins.copy.sources:
                for rel in sorted(index):
                    if _glob_match(src, rel) and rel.rsplit("/", 1)[-1] not in ("Dockerfile",):
                        manifest = manifest or rel
        source = None
        for ins in after:
            assert ins.copy is not None
            for src in ins.copy.sources:
                for rel in sorted(index):
                    if _glob_match(src, rel) and _is_source(rel) and rel != manifest:
                        source = source or rel
        if source is None:  # install step after a broad copy: any source in the context shows it
            source = next((rel for rel in sorted(index) if _is_source(rel)), None)
        return source, manifest

    def start_cache_probe(self, pool: ThreadPoolExecutor) -> ProbeStart:
        """Start the probe builds when there is something to probe; `cache_ordering` judges them."""
        install = self._install_step()
        if install is None:
            return ProbeStart(None)
        source, manifest = self._probe_files(install)
        if source is None:
            return ProbeStart(install)
        return ProbeStart(install, source, pool.submit(
            run_cache_probe, self.engine, self.tgt.context, self.tgt.dockerfile, install, source_file=source,
            manifest_file=manifest, builder=self.builder, target=self.target, timeout=self.opts.build_timeout))

    def cache_ordering(self, started: ProbeStart) -> None:
        install = started.install
        if install is None and self.spec is not None and self.spec.cache is not None and self.spec.cache.required:
            # The exercise is about this step: leaving it out (or folding it into the compile) is the mistake.
            self.add("dependency-layer-reused", Status.FAIL,
                     "This exercise expects the dependencies to be installed in a step of their own, before the "
                     f"source is copied, but no stage the final image uses has one. Copy "
                     f"`{self.spec.cache.manifest_file or 'the dependency manifest'}` first, install the "
                     "dependencies (npm ci, mvn dependency:go-offline, go mod download, pip install -r ...), "
                     "then copy the rest of the source.", line=self.final.line if self.final else None)
            return
        if install is None:
            self.add("dependency-layer-reused", Status.SKIP,
                     "no dependency-install step (npm ci, go mod download, mvn dependency:..., pip install -r...) "
                     "to probe")
            return
        source = started.source
        if started.builds is None or source is None:
            self.add("dependency-layer-reused", Status.SKIP, "no source file in the context to edit for the probe",
                     line=install.line)
            return
        probe = started.builds.result()
        src_run, man_run = probe.source_edit, probe.manifest_edit
        evidence = []
        if src_run is not None:
            fate = {True: "reused from cache", False: "ran again", None: "never decided"}[src_run.install_cached]
            evidence.append(f"after editing {src_run.edited} only: line {install.line} `{install.snippet}` {fate} "
                            f"({src_run.seconds:.1f} s probe)")
        if man_run is not None:
            fate = {True: "reused from cache", False: "ran again", None: "never decided"}[man_run.install_cached]
            evidence.append(f"after editing {man_run.edited}: the same step {fate} ({man_run.seconds:.1f} s probe)")
        if src_run is None or src_run.install_cached is None:
            self.add("dependency-layer-reused", Status.ERROR,
                     f"The cache probe could not tell whether line {install.line} was reused: "
                     f"{src_run.error if src_run else 'no probe build'}", line=install.line, evidence=evidence)
        elif src_run.install_cached:
            if man_run is not None and man_run.install_cached is True:
                self.add("dependency-layer-reused", Status.WARN,
                         f"Line {install.line} `{install.snippet}` was reused after a source edit, but also after "
                         f"editing {man_run.edited}: the install step does not depend on the manifest, so "
                         "dependency changes would not reinstall.", line=install.line, evidence=evidence)
            else:
                self.add("dependency-layer-reused", Status.PASS,
                         f"A source-only edit ({source}) reused the dependency step, line {install.line} "
                         f"`{install.snippet}`; editing the manifest re-ran it.", line=install.line,
                         evidence=evidence)
        else:
            self.add("dependency-layer-reused", Status.FAIL,
                     f"Editing only {source} re-ran the dependency install, line {install.line} `{install.snippet}`: "
                     "a COPY before it brings in sources, so every code change reinstalls every dependency.",
                     line=install.line, evidence=evidence)

    # -- runtime ---------------------------------------------------------------------------------------
    def runtime(self) -> None:
        smoke = self.spec.smoke if self.spec else None
        if smoke and smoke.http:
            p = smoke.http
            ans = run_http(self.engine, self.tag, path=p.path, port_env=p.port_env, host_env=p.host_env,
                           env=p.env, timeout=p.timeout_s, wait_healthy=smoke.expect_healthy, labels=self.labels)
            ev = [ln for ln in ans.container_logs.splitlines()[-8:] if ln.strip()]
            if not ans.ok:
                self.add("smoke-test", Status.FAIL,
                         f"The image did not answer GET {p.path} on a loopback port: {ans.error}", evidence=ev,
                         hint=runtime_hint(ans.error or "", ans.container_logs))
                return
            problems = []
            if ans.status != p.expect_status:
                problems.append(f"status {ans.status}, expected {p.expect_status}")
            if p.expect_body and p.expect_body not in ans.body:
                problems.append(f"the body lacks {p.expect_body!r}")
            if smoke.expect_healthy and ans.health != "healthy":
                problems.append(f"Docker reports health {ans.health or 'none (no HEALTHCHECK)'}"
                                + (f": {ans.health_log[-1]}" if ans.health_log else ""))
            if problems:
                self.add("smoke-test", Status.FAIL, f"GET {p.path} answered, but " + "; ".join(problems) + ".",
                         evidence=ev + ans.health_log[-2:], hint=runtime_hint("; ".join(problems), ""))
            else:
                health = f", healthcheck {ans.health}" if ans.health else ""
                self.add("smoke-test", Status.PASS,
                         f"GET {p.path} answered {ans.status} in {ans.seconds:.1f} s{health}.")
            return
        if smoke and smoke.command:
            c = smoke.command
            res = run_command(self.engine, self.tag, c.args, env=c.env, timeout=c.timeout_s, labels=self.labels)
            if res.error or res.timed_out or res.exit_code != c.expect_exit or \
                    (c.expect_output and c.expect_output not in res.output):
                why = res.error or ("it did not finish in time" if res.timed_out else
                                    f"exit code {res.exit_code}" + (f", output lacks {c.expect_output!r}"
                                                                    if c.expect_output and c.expect_output
                                                                    not in res.output else ""))
                self.add("smoke-test", Status.FAIL, f"Running the image failed: {why}.",
                         evidence=res.output.splitlines()[-8:], hint=runtime_hint(why, res.output))
            else:
                self.add("smoke-test", Status.PASS,
                         f"The image ran and printed what was expected ({res.seconds:.1f} s).")
            return
        # No spec: the image must at least start (a server keeps running, a tool exits 0).
        res = run_command(self.engine, self.tag, [], timeout=3, labels=self.labels)
        if res.error:
            self.add("smoke-test", Status.FAIL, f"The image cannot start: {res.error}",
                     hint=runtime_hint(res.error, ""))
        elif not res.timed_out and res.exit_code not in (0, None):
            self.add("smoke-test", Status.FAIL, f"The image started and exited with code {res.exit_code}.",
                     evidence=res.output.splitlines()[-8:], hint=runtime_hint("", res.output))
        else:
            self.add("smoke-test", Status.PASS, "The image starts (no smoke test declared: started with no network "
                     "and watched for 3 s).")

    # -- size ------------------------------------------------------------------------------------------
    def size(self, facts: ImageFacts) -> None:
        budget = self.spec.size if self.spec else None
        limits: list[tuple[float, str]] = []  # (MB, what the limit is)
        if budget is not None and budget.max_mb is not None:
            limits.append((budget.max_mb, f"the budget of {budget.max_mb:g} MB"))
        if budget is not None and budget.max_fraction_of_single_stage is not None:
            twin_mb, problem = self._single_stage_twin_mb(budget.single_stage_dockerfile)
            if twin_mb is None:
                self.add("size-budget", Status.ERROR, f"The single-stage twin could not be measured: {problem}")
                return
            fraction = budget.max_fraction_of_single_stage
            limit = round(twin_mb * fraction, 1)
            limits.append((limit, f"{fraction:.0%} of the single-stage image ({twin_mb} MB, built from the same "
                                  f"context) = {limit:g} MB"))
        if not limits:
            self.add("size-budget", Status.SKIP, f"no size budget declared (the image is {facts.size_mb} MB)")
            return
        over = [(mb, what) for mb, what in limits if facts.size_mb > mb]
        if over:
            self.add("size-budget", Status.FAIL,
                     f"The image is {facts.size_mb} MB, over " + " and ".join(what for _mb, what in over) + ".")
        else:
            self.add("size-budget", Status.PASS,
                     f"The image is {facts.size_mb} MB, within " + " and ".join(what for _mb, what in limits) + ".")

    def _single_stage_twin_mb(self, dockerfile: str | None) -> tuple[float | None, str]:
        """Build the exercise's single-stage twin with the same context and builder; its size in MB."""
        if not dockerfile:
            return None, "the spec gives a fraction but no `single_stage_dockerfile`"
        base = self.tgt.exercise_dir or self.tgt.context
        path = (base / dockerfile).resolve()
        if not path.is_file():
            return None, f"{dockerfile} does not exist"
        tag = f"{self.tag}-single-stage"
        result = build(self.engine, self.tgt.context, dockerfile=path, tag=tag, builder=self.builder,
                       labels=self.labels, timeout=self.opts.build_timeout)
        try:
            if not result.ok:
                return None, f"its build failed: {result.error}"
            return round(float(self.engine.client.images.get(tag).attrs["Size"]) / 1e6, 1), ""
        finally:
            self.engine.docker("rmi", "-f", tag, check=False)

    def cleanup(self) -> None:
        # Through the API, not the CLI: two CLI starts would add a quarter of a second to every check. Like
        # the CLI calls before, a failure here never costs the report: the image may not exist (the build
        # failed before tagging), and another check's prune may be running (409).
        if not self.opts.keep_image:
            try:
                self.engine.client.images.remove(self.tag, force=True)
            except docker.errors.APIError:
                pass
        try:
            self.engine.client.images.prune(filters={"label": "io.stagewise.probe=cache", "dangling": True})
        except docker.errors.APIError:
            pass


def _read_image_apart(engine: Engine, ref: str) -> ImageFacts:
    """image_facts for a helper thread."""
    with engine.own_client() as own:
        return image_facts(own, ref)


def _glob_match(src: str, rel: str) -> bool:
    s = src.lstrip("./").rstrip("/")
    if s in ("", "."):
        return True
    return fnmatch.fnmatch(rel, s) or rel.startswith(s + "/") or fnmatch.fnmatch(rel.rsplit("/", 1)[-1], s)


def _is_source(rel: str) -> bool:
    from checker.dynamic.contents import categorize

    return categorize(rel) in ("source", "test")


def _buildkit_twins() -> dict[str, str]:
    """BuildKit rule name -> our rule id that already covers it (declared by each rule)."""
    return {name: rule.id for rule in all_rules() for name in getattr(rule, "buildkit", ())}


BUILDKIT_TWINS: dict[str, str] = _buildkit_twins()
