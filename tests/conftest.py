"""Shared fixtures. Tests that need the engine are marked `engine`: with CI=true they FAIL when no engine
answers, they never skip (a green run that built nothing is a defect)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.engine import Engine, EngineUnavailable, ci_mode, find_engine

REPO = Path(__file__).resolve().parents[1]


def _no_engine(reason: str) -> None:
    if ci_mode():
        pytest.fail(f"CI=true and no Docker engine answers: {reason}", pytrace=False)
    pytest.skip(f"no Docker engine: {reason}")


@pytest.fixture(scope="session")
def engine() -> Engine:
    try:
        return find_engine()
    except EngineUnavailable as exc:
        _no_engine(str(exc).splitlines()[0])
        raise  # unreachable


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture
def cleanup_images(engine: Engine) -> Iterator[list[str]]:
    """Tags a test builds; removed afterwards."""
    tags: list[str] = []
    yield tags
    for tag in tags:
        engine.docker("rmi", "-f", tag, check=False)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if "engine" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.engine)


os.environ.setdefault("STAGEWISE_TEST", "1")
