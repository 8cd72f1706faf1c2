"""The dynamic rules over hand-made facts (no engine): which rules run, which are skipped and why, in what
order, and a few verdicts. The same rules on real builds are in test_dynamic_rules.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.build import Step
from checker.check import CheckOptions, check, resolve
from checker.dynamic.cacheprobe import CacheProbeResult, ProbeRun
from checker.dynamic.facts import (
    BuildOutcome,
    BuiltImage,
    CacheProbe,
    DynamicContext,
    Fact,
    Facts,
    HealthProbe,
    Rebuild,
    SingleStageTwin,
    SmokeRun,
)
from checker.dynamic.judge import Judging
from checker.inspect import FileEntry, ImageFacts, Layer
from checker.parse import parse
from checker.report import Status
from checker.rules.base import Kind, Rule
from checker.rules.registry import dynamic_rules, get
from checker.run import CommandAnswer
from checker.spec import Spec

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = """\
FROM golang:1.23 AS build
WORKDIR /src
COPY go.mod ./
RUN go mod download
COPY . .
RUN go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
"""


def _context(facts: Facts, spec: Spec | None = None, tmp: Path = REPO / "examples" / "hello-go") -> DynamicContext:
    model = parse(DOCKERFILE)
    return DynamicContext(facts, model, spec, model.target_stage(None), tmp)


def _image(user: str = "", size: int = 12_300_000, files: list[FileEntry] | None = None) -> BuiltImage:
    layer = Layer(0, "sha256:x", size, "COPY /out/app /app # buildkit", files or [FileEntry("/app", 5, 0o755, "file")])
    facts = ImageFacts(ref="t", id="sha256:y", size=size, user=user, healthcheck=None, entrypoint=["/app"],
                       cmd=None, exposed_ports=[], env={}, labels={}, workdir="", history=[], layers=[layer])
    return BuiltImage(facts, {}, 0)


def _built(**facts: object) -> Facts:
    base: dict[str, object] = {
        "build": BuildOutcome(True, "buildkit", 1.5, None, "", [], None),
        "image": _image(),
        "cache_probe": CacheProbe(None),
        "rebuild": Rebuild(),
        "health_probe": HealthProbe(),
        "smoke_run": SmokeRun("start", command=CommandAnswer(None, "", 3.0, timed_out=True)),
        "single_stage_twin": SingleStageTwin(asked=False),
    }
    base.update(facts)
    return Facts(**base)  # type: ignore[arg-type]


def test_every_dynamic_rule_judges_facts_it_declares() -> None:
    for rule in dynamic_rules():
        assert rule.judge is not None and rule.check is None and rule.needs, rule.id
    with pytest.raises(ValueError, match="judge"):
        Rule(**{**_fields(get("SW450")), "judge": None})
    with pytest.raises(ValueError, match="static"):
        Rule(**{**_fields(get("SW101")), "needs": frozenset({Fact.IMAGE})})


def _fields(rule: Rule) -> dict[str, object]:
    return {name: getattr(rule, name) for name in Rule.__dataclass_fields__}


@pytest.mark.parametrize(("why", "build_status"), [("static-only: nothing was built", Status.SKIP),
                                                   ("no Docker engine: nothing was built", Status.ERROR)])
def test_nothing_built_skips_every_dynamic_rule_once_with_one_reason(why: str, build_status: Status) -> None:
    findings = Judging(_context(Facts.nothing_built(why, build_status=build_status))).finish()
    assert [f.rule for f in findings] == sorted(r.id for r in dynamic_rules())
    assert {f.message for f in findings} == {why}
    assert [f.status for f in findings if f.rule == "SW050"] == [build_status]
    assert {f.status for f in findings if f.rule != "SW050"} == {Status.SKIP}


def test_a_failed_build_is_judged_and_the_rules_that_need_the_image_are_skipped() -> None:
    facts = Facts(build=BuildOutcome(False, "buildkit", 2.0, 'failed to compute cache key: "/app/dist": not found',
                                     "#9 ERROR: not found\n\n#9 done\n", [Step("COPY", "COPY", None, 1)], 9))
    facts.image_did_not_build()
    findings = Judging(_context(facts)).finish()
    first, rest = findings[0], findings[1:]
    assert (first.rule, first.status, first.line) == ("SW050", Status.FAIL, 9)
    assert first.message.startswith("The image does not build: failed to compute cache key")
    assert first.evidence == ["#9 ERROR: not found", "#9 done"]
    assert {(f.status, f.message) for f in rest} == {(Status.SKIP, "skipped: the image did not build")}
    assert len(rest) == len(dynamic_rules()) - 1


def test_rules_run_as_their_facts_arrive_and_keep_one_order() -> None:
    facts = Facts(build=BuildOutcome(True, "classic", 1.0, None, "", [], None))
    judging = Judging(_context(facts))
    judging.ready()
    assert judging.judged == {"SW050"}
    facts.smoke_run = _built().smoke_run
    judging.ready()
    assert judging.judged == {"SW050", "SW550"}
    with pytest.raises(RuntimeError, match="neither produced nor said missing"):
        judging.finish()  # the image never came and nobody said why: a producer bug, not a skip
    for name in ("image", "cache_probe", "rebuild", "health_probe", "single_stage_twin"):
        setattr(facts, name, getattr(_built(), name))
    order = [f.rule for f in judging.finish()]
    # by the last fact each rule needs (build, image, cache probe, rebuild, smoke run, health probe, twin),
    # then by id
    assert order == ["SW050", "SW150", "SW250", "SW251", "SW450", "SW350", "SW252", "SW550", "SW451", "SW650"]


def test_a_few_verdicts_over_hand_made_facts() -> None:
    by_rule = {f.rule: f for f in Judging(_context(_built(image=_image(user="root")))).finish()}
    assert by_rule["SW050"].message == "The image builds (buildkit, 1.5 s)."
    assert by_rule["SW450"].status is Status.FAIL and by_rule["SW450"].line == 8
    assert by_rule["SW550"].status is Status.PASS  # still running after 3 s: a server
    assert by_rule["SW650"].message == "no size budget declared (the image is 12.3 MB)"
    gcc = [FileEntry("/usr/bin/gcc", 10, 0o755, "file"), FileEntry("/app", 5, 0o755, "file")]
    install = next(i for i in parse(DOCKERFILE).stages[0].instructions if i.keyword == "RUN")
    probe = CacheProbe(install, "main.go", "go.mod",
                       CacheProbeResult(4, "RUN go mod download", ProbeRun("main.go", False, 0.4)))
    spec = Spec.model_validate({"id": "x", "title": "x", "require_non_root": False,
                                "size": {"max_fraction_of_single_stage": 0.5,
                                         "single_stage_dockerfile": "Dockerfile.single"}})
    by_rule = {f.rule: f for f in Judging(_context(_built(
        image=_image(user="10001", files=gcc), cache_probe=probe,
        single_stage_twin=SingleStageTwin(asked=True, mb=20.0)), spec)).finish()}
    assert by_rule["SW150"].status is Status.FAIL and "gcc" in by_rule["SW150"].message
    assert by_rule["SW350"].status is Status.FAIL and by_rule["SW350"].line == 4
    assert by_rule["SW350"].message.startswith("Editing only main.go re-ran the dependency install, line 4")
    assert by_rule["SW650"].status is Status.FAIL and "over 50% of the single-stage image (20.0 MB" \
        in by_rule["SW650"].message
    assert by_rule["SW450"].status is Status.SKIP  # this spec does not ask for a non-root user


def test_static_only_check_skips_the_dynamic_rules_in_id_order() -> None:
    report = check(resolve(REPO / "exercises" / "go-scratch", None), CheckOptions(static_only=True))
    dynamic = [f for f in report.findings if get(f.rule).kind is Kind.DYNAMIC]
    assert [f.rule for f in dynamic] == [r.id for r in dynamic_rules()]
    assert {f.message for f in dynamic} == {"static-only: nothing was built"}
