"""Every dynamic rule, failing and passing, on real builds: the concern verdicts and the reported lines."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import textwrap
import uuid
from pathlib import Path

import docker.errors
import pytest

from checker.check import CheckOptions, Target, check
from checker.dynamic.cacheprobe import (
    PROBE_REPOSITORY,
    CacheProbeResult,
    _host,
    _isolate_bases,
    remove_stale_probe_tags,
    run_cache_probe,
)
from checker.engine import Engine
from checker.parse import parse
from checker.report import Report, Status
from checker.spec import Spec

PACKAGE_JSON = json.dumps({"name": "probe", "version": "1.0.0", "private": True,
                           "scripts": {"build": "node build.mjs"}}, indent=2) + "\n"
PACKAGE_LOCK = json.dumps({"name": "probe", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
                           "packages": {"": {"name": "probe", "version": "1.0.0"}}}, indent=2) + "\n"
BUILD_MJS = ("import { mkdirSync, writeFileSync } from 'node:fs';\n"
             "mkdirSync('dist', { recursive: true });\n"
             "writeFileSync('dist/index.html', '<h1>built</h1>\\n');\n")


def make_ctx(tmp: Path, dockerfile: str, files: dict[str, str] | None = None) -> Target:
    (tmp / "Dockerfile").write_text(textwrap.dedent(dockerfile).lstrip())
    for name, text in (files or {}).items():
        p = tmp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    return Target(tmp / "Dockerfile", tmp, None)


def run(engine: Engine, tgt: Target, spec: Spec | None = None) -> Report:
    tgt.spec = spec
    return check(tgt, CheckOptions(reuse=False, build_timeout=300), engine=engine)


def finding(report: Report, rule: str) -> tuple[Status, int | None, str]:
    hits = [f for f in report.findings if f.rule == rule]
    assert hits, f"{rule} missing: {[f.rule for f in report.findings]}"
    worst = sorted(hits, key=lambda f: ["error", "fail", "warn", "pass", "skip"].index(f.status.value))[0]
    return worst.status, worst.line, worst.message + " " + " ".join(worst.evidence)


NODE_FILES = {"package.json": PACKAGE_JSON, "package-lock.json": PACKAGE_LOCK, "build.mjs": BUILD_MJS,
              "src/app.js": "console.log('app');\n", ".dockerignore": "node_modules\n.git\n"}

GOOD_NODE = """
    FROM node:22-alpine AS build
    WORKDIR /app
    COPY package.json package-lock.json ./
    RUN npm ci
    COPY . .
    RUN npm run build

    FROM busybox:1.36
    COPY --from=build /app/dist /www
    USER 65532:65532
    # the smoke run starts the image with its own defaults (#15): PORT needs one
    ENV PORT=8080
    CMD ["sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT} -h /www"]
    """


def test_good_submission_passes_every_dynamic_rule(engine: Engine, tmp_path: Path) -> None:
    spec = Spec.model_validate({
        "id": "probe", "title": "probe", "artifacts": ["/www/index.html"],
        "smoke": {"http": {"path": "/index.html", "port_env": "PORT", "expect_body": "built"}},
        "size": {"max_mb": 20},
    })
    report = run(engine, make_ctx(tmp_path, GOOD_NODE, NODE_FILES), spec)
    for rule in ("SW050", "SW150", "SW250", "SW251", "SW350", "SW450", "SW550", "SW650"):
        status, _line, msg = finding(report, rule)
        assert status == Status.PASS, (rule, msg)
    assert report.concerns["cache-ordering"] == "pass"
    assert report.passed, [f for f in report.findings if f.status in (Status.FAIL, Status.ERROR)]


def test_build_failure_names_the_line_and_the_pitfall(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("/app/dist /www", "/app/build /www")  # pitfall 2: wrong output folder
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, line, msg = finding(report, "SW050")
    assert status == Status.FAIL
    assert line == 9
    assert "/app/build" in msg
    hint = next(f.hint for f in report.findings if f.rule == "SW050")
    assert hint and "root of the other stage" in hint
    assert report.concerns["build"] == "fail"
    assert finding(report, "SW550")[0] == Status.SKIP


def test_toolchain_in_final_image_is_found_with_its_path(engine: Engine, tmp_path: Path) -> None:
    df = """
        FROM node:22-alpine
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci
        COPY . .
        RUN npm run build
        USER node
        CMD ["node", "build.mjs"]
        """
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, _line, msg = finding(report, "SW150")
    assert status == Status.FAIL
    assert "/usr/local/bin/npm" in msg and "base image" in msg
    assert report.concerns["stage-separation"] == "fail"


def test_sources_in_final_image_are_traced_to_the_copy_line(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("COPY --from=build /app/dist /www", "COPY --from=build /app /www")
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, line, msg = finding(report, "SW250")
    assert status == Status.FAIL
    assert line == 9
    assert "/www/src/app.js" in msg and "/www/package.json" in msg
    assert report.concerns["artifact-copies"] == "fail"


def test_expected_artifact_missing(engine: Engine, tmp_path: Path) -> None:
    spec = Spec.model_validate({"id": "probe", "title": "probe", "artifacts": ["/www/app.js"]})
    report = run(engine, make_ctx(tmp_path, GOOD_NODE, NODE_FILES), spec)
    status, _line, msg = finding(report, "SW251")
    assert status == Status.FAIL and "/www/app.js" in msg


def test_cache_probe_fails_when_sources_come_before_the_install(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("COPY package.json package-lock.json ./\n    RUN npm ci\n    COPY . .",
                           "COPY . .\n    RUN npm ci")
    assert "COPY . .\n    RUN npm ci" in df
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, line, msg = finding(report, "SW350")
    assert status == Status.FAIL
    assert line == 4  # the RUN npm ci line
    assert "ran again" in msg
    assert report.concerns["cache-ordering"] == "fail"


def test_cache_probe_passes_and_proves_it_can_fail(engine: Engine, tmp_path: Path) -> None:
    report = run(engine, make_ctx(tmp_path, GOOD_NODE, NODE_FILES))
    status, line, msg = finding(report, "SW350")
    assert status == Status.PASS and line == 4
    # the negative probe: editing the manifest re-ran the install
    assert "after editing package" in msg and "ran again" in msg


def _probe_uncached(engine: Engine, tmp_path: Path, dockerfile: str) -> CacheProbeResult:
    """The probe on a context whose install step was never built: a manifest unique to this test, as if the
    cache had been pruned between the checked build and the probe."""
    unique = PACKAGE_JSON.replace('"private"', f'"description": "{secrets.token_hex(8)}",\n  "private"')
    files = dict(NODE_FILES, **{"package.json": unique})
    tgt = make_ctx(tmp_path, dockerfile, files)
    model = parse(tgt.dockerfile.read_text())
    install = next(i for s in model.stages for i in s.instructions if i.keyword == "RUN" and "npm ci" in i.original)
    return run_cache_probe(engine, tgt.context, tgt.dockerfile, install, source_file="src/app.js",
                           manifest_file="package.json", timeout=300)


def test_cache_probe_does_not_blame_a_cache_that_went_missing(engine: Engine, tmp_path: Path) -> None:
    probe = _probe_uncached(engine, tmp_path, GOOD_NODE)
    assert probe.reused_after_source_edit, probe.source_edit
    assert probe.rerun_after_manifest_edit, probe.manifest_edit


def test_cache_probe_still_fails_bad_order_when_the_cache_went_missing(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("COPY package.json package-lock.json ./\n    RUN npm ci\n    COPY . .",
                           "COPY . .\n    RUN npm ci")
    probe = _probe_uncached(engine, tmp_path, df)
    assert probe.source_edit is not None and probe.source_edit.install_cached is False, probe.source_edit


def test_probe_builds_start_from_base_tags_of_their_own(engine: Engine) -> None:
    """BuildKit issue 4674: concurrent builds sharing a base can miss cache records. Each probe build gets its
    own tag for each base image (same image, same cache keys), and the line numbers stay as written."""
    text = ("ARG NODE=22-alpine\nFROM node:${NODE} AS build\nRUN true\nFROM build AS test\n"
            "FROM scratch\nCOPY --from=build /etc/hostname /x\nFROM --platform=$BUILDPLATFORM busybox:1.36\n")
    aliases: list[str] = []
    try:
        out = _isolate_bases(engine, text, parse(text).stages, aliases)
        assert len(aliases) == 2 and len(set(aliases)) == 2
        lines = out.split("\n")
        assert len(lines) == len(text.split("\n"))
        assert lines[1] == f"FROM {aliases[0]} AS build"
        assert lines[3] == "FROM build AS test" and lines[4] == "FROM scratch"
        assert lines[6] == f"FROM --platform=$BUILDPLATFORM {aliases[1]}"
        assert engine.client.images.get(aliases[0]).id == engine.client.images.get("node:22-alpine").id
        assert engine.client.images.get(aliases[1]).id == engine.client.images.get("busybox:1.36").id
    finally:
        for alias in aliases:
            engine.client.images.remove(alias)
    assert "busybox:1.36" in engine.client.images.get("busybox:1.36").tags  # only the alias went


def test_probe_tags_of_a_killed_check_are_removed_by_the_next(engine: Engine) -> None:
    """A check killed mid-probe leaves its base tags; the next probe removes them, and only them: not the
    tags of a live check on this machine, nor those of another machine sharing the engine."""
    gone = subprocess.Popen(["true"])
    gone.wait()  # a pid that no longer runs
    host = _host()
    tags = {"dead": f"{PROBE_REPOSITORY}/{host}-{gone.pid}-{uuid.uuid4().hex[:12]}:base",
            "live": f"{PROBE_REPOSITORY}/{host}-{os.getpid()}-{uuid.uuid4().hex[:12]}:base",
            "other machine": f"{PROBE_REPOSITORY}/elsewhere-{gone.pid}-{uuid.uuid4().hex[:12]}:base"}
    image = engine.client.images.get("busybox:1.36")
    for tag in tags.values():
        image.tag(tag)
    try:
        removed = remove_stale_probe_tags(engine.client)
        left = set(engine.client.images.get("busybox:1.36").tags)
        assert tags["dead"] in removed and tags["dead"] not in left
        assert tags["live"] in left and tags["other machine"] in left
        assert "busybox:1.36" in left
    finally:
        for tag in tags.values():
            with contextlib.suppress(docker.errors.APIError):
                engine.client.images.remove(tag)


def test_root_user_fails_runs_as_non_root(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("USER 65532:65532\n", "")
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    assert finding(report, "SW450")[0] == Status.FAIL
    assert report.concerns["hardening"] == "fail"


def test_image_that_cannot_start_fails_the_smoke_test(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace('CMD ["sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT} -h /www"]',
                           'ENTRYPOINT ["/usr/local/bin/server"]')
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, _line, msg = finding(report, "SW550")
    assert status == Status.FAIL
    assert "no such file" in msg or "not found" in msg
    assert report.concerns["runtime"] == "fail"


def test_http_smoke_test_wrong_body_fails(engine: Engine, tmp_path: Path) -> None:
    spec = Spec.model_validate({"id": "probe", "title": "probe",
                                "smoke": {"http": {"path": "/index.html", "expect_body": "hello world"}}})
    report = run(engine, make_ctx(tmp_path, GOOD_NODE, NODE_FILES), spec)
    status, _line, msg = finding(report, "SW550")
    assert status == Status.FAIL and "hello world" in msg


def test_size_budget(engine: Engine, tmp_path: Path) -> None:
    spec = Spec.model_validate({"id": "probe", "title": "probe", "size": {"max_mb": 0.5}})
    report = run(engine, make_ctx(tmp_path, GOOD_NODE, NODE_FILES), spec)
    status, _line, msg = finding(report, "SW650")
    assert status == Status.FAIL and "over the budget" in msg


SINGLE_STAGE_NODE = """
    FROM node:22-alpine
    WORKDIR /app
    COPY . .
    RUN npm ci && npm run build
    CMD ["node", "-e", "1"]
    """


@pytest.mark.parametrize(("fraction", "verdict"), [(0.5, Status.PASS), (0.0001, Status.FAIL)])
def test_size_budget_as_a_fraction_of_the_single_stage_twin(engine: Engine, tmp_path: Path, fraction: float,
                                                            verdict: Status) -> None:
    files = {**NODE_FILES, "single-stage.Dockerfile": textwrap.dedent(SINGLE_STAGE_NODE).lstrip()}
    spec = Spec.model_validate({"id": "probe", "title": "probe",
                                "size": {"max_fraction_of_single_stage": fraction,
                                         "single_stage_dockerfile": "single-stage.Dockerfile"}})
    tgt = make_ctx(tmp_path, GOOD_NODE, files)
    tgt.spec = spec
    mine = {"io.stagewise.test": str(tmp_path)}  # this test's builds only (tests run side by side)
    report = check(tgt, CheckOptions(reuse=False, build_timeout=300, labels=mine), engine=engine)
    status, _line, msg = finding(report, "SW650")
    assert status == verdict and "of the single-stage image" in msg, msg
    # the twin is measured, then removed: nothing of it is left behind
    left = engine.client.images.list(filters={"label": f"io.stagewise.test={tmp_path}"})
    assert not [t for image in left for t in image.tags], left


def test_buildkit_checks_join_under_lint(engine: Engine, tmp_path: Path) -> None:
    if not engine.buildx_version:
        pytest.skip("no buildx: no build checks on this engine")
    df = GOOD_NODE.replace("FROM node:22-alpine AS build", "FROM node:22-alpine as build")
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    lint = [f for f in report.findings if f.rule == "buildkit/FromAsCasing"]
    assert lint and lint[0].line == 1 and lint[0].docs_url and lint[0].concern.value == "lint"


def test_build_warnings_hold_the_same_checks_as_a_check_run(engine: Engine, tmp_path: Path) -> None:
    # The check reads BuildKit's checks from the build's own warnings; a `--call=check` run must find the same.
    if not engine.buildx_version:
        pytest.skip("no buildx: no build checks on this engine")
    from checker.build import build
    from checker.dynamic.buildchecks import checks_from_warnings, run_build_checks

    df = GOOD_NODE.replace("FROM node:22-alpine AS build", "FROM node:22-alpine as Build") \
        .replace("--from=build", "--from=Build").replace("WORKDIR /app", "WORKDIR /app\nENV MODE prod")
    tgt = make_ctx(tmp_path, df, NODE_FILES)
    result = build(engine, tgt.context, dockerfile=tgt.dockerfile, labels={"io.stagewise.test": str(tmp_path)})
    if result.image_id:
        with contextlib.suppress(docker.errors.APIError):
            engine.client.images.remove(result.image_id, force=True)
    from_build = sorted((c.rule, c.line, c.detail) for c in checks_from_warnings(result.warnings))
    from_run = sorted((c.rule, c.line, c.detail) for c in run_build_checks(engine, tgt.context, tgt.dockerfile) or [])
    assert {"FromAsCasing", "StageNameCasing", "LegacyKeyValueFormat"} <= {rule for rule, _l, _d in from_build}
    assert from_build == from_run


def test_same_verdicts_with_the_classic_builder(engine: Engine, tmp_path: Path) -> None:
    tgt = make_ctx(tmp_path, GOOD_NODE, NODE_FILES)
    reports = {b: check(tgt, CheckOptions(reuse=False, builder=b), engine=engine) for b in ("buildkit", "classic")}
    assert reports["buildkit"].concerns == reports["classic"].concerns
    assert reports["classic"].engine.builder == "classic"


def test_unchanged_recheck_reuses_the_result(engine: Engine, tmp_path: Path) -> None:
    tgt = make_ctx(tmp_path, GOOD_NODE, NODE_FILES)
    first = check(tgt, CheckOptions(reuse=True), engine=engine)
    second = check(tgt, CheckOptions(reuse=True), engine=engine)
    assert first.model_dump() == second.model_dump()
    (tmp_path / "src" / "app.js").write_text("console.log('changed');\n")
    third = check(tgt, CheckOptions(reuse=True), engine=engine)
    assert third.passed == first.passed


def test_check_leaves_no_images_or_containers(engine: Engine, tmp_path: Path) -> None:
    # Everything this check creates carries this label too, so checks running beside it do not count.
    mine = {"label": f"io.stagewise.test={tmp_path}"}
    report = check(make_ctx(tmp_path, GOOD_NODE, NODE_FILES),
                   CheckOptions(reuse=False, build_timeout=300, labels={"io.stagewise.test": str(tmp_path)}),
                   engine=engine)
    assert report.image, "nothing was built"
    assert engine.client.images.list(filters=mine) == []
    assert engine.client.containers.list(all=True, filters=mine) == []


def test_misspelt_stage_never_reaches_for_a_registry(engine: Engine, tmp_path: Path) -> None:
    """Pitfall 3: `--from=bulid` is taken as an image name. Offline, nothing may look it up: the build is
    refused before Docker runs, with the reason a learner needs."""
    if not engine.offline:
        pytest.skip("an online engine pulls missing images as Docker always does")
    df = GOOD_NODE.replace("COPY --from=build", "COPY --from=bulid")
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, _line, msg = finding(report, "SW050")
    assert status == Status.FAIL
    assert "`bulid` (line 9)" in msg and "spelling" in msg
    assert report.engine.builder == "buildkit"
    assert not any(f.rule.startswith("buildkit/") for f in report.findings)  # checks were not run either


def test_syntax_directive_is_neutralised_offline(engine: Engine, tmp_path: Path) -> None:
    if not engine.offline:
        pytest.skip("online engines fetch the frontend named by `# syntax=`")
    df = "# syntax=docker/dockerfile:1\n" + textwrap.dedent(GOOD_NODE).lstrip()
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES))
    status, _line, msg = finding(report, "SW050")
    assert status == Status.PASS, msg
    assert finding(report, "SW350")[1] == 5  # line numbers unchanged by the rewrite
