"""A wheel built from the repository installs into a fresh virtual environment, and `stagewise check
--static-only` (and the pre-commit hook's entry point) works from it, away from the checkout.

What the checker needs at run time: the rules, the image kit's files (checker/images/files/) and the other data
files are package data, inside the wheel. The course content (exercises/ and their specs, solutions/) is not:
it is found next to a checkout, and a wheel install grades against it by path (`--exercise path/to/exercise`
for `stagewise grade`, or the exercise folder itself for `stagewise check`). The build must not print setuptools'
deprecation warning about the license (it is an SPDX string)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, the fresh environment's bin/)."""
    tmp = tmp_path_factory.mktemp("wheel")
    # from a copy of what the package is made of: setuptools builds in the source tree (build/), and a stale
    # build/lib there would put deleted modules in the wheel
    src = tmp / "src"
    shutil.copytree(REPO / "checker", src / "checker", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp / "dist"),
                            str(src)], capture_output=True, text=True, timeout=240)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    # setuptools >= 77 calls a license TOML table deprecated (SetuptoolsDeprecationWarning, BuildBackendWarning)
    assert not re.search(r"(Deprecation|BuildBackend)Warning|is deprecated", build.stdout + build.stderr)
    (wheel,) = (tmp / "dist").glob("stagewise-*.whl")
    venv.create(tmp / "env", with_pip=True)
    bin_dir = tmp / "env" / "bin"
    pip = subprocess.run([str(bin_dir / "python"), "-m", "pip", "install", "-q", "--no-compile", "-c",
                          str(REPO / "constraints.txt"),
                          str(wheel)], capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return wheel, bin_dir


def test_the_wheel_carries_the_checker_and_its_data(installed: tuple[Path, Path]) -> None:
    wheel, _ = installed
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        metadata = next(zf.read(n).decode() for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in metadata
    assert "checker/rules/sw101_single_stage.py" in names and "checker/render/sarif.py" in names
    assert "checker/grade/classroom50_autograder.py" in names
    kit = [n for n in names if n.startswith("checker/images/files/")]
    on_disk = [p for p in (REPO / "checker" / "images" / "files").rglob("*") if p.is_file()]
    assert len(kit) == len(on_disk) > 0
    assert not [n for n in names if n.startswith(("exercises/", "solutions/", "lessons/"))]


def test_a_static_check_runs_from_the_wheel(installed: tuple[Path, Path], tmp_path: Path) -> None:
    _, bin_dir = installed
    (tmp_path / "Dockerfile").write_text("FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n"
                                         'CMD ["node", "dist/server.js"]\n')
    run = subprocess.run([str(bin_dir / "stagewise"), "check", "--static-only", "--format", "json", "Dockerfile"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stderr  # a single-stage build fails: the rules ran
    report = json.loads(run.stdout)
    assert report["dockerfile"] == "Dockerfile" and report["engine"]["builder"] is None
    assert "SW101" in {f["rule"] for f in report["findings"] if f["status"] == "fail"}
    # the course content next to the checkout: an exercise folder checked by path
    exercise = subprocess.run([str(bin_dir / "stagewise"), "check", "--static-only",
                               str(REPO / "exercises" / "node-nginx")], cwd=tmp_path, capture_output=True,
                              text=True, timeout=120)
    assert exercise.returncode in (0, 1) and "node-nginx" in exercise.stdout, exercise.stderr
    hook = subprocess.run([str(bin_dir / "stagewise-pre-commit"), "Dockerfile"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120)
    assert hook.returncode == 1 and "Dockerfile:1: SW101 fail:" in hook.stdout, hook.stdout + hook.stderr
