"""`prepare`'s decisions, against a fake engine that records what it is asked (no engine, no network)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from checker.images import catalogue, kit, list_images, prepare


@dataclass
class FakeAPI:
    images_json: list[dict[str, Any]]

    def images(self) -> list[dict[str, Any]]:
        return self.images_json


@dataclass
class FakeClient:
    api: FakeAPI


@dataclass
class FakeEngine:
    """Just enough of checker.engine.Engine: image listing, and `docker` calls that are recorded."""

    offline: bool
    images_json: list[dict[str, Any]] = field(default_factory=list)
    calls: list[tuple[str, ...]] = field(default_factory=list)
    pull_ok: bool = True

    @property
    def client(self) -> FakeClient:
        return FakeClient(FakeAPI(self.images_json))

    def docker(self, *args: str, check: bool = True, timeout: float | None = 600,
               **_: Any) -> subprocess.CompletedProcess[str]:
        self.calls.append(args)
        if args[0] == "pull":
            return subprocess.CompletedProcess(args, 0 if self.pull_ok else 1, "", "" if self.pull_ok else
                                               "Error response from daemon: pull access denied")
        if args[:2] == ("image", "inspect"):
            return subprocess.CompletedProcess(args, 0, "12345678\n", "")
        raise AssertionError(f"unexpected docker call {args}")


def _current_images(*recipe_ids: str) -> list[dict[str, Any]]:
    out = []
    for rid in recipe_ids:
        sub = catalogue.BY_ID[rid]
        out.append({"Id": f"sha256:{rid}", "RepoTags": list(sub.primary_tags), "Size": 5_000_000,
                    "Labels": kit.labels_for(sub.upstream, rid, catalogue.recipe_hash(rid), sub.primary_tags)})
        for variant in sub.variants:
            out.append({"Id": f"sha256:{rid}-v", "RepoTags": list(variant.tags), "Size": 5_000_000,
                        "Labels": kit.labels_for(variant.upstream, rid, catalogue.recipe_hash(rid), variant.tags)})
    return out


def test_missing_recipe_names_the_file_and_line(tmp_path: Path) -> None:
    df = tmp_path / "lessons/09-python/Dockerfile"
    df.parent.mkdir(parents=True)
    df.write_text("ARG PY=3.12\nFROM alpine:3.20 AS base\nFROM python:${PY}-slim\nCOPY --from=base / /\n")
    engine = FakeEngine(offline=True, images_json=_current_images(*catalogue.BY_ID))
    results = prepare(engine, root=tmp_path, log=lambda _: None)  # type: ignore[arg-type]
    missing = [r for r in results if r.action == "missing"]
    assert [r.name for r in missing] == ["python:3.12-slim"]
    note = missing[0].note
    assert "lessons/09-python/Dockerfile:3" in note and "python:3.12-slim" in note
    assert "no offline recipe provides it" in note
    assert missing[0].referenced_by == ("lessons/09-python/Dockerfile:3",)
    assert not any(c[0] == "pull" for c in engine.calls)
    # everything else was current: kept, nothing built
    assert {r.action for r in results} == {"kept", "missing"}


def test_digest_pins_are_explained(tmp_path: Path) -> None:
    df = tmp_path / "examples/Dockerfile"
    df.parent.mkdir(parents=True)
    df.write_text("FROM alpine:3.20@sha256:" + "a" * 64 + "\n")
    engine = FakeEngine(offline=True, images_json=_current_images(*catalogue.BY_ID))
    results = prepare(engine, names=None, root=tmp_path, log=lambda _: None)  # type: ignore[arg-type]
    pinned = [r for r in results if r.action == "missing"]
    assert pinned and "digest-pinned" in pinned[0].note and "examples/Dockerfile:1" in pinned[0].note


def test_current_substitutes_are_kept_without_any_docker_call() -> None:
    engine = FakeEngine(offline=True, images_json=_current_images("alpine", "golang-alpine"))
    results = prepare(engine, names=["golang:1.23-alpine"], log=lambda _: None)  # type: ignore[arg-type]
    assert [(r.name, r.action) for r in results] == [("alpine:3.20", "kept"), ("golang:1.23-alpine", "kept")]
    assert results[1].tags == catalogue.BY_ID["golang-alpine"].tags
    assert engine.calls == []


def test_a_local_real_image_is_kept_not_replaced() -> None:
    engine = FakeEngine(offline=True, images_json=[{"Id": "sha256:real", "RepoTags": ["alpine:3.20"],
                                                    "Size": 7_800_000, "Labels": None}])
    results = prepare(engine, names=["alpine:3.20"], log=lambda _: None)  # type: ignore[arg-type]
    assert [(r.name, r.action) for r in results] == [("alpine:3.20", "kept")]
    assert "not a substitute" in results[0].note


def test_online_engine_pulls_the_real_image() -> None:
    engine = FakeEngine(offline=False)
    results = prepare(engine, names=["node:22-alpine", "python:3.12-slim"],  # type: ignore[arg-type]
                      log=lambda _: None)
    assert [(r.name, r.action) for r in results] == [("node:22-alpine", "pulled"), ("python:3.12-slim", "pulled")]
    assert ("pull", "node:22-alpine") in engine.calls and ("pull", "python:3.12-slim") in engine.calls


def test_online_pull_failure_without_recipe_fails_clearly() -> None:
    engine = FakeEngine(offline=False, pull_ok=False)
    results = prepare(engine, names=["python:3.12-slim"], log=lambda _: None)  # type: ignore[arg-type]
    assert results[0].action == "failed" and "pull access denied" in results[0].note


def test_stale_substitute_is_rebuilt_with_dependencies_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """alpine is current, golang's hash is stale: only golang is built, after checking alpine."""
    images = _current_images("alpine", "golang-alpine")
    for img in images:
        if img["Labels"][kit.LABEL_RECIPE] == "golang-alpine":
            img["Labels"][kit.LABEL_HASH] = "stale"
    engine = FakeEngine(offline=True, images_json=images)
    built: list[str] = []

    def fake_build_one(engine: Any, sub: Any, *args: Any) -> Any:
        from checker.images.pipeline import PrepareResult

        built.append(sub.id)
        return PrepareResult(sub.upstream, "built", 1.0, 1.0, "", sub.tags, sub.id)

    monkeypatch.setattr("checker.images.pipeline._build_one", fake_build_one)
    results = prepare(engine, names=["golang:1.23-alpine"], log=lambda _: None)  # type: ignore[arg-type]
    assert built == ["golang-alpine"]
    assert {r.recipe: r.action for r in results} == {"alpine": "kept", "golang-alpine": "built"}


