"""The facts the dynamic phase produces, typed and free of any rule: what the build, the image, the cache probe,
the smoke run and the single-stage twin showed. Producing them (checker/dynamic/producers.py) is engine work;
judging them is the dynamic rules' work (checker/rules/sw050_*.py, sw150_*.py, ...), each over a
:class:`DynamicContext`, the way static rules judge a :class:`checker.analysis.Context`.

A fact is there, or missing for one reason (:class:`Missing`); a rule whose facts are missing is not run:
:class:`checker.dynamic.judge.Judging` skips it with that reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TypeVar

from checker.report import Status

if TYPE_CHECKING:
    from checker.build import Step
    from checker.dynamic.cacheprobe import CacheProbeResult
    from checker.dynamic.healthprobe import HealthProbeAnswer
    from checker.dynamic.rebuild import RebuildResult
    from checker.inspect import ImageFacts
    from checker.model import Dockerfile, Instruction, Stage
    from checker.run import CommandAnswer, HttpAnswer
    from checker.spec import Spec


class Fact(StrEnum):
    """What a dynamic rule can need, in the order a check produces it."""

    BUILD = "build"  # the build ran: it worked or it failed (BuildOutcome)
    IMAGE = "image"  # the image built and was read (BuiltImage)
    CACHE_PROBE = "cache-probe"  # the rebuilds after a source-only and a manifest edit (CacheProbe)
    REBUILD = "rebuild"  # the image rebuilt from edited sources, its artifacts compared (Rebuild)
    SMOKE_RUN = "smoke-run"  # the image was started as the exercise says (SmokeRun)
    HEALTH_PROBE = "health-probe"  # the image started without its app, its HEALTHCHECK watched (HealthProbe)
    SINGLE_STAGE_TWIN = "single-stage-twin"  # the exercise's single-stage version was measured (SingleStageTwin)


FACT_ORDER: dict[Fact, int] = {f: i for i, f in enumerate(Fact)}


@dataclass(frozen=True, slots=True)
class Missing:
    """Why a fact is not there; a rule that needs it reports this reason, once, with this status."""

    reason: str
    status: Status = Status.SKIP


@dataclass(frozen=True, slots=True)
class BuildOutcome:
    ok: bool
    builder: str  # buildkit | classic
    seconds: float
    error: str | None  # the builder's first error, when the build failed
    log: str  # the build log (the rules quote its tail)
    steps: list[Step]
    failed_line: int | None  # the Dockerfile line of the step that failed, when it is known
    log_cut: str | None = None  # how the build log was cut to its tail (checker.build.LogTail.cut)
    failure_log: tuple[str, ...] = ()  # a failed BuildKit build: its failed step's output and BuildKit's error
    warnings: tuple[dict[str, object], ...] = ()  # BuildKit's warnings as it reported them (its checks among them)


@dataclass(frozen=True, slots=True)
class BuiltImage:
    """The built image (config, history, layers and their files) and which instruction made each layer."""

    facts: ImageFacts
    traced: dict[int, Instruction]  # layer index -> the instruction of the target's chain that made it
    first_own_layer: int  # the first layer the Dockerfile itself made (the ones before are the base image's)


@dataclass(frozen=True, slots=True)
class CacheProbe:
    """What the cache probe was started with and what it saw."""

    install: Instruction | None  # the first dependency-install step probed (None: the stages used have none)
    source: str | None = None  # the source file edited (None: none to edit, so no probe ran)
    manifest: str | None = None  # the dependency manifest edited, when there is one
    result: CacheProbeResult | None = None  # the probe builds (None: no probe ran)
    installs: tuple[Instruction, ...] = ()  # every dependency-install step the target reaches, in order


@dataclass(frozen=True, slots=True)
class Rebuild:
    """The image rebuilt after the edits the spec's ``built_from`` names (None: the spec names none)."""

    result: RebuildResult | None = None


@dataclass(frozen=True, slots=True)
class SmokeRun:
    """The image, started: an HTTP request (from a probe in the image's own network namespace, or on a loopback
    port with --smoke-network host), the exercise's command, or (no smoke test declared) a plain start with no
    network, watched for a few seconds."""

    kind: Literal["http", "command", "start"]
    http: HttpAnswer | None = None  # kind "http"
    command: CommandAnswer | None = None  # kind "command" and "start"


