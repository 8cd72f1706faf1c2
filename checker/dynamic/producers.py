"""The fact producers of one check: BuildKit's own checks, the build, the cache probe, reading the image, the
smoke run and the single-stage twin. This is where the engine work is, and where it runs side by side; no
verdict is made here (the dynamic rules judge the facts, see checker/dynamic/judge.py).
"""

from __future__ import annotations

import fnmatch
import re
import secrets
import tempfile
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

import docker.errors

from checker.build import Step, build, offline_preflight, untrusted_refusal, without_syntax_directive
from checker.dynamic.buildchecks import BuildCheck, checks_from_warnings, run_build_checks
from checker.dynamic.cacheprobe import INSTALL_PATTERN, StepsDone, matches_instruction, run_cache_probe
from checker.dynamic.contents import categorize, context_index, trace_layers
from checker.dynamic.facts import (
    BuildOutcome,
    BuiltImage,
    CacheProbe,
    Facts,
    HealthProbe,
    Rebuild,
    SingleStageTwin,
    SmokeRun,
)
from checker.dynamic.healthprobe import run_health_probe, static_sleeper
from checker.dynamic.rebuild import RebuildResult, run_rebuild
from checker.engine import Engine
from checker.images.pipeline import MissingImageError
from checker.inspect import ImageFacts, image_facts
from checker.model import Dockerfile, Instruction, Stage
from checker.run import free_loopback_port, run_command, run_http

if TYPE_CHECKING:
    from checker.check import CheckOptions, Target

CHECK_LABEL = "io.stagewise.check"


