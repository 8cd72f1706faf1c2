"""What an engine can really do, found by tiny real builds (FROM scratch: no base image, no network)."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from checker.engine import Engine

_WORKDIRS: list[Path] = []


@dataclass
class FeatureProbe:
    name: str
    available: bool
    detail: str = ""


@dataclass
class EngineReport:
    engine_version: str
    buildx_version: str | None
    flavour: str
    docker_host: str
    provisioned: bool
    online: bool
    builders: dict[str, bool] = field(default_factory=dict)
    features: dict[str, FeatureProbe] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["features"] = {k: asdict(v) for k, v in self.features.items()}
        return data


def _probe_build(engine: Engine, dockerfile: str, *, builder: str = "buildkit",
                 extra: list[str] | None = None, files: dict[str, str] | None = None,
                 output_dir: bool = True) -> tuple[subprocess.CompletedProcess[str], Path]:
    work = Path(tempfile.mkdtemp(prefix="stagewise-probe-"))
    _WORKDIRS.append(work)
    ctx = work / "ctx"
    ctx.mkdir()
    (ctx / "Dockerfile").write_text(dockerfile)
    for name, text in (files or {}).items():
        (ctx / name).write_text(text)
    out = work / "out"
    args = list(engine.build_command(builder))
    if builder == "classic":
        args = ["build", "-q", "--label", "io.stagewise.created-by=probe"]
    else:
        args = [a for a in args if a != "--load"]
        # Probes leave nothing behind: files go to a temp folder, or only to the build cache.
        args += ["--output", f"type=local,dest={out}" if output_dir else "type=cacheonly"]
    args += ["--network=none", *(extra or []), str(ctx)]
    proc = subprocess.run([engine.cli, *args], env=engine.build_env(builder), capture_output=True, text=True,
                          timeout=120, check=False)
    return proc, out


def _builder_probe(engine: Engine, builder: str) -> FeatureProbe:
    proc, out = _probe_build(engine, "FROM scratch\nCOPY hello.txt /hello.txt\n", builder=builder,
                             files={"hello.txt": "stagewise\n"})
    if builder == "classic":
        ok = proc.returncode == 0
        if ok:
            image_id = proc.stdout.strip().splitlines()[-1]
            engine.docker("rmi", "-f", image_id, check=False)
    else:
        ok = proc.returncode == 0 and (out / "hello.txt").is_file()
    detail = "" if ok else (proc.stderr or proc.stdout).strip().splitlines()[-1:]
    return FeatureProbe(builder, ok, detail if isinstance(detail, str) else " ".join(detail))


def probe_features(engine: Engine) -> dict[str, FeatureProbe]:
    """Each BuildKit feature the course uses, tried for real."""
    results: dict[str, FeatureProbe] = {}

    proc, out = _probe_build(engine, "FROM scratch\nCOPY <<EOF /heredoc.txt\nstagewise\nEOF\n")
    ok = proc.returncode == 0 and (out / "heredoc.txt").is_file() and \
        (out / "heredoc.txt").read_text().strip() == "stagewise"
    results["heredocs"] = FeatureProbe("heredocs", ok, "" if ok else _last(proc))

    proc, out = _probe_build(engine, "FROM scratch\nCOPY --link a.txt /linked.txt\n", files={"a.txt": "x\n"})
    ok = proc.returncode == 0 and (out / "linked.txt").is_file()
    results["copy-link"] = FeatureProbe("copy-link", ok, "" if ok else _last(proc))

    # A cache mount needs a RUN; the probe targets a stage that does not depend on it, so the frontend
    # must accept the flag (an older one rejects it) without anything being executed.
    df = ("FROM scratch AS uses-cache-mount\nRUN --mount=type=cache,target=/cache [\"/nonexistent\"]\n"
          "FROM scratch AS probe\nCOPY a.txt /a.txt\n")
    proc, out = _probe_build(engine, df, extra=["--target", "probe"], files={"a.txt": "x\n"})
    ok = proc.returncode == 0
    results["cache-mounts"] = FeatureProbe("cache-mounts", ok, "" if ok else _last(proc))

    if engine.buildx_version:
        proc, _ = _probe_build(engine, "FROM scratch as Build\nCOPY a.txt /a.txt\n",
                               extra=["--call=check,format=json"], files={"a.txt": "x\n"}, output_dir=False)
        text = proc.stdout.strip()
        try:
            data = json.loads(text) if text else {}
            rules = [w.get("ruleName") for w in data.get("warnings", [])]
            ok = bool(rules)
            detail = f"rules reported on a probe: {', '.join(str(r) for r in rules)}" if ok else text[-200:]
        except json.JSONDecodeError:
            ok, detail = False, (proc.stderr or text).strip()[-200:]
        results["build-checks"] = FeatureProbe("build-checks", ok, detail)

        proc, _ = _probe_build(engine, "FROM scratch\nCOPY a.txt /a.txt\n", extra=["--progress=rawjson"],
                               files={"a.txt": "x\n"}, output_dir=False)
        lines = [ln for ln in (proc.stderr + proc.stdout).splitlines() if ln.startswith("{")]
        ok = proc.returncode == 0 and any('"vertexes"' in ln for ln in lines)
        results["rawjson-progress"] = FeatureProbe("rawjson-progress", ok, f"{len(lines)} status lines")
    else:
        results["build-checks"] = FeatureProbe("build-checks", False, "needs buildx (--call=check)")
        results["rawjson-progress"] = FeatureProbe("rawjson-progress", False, "needs buildx >= 0.13")
    return results


def _last(proc: subprocess.CompletedProcess[str]) -> str:
    lines = (proc.stderr or proc.stdout or "").strip().splitlines()
    return lines[-1] if lines else f"exit {proc.returncode}"


def engine_report(engine: Engine) -> EngineReport:
    report = EngineReport(
        engine_version=engine.server_version,
        buildx_version=engine.buildx_version,
        flavour=engine.flavour,
        docker_host=engine.docker_host,
        provisioned=engine.provisioned,
        online=not engine.offline,
    )
    try:
        report.builders = {b: _builder_probe(engine, b).available for b in ("buildkit", "classic")}
        report.features = probe_features(engine)
    finally:
        while _WORKDIRS:
            shutil.rmtree(_WORKDIRS.pop(), ignore_errors=True)
    return report
