"""`prepare`: make every base image the course uses available in the engine's local store.

For each image: a local substitute whose recipe hash is current, or a local non-substitute image, is kept;
an online engine pulls what is missing; an offline engine builds the substitute (dependencies first, up to
`jobs` at a time). An image no recipe provides is reported as missing, naming the file and line that use it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from checker.engine import Engine
from checker.images import catalogue, kit
from checker.images.collect import REPO, ImageReference, collect_references
from checker.images.model import BuildContext, Substitute

Action = str  # "kept" | "built" | "pulled" | "missing" | "failed"


@dataclass
class PrepareResult:
    """What `prepare` did for one image."""

    name: str  # the upstream tag (a substitute's primary tag, or the image a Dockerfile references)
    action: Action  # kept | built | pulled | missing | failed
    seconds: float = 0.0
    size_mb: float | None = None
    note: str = ""
    tags: tuple[str, ...] = ()  # every tag this made available locally
    recipe: str | None = None  # the substitute recipe, when one is involved
    referenced_by: tuple[str, ...] = ()  # "path:line" of the Dockerfiles that use it

    @property
    def ok(self) -> bool:
        return self.action in ("kept", "built", "pulled")


class MissingImageError(RuntimeError):
    """Raised by `require()` when images cannot be prepared; the message names files and lines."""


@dataclass
class _LocalImage:
    image_id: str
    labels: dict[str, str]
    size: int


@dataclass
class _Plan:
    offline: bool
    wanted: dict[str, list[ImageReference]] = field(default_factory=dict)  # normalized ref -> origins


def _snapshot(engine: Engine) -> dict[str, _LocalImage]:
    """Every local tag -> its image (one API call)."""
    out: dict[str, _LocalImage] = {}
    for attrs in engine.client.api.images():  # the list endpoint: tags, labels and sizes in one call
        local = _LocalImage(attrs["Id"], dict(attrs.get("Labels") or {}), int(attrs.get("Size") or 0))
        for tag in attrs.get("RepoTags") or []:
            if tag and tag != "<none>:<none>":
                out[catalogue.normalize_ref(tag)] = local
    return out


def _is_substitute(img: _LocalImage) -> bool:
    return img.labels.get(kit.LABEL_SUBSTITUTE) == "true"


def _current(sub: Substitute, local: dict[str, _LocalImage]) -> bool:
    digest = catalogue.recipe_hash(sub.id)
    for tag in sub.tags:
        img = local.get(catalogue.normalize_ref(tag))
        if img is None or img.labels.get(kit.LABEL_HASH) != digest or img.labels.get(kit.LABEL_RECIPE) != sub.id:
            return False
        # an image built FROM a substitute inherits its labels: it is ours only under one of our own tags
        if tag not in img.labels.get(kit.LABEL_TAGS, "").split(","):
            return False
    return True


def _mb(size: int | None) -> float | None:
    return round(size / 1e6, 1) if size else None


def _missing_message(ref: str, origins: Sequence[ImageReference], root: Path) -> str:
    where = ", ".join(f"{o.where(root)} ({o.instruction})" for o in origins) or "requested"
    if "@" in ref:
        why = "a digest-pinned image cannot be matched by an offline substitute; drop the @sha256 pin"
    else:
        why = "no offline recipe provides it and the engine is offline, so it cannot be pulled"
    known = ", ".join(catalogue.manifest())
    return f"{where}: {ref}: {why}. Offline substitutes exist for: {known}"


def plan_references(names: Iterable[str] | None, root: Path) -> dict[str, list[ImageReference]]:
    wanted: dict[str, list[ImageReference]] = {}
    if names is not None:
        for name in names:
            sub = catalogue.BY_ID.get(name)
            wanted.setdefault(sub.upstream if sub else catalogue.normalize_ref(name), [])
        return wanted
    for ref in collect_references(root):
        wanted.setdefault(ref.normalized, []).append(ref)
    for tag in catalogue.manifest():
        wanted.setdefault(catalogue.normalize_ref(tag), [])
    return wanted


def prepare(engine: Engine, *, names: Sequence[str] | None = None, offline: bool | None = None, jobs: int = 2,
            log: Callable[[str], None] = print, root: Path | None = None) -> list[PrepareResult]:
    """Make the course's base images (or just `names`) available locally. Idempotent."""
    root = root or REPO
    offline = engine.offline if offline is None else offline
    wanted = plan_references(names, root)
    local = _snapshot(engine)
    results: list[PrepareResult] = []
    need: dict[str, list[ImageReference]] = {}  # recipe id -> origins

    for ref, origins in wanted.items():
        sub = catalogue.find(ref)
        img = local.get(ref)
        where = tuple(o.where(root) for o in origins)
        if img is not None and not _is_substitute(img):
            results.append(PrepareResult(ref, "kept", 0.0, _mb(img.size), "present locally (not a substitute)",
                                         (ref,), None, where))
            continue
        if sub is not None and _current(sub, local):
            need.setdefault(sub.id, []).extend(origins)
            continue
        if not offline and not (sub is not None and sub.own):  # the kit's own images exist nowhere to pull
            pulled = _pull(engine, ref, sub, origins, where, log, need)
            if pulled is not None:
                results.append(pulled)
            continue
        if sub is None:
            results.append(PrepareResult(ref, "missing", 0.0, None, _missing_message(ref, origins, root), (),
                                         None, where))
            continue
        need.setdefault(sub.id, []).extend(origins)

    results += _substitutes(engine, need, local, jobs, log, root)
    return results


