"""Limits and hygiene for untrusted builds: the engine a grading run uses, resource limits, and cleanup.

- Builds: `--network=none` (checker.build), a time limit per build, labels on every image (the run's labels
  go on the probe builds too), and resource limits:
    * BuildKit through the buildx `docker` driver has no `--memory` flag; its RUN steps do honour
      `--cgroup-parent`, so where the grader can create cgroups for a local engine (root, cgroupfs driver,
      the engine on this kernel) every build of a worker runs under a cgroup with a memory, process and
      (optional) CPU limit. Elsewhere (a remote engine or builder, the systemd cgroup driver, no root) the
      BuildKit builds run without them, and the run says so.
    * The classic builder gets `--memory`, `--memory-swap` and `--cpu-quota` flags as well.
    * A disk budget per build (`disk_bytes`, --max-disk): DiskWatch finds the build's RUN steps through the
      same worker cgroup and measures the overlay layers they write; a build over it is stopped (no cgroups:
      no budget, and the run says so).
- Containers (smoke tests): checker.run already gives them 512 MiB and 256 processes, no network (the
  HTTP probe joins the app's namespace: `container:<id>` of a container made here), the capabilities of
  checker.run.SMOKE_CAPABILITIES only, and removes them; here every container is also labelled with the run,
  gets `no-new-privileges`, a 10 MB log (a flood of stdout fills no disk), an optional CPU limit, and
  may not have host mounts, devices, any other capability or network (the host's only when the run was
  asked for `--smoke-network host`).
- Cleanup: images and containers by the run's labels; build-cache records by id (BuildKit's cache records
  take no labels: the records that appeared during the run are pruned, base images are kept). The classic
  builder puts `--label` on the final image only: each builder stage's image and the step images under it
  stay behind untagged, so with the classic builder the untagged images that appeared during the run are
  removed too (`--force-rm` already removes the container of a failed step). Untagged images carry no
  owner: one that another classic build on the same engine made during the run goes as well (`--keep-cache`
  keeps them all).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import platform
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine import Engine
from checker.run import NO_NEW_PRIVILEGES, SMOKE_CAPABILITIES

GRADE_LABEL = "io.stagewise.grade"  # = the output folder's key: everything any run into that folder made
RUN_LABEL = "io.stagewise.grade-run"  # = one run
STUDENT_LABEL = "io.stagewise.grade-student"
CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTAINER_LOG = {"type": "json-file", "config": {"max-size": "10m", "max-file": "1"}}
# cap_add is checked apart: the checker's own fixed list (after cap_drop ALL) is the only one allowed
FORBIDDEN_CONTAINER_OPTIONS = ("volumes", "mounts", "privileged", "devices", "device_requests", "pid_mode",
                               "ipc_mode", "userns_mode", "volumes_from", "uts_mode", "cgroupns", "sysctls")


def parse_bytes(text: str) -> int:
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text.lower())
    if not m:
        raise ValueError(f"not a size: {text!r} (e.g. 512m, 2g)")
    mult = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}[m.group(2)]
    return int(float(m.group(1)) * mult)


@dataclass(frozen=True)
class ResourceLimits:
    memory_bytes: int = 2 * 1024**3  # per build (the worker's cgroup) and --memory for the classic builder
    pids: int = 2048
    cpus: float | None = None  # None: no CPU quota
    disk_bytes: int = 4 * 1024**3  # per build: what its steps write (DiskWatch), --max-disk

    def describe(self) -> str:
        cpu = f", {self.cpus:g} CPU" if self.cpus else ""
        return f"{self.memory_bytes / 1024**2:.0f} MiB, {self.pids} processes{cpu}"

    def describe_disk(self) -> str:
        return f"{_size(self.disk_bytes)} of disk per build"


def _size(n: float) -> str:
    return f"{n / 1024**3:.3g} GiB" if n >= 1024**3 else f"{n / 1024**2:.0f} MiB"


# ------------------------------------------------------------------------------------------ the disk budget

DISK_POLL_SECONDS = 0.5
DU_MAX_ENTRIES = 200_000  # one poll reads at most this many directory entries (a step writing millions of files)


class DiskWatch:
    """What one build has written, polled while it runs (checker.build.BuildWatch): each RUN step runs under
    the worker's build cgroup, so its processes are found there; the upper directory of their root file
    system (an overlay mount) holds what the step wrote, and the lower directories made since the build
    started hold what its earlier steps wrote. Over the budget, the build is stopped: BuildKit drops the
    cancelled step's layer, and the run's end prunes the build-cache records it made (see the module doc).
    Other students' builds are never counted: they run under their own worker's cgroup.

    A poll every half second: a step that writes faster than budget/0.5 s overshoots by what it writes in
    that time, and a last step that writes and finishes between two polls is not seen (its layer is still
    pruned with the run's cache)."""

    interval = DISK_POLL_SECONDS

    def __init__(self, cgroup_parent: str, budget: int, root: Path = CGROUP_ROOT) -> None:
        self.budget = budget
        self.started = time.time()
        self.peak = 0
        self.sizes: dict[str, int] = {}  # layer directory -> the most it held
        v1 = root / "pids"
        self.cgroup = (v1 if v1.is_dir() else root) / cgroup_parent.strip("/")

    def poll(self) -> str | None:
        for layer in self._layers():
            size = _du(Path(layer))
            if size > self.sizes.get(layer, 0):
                self.sizes[layer] = size
        total = sum(self.sizes.values())
        self.peak = max(self.peak, total)
        if total > self.budget:
            return (f"the build wrote {total / 1024**2:.1f} MiB to disk, more than its budget of {_size(self.budget)} "
                    "(--max-disk), and was stopped; what it wrote was removed")
        return None

    def _layers(self) -> set[str]:
        layers: set[str] = set()
        for pid in self._pids():
            try:
                mountinfo = Path(f"/proc/{pid}/mountinfo").read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            for line in mountinfo.splitlines():
                fields = line.split(" - ", 1)
                if len(fields) != 2 or not fields[1].startswith("overlay "):
                    continue
                opts = dict(o.split("=", 1) for o in fields[1].split(" ", 2)[-1].split(",") if "=" in o)
                upper = opts.get("upperdir")
                if not upper:
                    continue
                layers.add(str(Path(upper).resolve()))  # one key per layer, as upper and later as lower
                # a long option list names the lower layers relative to the storage driver's folder
                layers.update(self._new_lower(opts.get("lowerdir", "").split(":"), Path(upper).parents[1]))
        return layers

    def _new_lower(self, dirs: list[str], driver_root: Path) -> list[str]:
        out = []
        for d in filter(None, dirs):
            try:
                # overlay2 names lower layers by short links: l/<id> -> ../<layer>/diff
                real = (driver_root / d if not d.startswith("/") else Path(d)).resolve()
                if real.parent.stat().st_mtime >= self.started - 1:
                    out.append(str(real))
            except OSError:
                continue
        return out

    def _pids(self) -> list[int]:
        pids: list[int] = []
        if not self.cgroup.is_dir():
            return pids
        for procs in self.cgroup.rglob("cgroup.procs"):
            with contextlib.suppress(OSError, ValueError):
                pids += [int(x) for x in procs.read_text().split()]
        return pids


def _du(top: Path) -> int:
    """Bytes held by the files under `top` (allocated blocks, hard links once), at most DU_MAX_ENTRIES read."""
    total, seen, todo, entries = 0, set(), [top], 0
    while todo and entries < DU_MAX_ENTRIES:
        d = todo.pop()
        try:
            with os.scandir(d) as it:
                for e in it:
                    entries += 1
                    try:
                        st = e.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if e.is_dir(follow_symlinks=False):
                        todo.append(Path(e.path))
                    elif (st.st_dev, st.st_ino) not in seen:
                        seen.add((st.st_dev, st.st_ino))
                        total += st.st_blocks * 512
        except OSError:
            continue
    return total


# ------------------------------------------------------------------------------------------ the engine


class _Containers:
    def __init__(self, inner: Any, labels: dict[str, str], cpus: float | None, smoke_network: str) -> None:
        self._inner, self._labels, self._cpus, self._smoke_network = inner, labels, cpus, smoke_network
        self._made: set[str] = set()  # the containers made here: the only namespaces a probe may join

    def create(self, image: str, command: Any = None, **kwargs: Any) -> Any:
        bad = [k for k in FORBIDDEN_CONTAINER_OPTIONS if kwargs.get(k)]
        if bad:
            raise PermissionError(f"a grading container may not use {', '.join(bad)}")
        caps = [str(c).upper().removeprefix("CAP_") for c in kwargs.get("cap_add") or []]
        if caps and ("ALL" not in [str(c).upper() for c in kwargs.get("cap_drop") or []]
                     or not set(caps) <= set(SMOKE_CAPABILITIES)):
            raise PermissionError("a grading container drops every capability and gets back only the checker's "
                                  f"own list ({', '.join(SMOKE_CAPABILITIES)})")
        network = str(kwargs.get("network_mode", "none"))
        joins = network.removeprefix("container:") if network.startswith("container:") else None
        allowed = network == "none" or (network == "host" and self._smoke_network == "host") or (
            joins is not None and joins in self._made)
        if not allowed:
            raise PermissionError("a grading container runs with no network (or in the namespace of one made by "
                                  "this run); the host's network only with --smoke-network host")
        kwargs["labels"] = {**(kwargs.get("labels") or {}), **self._labels}
        kwargs.setdefault("security_opt", [NO_NEW_PRIVILEGES])
        if NO_NEW_PRIVILEGES not in kwargs["security_opt"]:
            raise PermissionError("a grading container runs with no-new-privileges")
        kwargs.setdefault("log_config", CONTAINER_LOG)  # a container flooding stdout fills no disk
        if self._cpus:
            kwargs.setdefault("nano_cpus", int(self._cpus * 1e9))
        container = self._inner.create(image, command, **kwargs)
        self._made.add(str(container.id))
        return container

    def run(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("grading starts containers through create(), with its limits")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Client:
    def __init__(self, inner: Any, labels: dict[str, str], cpus: float | None, smoke_network: str) -> None:
        self._inner = inner
        self.containers = _Containers(inner.containers, labels, cpus, smoke_network)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


@dataclass
class GradingEngine(Engine):
    """An Engine whose builds carry the run's labels and limits, and whose containers are hardened."""

    run_labels: dict[str, str] = field(default_factory=dict)
    cgroup_parent: str | None = None
    limits: ResourceLimits = field(default_factory=ResourceLimits)
    buildx_builder: str | None = None
    smoke_network: str = "isolated"  # "host" allows network_mode="host" (asked for with --smoke-network host)
    _wrapped: Any = field(default=None, repr=False)

    @classmethod
    def wrap(cls, engine: Engine, **kw: Any) -> GradingEngine:
        base = {f.name: getattr(engine, f.name) for f in dataclasses.fields(Engine) if f.name != "_client"}
        ge = cls(**base, **kw)
        if ge.buildx_builder:
            ge.env = {**ge.env, "BUILDX_BUILDER": ge.buildx_builder}
        return ge

    def to_json(self) -> dict[str, Any]:
        return {"docker_host": self.docker_host, "cli": self.cli, "env": self.env, "provisioned": self.provisioned,
                "offline": self.offline, "flavour": self.flavour, "run_labels": self.run_labels,
                "cgroup_parent": self.cgroup_parent, "buildx_builder": self.buildx_builder,
                "smoke_network": self.smoke_network, "limits": dataclasses.asdict(self.limits)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GradingEngine:
        data = dict(data)
        data["limits"] = ResourceLimits(**data.get("limits", {}))
        return cls(**data)

    @property
    def untrusted(self) -> bool:
        return True

    def build_watch(self) -> DiskWatch | None:
        """The disk budget of the next build, watched through the worker's build cgroup (none without it)."""
        if not self.cgroup_parent or not self.limits.disk_bytes:
            return None
        return DiskWatch(self.cgroup_parent, self.limits.disk_bytes)

    def build_command(self, builder: str = "buildkit") -> list[str]:
        args = list(super().build_command(builder))
        for k, v in self.run_labels.items():
            args += ["--label", f"{k}={v}"]
        if self.cgroup_parent:
            args += ["--cgroup-parent", self.cgroup_parent]
        if builder == "classic":
            mem = str(self.limits.memory_bytes)
            args += ["--memory", mem, "--memory-swap", mem]
            if self.limits.cpus:
                args += ["--cpu-period", "100000", "--cpu-quota", str(int(self.limits.cpus * 100000))]
        return args

    @property
    def client(self) -> Any:
        if self._wrapped is None:
            self._wrapped = _Client(super().client, self.run_labels, self.limits.cpus, self.smoke_network)
        return self._wrapped


def buildx_builder_problem(engine: Engine, name: str) -> str | None:
    """Why the buildx builder `name` cannot build for this engine, or None."""
    proc = engine.docker("buildx", "inspect", name, check=False, timeout=60)
    if proc.returncode != 0:
        return f"no buildx builder named {name!r} (see `docker buildx ls`)"
    driver = next((ln.split(":", 1)[1].strip() for ln in proc.stdout.splitlines() if ln.startswith("Driver:")), "")
    if driver == "docker" and name != "default":
        return (f"the buildx builder {name!r} is the docker driver of the Docker context {name!r}: buildx uses it "
                "only inside that context. Point DOCKER_HOST at that engine instead, or create a builder with "
                "`docker buildx create` (docker-container, remote or kubernetes driver)")
    return None


# ------------------------------------------------------------------------------------------ cgroups


@dataclass
class BuildCgroups:
    """One cgroup per worker under /<name>, with the memory, process and CPU limits; handed to BuildKit (and
    the classic builder) as `--cgroup-parent`."""

    name: str
    slots: int
    limits: ResourceLimits
    version: int = 1
    created: list[Path] = field(default_factory=list)

    def parent(self, slot: int) -> str:
        return f"/{self.name}/w{slot}"

    def _controllers(self) -> list[str]:
        return ["memory", "pids", "cpu"] if self.version == 1 else []

    def create(self) -> None:
        self.remove()
        for slot in range(self.slots):
            rel = Path(self.name) / f"w{slot}"
            if self.version == 1:
                for ctl in self._controllers():
                    d = CGROUP_ROOT / ctl / rel
                    d.mkdir(parents=True, exist_ok=True)
                    self.created.append(CGROUP_ROOT / ctl / self.name)
                _write(CGROUP_ROOT / "memory" / rel / "memory.limit_in_bytes", self.limits.memory_bytes)
                _write(CGROUP_ROOT / "pids" / rel / "pids.max", self.limits.pids)
                if self.limits.cpus:
                    _write(CGROUP_ROOT / "cpu" / rel / "cpu.cfs_period_us", 100000)
                    _write(CGROUP_ROOT / "cpu" / rel / "cpu.cfs_quota_us", int(self.limits.cpus * 100000))
            else:
                top = CGROUP_ROOT / self.name
                top.mkdir(exist_ok=True)
                self.created.append(top)
                with contextlib.suppress(OSError):
                    (top / "cgroup.subtree_control").write_text("+memory +pids +cpu")
                d = top / f"w{slot}"
                d.mkdir(exist_ok=True)
                _write(d / "memory.max", self.limits.memory_bytes)
                _write(d / "pids.max", self.limits.pids)
                if self.limits.cpus:
                    _write(d / "cpu.max", f"{int(self.limits.cpus * 100000)} 100000")

    def remove(self) -> None:
        """Remove this run's cgroups (and what runc made under them) in every controller, deepest first."""
        tops = [*CGROUP_ROOT.glob(f"*/{self.name}"), CGROUP_ROOT / self.name]
        for top in tops:
            if not top.is_dir():
                continue
            for sub in sorted((p for p in top.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
                with contextlib.suppress(OSError):
                    sub.rmdir()
            with contextlib.suppress(OSError):
                top.rmdir()


def _write(path: Path, value: object) -> None:
    path.write_text(str(value))


def cgroup_support(engine: Engine, buildx_builder: str | None) -> tuple[int | None, str]:
    """(cgroup version, "") when build cgroups can be made here, else (None, why not)."""
    if buildx_builder and buildx_builder != "default":
        return None, f"the builds run on the buildx builder {buildx_builder!r}, whose cgroups are not on this machine"
    if not engine.docker_host.startswith("unix://") or not Path(engine.docker_host[7:]).exists():
        return None, "the engine is remote"
    if os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return None, "creating cgroups needs root"
    try:
        info = engine.client.info()
    except Exception as exc:  # the SDK raises many kinds
        return None, f"the engine did not say which cgroup driver it uses ({exc})"
    if info.get("CgroupDriver") != "cgroupfs":
        return None, f"the engine's cgroup driver is {info.get('CgroupDriver')!r}, not cgroupfs"
    if info.get("KernelVersion") != platform.release():
        return None, "the engine runs on another kernel (a VM or another machine)"
    version = 2 if str(info.get("CgroupVersion")) == "2" else 1
    probe = CGROUP_ROOT / "memory" if version == 1 else CGROUP_ROOT
    if not os.access(probe, os.W_OK):
        return None, f"{probe} is not writable here"
    return version, ""


# ------------------------------------------------------------------------------------------ cleanup


def remove_labelled(engine: Engine, label: str, value: str) -> tuple[int, int]:
    """Remove every container, then every image, carrying label=value. Returns (containers, images)."""
    sel = f"label={label}={value}"
    ids = engine.docker("ps", "-aq", "--filter", sel, check=False, timeout=60).stdout.split()
    if ids:
        engine.docker("rm", "-f", *ids, check=False, timeout=120)
    imgs = sorted(set(engine.docker("images", "-aq", "--filter", sel, check=False, timeout=60).stdout.split()))
    if imgs:
        engine.docker("rmi", "-f", *imgs, check=False, timeout=300)
    return len(ids), len(imgs)


def count_labelled(engine: Engine, label: str, value: str) -> tuple[int, int]:
    sel = f"label={label}={value}"
    c = engine.docker("ps", "-aq", "--filter", sel, check=False, timeout=60).stdout.split()
    i = set(engine.docker("images", "-aq", "--filter", sel, check=False, timeout=60).stdout.split())
    return len(c), len(i)


def cache_record_ids(engine: Engine) -> set[str] | None:
    try:
        df = engine.client.df()
    except Exception:
        return None
    return {str(r["ID"]) for r in (df.get("BuildCache") or [])}


def prune_cache_records(engine: Engine, keep: Iterable[str]) -> int:
    """Prune the build-cache records that are not in `keep` (the records before the run) and not in use."""
    try:
        records = engine.client.df().get("BuildCache") or []
    except Exception:
        return 0
    keep_set = set(keep)
    new = [str(r["ID"]) for r in records if str(r["ID"]) not in keep_set and not r.get("InUse")]
    pruned = 0
    for i in range(0, len(new), 50):  # the id filter is a regular expression: a few dozen ids at a time
        chunk = new[i:i + 50]
        try:
            res = engine.client.api.prune_builds(filters={"id": "^(" + "|".join(chunk) + ")$"}, all=True)
            pruned += len(res.get("CachesDeleted") or [])
        except Exception:
            continue
    return pruned


def image_ids(engine: Engine) -> set[str] | None:
    """Every image id on the engine, intermediate ones included (`docker images -aq`, full ids)."""
    try:
        return {str(i["Id"]) for i in engine.client.api.images(all=True)}
    except Exception:
        return None


def remove_new_untagged_images(engine: Engine, keep: Iterable[str]) -> int:
    """Remove the untagged images that are not in `keep` (the images before the run), newest first so that a
    child goes before its parent; untagged parents from before the run are kept (noprune), and an image
    still in use (a child, a container) is left where it is."""
    try:
        images = engine.client.api.images(all=True)
    except Exception:
        return 0
    keep_set = set(keep)
    new = [i for i in images if str(i["Id"]) not in keep_set
           and not any(t != "<none>:<none>" for t in i.get("RepoTags") or [])]
    left = [str(i["Id"]) for i in sorted(new, key=lambda i: int(i.get("Created") or 0), reverse=True)]
    removed = 0
    while left:  # creation times have a one-second grain: a parent refused for its child goes on the next pass
        refused = []
        for image_id in left:
            try:
                engine.client.api.remove_image(image_id, noprune=True)
                removed += 1
            except Exception:
                refused.append(image_id)
        if len(refused) == len(left):
            break
        left = refused
    return removed


def snapshot_ids(path: Path, take: Callable[[], set[str] | None]) -> set[str] | None:
    """The ids saved at `path` by an unfinished run (they still hold: that run's objects are new too), else
    the ids `take()` reads now, saved there for a run that is killed before its cleanup."""
    ids = load_ids(path)
    if ids is None:
        ids = take()
        if ids is not None:
            save_ids(path, ids)
    return ids


def save_ids(path: Path, ids: set[str]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(sorted(ids)))
    tmp.replace(path)


def load_ids(path: Path) -> set[str] | None:
    try:
        return set(json.loads(path.read_text()))
    except (OSError, ValueError):
        return None
