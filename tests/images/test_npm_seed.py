"""The node substitute's npm cache: every package of the course's lockfiles is seeded (so their `npm ci`
works with --network=none), and the image's own npmrc, not the learner's Dockerfile, makes npm use it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.images import PrepareResult

from ._helpers import build, run, sh

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "checker/images/files/node/npm-seed"
COURSE_LOCKFILES = sorted(p for top in ("lessons", "exercises", "solutions")
                          for p in (REPO / top).rglob("package-lock.json") if "node_modules" not in p.parts)


def _packages(lock: Path) -> set[tuple[str, str, str]]:
    """(install path, version, integrity) of every package a lockfile installs."""
    data = json.loads(lock.read_text())
    return {(path, meta["version"], meta.get("integrity", "")) for path, meta in data["packages"].items() if path}


def test_every_course_lockfile_installs_only_seeded_packages() -> None:
    seeded = _packages(SEED / "package-lock.json")
    assert len(seeded) >= 50
    assert COURSE_LOCKFILES, "no package-lock.json in the course"
    for lock in COURSE_LOCKFILES:
        missing = _packages(lock) - seeded
        assert not missing, f"{lock.relative_to(REPO)} needs packages the npm cache lacks: {sorted(missing)[:5]}"


def test_lockfiles_name_no_registry() -> None:
    """`resolved` URLs would write the registry's host name into the course: npm ci works without them."""
    for lock in [SEED / "package-lock.json", *COURSE_LOCKFILES]:
        assert all("resolved" not in meta for meta in json.loads(lock.read_text())["packages"].values()), lock


@pytest.mark.engine
def test_npm_ci_of_the_seeded_tree_with_no_network_as_node(engine: Engine, prepared: dict[str, PrepareResult],
                                                            tmp_path: Path, tags: list[str]) -> None:
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(SEED / name, tmp_path / name)
    (tmp_path / "Dockerfile").write_text(
        "FROM node:22-alpine\nWORKDIR /home/node/app\nRUN chown node /home/node/app\nUSER node\n"
        "COPY package.json package-lock.json ./\nRUN npm ci\n"
        "CMD [\"node\", \"-e\", \"console.log(require('terser/package.json').name)\"]\n")
    tags.append("stagewise-test/kit-node-seed:1")
    build(engine, tmp_path, "stagewise-test/kit-node-seed:1", timeout=300)
    assert run(engine, "stagewise-test/kit-node-seed:1").stdout.strip() == "terser"
    installed = sh(engine, "stagewise-test/kit-node-seed:1",
                   "find node_modules -name package.json -path '*node_modules/*' | grep -c -v '/node_modules/.*/.*/'")
    assert int(installed.strip()) >= 50
    # the configuration is the image's (its global npmrc), and it never reaches for a registry
    assert sh(engine, "node:22-alpine", "npm config get offline; npm config get cache").split() == \
        ["true", "/usr/local/share/npm-offline-cache"]