def _pull(engine: Engine, ref: str, sub: Substitute | None, origins: list[ImageReference], where: tuple[str, ...],
          log: Callable[[str], None], need: dict[str, list[ImageReference]]) -> PrepareResult | None:
    """`docker pull` the real image; when that fails and a recipe exists, the substitute is built instead."""
    log(f"pulling {ref}")
    t0 = time.monotonic()
    proc = engine.docker("pull", ref, check=False, timeout=3600)
    seconds = time.monotonic() - t0
    if proc.returncode == 0:
        size = None
        info = engine.docker("image", "inspect", "--format", "{{.Size}}", ref, check=False)
        if info.returncode == 0 and info.stdout.strip().isdigit():
            size = int(info.stdout.strip())
        return PrepareResult(ref, "pulled", seconds, _mb(size), "", (ref,), None, where)
    error = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["pull failed"]
    if sub is not None:
        log(f"pull of {ref} failed ({error[0]}); building the offline substitute instead")
        need.setdefault(sub.id, []).extend(origins)
        return None
    return PrepareResult(ref, "failed", seconds, None, f"pull failed: {error[0]}", (), None, where)


def _substitutes(engine: Engine, need: dict[str, list[ImageReference]], local: dict[str, _LocalImage], jobs: int,
                 log: Callable[[str], None], root: Path) -> list[PrepareResult]:
    ids = catalogue.closure(set(need))
    results: dict[str, PrepareResult] = {}
    to_build: set[str] = set()
    for rid in ids:
        sub = catalogue.BY_ID[rid]
        where = tuple(o.where(root) for o in need.get(rid, []))
        if _current(sub, local):
            img = local[catalogue.normalize_ref(sub.upstream)]
            results[rid] = PrepareResult(sub.upstream, "kept", 0.0, _mb(img.size), "", sub.tags, rid, where)
        else:
            to_build.add(rid)
    if to_build:
        results.update(_build_all(engine, to_build, need, local, max(1, jobs), log, root))
    order = {s.id: i for i, s in enumerate(catalogue.SUBSTITUTES)}
    return [results[rid] for rid in sorted(results, key=lambda r: order[r])]


