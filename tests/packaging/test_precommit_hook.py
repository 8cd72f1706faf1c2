"""The repository's .pre-commit-hooks.yaml, read by pre-commit's own manifest loader (the schema pre-commit
enforces when a user's config names this repository), and its hook run the way pre-commit runs it: the entry
with the matching files as arguments. The hook needs no engine (static rules only)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from identify.identify import tags_from_filename
from pre_commit.clientlib import load_manifest

REPO = Path(__file__).resolve().parents[2]
ENTRY_BIN = Path(sys.executable).parent


def test_the_manifest_is_what_pre_commit_accepts() -> None:
    hooks = load_manifest(str(REPO / ".pre-commit-hooks.yaml"))  # raises InvalidManifestError otherwise
    (hook,) = hooks
    assert hook["id"] == "stagewise" and hook["language"] == "python"
    assert hook["types"] == ["dockerfile"] and "dockerfile" in tags_from_filename("Dockerfile")
    assert "dockerfile" in tags_from_filename("api.Dockerfile")
    # the entry is a console script of this package, so pre-commit's python environment provides it
    scripts = (REPO / "pyproject.toml").read_text()
    assert f'{hook["entry"]} = "checker.precommit:main"' in scripts


def test_the_hook_runs_on_the_files_pre_commit_passes(tmp_path: Path) -> None:
    good = REPO / "examples" / "hello-go" / "Dockerfile"  # multi-stage, non-root, its context beside it
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n")
    ok = subprocess.run([str(ENTRY_BIN / "stagewise-pre-commit"), str(good)], capture_output=True, text=True,
                        timeout=60, env={"PATH": "/usr/bin:/bin", "DOCKER_HOST": "unix:///nonexistent.sock"})
    assert ok.returncode == 0, ok.stdout + ok.stderr  # no engine anywhere, and it still judges
    both = subprocess.run([str(ENTRY_BIN / "stagewise-pre-commit"), str(good), str(bad)], capture_output=True,
                          text=True, timeout=60)
    assert both.returncode == 1
    lines = both.stdout.splitlines()
    assert lines and all(line.startswith(f"{bad}:") for line in lines), both.stdout
    assert any(": SW101 fail: " in line and "lessons/" in line for line in lines)