class FactProducer:
    """Produces the facts of one check of one target into ``self.facts``; ``on_facts`` is called whenever new
    facts arrived, so the rules that need only those can judge them while the engine works on the rest."""

    def __init__(self, engine: Engine, tgt: Target, opts: CheckOptions, model: Dockerfile, target: str | None,
                 builder: str, key: str) -> None:
        self.engine, self.tgt, self.opts, self.model = engine, tgt, opts, model
        self.target, self.builder = target, builder
        self.spec = tgt.spec
        # Unique per check: two checks of the same files at once (a class, parallel tests) never share a tag,
        # so one's cleanup cannot remove the image the other is inspecting.
        self.tag = f"stagewise-check/{(self.spec.id if self.spec else 'dockerfile')}:{key[:12]}-{secrets.token_hex(4)}"
        self.labels = {CHECK_LABEL: "true", **opts.labels}
        self.final: Stage | None = model.target_stage(target)
        self.facts = Facts()

    def phase(self, msg: str) -> None:
        if self.opts.on_phase:
            self.opts.on_phase(msg)

    # -- BuildKit's own checks ---------------------------------------------------------------------
    def start_buildkit_checks(self, pool: ThreadPoolExecutor) -> Future[list[BuildCheck] | None] | None:
        """A check run of their own for the classic builder only: a BuildKit build reports its checks among
        its warnings (`buildkit_checks`), and a second buildx run would cost a CLI start and a solve."""
        if self.builder != "classic":
            return None
        if self.engine.offline and offline_preflight(self.engine, self.model.text) is not None:
            return None  # the checks would resolve a missing image against a registry; the build reports it
        if self.engine.untrusted and untrusted_refusal(self.model.text) is not None:
            return None  # refused before building (a frontend to fetch, a URL...): the build reports it
        return pool.submit(self._fetch_buildkit_checks)

    def buildkit_checks(self, started: Future[list[BuildCheck] | None] | None) -> list[BuildCheck] | None:
        """BuildKit's checks: the check run's, or those the BuildKit build reported (None: none known)."""
        if started is not None:
            return started.result()
        if self.facts.build is None or self.builder == "classic":
            return None
        return checks_from_warnings(list(self.facts.build.warnings))

    def _fetch_buildkit_checks(self) -> list[BuildCheck] | None:
        text = self.model.text
        dockerfile = self.tgt.dockerfile
        sanitized = without_syntax_directive(text)
        tmp: Path | None = None
        if sanitized != text and (self.engine.offline or self.engine.untrusted):
            tmp = Path(tempfile.mkstemp(prefix="stagewise-df-", suffix=".Dockerfile")[1])
            tmp.write_text(sanitized)
            dockerfile = tmp
        try:
            return run_build_checks(self.engine, self.tgt.context, dockerfile, target=self.target)
        finally:
            if tmp is not None:
                tmp.unlink(missing_ok=True)

    # -- the build and everything after it ---------------------------------------------------------
    def produce(self, pool: ThreadPoolExecutor, on_facts: Callable[[], None]) -> None:
        self.phase(f"building with {self.builder}")
        built = threading.Event()
        built_ok: list[bool] = []

        def succeeded() -> bool:
            built.wait()
            return bool(built_ok) and built_ok[0]

        # The rebuild from edited sources runs beside the build: BuildKit runs a step the two builds share once.
        # Where the checked build fills a cache mount (a compiler's cache), the rebuild waits for those steps
        # and then finds the cache filled: started beside them, it would compile everything a second time, on
        # the same cores. (The classic builder refuses cache mounts, so there it never waits.) The cache probe
        # needs the install steps in the build cache and the cores the build is using: it starts once the
        # build is done.
        caches_filled = StepsDone(self._cache_mount_steps(), self.model.stages)

        def may_start() -> bool:
            caches_filled.event.wait()  # also set when the build ends, after `built`
            return not built.is_set() or succeeded()

        rebuild = self._start_rebuild(pool, succeeded, lambda: built.is_set() and not (built_ok and built_ok[0]),
                                      may_start)

        def watch(step: Step) -> None:
            caches_filled.feed(step)
            if self.opts.on_step is not None:
                self.opts.on_step(step)

        try:
            result = build(self.engine, self.tgt.context, dockerfile=self.tgt.dockerfile, tag=self.tag,
                           builder=self.builder, target=self.target, labels=self.labels,
                           timeout=self.opts.build_timeout, on_step=watch, no_cache=self.opts.no_cache)
            built_ok.append(result.ok)
        finally:
            built.set()
            caches_filled.event.set()
        self.facts.build = BuildOutcome(
            ok=result.ok, builder=self.builder, seconds=result.seconds, error=result.error, log=result.log,
            steps=result.steps, failed_line=None if result.ok else self._line_of_failed_step(result.steps),
            log_cut=result.log_cut, failure_log=tuple(result.failure_log),
            warnings=tuple(result.warnings))
        if not result.ok:
            self.facts.image_did_not_build()
            on_facts()
            return
        on_facts()
        probe = pool.submit(self._cache_probe, self._install_steps())
        # The health probe (the image without its app) runs beside reading the image (mostly Python reading its
        # layers) and running it (mostly waiting on the container); the reader gets its own SDK client, as an
        # SDK client is not shared between threads.
        health = pool.submit(self._health_probe)
        self.phase("reading and running the image")
        reading = pool.submit(_read_image_apart, self.engine, self.tag)
        self.facts.smoke_run = self._smoke_run()
        self.facts.image = self._built_image(reading.result())
        on_facts()
        self.facts.health_probe = health.result()
        on_facts()
        self.phase("judging the cache probe")
        self.facts.cache_probe = probe.result()
        on_facts()
        self.facts.rebuild = Rebuild(_rebuild_result(rebuild))
        on_facts()
        self.facts.single_stage_twin = self._single_stage_twin()
        on_facts()

    def _line_of_failed_step(self, steps: list[Step]) -> int | None:
        failed = next((s for s in steps if s.error), None)
        if failed is None:
            return None
        for st in self.model.stages:
            for ins in st.instructions:
                if matches_instruction(failed, ins):
                    return ins.line
        return None

    # -- the image -------------------------------------------------------------------------------------
    def _built_image(self, facts: ImageFacts) -> BuiltImage:
        assert self.final is not None
        traced = trace_layers(facts, self.model, self.final, self._root_history_len())
        return BuiltImage(facts, traced, min(traced) if traced else len(facts.layers))

    def _root_history_len(self) -> int:
        assert self.final is not None
        root = self.model.root_image(self.final)
        if root.lower() == "scratch":
            return 0
        try:
            return len([h for h in self.engine.client.images.get(root).history()])
        except Exception:
            return 0

    # -- cache probe -----------------------------------------------------------------------------------
    def _install_steps(self) -> list[Instruction]:
        """Every dependency-install step of the stages the target reaches, in file order."""
        assert self.final is not None
        reach = self._reached_stages()
        # The exercise's own pattern when it names one (it knows its package manager), else every one we know.
        pattern = re.compile(self.spec.cache.install_pattern) if self.spec and self.spec.cache else INSTALL_PATTERN
        return [ins for st in self.model.stages if st.index in reach for ins in st.instructions
                if ins.keyword == "RUN" and ins.run is not None and pattern.search(ins.run.script)]

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

    def _cache_probe(self, installs: list[Instruction]) -> CacheProbe:
        """The cache probe of `installs` (the build cache holds them: the checked build is done)."""
        if not installs:
            return CacheProbe(None)
        install = installs[0]
        source, manifest = self._probe_files(install)
        if source is None:
            return CacheProbe(install, manifest=manifest, installs=tuple(installs))
        builds = run_cache_probe(self.engine, self.tgt.context, self.tgt.dockerfile, install, source_file=source,
                                 manifest_file=manifest, builder=self.builder, target=self.target,
                                 timeout=self.opts.build_timeout, also=tuple(installs[1:]))
        return CacheProbe(install, source, manifest, builds, tuple(installs))

    def _cache_mount_steps(self) -> list[Instruction]:
        """The RUN steps with a cache mount in the stages the target reaches."""
        reach = self._reached_stages()
        return [ins for st in self.model.stages if st.index in reach for ins in st.instructions
                if ins.run is not None and any(m.type == "cache" for m in ins.run.mounts)]

    # -- the rebuild from edited sources -----------------------------------------------------------------
    def _start_rebuild(self, pool: ThreadPoolExecutor, image_ready: Callable[[], bool],
                       abandoned: Callable[[], bool], may_start: Callable[[], bool]) -> Future[RebuildResult] | None:
        if not self.spec or not self.spec.built_from or self.final is None:
            return None
        return pool.submit(run_rebuild, self.engine, self.tgt.context, self.tgt.dockerfile, self.tag,
                           self.spec.built_from, final_ref=self.final.name or str(self.final.index),
                           tag=f"{self.tag}-rebuilt", builder=self.builder,
                           target=self.target, labels=self.labels, timeout=self.opts.build_timeout,
                           image_ready=image_ready, abandoned=abandoned, may_start=may_start)

    # -- the health probe ------------------------------------------------------------------------------
    def _health_probe(self) -> HealthProbe:
        """The image with a static sleeper for its entrypoint and its HEALTHCHECK on a short schedule, with the
        environment of the smoke run (its own SDK client: this runs in a helper thread)."""
        smoke = self.spec.smoke if self.spec else None
        env: dict[str, str] = {}
        if smoke and smoke.http:
            env = {**smoke.http.env, smoke.http.port_env: str(free_loopback_port())}
            if smoke.http.host_env:
                env[smoke.http.host_env] = "127.0.0.1"
        elif smoke and smoke.command:
            env = dict(smoke.command.env)
        with self.engine.own_client() as own:
            try:
                config = own.client.images.get(self.tag).attrs.get("Config") or {}
                test = (config.get("Healthcheck") or {}).get("Test")
                if not test or test[0] == "NONE":
                    return HealthProbe()
                sleeper = static_sleeper(own)
                if sleeper is None:
                    return HealthProbe(unavailable="no static BusyBox to start the image without its app (run "
                                                   "`stagewise images prepare busybox`)")
                return HealthProbe(run_health_probe(own, self.tag, sleeper, env=env, labels=self.labels))
            except (docker.errors.DockerException, OSError) as exc:
                return HealthProbe(unavailable=f"the image could not be started without its app: {exc}")

    # -- the smoke run ---------------------------------------------------------------------------------
    def _smoke_run(self) -> SmokeRun | None:
        smoke = self.spec.smoke if self.spec else None
        if smoke and smoke.http:
            p = smoke.http
            try:
                answer = run_http(self.engine, self.tag, path=p.path, port_env=p.port_env, host_env=p.host_env,
                                  env=p.env, timeout=p.timeout_s, wait_healthy=smoke.expect_healthy,
                                  labels=self.labels, network=self.opts.smoke_network,
                                  platform_port=p.platform_port, default_port=p.port)
            except MissingImageError as exc:  # the probe image: the checker's own part, not the learner's
                self.facts.no_probe_image(str(exc).splitlines()[0])
                return None
            return SmokeRun("http", http=answer)
        if smoke and smoke.command:
            c = smoke.command
            return SmokeRun("command", command=run_command(self.engine, self.tag, c.args, env=c.env,
                                                           timeout=c.timeout_s, labels=self.labels))
        # No smoke test declared: start it with no network and watch it for 3 s.
        return SmokeRun("start", command=run_command(self.engine, self.tag, [], timeout=3, labels=self.labels))

    # -- size ------------------------------------------------------------------------------------------
    def _single_stage_twin(self) -> SingleStageTwin:
        budget = self.spec.size if self.spec else None
        if budget is None or budget.max_fraction_of_single_stage is None:
            return SingleStageTwin(asked=False)
        mb, problem = self._single_stage_twin_mb(budget.single_stage_dockerfile)
        return SingleStageTwin(asked=True, mb=mb, problem=problem)

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


def _rebuild_result(running: Future[RebuildResult] | None) -> RebuildResult | None:
    """The rebuild's result; an engine or file error becomes the result's error, never the check's."""
    if running is None:
        return None
    try:
        return running.result()
    except (docker.errors.DockerException, OSError) as exc:
        return RebuildResult(error=f"the rebuild from edited sources could not run: {exc}")


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
    return categorize(rel) in ("source", "test")
