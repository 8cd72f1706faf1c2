"""Image facts, read through the Docker SDK: config, history, layers and the files each layer adds.

Files are read from `docker save` (the OCI/Docker archive of the image), so every file can be traced to the
layer, and through the image history to the Dockerfile instruction, that added it.
"""

from __future__ import annotations

import hashlib
import json
import stat
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine import Engine


@dataclass
class FileEntry:
    path: str  # absolute, e.g. "/app/src/main.go"
    size: int
    mode: int
    kind: str  # file | dir | symlink | hardlink | other
    link: str | None = None
    sha256: str | None = None  # content hash of regular files up to HASH_LIMIT bytes
    text: str | None = None  # content of the few small files the checker reads (KEEP_TEXT)

    @property
    def executable(self) -> bool:
        return self.kind == "file" and bool(self.mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


@dataclass
class Layer:
    index: int
    digest: str
    size: int
    created_by: str  # the history entry that made it
    files: list[FileEntry] = field(default_factory=list)
    whiteouts: list[str] = field(default_factory=list)


@dataclass
class HistoryEntry:
    created_by: str
    empty_layer: bool
    layer_index: int | None  # index into layers when this entry made a layer


@dataclass
class ImageFacts:
    ref: str
    id: str
    size: int
    user: str
    healthcheck: dict[str, Any] | None
    entrypoint: list[str] | None
    cmd: list[str] | None
    exposed_ports: list[str]
    env: dict[str, str]
    labels: dict[str, str]
    workdir: str
    history: list[HistoryEntry]
    layers: list[Layer] = field(default_factory=list)

    @property
    def size_mb(self) -> float:
        return round(self.size / 1_000_000, 1)

    def files(self, *, from_layer: int = 0) -> dict[str, tuple[FileEntry, Layer]]:
        """The merged filesystem of layers[from_layer:], each path with the layer that last wrote it."""
        merged: dict[str, tuple[FileEntry, Layer]] = {}
        for layer in self.layers[from_layer:]:
            for wh in layer.whiteouts:
                for p in [p for p in merged if p == wh or p.startswith(wh.rstrip("/") + "/")]:
                    del merged[p]
            for entry in layer.files:
                merged[entry.path] = (entry, layer)
        return merged


def _kind(member: tarfile.TarInfo) -> str:
    if member.isfile():
        return "file"
    if member.isdir():
        return "dir"
    if member.issym():
        return "symlink"
    if member.islnk():
        return "hardlink"
    return "other"


HASH_LIMIT = 8 << 20
KEEP_TEXT = frozenset({".package-lock.json"})


def _read_layer(fileobj: Any) -> tuple[list[FileEntry], list[str]]:
    files: list[FileEntry] = []
    whiteouts: list[str] = []
    with tarfile.open(fileobj=fileobj, mode="r|*") as layer_tar:
        for member in layer_tar:
            name = "/" + member.name.lstrip("./").rstrip("/") if member.name not in (".", "./") else "/"
            base = name.rsplit("/", 1)[-1]
            if base.startswith(".wh."):
                parent = name.rsplit("/", 1)[0] or "/"
                if base == ".wh..wh..opq":
                    whiteouts.append(parent.rstrip("/") + "/")
                else:
                    whiteouts.append(parent.rstrip("/") + "/" + base[4:])
                continue
            digest = text = None
            if member.isfile() and member.size <= HASH_LIMIT:
                data = layer_tar.extractfile(member)
                if data is not None:
                    content = data.read()
                    digest = hashlib.sha256(content).hexdigest()
                    if base in KEEP_TEXT:
                        text = content.decode("utf-8", "replace")
            files.append(FileEntry(name, int(member.size), int(member.mode), _kind(member),
                                   member.linkname or None, digest, text))
    return files, whiteouts


def image_facts(engine: Engine, ref: str, *, with_files: bool = True, files_from_layer: int = 0) -> ImageFacts:
    """Everything the checker knows about an image. Files are listed for layers >= files_from_layer."""
    image = engine.client.images.get(ref)
    attrs = image.attrs
    config = attrs.get("Config") or {}
    env = dict(item.split("=", 1) if "=" in item else (item, "") for item in config.get("Env") or [])
    diff_ids = list((attrs.get("RootFS") or {}).get("Layers") or [])
    facts = ImageFacts(
        ref=ref,
        id=str(attrs.get("Id")),
        size=int(attrs.get("Size") or 0),
        user=str(config.get("User") or ""),
        healthcheck=config.get("Healthcheck"),
        entrypoint=config.get("Entrypoint"),
        cmd=config.get("Cmd"),
        exposed_ports=sorted((config.get("ExposedPorts") or {}).keys()),
        env=env,
        labels=dict(config.get("Labels") or {}),
        workdir=str(config.get("WorkingDir") or ""),
        history=[],
        layers=[Layer(i, d, 0, "") for i, d in enumerate(diff_ids)],
    )
    with tempfile.TemporaryDirectory(prefix="stagewise-save-") as tmp:
        archive = Path(tmp) / "image.tar"
        with archive.open("wb") as out:
            for chunk in image.save(named=False, chunk_size=1 << 20):
                out.write(chunk)
        with tarfile.open(archive) as tar:
            manifest = json.load(_extract(tar, "manifest.json"))[0]
            config_blob = json.load(_extract(tar, manifest["Config"]))
            layer_index = 0
            for h in config_blob.get("history") or []:
                empty = bool(h.get("empty_layer"))
                entry = HistoryEntry(str(h.get("created_by") or ""), empty, None if empty else layer_index)
                if not empty:
                    if layer_index < len(facts.layers):
                        facts.layers[layer_index].created_by = entry.created_by
                    layer_index += 1
                facts.history.append(entry)
            for idx, layer_path in enumerate(manifest["Layers"]):
                if idx >= len(facts.layers):
                    break
                member = tar.getmember(layer_path)
                facts.layers[idx].size = int(member.size)
                if with_files and idx >= files_from_layer:
                    facts.layers[idx].files, facts.layers[idx].whiteouts = _read_layer(_extract(tar, layer_path))
    return facts


def _extract(tar: tarfile.TarFile, name: str) -> Any:
    f = tar.extractfile(name)
    if f is None:
        raise ValueError(f"{name} is not a file in the image archive")
    return f


def layer_count(engine: Engine, ref: str) -> int:
    attrs = engine.client.images.get(ref).attrs
    return len((attrs.get("RootFS") or {}).get("Layers") or [])
