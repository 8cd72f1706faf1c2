"""Run-wide pytest hooks (the fixtures are in tests/conftest.py)."""

from __future__ import annotations

import pytest


def pytest_itemcollected(item: pytest.Item) -> None:
    """Under pytest-xdist's `--dist loadgroup`: every cell of a notebook runs on one worker, in order, in one
    kernel (nbval runs a notebook's cells as consecutive items); the docs-site tests share one worker, so the
    site is built once; other tests spread over the workers. Marked as each item is collected, so the marks
    are there before xdist turns them into scheduling groups."""
    if item.path.suffix == ".ipynb":
        item.add_marker(pytest.mark.xdist_group(name=item.path.stem))
    elif item.path.parent.name == "docs" and item.path.parent.parent.name == "tests":
        item.add_marker(pytest.mark.xdist_group(name="docs-site"))