def _build_all(engine: Engine, to_build: set[str], need: dict[str, list[ImageReference]],
               local: dict[str, _LocalImage], jobs: int, log: Callable[[str], None],
               root: Path) -> dict[str, PrepareResult]:
    apt = kit.AptPool(kit.kit_home() / "apt")
    refs = {s.id: s.upstream for s in catalogue.SUBSTITUTES}
    results: dict[str, PrepareResult] = {}
    pending = set(to_build)
    failed: set[str] = set()
    running: dict[Future[PrepareResult], str] = {}

    def where(rid: str) -> tuple[str, ...]:
        return tuple(o.where(root) for o in need.get(rid, []))

    with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="substitute") as pool:
        while pending or running:
            for rid in sorted(pending):
                bad = [d for d in catalogue.BY_ID[rid].depends if d in failed]
                if bad:
                    pending.discard(rid)
                    failed.add(rid)
                    sub = catalogue.BY_ID[rid]
                    results[rid] = PrepareResult(sub.upstream, "failed", 0.0, None,
                                                 f"not built: {', '.join(bad)} failed", (), rid, where(rid))
            ready = [rid for rid in pending
                     if not any(d in pending or d in running.values() for d in catalogue.BY_ID[rid].depends)]
            ready.sort(key=catalogue.chain_estimate, reverse=True)
            while ready and len(running) < jobs:
                rid = ready.pop(0)
                pending.discard(rid)
                running[pool.submit(_build_one, engine, catalogue.BY_ID[rid], local, apt, refs, log,
                                    where(rid))] = rid
            if not running:
                break
            done, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in done:
                rid = running.pop(fut)
                result = fut.result()
                results[rid] = result
                if result.action != "built":
                    failed.add(rid)
    return results


def _build_one(engine: Engine, sub: Substitute, local: dict[str, _LocalImage], apt: kit.AptPool,
               refs: dict[str, str], log: Callable[[str], None], where: tuple[str, ...]) -> PrepareResult:
    digest = catalogue.recipe_hash(sub.id)
    work = kit.kit_home() / "work" / sub.id
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    log(f"building {'the kit image' if sub.own else 'the offline substitute for'} {sub.upstream} ({sub.id})")
    t0 = time.monotonic()
    old_ids = {local[t].image_id for t in map(catalogue.normalize_ref, sub.tags) if t in local}
    try:
        ctx = BuildContext(engine=engine, substitute=sub, recipe_hash=digest, work=work, log=log, apt=apt,
                           refs=refs)
        sub.build(ctx)
        new_ids = _verify(engine, sub, digest)
    except Exception as exc:  # one recipe failing must not stop the others; the result says why
        seconds = time.monotonic() - t0
        detail = str(exc)
        if isinstance(exc, subprocess.CalledProcessError):
            detail = f"{exc}\n{(exc.stderr or '')[-2000:]}"
        log(f"FAILED {sub.upstream} after {seconds:.1f} s: {detail}")
        return PrepareResult(sub.upstream, "failed", seconds, None, detail, (), sub.id, where)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.monotonic() - t0
    for stale in sorted(old_ids - new_ids):  # the previous build of this substitute, now untagged
        engine.docker("rmi", stale, check=False)
    size = engine.docker("image", "inspect", "--format", "{{.Size}}", sub.upstream).stdout.strip()
    size_mb = _mb(int(size)) if size.isdigit() else None
    log(f"built {sub.upstream} in {seconds:.1f} s ({size_mb} MB)")
    return PrepareResult(sub.upstream, "built", seconds, size_mb, "", sub.tags, sub.id, where)


def _verify(engine: Engine, sub: Substitute, digest: str) -> set[str]:
    """Every tag exists and carries this recipe's labels; returns the image ids."""
    ids: set[str] = set()
    fmt = "{{.Id}} {{index .Config.Labels \"" + kit.LABEL_HASH + "\"}}"
    for tag in sub.tags:
        proc = engine.docker("image", "inspect", "--format", fmt, tag, check=False)
        if proc.returncode != 0:
            raise kit.KitError(f"recipe {sub.id} did not produce the tag {tag}")
        image_id, _, label = proc.stdout.strip().partition(" ")
        if label != digest:
            raise kit.KitError(f"recipe {sub.id}: {tag} carries recipe hash {label!r}, expected {digest}")
        ids.add(image_id)
    return ids


def require(engine: Engine, refs: Sequence[str], *, log: Callable[[str], None] = print) -> list[PrepareResult]:
    """Prepare exactly these images and raise MissingImageError if any of them cannot be had."""
    results = prepare(engine, names=list(refs), log=log)
    bad = [r for r in results if not r.ok]
    if bad:
        raise MissingImageError("\n".join(f"{r.name}: {r.action}: {r.note}" for r in bad))
    return results
