"""Fixtures for the offline base-image kit's tests: `prepared` runs `prepare` once per session."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from checker.engine import Engine
from checker.images import PrepareResult, manifest, prepare


@pytest.fixture(scope="session")
def prepared(engine: Engine) -> dict[str, PrepareResult]:
    """Every catalogue image, prepared once (built if missing or stale); keyed by image name."""
    t0 = time.monotonic()
    results = prepare(engine, names=manifest(), log=lambda m: print(f"[prepare] {m}"))
    print(f"[prepare] {len(results)} images in {time.monotonic() - t0:.1f} s")
    bad = [r for r in results if not r.ok]
    assert not bad, "\n".join(f"{r.name}: {r.action}: {r.note}" for r in bad)
    return {r.name: r for r in results}


@pytest.fixture
def tags(engine: Engine) -> Iterator[list[str]]:
    """Tags a test builds; removed afterwards."""
    made: list[str] = []
    yield made
    for tag in made:
        engine.docker("rmi", "-f", tag, check=False)
