"""Shared helpers for the substitute recipes: mmdebstrap, private apt, `docker import`, BuildKit builds,
labels, PyPI wheels, npm tarballs and root-owned tarballs of a directory tree.

Nothing here names a registry or a mirror: the Debian archive is the host's own, read at run time with
`host_debian_mirror()`, and pip/npm use whatever index their own configuration names.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from checker.engine import Engine, stagewise_home
from checker.engine.provision import KEYRING, PrivateApt, host_debian_mirror

# Bump when a helper below changes what it puts into an image: it is part of every recipe hash.
HELPERS_REVISION = "2"

LABEL_SUBSTITUTE = "io.stagewise.substitute"
LABEL_UPSTREAM = "io.stagewise.upstream"
LABEL_RECIPE = "io.stagewise.recipe"
LABEL_HASH = "io.stagewise.recipe-hash"
LABEL_TAGS = "io.stagewise.tags"
LABEL_DESCRIPTION = "org.opencontainers.image.description"

DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# The official debian:*-slim images' dpkg excludes. mmdebstrap persists them in
# /etc/dpkg/dpkg.cfg.d/99mmdebstrap, so later `apt-get install` layers keep honouring them.
SLIM_DPKG_OPTIONS: tuple[str, ...] = (
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/groff/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/lintian/*",
    "path-exclude=/usr/share/linda/*",
    "path-exclude=/usr/share/locale/*",
    "path-include=/usr/share/locale/locale.alias",
)
SLIM_CLEANUP_HOOK = (
    'rm -rf "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/* '
    '"$1"/var/log/*.log "$1"/var/log/apt/* "$1"/var/cache/debconf/*-old "$1"/var/lib/dpkg/*-old '
    '"$1"/tmp/* "$1"/var/tmp/*'
)

Log = Callable[[str], None]


class KitError(RuntimeError):
    """A substitute could not be built; the message says which step failed and its last output lines."""


def kit_home() -> Path:
    """Where the kit caches downloads (wheels, npm tarballs, .debs, apt lists) and keeps scratch trees."""
    return stagewise_home() / "kit"


def run(cmd: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
        timeout: float = 1800, what: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command; raise KitError with its last output lines when it fails."""
    try:
        proc = subprocess.run(list(cmd), cwd=cwd, env=dict(env) if env is not None else None, text=True,
                              capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:
        raise KitError(f"{what or cmd[0]} timed out after {timeout:.0f} s") from exc
    if proc.returncode != 0:
        tail = ((proc.stdout or "") + "\n" + (proc.stderr or "")).strip().splitlines()[-25:]
        shown = " ".join(str(c) for c in cmd)
        if len(shown) > 400:
            shown = shown[:400] + " ..."
        raise KitError(f"{what or 'command'} failed (exit {proc.returncode}): {shown}\n" + "\n".join(tail))
    return proc


# --- host tools ----------------------------------------------------------------------------------------

_host_lock = threading.Lock()


def ensure_mmdebstrap(log: Log) -> str:
    """mmdebstrap on the host: installed with apt-get (as root) the first time the kit needs it."""
    with _host_lock:
        found = shutil.which("mmdebstrap")
        if found:
            return found
        if os.geteuid() != 0 or shutil.which("apt-get") is None:
            raise KitError("building the Debian-based substitutes needs mmdebstrap: install it "
                           "(`apt-get install mmdebstrap`) or run `stagewise images prepare` as root on a "
                           "Debian-like machine")
        log("installing mmdebstrap on the host (apt-get)")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        cmd = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "mmdebstrap"]
        try:
            run(cmd, env=env, what="apt-get install mmdebstrap")
        except KitError:
            run(["apt-get", "-qq", "update"], env=env, what="apt-get update")
            run(cmd, env=env, what="apt-get install mmdebstrap")
        found = shutil.which("mmdebstrap")
        if not found:
            raise KitError("mmdebstrap was installed but is not on PATH")
        return found


def debian_source(suite: str) -> str:
    """A one-line apt source for the host's own Debian archive (read at run time, never written down)."""
    return f"deb [signed-by={KEYRING}] {host_debian_mirror()} {suite} main"


