"""What `stagewise check PATH --exercise ID` builds: the Dockerfile it reads and the context it sends."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.check import UsageError, resolve

REPO = Path(__file__).resolve().parents[2]
EXERCISE = REPO / "exercises" / "go-scratch"


def test_the_exercise_folder_is_its_own_context() -> None:
    tgt = resolve(EXERCISE, "go-scratch")
    assert tgt.dockerfile == EXERCISE / "Dockerfile" and tgt.context == EXERCISE


def test_a_dockerfile_kept_elsewhere_is_built_with_the_exercise_app() -> None:
    tgt = resolve(REPO / "solutions" / "go-scratch" / "Dockerfile", "go-scratch")
    assert tgt.dockerfile == REPO / "solutions" / "go-scratch" / "Dockerfile" and tgt.context == EXERCISE


def test_a_folder_of_dockerfiles_is_built_with_the_exercise_app() -> None:
    """solutions/go-scratch holds Dockerfiles and notes only: building it as the context would fail on
    `COPY go.mod go.sum ./` with a message that says nothing of the real cause."""
    tgt = resolve(REPO / "solutions" / "go-scratch", "go-scratch")
    assert tgt.dockerfile == REPO / "solutions" / "go-scratch" / "Dockerfile" and tgt.context == EXERCISE


def test_a_learner_copy_of_the_app_stays_the_context(tmp_path: Path) -> None:
    for name in ("Dockerfile", "go.mod", "main.go"):
        (tmp_path / name).write_text("x\n")
    tgt = resolve(tmp_path, "go-scratch")
    assert tgt.context == tmp_path.resolve()


def test_an_unknown_exercise_names_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM scratch\n")
    with pytest.raises(UsageError, match=r"known exercises: .*go-scratch"):
        resolve(tmp_path, "no-such-exercise")
