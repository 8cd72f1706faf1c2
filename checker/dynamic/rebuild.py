"""The rebuild from edited sources: did the learner's build make the shipped artifacts from the sources?

In a scratch copy of the context, each source the spec's ``built_from`` names gets a constant inserted (valid
code in that language, so the build still works); the copy is built to an image of its own, and the named
artifact paths of both images are hashed (read with `docker cp`'s archive API from created, never started,
containers). An artifact built from the sources changes; one written by hand or copied prebuilt does not.
The constants are fixed, so a second check finds the rebuild in the build cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import posixpath
import shutil
import tarfile
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from checker.build import build
from checker.dockerignore import ignore_file
from checker.engine import Engine
from checker.spec import BuiltFrom


@dataclass
class ArtifactComparison:
    path: str  # in the final image
    source: str  # the edited source it is expected to be built from
    constant: str
    before: str | None  # sha256 of the artifact (a directory: of its files) in the checked image
    after: str | None  # the same in the rebuilt image
    constant_found: str | None = None  # where the inserted constant was found in the rebuilt artifact

    @property
    def changed(self) -> bool:
        return self.before is not None and self.after is not None and self.before != self.after


@dataclass
class RebuildResult:
    edited: list[str] = field(default_factory=list)  # the sources edited (relative to the context)
    comparisons: list[ArtifactComparison] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # the rebuild failed or a source to edit is not in the context


def insert_constant(text: str, constant: str, before: str | None) -> str:
    """The source with `constant` on a line of its own before the last `before` (or appended)."""
    if before and before in text:
        i = text.rindex(before)
        return text[:i] + constant + "\n" + text[i:]
    return text + ("" if text.endswith("\n") else "\n") + constant + "\n"


def _archive_files(engine: Engine, image: str, path: str) -> dict[str, bytes] | None:
    """The regular files at `path` in `image` (a file, or a directory's files by relative name)."""
    try:
        container = engine.client.containers.create(image, command=["/nonexistent"], network_mode="none",
                                                    entrypoint=[], labels={"io.stagewise.created-by": "stagewise"})
    except Exception:
        return None
    try:
        try:
            stream, _stat = container.get_archive(path)
        except Exception:
            return None  # not in the image
        files: dict[str, bytes] = {}
        with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
            for member in tar.getmembers():
                f = tar.extractfile(member) if member.isfile() else None
                if f is not None:  # a directory's files by their path under it; a file by its name
                    files[member.name.split("/", 1)[1] if "/" in member.name else member.name] = f.read()
        return files
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)


def _digest(files: dict[str, bytes]) -> str:
    h = hashlib.sha256()
    for name in sorted(files):
        h.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return h.hexdigest()


def _find_constant(files: dict[str, bytes], constant: str, path: str) -> str | None:
    """Where `constant` (or the string literal in it) shows in the files at `path`, looking into zip archives
    (jars): the file's path in the image, and the archive entry after a `!`."""
    needles = {constant.encode()}
    for quote in ('"', "'"):
        if constant.count(quote) >= 2:
            needles.add(constant.split(quote)[1].encode())
    single = len(files) == 1 and next(iter(files)) == posixpath.basename(path.rstrip("/"))
    for name, data in sorted(files.items()):
        shown = path if single else f"{path.rstrip('/')}/{name}"
        if any(n in data for n in needles):
            return shown
        if data[:2] == b"PK":
            with contextlib.suppress(zipfile.BadZipFile, OSError, ValueError), \
                    zipfile.ZipFile(io.BytesIO(data)) as zf:
                for entry in zf.namelist():
                    if any(n in zf.read(entry) for n in needles):
                        return f"{shown}!{entry}"
    return None


OUT_STAGE = "stagewise-built-from"


def _wildcard(path: str) -> str:
    """`path` as a COPY source that may match nothing (a bracket around its last letter): an artifact the
    image lacks is then simply not exported, instead of failing the whole rebuild."""
    p = path.rstrip("/")
    return p if not p or p[-1] in "*?[]\\/" else f"{p[:-1]}[{p[-1]}]"