class AptPool:
    """One PrivateApt per suite, updated at most once per `prepare` run, shared by parallel recipes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._apts: dict[str, PrivateApt] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def download(self, suite: str, packages: Sequence[str], dest: Path) -> dict[str, Path]:
        """Download exactly these packages (no dependencies) into dest; returns {package: .deb}."""
        with self._guard:
            lock = self._locks.setdefault(suite, threading.Lock())
        with lock:
            apt = self._apts.get(suite)
            if apt is None:
                apt = PrivateApt(self.root / suite, suite)
                apt.update()
                self._apts[suite] = apt
            dest.mkdir(parents=True, exist_ok=True)
            for old in dest.glob("*.deb"):
                old.unlink()
            apt.download(list(packages), dest)
        found: dict[str, Path] = {}
        for deb in dest.glob("*.deb"):
            found[deb.name.split("_", 1)[0]] = deb
        missing = [p for p in packages if p not in found]
        if missing:
            raise KitError(f"apt-get download ({suite}) did not fetch: {', '.join(missing)}")
        return found


def deb_extract(deb: Path, dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    run(["dpkg-deb", "-x", str(deb), str(dest)], what=f"dpkg-deb -x {deb.name}")


def deb_field(deb: Path, name: str) -> str:
    return run(["dpkg-deb", "-f", str(deb), name], what="dpkg-deb -f").stdout.strip()


def deb_control(deb: Path) -> str:
    return run(["dpkg-deb", "-f", str(deb)], what="dpkg-deb -f").stdout


def mmdebstrap(suite: str, target: Path, *, log: Log, variant: str = "minbase", include: Iterable[str] = (),
               slim: bool = False, merged_usr: bool = True, no_recommends: bool = True,
               essential_hooks: Iterable[str] = (), customize_hooks: Iterable[str] = (),
               cache: Path | None = None, timeout: float = 1200) -> None:
    """Run mmdebstrap against the host's Debian archive. `target` is a directory or a .tar file.

    `cache` keeps the downloaded .debs between runs (synced in and out of the chroot's apt archive); the
    recipe hash, not this cache, decides whether an image is rebuilt.
    """
    exe = ensure_mmdebstrap(log)
    cmd: list[str] = [exe, f"--variant={variant}", "--quiet", "--mode=auto", "--format=auto"]
    includes = list(include)
    if includes:
        cmd.append("--include=" + ",".join(includes))
    if merged_usr and variant != "extract":
        cmd.append("--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr")
    if slim:
        cmd += [f"--dpkgopt={opt}" for opt in SLIM_DPKG_OPTIONS]
    # as in the official Debian images (docker-apt-speedup): no fsync per unpacked file
    cmd.append("--dpkgopt=force-unsafe-io")
    if no_recommends:
        cmd.append('--aptopt=APT::Install-Recommends "false"')
    cmd.append('--aptopt=Acquire::Languages "none"')
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        cmd += [
            "--skip=essential/unlink",
            f'--setup-hook=mkdir -p "$1"/var/cache/apt/archives/ && cp -a {_q(cache)}/. "$1"/var/cache/apt/archives/',
        ]
    cmd += [f"--essential-hook={h}" for h in essential_hooks]
    if cache is not None:
        hook = "--extract-hook" if variant == "extract" else "--customize-hook"
        cmd.append(f'{hook}=find "$1"/var/cache/apt/archives -maxdepth 1 -name "*.deb" '
                   f'-exec cp -p -u {{}} {_q(cache)}/ \\;')
    cmd += [f"--customize-hook={h}" for h in customize_hooks]
    if variant != "extract":
        cmd.append(f"--customize-hook={SLIM_CLEANUP_HOOK}")
    cmd += [suite, str(target), debian_source(suite)]
    env = dict(os.environ, TMPDIR=_scratch_dir())
    run(cmd, env=env, timeout=timeout, what=f"mmdebstrap {suite}")


def _scratch_dir() -> str:
    """Where mmdebstrap builds its chroot: memory (/dev/shm) when there is room, the kit folder otherwise.

    dpkg on a slow virtual disk spends most of a bootstrap waiting for I/O; a tmpfs makes it 3-4x faster.
    """
    shm = Path("/dev/shm")
    try:
        st = os.statvfs(shm)
        if shm.is_dir() and os.access(shm, os.W_OK) and st.f_bavail * st.f_frsize > 3 * 1024**3:
            path = shm / "stagewise-kit"
            path.mkdir(exist_ok=True)
            return str(path)
    except OSError:
        pass
    path = kit_home() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return str(path)


def _q(path: Path | str) -> str:
    """Quote a path for a hook's shell."""
    s = str(path)
    return "'" + s.replace("'", "'\\''") + "'"


# --- labels and docker ---------------------------------------------------------------------------------

def description(upstream: str, *, own: bool = False) -> str:
    if own:
        return f"STAGEWISE KIT IMAGE {upstream}, built locally from Debian packages; no upstream image exists"
    return (f"OFFLINE SUBSTITUTE for {upstream}, built locally from Debian/PyPI/npm packages; "
            "not the upstream image")


def labels_for(upstream: str, recipe: str, recipe_hash: str, tags: Sequence[str], *,
               own: bool = False) -> dict[str, str]:
    return {
        LABEL_SUBSTITUTE: "true",
        LABEL_UPSTREAM: upstream,
        LABEL_RECIPE: recipe,
        LABEL_HASH: recipe_hash,
        LABEL_TAGS: ",".join(tags),
        LABEL_DESCRIPTION: description(upstream, own=own),
    }


def _label_change(labels: Mapping[str, str]) -> str:
    parts = []
    for key, value in labels.items():
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        parts.append(f'"{key}"="{escaped}"')
    return "LABEL " + " ".join(parts)


def docker_import(engine: Engine, tar: Path, tags: Sequence[str], *, changes: Sequence[str],
                  labels: Mapping[str, str]) -> str:
    """`docker import` a root filesystem tarball with Dockerfile-style changes; tag it with every tag."""
    args = ["import"]
    for change in [*changes, _label_change(labels)]:
        args += ["--change", change]
    args += [str(tar), tags[0]]
    proc = engine.docker(*args, check=False, timeout=900)
    if proc.returncode != 0:
        raise KitError(f"docker import {tags[0]} failed: {proc.stderr.strip()[-2000:]}")
    image_id = proc.stdout.strip()
    tag_image(engine, tags[0], tags[1:])
    return image_id


TRANSIENT_BUILD_ERROR = "Interrupted system call"


def docker_build(engine: Engine, context: Path, tags: Sequence[str], *, labels: Mapping[str, str],
                 dockerfile: Path | None = None, target: str | None = None,
                 build_args: Mapping[str, str] | None = None, timeout: float = 1800) -> None:
    """A BuildKit build with no network; bases come from the local store (no --pull, ever)."""
    args = [*engine.build_command("buildkit"), "--network=none", "--progress=plain"]
    for tag in tags:
        args += ["-t", tag]
    for key, value in labels.items():
        args += ["--label", f"{key}={value}"]
    for key, value in (build_args or {}).items():
        args += ["--build-arg", f"{key}={value}"]
    if dockerfile is not None:
        args += ["-f", str(dockerfile)]
    if target:
        args += ["--target", target]
    args.append(str(context))
    env = engine.build_env("buildkit")
    for attempt in (1, 2):
        try:
            proc = subprocess.run([engine.cli, *args], env=env, text=True, capture_output=True, timeout=timeout,
                                  check=False, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise KitError(f"docker build of {tags[0]} timed out after {timeout:.0f} s") from exc
        # EINTR from a step's shell ("can't create /etc/apk/offline-provided: Interrupted system call") was
        # seen once on a fresh machine with several substitutes building at once: transient, so one retry.
        if proc.returncode == 0 or attempt == 2 or TRANSIENT_BUILD_ERROR not in (proc.stdout + proc.stderr):
            break
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-30:]
        raise KitError(f"docker build of {tags[0]} failed (exit {proc.returncode}):\n" + "\n".join(tail))


def tag_image(engine: Engine, source: str, tags: Iterable[str]) -> None:
    for tag in tags:
        engine.docker("tag", source, tag)


# --- PyPI wheels and npm tarballs ----------------------------------------------------------------------

_download_locks: dict[str, threading.Lock] = {}
_download_guard = threading.Lock()


def _lock_for(key: str) -> threading.Lock:
    with _download_guard:
        return _download_locks.setdefault(key, threading.Lock())


def fetch_wheel(name: str, version: str, *, log: Log) -> Path:
    """The wheel `name==version` for this platform, from the kit cache or `pip download` (no deps, no pip cache)."""
    dest = kit_home() / "wheels"
    stem = name.replace("-", "_")
    with _lock_for(f"wheel:{name}"):
        cached = sorted(dest.glob(f"{stem}-{version}-*.whl"))
        if cached:
            return cached[0]
        dest.mkdir(parents=True, exist_ok=True)
        log(f"downloading the {name} {version} wheel")
        run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-cache-dir", "--only-binary=:all:",
             "--disable-pip-version-check", "-d", str(dest), f"{name}=={version}"],
            what=f"pip download {name}=={version}", timeout=900)
        cached = sorted(dest.glob(f"{stem}-{version}-*.whl"))
        if not cached:
            raise KitError(f"pip download {name}=={version} produced no wheel in {dest}")
        return cached[0]


