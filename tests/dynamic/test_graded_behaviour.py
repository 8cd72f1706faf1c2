"""Graded behaviour cannot be faked (issue 12, section 2), on real builds: a HEALTHCHECK is judged without the
app (SW451), the shipped artifacts must change with their sources (SW252), and every dependency install the
target reaches is probed (SW350)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from checker.check import CheckOptions, check
from checker.engine import Engine
from checker.report import Report, Status
from checker.spec import Spec
from tests.dynamic.test_dynamic_rules import GOOD_NODE, NODE_FILES, PACKAGE_JSON, finding, make_ctx, run

HTTPD = 'CMD ["sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT} -h /www"]'
SMOKE_HEALTHY = {"http": {"path": "/index.html", "port_env": "PORT", "expect_body": "built", "timeout_s": 20},
                 "expect_healthy": True}


def _with_healthcheck(healthcheck: str) -> str:
    return GOOD_NODE.replace(HTTPD, f"{healthcheck}\n    {HTTPD}")


def _line_of(dockerfile: str, keyword: str) -> int:
    """The line of the first instruction `keyword` in the file make_ctx writes (dedented, leading blank cut)."""
    lines = textwrap.dedent(dockerfile).lstrip().splitlines()
    return next(i for i, text in enumerate(lines, 1) if text.strip().startswith(keyword))


def _run_leaving_nothing(engine: Engine, tmp_path: Path, dockerfile: str, files: dict[str, str], spec: Spec) -> Report:
    """A check whose every image and container carries this test's label: none may be left afterwards (the
    health probe's container, the rebuilt image and the containers its artifacts were read from)."""
    tgt = make_ctx(tmp_path, dockerfile, files)
    tgt.spec = spec
    mine = {"io.stagewise.test": str(tmp_path)}
    report = check(tgt, CheckOptions(reuse=False, build_timeout=300, labels=mine), engine=engine)
    assert report.image, "nothing was built"
    label = {"label": f"io.stagewise.test={tmp_path}"}
    assert engine.client.images.list(filters=label) == []
    assert engine.client.containers.list(all=True, filters=label) == []
    return report


def test_healthcheck_that_stays_healthy_without_the_app_fails(engine: Engine, tmp_path: Path) -> None:
    df = _with_healthcheck('HEALTHCHECK --interval=30s --start-period=5s CMD ["/bin/true"]')
    spec = Spec.model_validate({"id": "probe", "title": "probe", "smoke": SMOKE_HEALTHY})
    report = run(engine, make_ctx(tmp_path, df, NODE_FILES), spec)
    # The smoke run alone is fooled: the app serves and the health check says healthy.
    assert finding(report, "SW550")[0] == Status.PASS
    status, line, msg = finding(report, "SW451")
    assert status == Status.FAIL and line == _line_of(df, "HEALTHCHECK"), msg
    assert "healthy even when the app is not running" in msg and "`/bin/true` always succeeds" in msg
    hint = next(f.hint for f in report.findings if f.rule == "SW451")
    assert hint and "http://127.0.0.1:${PORT}/index.html" in hint
    assert report.concerns["hardening"] == "fail"
    assert not report.passed


def test_healthcheck_that_probes_the_app_passes(engine: Engine, tmp_path: Path) -> None:
    df = _with_healthcheck('HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 '
                           'CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/index.html" || exit 1')
    spec = Spec.model_validate({"id": "probe", "title": "probe", "smoke": SMOKE_HEALTHY})
    report = _run_leaving_nothing(engine, tmp_path, df, NODE_FILES, spec)
    status, line, msg = finding(report, "SW451")
    assert status == Status.PASS and line == _line_of(df, "HEALTHCHECK"), msg
    assert "unhealthy" in msg and "Connection refused" in msg  # the probe's own output, with no app
    # ... and the same check turns healthy in the smoke run, with the app up (despite the image's 30 s interval
    # and 5 s start period: the smoke run schedules it every second with a 1 ms start period)
    status, _line, msg = finding(report, "SW550")
    assert status == Status.PASS and "healthcheck healthy" in msg, msg
    assert report.concerns["hardening"] == "pass"


