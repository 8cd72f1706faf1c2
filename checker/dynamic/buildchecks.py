"""BuildKit's own build checks (`docker buildx build --call=check,format=json`), joined to the report
under the `lint` concern with their rule names and documentation links."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from checker.engine import Engine


@dataclass(frozen=True)
class BuildCheck:
    rule: str  # BuildKit's rule name, e.g. JSONArgsRecommended
    description: str
    detail: str
    url: str
    line: int | None


def run_build_checks(engine: Engine, context: Path, dockerfile: Path, *, target: str | None = None,
                     timeout: float = 120) -> list[BuildCheck] | None:
    """None when the engine has no build checks (no buildx, or an older frontend)."""
    if not engine.buildx_version:
        return None
    args = [engine.cli, "buildx", "build", "--call=check,format=json", "--network=none", "-f", str(dockerfile)]
    if target:
        args += ["--target", target]
    args.append(str(context))
    try:
        proc = subprocess.run(args, env=engine.full_env, capture_output=True, text=True, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    text = proc.stdout.strip()
    if not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    checks: list[BuildCheck] = []
    for w in data.get("warnings") or []:
        ranges = ((w.get("location") or {}).get("ranges") or [{}])
        line = (ranges[0].get("start") or {}).get("line")
        checks.append(BuildCheck(str(w.get("ruleName")), str(w.get("description") or ""),
                                 str(w.get("detail") or ""), str(w.get("url") or ""),
                                 int(line) if line else None))
    return checks