def extract_zip(archive: Path, dest: Path, *, prefix: str, strip: str = "",
                exclude: Sequence[str] = ()) -> int:
    """Extract the members under `prefix` (minus `strip`), keeping their Unix modes; returns the file count."""
    count = 0
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = info.filename
            if not name.startswith(prefix) or any(name.startswith(x) for x in exclude):
                continue
            rel = name[len(strip):] if strip and name.startswith(strip) else name
            if not rel or rel.endswith("/"):
                (dest / rel).mkdir(parents=True, exist_ok=True)
                continue
            out = dest / rel
            out.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(out, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            mode = (info.external_attr >> 16) & 0o7777
            os.chmod(out, mode if mode else 0o644)
            count += 1
    return count


def npm_pack(spec: str, *, node: Path, npm_cli: Path, log: Log) -> Path:
    """`npm pack <spec>` into the kit cache with a private npm cache; returns the tarball."""
    dest = kit_home() / "npm"
    name, _, version = spec.rpartition("@")
    tarball = dest / f"{name.replace('/', '-').lstrip('@')}-{version}.tgz"
    with _lock_for(f"npm:{spec}"):
        if tarball.exists():
            return tarball
        dest.mkdir(parents=True, exist_ok=True)
        log(f"npm pack {spec}")
        env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false",
                   npm_config_audit="false")
        run([str(node), str(npm_cli), "pack", "--silent", "--cache", str(kit_home() / "npm-cache"),
             "--pack-destination", str(dest), spec], cwd=dest, env=env, what=f"npm pack {spec}", timeout=600)
        if not tarball.exists():
            raise KitError(f"npm pack {spec} did not produce {tarball.name}")
        return tarball


