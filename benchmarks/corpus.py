"""A deterministic corpus of Dockerfiles for the static benchmark: the course's own Dockerfiles, each
varied so that no two files share their RUN and COPY lines (no cache helps any linter)."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def seed_files() -> list[Path]:
    found: list[Path] = []
    for top in ("exercises", "solutions", "lessons", "examples", "tests"):
        for p in sorted((REPO / top).rglob("*")):
            if p.is_file() and (p.name == "Dockerfile" or p.name.startswith("Dockerfile.")
                                or p.name.endswith(".Dockerfile")) and ".ipynb_checkpoints" not in p.parts:
                found.append(p)
    return found


def variant(text: str, n: int) -> str:
    def run(m: re.Match[str]) -> str:
        return f"{m.group(0)} && echo variant-{n}"

    def copy(m: re.Match[str]) -> str:
        return f"{m.group(1)}{m.group(2)}/v{n}"

    text = re.sub(r"(?m)^RUN (?!.*<<)[^\n\\]*[^\\\n]$", run, text)
    text = re.sub(r"(?m)^(COPY (?:--\S+ )*\S+ )(\S+?)/?$", copy, text)
    return f"# corpus variant {n}\n" + text


def build_corpus(dest: Path, size: int = 1000) -> list[Path]:
    seeds = [p.read_text(encoding="utf-8", errors="replace") for p in seed_files()]
    if not seeds:
        raise SystemExit("no Dockerfiles found to build the corpus from")
    dest.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(size):
        p = dest / f"Dockerfile.{i:04d}"
        p.write_text(variant(seeds[i % len(seeds)], i))
        out.append(p)
    return out