def _artifacts_stage(final_ref: str, paths: list[str]) -> str:
    """A last stage that holds only the artifacts of the final stage, each in a folder of its own: built with
    a local output, it exports those few files instead of a whole image."""
    lines = ["", f"FROM scratch AS {OUT_STAGE}"]
    lines += [f"COPY --from={final_ref} {_wildcard(p)} /{i}/" for i, p in enumerate(paths)]
    return "\n".join(lines) + "\n"


def _exported(out: Path, index: int) -> dict[str, bytes] | None:
    root = out / str(index)
    if not root.is_dir():
        return None
    files: dict[str, bytes] = {}
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            f = Path(dirpath) / name
            if f.is_file() and not f.is_symlink():
                files[f.relative_to(root).as_posix()] = f.read_bytes()
    return files or None


def run_rebuild(engine: Engine, context: Path, dockerfile: Path, image: str, built_from: list[BuiltFrom], *,
                final_ref: str, tag: str, builder: str, target: str | None, labels: dict[str, str],
                timeout: float = 600, image_ready: Callable[[], bool] = lambda: True,
                abandoned: Callable[[], bool] = lambda: False,
                may_start: Callable[[], bool] = lambda: True) -> RebuildResult:
    """Rebuild a scratch copy of `context` with every `built_from` source edited; compare the artifacts.

    With BuildKit the Dockerfile gets one more stage that copies the artifacts out of the final stage
    (`final_ref`, its name or index), built with a local output: no image is loaded, only the artifacts are
    exported (a few KB, where loading the image would take a second). The classic builder has no local
    output: its image is tagged `tag`, read and removed.
    It may start beside the checked build: `may_start` waits until the rebuild should begin (False: not at
    all), `image_ready` waits for that build (False: it failed, nothing to compare), and `abandoned` turning
    True stops the rebuild early."""
    result = RebuildResult()
    start = time.monotonic()
    paths = [(entry, path) for entry in built_from for path in entry.artifacts]
    with engine.own_client() as own, tempfile.TemporaryDirectory(prefix="stagewise-rebuild-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(context, ctx, symlinks=True)
        for entry in built_from:
            src = ctx / entry.source
            if not src.is_file():
                result.error = f"{entry.source} is not in the build context"
                return result
            src.write_text(insert_constant(src.read_text(encoding="utf-8"), entry.constant, entry.before),
                           encoding="utf-8")
            result.edited.append(entry.source)
        out = Path(tmp) / "out"
        if not may_start():
            result.error = "the checked image did not build"
            return result
        local = builder != "classic" and engine.buildx_version is not None
        # Its own offline pre-flight (its own SDK client): started beside the checked build, it must not be
        # the one build that reaches for a registry.
        if local:
            # Beside the copy, not in it, with the ignore file the checked build read.
            df = Path(tmp) / "Dockerfile"
            df.write_text(dockerfile.read_text(encoding="utf-8-sig")
                          + _artifacts_stage(final_ref, [p for _e, p in paths]), encoding="utf-8")
            ignore = ignore_file(context, dockerfile)
            if ignore is not None:
                shutil.copy2(ignore, df.with_name("Dockerfile.dockerignore"))
            built = build(own, ctx, dockerfile=df, builder=builder, target=OUT_STAGE,
                          labels={**labels, "io.stagewise.probe": "rebuild"}, timeout=timeout,
                          local_output=out, stop_when=lambda _step: abandoned())
        else:
            # The Dockerfile stays where it is: its ignore file is found beside it, as for the checked build.
            built = build(own, ctx, dockerfile=dockerfile, tag=tag, builder=builder, target=target,
                          labels={**labels, "io.stagewise.probe": "rebuild"}, timeout=timeout,
                          stop_when=lambda _step: abandoned())
        try:
            if not image_ready():
                result.error = "the checked image did not build"
                return result
            if not built.ok:
                result.error = f"the rebuild with the edited sources failed: {built.error}"
                return result
            for i, (entry, path) in enumerate(paths):
                before = _archive_files(own, image, path)
                after = _exported(out, i) if local else _archive_files(own, tag, path)
                found = _find_constant(after, entry.constant, path) if after else None
                result.comparisons.append(ArtifactComparison(
                    path, entry.source, entry.constant, _digest(before) if before else None,
                    _digest(after) if after else None, found))
        finally:
            if not local:
                with contextlib.suppress(Exception):
                    own.client.images.remove(tag, force=True)
            result.seconds = time.monotonic() - start
    return result