def npm_seed_cache(seed: Path, *, node: Path, npm_cli: Path, log: Log) -> Path:
    """An npm cache (its `_cacache` folder) holding every package of the lockfile in `seed` (a folder with
    package.json and package-lock.json), filled by `npm ci` with the host's ordinary npm configuration.
    Cached in the kit per lockfile content; returns the folder that holds `_cacache`."""
    lock = seed / "package-lock.json"
    digest = sha256_file(lock)[:16]
    dest = kit_home() / "npm-seed" / digest
    with _lock_for(f"npm-seed:{digest}"):
        if (dest / "_cacache").is_dir():
            return dest
        log(f"npm ci (seed cache for {seed.name})")
        with tempfile.TemporaryDirectory(prefix="npm-seed-", dir=kit_home()) as tmp:
            project = Path(tmp) / "project"
            project.mkdir()
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(seed / name, project / name)
            cache = Path(tmp) / "cache"
            env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false",
                       npm_config_audit="false")
            run([str(node), str(npm_cli), "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--cache",
                 str(cache)], cwd=project, env=env, what=f"npm ci {seed.name}", timeout=900)
            dest.mkdir(parents=True, exist_ok=True)
            shutil.move(str(cache / "_cacache"), dest / "_cacache")
        return dest


# --- trees and tarballs --------------------------------------------------------------------------------

def write_rootfs_tar(tree: Path, out: Path, *, owners: Mapping[str, tuple[int, int]] | None = None) -> Path:
    """Tar `tree` as a root filesystem: everything root-owned except `owners` ({"home/nonroot": (uid, gid)})."""
    owners = dict(owners or {})

    def fix(info: tarfile.TarInfo) -> tarfile.TarInfo:
        rel = info.name[2:] if info.name.startswith("./") else info.name
        uid, gid = owners.get(rel, (0, 0))
        info.uid, info.gid = uid, gid
        info.uname, info.gname = ("root", "root") if uid == 0 else ("", "")
        info.mtime = min(info.mtime, time.time())
        return info

    out.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as tf:
        for entry in sorted(tree.iterdir()):
            tf.add(str(entry), arcname=f"./{entry.name}", filter=fix)
    return out


def copy_file(src: Path, dst: Path, mode: int | None = None) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_symlink():
        if dst.is_symlink() or dst.exists():
            dst.unlink()
        dst.symlink_to(os.readlink(src))
        return
    shutil.copy2(src, dst)
    if mode is not None:
        os.chmod(dst, mode)


def symlink(target: str, link: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        if link.is_dir() and not link.is_symlink():
            shutil.rmtree(link)
        else:
            link.unlink()
    link.symlink_to(target)


def is_executable(path: Path) -> bool:
    return path.is_file() and bool(path.stat().st_mode & stat.S_IXUSR)


def ca_bundle(certs_dir: Path) -> str:
    """The PEM bundle update-ca-certificates would write, from Debian's mozilla/*.crt files."""
    pems = []
    for crt in sorted(certs_dir.glob("*.crt")):
        text = crt.read_text()
        pems.append(text if text.endswith("\n") else text + "\n")
    if not pems:
        raise KitError(f"no CA certificates found in {certs_dir}")
    return "".join(pems)


def loader_libs(stage: Path, binaries: Iterable[Path]) -> set[Path]:
    """Shared libraries (paths inside `stage`) that `binaries` need, resolved with the stage's own loader."""
    loader = stage / "usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    libdir = stage / "usr/lib/x86_64-linux-gnu"
    found: set[Path] = set()
    for binary in binaries:
        proc = run([str(loader), "--library-path", str(libdir), "--list", str(binary)], what=f"ld.so --list {binary}")
        for line in proc.stdout.splitlines():
            parts = line.split("=>")
            if len(parts) == 2 and parts[1].strip().startswith("/"):
                found.add(Path(parts[1].split("(")[0].strip()))
    return found


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
