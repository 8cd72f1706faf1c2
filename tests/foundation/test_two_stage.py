"""A two-stage Dockerfile FROM a (substitute) toolchain image into scratch, built with BuildKit and with the
classic builder, then run on a loopback port and asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.build import build
from checker.engine import Engine
from checker.inspect import image_facts
from checker.run import run_http

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "hello-go"


@pytest.mark.parametrize("builder", ["buildkit", "classic"])
def test_two_stage_go_to_scratch_builds_and_answers(engine: Engine, builder: str,
                                                     cleanup_images: list[str]) -> None:
    tag = f"stagewise-test/hello-go:{builder}"
    cleanup_images.append(tag)
    result = build(engine, EXAMPLE, dockerfile=EXAMPLE / "Dockerfile", tag=tag, builder=builder)
    assert result.ok, result.error or result.log[-2000:]
    # Both builders report the steps they ran; the go build step is among them.
    assert result.step_for(r"go build") is not None

    facts = image_facts(engine, tag)
    assert facts.user == "65532:65532"
    assert facts.entrypoint == ["/hello"]
    files = facts.files()
    assert "/hello" in files and files["/hello"][0].executable
    # scratch + one COPY: the image holds the binary and nothing else (no shell, no toolchain)
    assert not any(p.startswith(("/bin", "/usr", "/usr/local/go")) for p in files)

    answer = run_http(engine, tag, port_env="PORT", path="/")
    assert answer.ok, answer.error
    assert answer.status == 200
    assert "hello from a multi-stage image" in answer.body
    assert engine.client.containers.list(all=True, filters={"ancestor": tag}) == []


def test_multi_stage_is_much_smaller_than_its_single_stage_twin(engine: Engine,
                                                                cleanup_images: list[str]) -> None:
    sizes = {}
    for name in ("Dockerfile", "Dockerfile.single"):
        tag = f"stagewise-test/hello-go:{name.lower().replace('.', '-')}"
        cleanup_images.append(tag)
        result = build(engine, EXAMPLE, dockerfile=EXAMPLE / name, tag=tag)
        assert result.ok, result.error
        sizes[name] = engine.client.images.get(tag).attrs["Size"]
    assert sizes["Dockerfile.single"] > 10 * sizes["Dockerfile"], sizes


def test_rebuild_marks_steps_cached(engine: Engine, cleanup_images: list[str]) -> None:
    tag = "stagewise-test/hello-go:cached"
    cleanup_images.append(tag)
    first = build(engine, EXAMPLE, dockerfile=EXAMPLE / "Dockerfile", tag=tag)
    assert first.ok, first.error
    second = build(engine, EXAMPLE, dockerfile=EXAMPLE / "Dockerfile", tag=tag)
    assert second.ok
    go_build = second.step_for(r"go build")
    assert go_build is not None and go_build.cached
