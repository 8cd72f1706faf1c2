"""The declared catalogue and its recipe hashes (no engine needed)."""

from __future__ import annotations

import pytest

from checker.images import SUBSTITUTES, catalogue, find, kit, manifest, normalize_ref, recipe_hash
from checker.images.model import FILES


def test_every_substitute_declares_a_recipe_module_and_existing_files() -> None:
    ids = [s.id for s in SUBSTITUTES]
    assert len(ids) == len(set(ids))
    for sub in SUBSTITUTES:
        assert sub.module.__name__ == f"checker.images.recipes.{sub.id.replace('-', '_')}" or sub.module.__file__
        for rel in sub.files:
            assert (FILES / rel).exists(), (sub.id, rel)
        for dep in sub.depends:
            assert dep in catalogue.BY_ID, (sub.id, dep)
        assert sub.summary and sub.upstream in sub.tags


def test_dependencies_come_first_in_the_declared_order() -> None:
    seen: set[str] = set()
    for sub in SUBSTITUTES:
        assert set(sub.depends) <= seen, f"{sub.id} is declared before {set(sub.depends) - seen}"
        seen.add(sub.id)


@pytest.mark.parametrize("ref,recipe", [
    ("alpine", "alpine"), ("alpine:3.20", "alpine"), ("docker.io/library/alpine:3.21", "alpine"),
    ("golang:1.23-alpine", "golang-alpine"), ("node:22-alpine", "node-alpine"), ("node:lts-alpine", "node-alpine"),
    ("nginx:1.25-alpine", "nginx-alpine"), ("nginx:1.25", "nginx-debian"), ("nginx", "nginx-debian"),
    ("maven:3.9-eclipse-temurin-21", "maven-temurin"), ("eclipse-temurin:21-jdk", "maven-temurin"),
    ("eclipse-temurin:21-jre-alpine", "temurin-jre-alpine"), ("eclipse-temurin:21-jre", "temurin-jre-alpine"),
    ("eclipse-temurin:21-jdk-alpine", "temurin-jdk-alpine"), ("busybox:1.36", "busybox"), ("busybox", "busybox"),
    ("debian:bookworm-slim", "debian-slim"), ("debian:12-slim", "debian-slim"),
    ("gcr.io/distroless/static-debian12", "distroless-static"),
    ("gcr.io/distroless/static-debian12:nonroot", "distroless-static"),
    ("gcr.io/distroless/static:nonroot", "distroless-static"),
    ("gcr.io/distroless/base-debian12:nonroot", "distroless-base"),
    ("gcr.io/distroless/java21-debian12", "distroless-java"),
])  # fmt: skip
def test_find_maps_tags_to_recipes(ref: str, recipe: str) -> None:
    sub = find(ref)
    assert sub is not None and sub.id == recipe


@pytest.mark.parametrize("ref", ["python:3.12-slim", "alpine:3.20@sha256:" + "0" * 64, "golang:1.23", "scratch"])
def test_find_has_no_recipe_for_these(ref: str) -> None:
    assert find(ref) is None


def test_normalize_ref() -> None:
    assert normalize_ref("alpine") == "alpine:latest"
    assert normalize_ref("docker.io/library/node:22-alpine") == "node:22-alpine"
    assert normalize_ref("gcr.io/distroless/static-debian12") == "gcr.io/distroless/static-debian12:latest"
    assert normalize_ref("localhost:5000/app") == "localhost:5000/app:latest"


def test_manifest_is_the_primary_tags() -> None:
    assert manifest() == [s.upstream for s in SUBSTITUTES]
    assert "alpine:3.20" in manifest() and "gcr.io/distroless/static-debian12:latest" in manifest()


def test_recipe_hash_is_stable_and_includes_dependencies(monkeypatch: pytest.MonkeyPatch) -> None:
    before = {s.id: recipe_hash(s.id) for s in SUBSTITUTES}
    assert len(set(before.values())) == len(before)
    recipe_hash.cache_clear()
    assert {s.id: recipe_hash(s.id) for s in SUBSTITUTES} == before
    # a change in the helpers' revision changes every hash; a change in alpine's changes its dependents'
    monkeypatch.setattr(kit, "HELPERS_REVISION", kit.HELPERS_REVISION + "-test")
    recipe_hash.cache_clear()
    try:
        assert all(recipe_hash(s.id) != before[s.id] for s in SUBSTITUTES)
    finally:
        monkeypatch.undo()
        recipe_hash.cache_clear()
    alpine = catalogue.BY_ID["alpine"]
    monkeypatch.setitem(catalogue.BY_ID, "alpine", type(alpine)(**{**alpine.__dict__, "versions": {"x": "1"}}))
    recipe_hash.cache_clear()
    try:
        for sub in SUBSTITUTES:
            changed = recipe_hash(sub.id) != before[sub.id]
            assert changed == ("alpine" in catalogue.closure({sub.id})), sub.id
    finally:
        monkeypatch.undo()
        recipe_hash.cache_clear()


def test_labels_carry_the_description() -> None:
    labels = kit.labels_for("alpine:3.20", "alpine", "abc", ["alpine:3.20", "alpine:latest"])
    assert labels[kit.LABEL_SUBSTITUTE] == "true"
    assert labels[kit.LABEL_UPSTREAM] == "alpine:3.20"
    assert labels[kit.LABEL_RECIPE] == "alpine"
    assert labels[kit.LABEL_HASH] == "abc"
    assert labels[kit.LABEL_DESCRIPTION] == ("OFFLINE SUBSTITUTE for alpine:3.20, built locally from "
                                             "Debian/PyPI/npm packages; not the upstream image")


def test_no_mirror_or_registry_host_is_written_into_the_kit() -> None:
    from pathlib import Path

    root = Path(catalogue.__file__).parent
    text = "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file()
                     and "__pycache__" not in p.parts)
    for host in ("deb.debian.org", "registry-1.docker.io", "pypi.org", "registry.npmjs.org", "security.debian"):
        assert host not in text
