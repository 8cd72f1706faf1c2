"""The declared catalogue of offline substitutes, tag lookup, and recipe hashes.

A recipe hash covers the recipe module's source, its shared helper modules, the kit files it uses, its
pinned versions, its tags, the helpers' revision, and the hashes of the recipes it builds on. It (and not
the download cache) decides whether a local substitute is current.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from checker.image_roles import parse_ref
from checker.images import kit
from checker.images.model import FILES, Substitute
from checker.images.recipes import SUBSTITUTES

BY_ID: dict[str, Substitute] = {s.id: s for s in SUBSTITUTES}


def normalize_ref(ref: str) -> str:
    """`alpine` -> `alpine:latest`, `docker.io/library/node:22-alpine` -> `node:22-alpine`."""
    r = parse_ref(ref)
    name = f"{r.registry}/{r.path}" if r.registry else r.path
    out = f"{name}:{r.tag or 'latest'}"
    return f"{out}@{r.digest}" if r.digest else out


def _tag_index() -> dict[str, Substitute]:
    index: dict[str, Substitute] = {}
    for sub in SUBSTITUTES:
        for tag in sub.tags:
            key = normalize_ref(tag)
            if key in index:
                raise RuntimeError(f"tag {tag} is declared by both {index[key].id} and {sub.id}")
            index[key] = sub
    return index


TAGS: dict[str, Substitute] = _tag_index()


def find(ref: str) -> Substitute | None:
    """The substitute that provides `ref` (a tag, or a recipe id), if any. Digest pins never match."""
    if ref in BY_ID:
        return BY_ID[ref]
    key = normalize_ref(ref)
    if "@" in key:
        return None
    return TAGS.get(key)


def manifest() -> list[str]:
    """The primary tag of every substitute: what `prepare` makes available even when nothing references it."""
    return [s.upstream for s in SUBSTITUTES]


def _file_bytes(rel: str) -> list[tuple[str, bytes]]:
    path = FILES / rel
    if not path.exists():
        raise kit.KitError(f"kit file {rel} is declared but missing")
    paths = sorted(p for p in path.rglob("*") if p.is_file() or p.is_symlink()) if path.is_dir() else [path]
    out = []
    for p in paths:
        name = str(p.relative_to(FILES))
        if p.is_symlink():
            out.append((name, b"symlink:" + str(Path(p).readlink()).encode()))
        else:
            # contents only: recipes set modes themselves, so an install that drops exec bits hashes the same
            out.append((name, p.read_bytes()))
    return out


@cache
def recipe_hash(recipe_id: str) -> str:
    sub = BY_ID[recipe_id]
    h = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        h.update(label.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)

    feed("helpers", kit.HELPERS_REVISION.encode())
    feed("recipe", Path(sub.module.__file__ or "").read_bytes())
    for module in sub.modules:
        feed(f"module:{module.__name__}", Path(module.__file__ or "").read_bytes())
    for rel in sub.files:
        for name, data in _file_bytes(rel):
            feed(f"file:{name}", data)
    feed("versions", json.dumps(dict(sub.versions), sort_keys=True).encode())
    feed("tags", json.dumps(list(sub.tags)).encode())
    for dep in sorted(sub.depends):
        feed(f"dep:{dep}", recipe_hash(dep).encode())
    return h.hexdigest()[:24]


def closure(ids: set[str]) -> set[str]:
    """The recipes and everything they build on."""
    out: set[str] = set()
    stack = list(ids)
    while stack:
        rid = stack.pop()
        if rid in out:
            continue
        out.add(rid)
        stack += BY_ID[rid].depends
    return out


def chain_estimate(recipe_id: str) -> float:
    """Seconds of the longest chain of builds that depends on this recipe (for scheduling)."""
    dependents = [s for s in SUBSTITUTES if recipe_id in s.depends]
    return BY_ID[recipe_id].estimate + max((chain_estimate(d.id) for d in dependents), default=0.0)