@dataclass(frozen=True, slots=True)
class HealthProbe:
    """The image started with its entrypoint replaced by a static sleeper (no app, no network), its own
    HEALTHCHECK run on a short schedule: what Docker said. ``answer`` is None when the image has no
    HEALTHCHECK; ``unavailable`` says why the probe could not be made at all."""

    answer: HealthProbeAnswer | None = None
    unavailable: str = ""


@dataclass(frozen=True, slots=True)
class SingleStageTwin:
    """The exercise's single-stage Dockerfile, built from the same context with the same builder."""

    asked: bool  # the exercise's size budget is a fraction of the single-stage image
    mb: float | None = None  # its size; None when it could not be measured
    problem: str = ""  # why it could not be measured


@dataclass
class Facts:
    """The facts of one check, filled in as the producers deliver them; a fact that will not come is in
    ``missing`` with its reason."""

    build: BuildOutcome | None = None
    image: BuiltImage | None = None
    cache_probe: CacheProbe | None = None
    rebuild: Rebuild | None = None
    smoke_run: SmokeRun | None = None
    health_probe: HealthProbe | None = None
    single_stage_twin: SingleStageTwin | None = None
    missing: dict[Fact, Missing] = field(default_factory=dict)

    def has(self, fact: Fact) -> bool:
        return getattr(self, _FIELD[fact]) is not None

    def why_missing(self, needs: frozenset[Fact]) -> Missing | None:
        """The reason of the first missing fact among these (in the order a check produces them)."""
        return next((self.missing[f] for f in sorted(needs, key=FACT_ORDER.__getitem__) if f in self.missing),
                    None)

    # Every cause of missing facts, each reason written once.
    @classmethod
    def nothing_built(cls, why: str, *, build_status: Status = Status.SKIP) -> Facts:
        """No build at all (--static-only, no engine): every fact is missing for the same reason."""
        return cls(missing={f: Missing(why, build_status if f is Fact.BUILD else Status.SKIP) for f in Fact})

    def no_probe_image(self, why: str) -> None:
        """The smoke run's probe image (the checker's own part) could not be prepared: no smoke run."""
        self.missing[Fact.SMOKE_RUN] = Missing(
            f"skipped: the smoke run's probe image could not be prepared ({why}); "
            "run `stagewise images prepare --only probe`", Status.ERROR)

    def image_did_not_build(self) -> None:
        """The build failed: its outcome is the only fact there will be."""
        for fact in Fact:
            if fact is not Fact.BUILD:
                self.missing[fact] = Missing("skipped: the image did not build")


_FIELD: dict[Fact, str] = {Fact.BUILD: "build", Fact.IMAGE: "image", Fact.CACHE_PROBE: "cache_probe",
                           Fact.REBUILD: "rebuild", Fact.SMOKE_RUN: "smoke_run",
                           Fact.HEALTH_PROBE: "health_probe", Fact.SINGLE_STAGE_TWIN: "single_stage_twin"}


@dataclass(frozen=True)
class DynamicContext:
    """What a dynamic rule judges: the facts, and the Dockerfile model, spec, target stage and context dir they
    were produced from. The accessors return facts the rule declared in its ``needs``."""

    facts: Facts
    model: Dockerfile
    spec: Spec | None
    final: Stage | None  # the target stage (None only when the target does not exist, so nothing built)
    context_dir: Path

    @property
    def build(self) -> BuildOutcome:
        return _present(self.facts.build, Fact.BUILD)

    @property
    def image(self) -> BuiltImage:
        return _present(self.facts.image, Fact.IMAGE)

    @property
    def cache_probe(self) -> CacheProbe:
        return _present(self.facts.cache_probe, Fact.CACHE_PROBE)

    @property
    def rebuild(self) -> Rebuild:
        return _present(self.facts.rebuild, Fact.REBUILD)

    @property
    def health_probe(self) -> HealthProbe:
        return _present(self.facts.health_probe, Fact.HEALTH_PROBE)

    @property
    def smoke_run(self) -> SmokeRun:
        return _present(self.facts.smoke_run, Fact.SMOKE_RUN)

    @property
    def single_stage_twin(self) -> SingleStageTwin:
        return _present(self.facts.single_stage_twin, Fact.SINGLE_STAGE_TWIN)

    @property
    def final_line(self) -> int | None:
        return self.final.line if self.final else None


_T = TypeVar("_T")


def _present(value: _T | None, fact: Fact) -> _T:
    if value is None:
        raise LookupError(f"the fact {fact} is missing: declare it in the rule's `needs`")
    return value
