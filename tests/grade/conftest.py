"""Fixtures for the grading tests: a tiny busybox exercise (fast builds), class builders, and archives."""

from __future__ import annotations

import io
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
TINY = HERE / "fixtures" / "exercises" / "tiny"
TINY_SOLUTION = (HERE / "fixtures" / "solutions" / "tiny" / "Dockerfile").read_text()

# A realistic mistake on the tiny exercise: one stage, sources shipped, root.
TINY_SINGLE_STAGE = (TINY / "Dockerfile").read_text()
TINY_BROKEN = "FROM busybox:1.36 AS build\nCOPY --from=nowhere /x /y\nRUN [\"unterminated\n"


def tiny_variant(tag: str, extra: str = "") -> str:
    """The solution with a comment (a distinct submission) and optional extra build-stage lines."""
    lines = TINY_SOLUTION.splitlines()
    out = [f"# submission {tag}", *lines[:5], *([extra] if extra else []), *lines[5:]]
    return "\n".join(out) + "\n"


def zip_bytes(files: Mapping[str, bytes | str], *, modes: dict[str, int] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            info.external_attr = (modes or {}).get(name, 0o100644) << 16
            zf.writestr(info, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


def tar_bytes(members: list[tarfile.TarInfo | tuple[str, bytes | str]], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tf:  # type: ignore[call-overload]
        for m in members:
            if isinstance(m, tarfile.TarInfo):
                tf.addfile(m)
            else:
                name, data = m
                raw = data.encode() if isinstance(data, str) else data
                info = tarfile.TarInfo(name)
                info.size = len(raw)
                info.mode = 0o644
                tf.addfile(info, io.BytesIO(raw))
    return buf.getvalue()


@pytest.fixture
def make_class(tmp_path: Path) -> Callable[..., Path]:
    """make_class({"alice": "<Dockerfile text>", "bob.zip": b"...", ...}) -> a folder of submissions."""

    def make(entries: dict[str, str | bytes | dict[str, str]], root: Path | None = None) -> Path:
        base = root or tmp_path / "class"
        base.mkdir(parents=True, exist_ok=True)
        for name, content in entries.items():
            if isinstance(content, bytes):
                (base / name).write_bytes(content)
            elif isinstance(content, dict):
                for rel, text in content.items():
                    p = base / name / rel
                    p.parent.mkdir(parents=True, exist_ok=True)
                    p.write_text(text)
            else:
                (base / name).mkdir(parents=True, exist_ok=True)
                (base / name / "Dockerfile").write_text(content)
        return base

    return make