def test_healthcheck_judged_without_a_shell_on_scratch(engine: Engine, tmp_path: Path) -> None:
    """The sleeper is brought in by the checker: the image needs neither a shell nor a sleep of its own."""
    df = """
        FROM scratch
        COPY --from=busybox:1.36 /bin/busybox /bin/true
        USER 65532:65532
        HEALTHCHECK CMD ["/bin/true"]
        ENTRYPOINT ["/bin/true"]
        """
    report = run(engine, make_ctx(tmp_path, df))
    status, line, msg = finding(report, "SW451")
    assert status == Status.FAIL and line == 4, msg


PAGE_FILES = {**NODE_FILES,
              "src/index.html": "<h1>built</h1>\n",
              "build.mjs": ("import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';\n"
                            "mkdirSync('dist', { recursive: true });\n"
                            "writeFileSync('dist/index.html', readFileSync('src/index.html', 'utf8'));\n")}
BUILT_FROM = {"id": "probe", "title": "probe",
              "built_from": [{"source": "src/index.html", "constant": "<p>stagewise-probe-page</p>",
                              "before": "<h1>", "artifacts": ["/www/index.html"]}]}


def test_artifact_built_from_the_sources_passes(engine: Engine, tmp_path: Path) -> None:
    report = _run_leaving_nothing(engine, tmp_path, GOOD_NODE, PAGE_FILES, Spec.model_validate(BUILT_FROM))
    status, _line, msg = finding(report, "SW252")
    assert status == Status.PASS, msg
    assert "/www/index.html: changed" in msg and "the constant in /www/index.html" in msg


def test_artifact_written_by_hand_fails(engine: Engine, tmp_path: Path) -> None:
    df = GOOD_NODE.replace("USER 65532:65532", "RUN echo '<h1>built</h1>' > /www/index.html\n    USER 65532:65532")
    report = run(engine, make_ctx(tmp_path, df, PAGE_FILES), Spec.model_validate(BUILT_FROM))
    status, line, msg = finding(report, "SW252")
    assert status == Status.FAIL and line == 10, msg
    assert "did not change when src/index.html changed" in msg and "writes it by hand" in msg
    assert "/www/index.html: unchanged" in msg
    assert report.concerns["artifact-copies"] == "fail"


def test_every_install_step_is_probed_and_each_rerun_reported(engine: Engine, tmp_path: Path) -> None:
    df = """
        FROM node:22-alpine AS deps
        WORKDIR /app
        COPY package.json package-lock.json ./
        RUN npm ci

        FROM deps AS build
        COPY . .
        RUN npm ci && npm run build

        FROM busybox:1.36
        COPY --from=build /app/dist /www
        USER 65532:65532
        CMD ["sh", "-c", "exec httpd -f -p 127.0.0.1:${PORT} -h /www"]
        """
    # a manifest of this test's own: the first install is built once by the checked build, then reused
    files = {**NODE_FILES, "package.json": PACKAGE_JSON.replace('"private"', f'"description": "{tmp_path.name}",\n'
                                                                             '  "private"')}
    report = run(engine, make_ctx(tmp_path, df, files))
    hits = [f for f in report.findings if f.rule == "SW350"]
    assert [(f.status, f.line) for f in hits] == [(Status.FAIL, 8)], [(f.status, f.line, f.message) for f in hits]
    text = hits[0].message + " " + " ".join(hits[0].evidence)
    assert "line 4 `RUN npm ci` reused from cache" in text
    assert "line 8 `RUN npm ci && npm run build` ran again" in text
    assert "An earlier install, line 4" in hits[0].message
    assert report.concerns["cache-ordering"] == "fail"


def test_rebuild_beside_a_failing_build_stops_and_is_skipped(engine: Engine, tmp_path: Path) -> None:
    """The rebuild starts beside the checked build; when that build fails there is nothing to compare."""
    df = GOOD_NODE.replace("RUN npm run build", "RUN npm run build && exit 3")
    report = run(engine, make_ctx(tmp_path, df, PAGE_FILES), Spec.model_validate(BUILT_FROM))
    assert finding(report, "SW050")[0] == Status.FAIL
    status, _line, msg = finding(report, "SW252")
    assert status == Status.SKIP and msg.startswith("skipped: the image did not build"), msg