def test_build_order_respects_dependencies_and_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine(offline=True)
    order: list[str] = []

    def fake_build_one(engine: Any, sub: Any, *args: Any) -> Any:
        from checker.images.pipeline import PrepareResult

        for dep in sub.depends:
            assert dep in order, f"{sub.id} started before {dep}"
        order.append(sub.id)
        action = "failed" if sub.id == "maven-temurin" else "built"
        return PrepareResult(sub.upstream, action, 0.0, None, "boom" if action == "failed" else "", (), sub.id)

    monkeypatch.setattr("checker.images.pipeline._build_one", fake_build_one)
    results = {r.recipe: r for r in prepare(engine, names=catalogue.manifest(),  # type: ignore[arg-type]
                                             log=lambda _: None)}
    assert set(order) == set(catalogue.BY_ID) - {"temurin-jdk-alpine", "temurin-jre-alpine", "distroless-java"}
    for rid in ("temurin-jdk-alpine", "temurin-jre-alpine", "distroless-java"):
        assert results[rid].action == "failed" and "failed" in results[rid].note
    assert order.index("maven-temurin") == 0  # the longest chain starts first


def test_list_images_tells_substitutes_from_derived_images() -> None:
    images = _current_images("alpine")
    derived = {"Id": "sha256:app", "RepoTags": ["myapp:1"], "Size": 20_000_000,
               "Labels": dict(images[0]["Labels"])}
    plain = {"Id": "sha256:other", "RepoTags": ["other:1"], "Size": 1_000_000, "Labels": {}}
    engine = FakeEngine(offline=True, images_json=[*images, derived, plain])
    rows = {r.ref: r for r in list_images(engine)}  # type: ignore[arg-type]
    assert rows["alpine:3.20"].substitute and rows["alpine:3.20"].upstream == "alpine:3.20"
    assert rows["alpine:3.20"].current is True
    assert "OFFLINE SUBSTITUTE for alpine:3.20" in rows["alpine:3.20"].description
    assert rows["alpine:latest"].substitute
    assert not rows["myapp:1"].substitute and rows["myapp:1"].derived
    assert "built on the OFFLINE SUBSTITUTE for alpine:3.20" in rows["myapp:1"].description
    assert not rows["other:1"].substitute and not rows["other:1"].derived


def test_the_kits_own_probe_image_is_built_never_pulled(monkeypatch: pytest.MonkeyPatch) -> None:
    """stagewise/probe exists in no registry: an online engine builds it from the kit, like an offline one."""
    engine = FakeEngine(offline=False)
    built: list[str] = []

    def fake_build_one(engine: Any, sub: Any, *args: Any) -> Any:
        from checker.images.pipeline import PrepareResult

        built.append(sub.id)
        return PrepareResult(sub.upstream, "built", 1.0, 1.0, "", sub.tags, sub.id)

    monkeypatch.setattr("checker.images.pipeline._build_one", fake_build_one)
    results = prepare(engine, names=["probe"], log=lambda _: None)  # type: ignore[arg-type]
    assert built == ["probe"] and [(r.name, r.action) for r in results] == [("stagewise/probe:1", "built")]
    assert not any(c[0] == "pull" for c in engine.calls)
    labels = kit.labels_for("stagewise/probe:1", "probe", "abc", ["stagewise/probe:1"], own=True)
    assert labels[kit.LABEL_DESCRIPTION].startswith("STAGEWISE KIT IMAGE stagewise/probe:1")
