"""`stagewise engine info` must tell the truth: each feature it reports is compared with a real build that
uses the feature on a real base image."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checker.build import build
from checker.engine import Engine
from checker.engine.features import engine_report

BASE = "alpine:3.20"


@pytest.fixture(scope="module")
def report(engine: Engine) -> dict[str, bool]:
    rep = engine_report(engine)
    return {**{f"builder:{k}": v for k, v in rep.builders.items()},
            **{k: v.available for k, v in rep.features.items()}}


def _real_build(engine: Engine, tmp_path: Path, dockerfile: str, extra: list[str] | None = None,
                builder: str = "buildkit") -> bool:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "a.txt").write_text("a\n")
    result = build(engine, tmp_path, builder=builder, tag="stagewise-test/feature:probe", extra_args=extra)
    engine.docker("rmi", "-f", "stagewise-test/feature:probe", check=False)
    return result.ok


def test_heredocs_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path) -> None:
    df = f"FROM {BASE}\nRUN <<EOF\nset -e\necho from-heredoc > /h.txt\ngrep -q from-heredoc /h.txt\nEOF\n"
    assert report["heredocs"] == _real_build(engine, tmp_path, df)


def test_copy_link_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path) -> None:
    df = f"FROM {BASE}\nCOPY --link a.txt /a.txt\nRUN test -f /a.txt\n"
    assert report["copy-link"] == _real_build(engine, tmp_path, df)


def test_cache_mounts_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path) -> None:
    df = f"FROM {BASE}\nRUN --mount=type=cache,target=/cache echo x > /cache/x && test -f /cache/x\n"
    assert report["cache-mounts"] == _real_build(engine, tmp_path, df)


def test_build_checks_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE} as Build\nCMD echo hi\n")
    proc = subprocess.run([engine.cli, "buildx", "build", "--call=check,format=json", str(tmp_path)],
                          env=engine.full_env, capture_output=True, text=True, check=False)
    rules = set()
    if proc.stdout.strip().startswith("{"):
        rules = {w["ruleName"] for w in json.loads(proc.stdout).get("warnings", [])}
    assert report["build-checks"] == ("JSONArgsRecommended" in rules and "FromAsCasing" in rules)


def test_rawjson_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM {BASE}\nRUN echo rawjson\n")
    proc = subprocess.run([engine.cli, "buildx", "build", "--progress=rawjson", "--network=none",
                           "--output", "type=cacheonly", str(tmp_path)],
                          env=engine.full_env, capture_output=True, text=True, check=False)
    statuses = [json.loads(ln) for ln in proc.stderr.splitlines() if ln.startswith("{")]
    real = proc.returncode == 0 and any(s.get("vertexes") for s in statuses)
    assert report["rawjson-progress"] == real


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_builders_truthful(engine: Engine, report: dict[str, bool], tmp_path: Path, builder: str) -> None:
    df = f"FROM {BASE} AS build\nRUN echo built > /out.txt\nFROM {BASE}\nCOPY --from=build /out.txt /out.txt\n"
    assert report[f"builder:{builder}"] == _real_build(engine, tmp_path, df, builder=builder)


def test_modern_engine_has_every_feature(engine: Engine, report: dict[str, bool]) -> None:
    if engine.flavour != "modern":
        pytest.skip(f"engine flavour is {engine.flavour}; the modern-engine promise does not apply")
    assert all(report.values()), report


def test_engine_info_cli_prints_json(engine: Engine) -> None:
    proc = subprocess.run([sys.executable, "-m", "checker", "engine", "info", "--json"], capture_output=True,
                          text=True, check=False, timeout=120)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["engine_version"] == engine.server_version
    assert set(data["features"]) == {"heredocs", "copy-link", "cache-mounts", "build-checks", "rawjson-progress"}
