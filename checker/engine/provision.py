"""Provision a Docker engine for the project when none answers.

The modern engine (Docker 28.5 + buildx, from Debian's forky packages) is extracted, not installed, into a
project-owned folder and started with its own socket, data-root and DOCKER_CONFIG. It runs with no bridge
network and no iptables changes. Debian's own (bookworm) engine package is the loud fallback.

The Debian mirror is read from the host's apt sources at run time; no registry host is written anywhere.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FORKY_PACKAGES = ["docker.io", "docker-cli", "docker-buildx", "containerd", "tini-static"]
ENGINE_BINARIES = ["dockerd", "docker", "containerd", "containerd-shim-runc-v2", "ctr", "docker-proxy"]
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"


class ProvisionError(RuntimeError):
    """The engine could not be provisioned; the message says why and what to do."""


@dataclass(frozen=True)
class Layout:
    """Every path a provisioned engine uses, all below one project-owned folder."""

    home: Path

    @property
    def apt(self) -> Path:
        return self.home / "apt"

    @property
    def debs(self) -> Path:
        return self.home / "debs"

    @property
    def root(self) -> Path:  # extracted package trees
        return self.home / "engine-root"

    @property
    def bin(self) -> Path:
        return self.home / "bin"

    @property
    def config(self) -> Path:  # DOCKER_CONFIG
        return self.home / "docker-config"

    @property
    def data_root(self) -> Path:
        return self.home / "data"

    @property
    def run(self) -> Path:
        # Unix socket paths are limited to 108 bytes: keep exec-root and socket short.
        digest = hashlib.sha256(str(self.home.resolve()).encode()).hexdigest()[:10]
        return Path("/run") / f"stagewise-{digest}"

    @property
    def socket(self) -> Path:
        return self.run / "docker.sock"

    @property
    def pidfile(self) -> Path:
        return self.home / "dockerd.pid"

    @property
    def log(self) -> Path:
        return self.home / "dockerd.log"

    @property
    def flavour_file(self) -> Path:  # "modern" or "fallback"
        return self.home / "engine-flavour"

    @property
    def env_file(self) -> Path:
        return self.home / "engine.env"

    @property
    def cgroup_parent(self) -> str:
        return f"stagewise-{self.run.name.split('-')[-1]}"


def _run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
         quiet: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(cmd, env=env, cwd=cwd, text=True, capture_output=quiet, timeout=timeout, check=False)
    if proc.returncode != 0:
        tail = ((proc.stderr or "") + (proc.stdout or "")).strip().splitlines()[-12:]
        raise ProvisionError(f"command failed ({proc.returncode}): {' '.join(cmd)}\n" + "\n".join(tail))
    return proc


def host_debian_mirror() -> str:
    """The URI of the host's main Debian archive, read from its apt sources (never hard-coded)."""
    candidates: list[str] = []
    sources_dir = Path("/etc/apt/sources.list.d")
    files = sorted(sources_dir.glob("*.sources")) if sources_dir.is_dir() else []
    for f in files:
        for block in f.read_text(errors="replace").split("\n\n"):
            lines = [ln for ln in block.splitlines() if ":" in ln and not ln.startswith("#")]
            fields = {k.strip(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
            if fields.get("Types", "").split() and "deb" in fields["Types"].split():
                suites = fields.get("Suites", "").split()
                if any(not s.endswith("-security") for s in suites):
                    candidates += fields.get("URIs", "").split()
    legacy = Path("/etc/apt/sources.list")
    if legacy.is_file():
        for line in legacy.read_text(errors="replace").splitlines():
            m = re.match(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)\s+(\S+)", line.strip())
            if m and not m.group(2).endswith("-security"):
                candidates.append(m.group(1))
    for uri in candidates:
        if uri.rstrip("/").endswith("/debian"):
            return uri.rstrip("/")
    if candidates:
        return candidates[0].rstrip("/")
    raise ProvisionError("no Debian archive found in /etc/apt/sources.list(.d); cannot fetch engine packages")


class PrivateApt:
    """apt-get with its own lists, cache and an empty status file: the host's apt state is never touched."""

    def __init__(self, state: Path, suite: str, components: str = "main") -> None:
        self.state = state
        self.suite = suite
        (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (state / "cache" / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        status = state / "status"
        if not status.exists():
            status.write_text("")
        sources = state / "sources.list"
        sources.write_text(f"deb [signed-by={KEYRING}] {host_debian_mirror()} {suite} {components}\n")
        self.options = [
            "-o", f"Dir::State::Lists={state / 'lists'}",
            "-o", f"Dir::Cache={state / 'cache'}",
            "-o", f"Dir::State::status={status}",
            "-o", f"Dir::Etc::SourceList={sources}",
            "-o", "Dir::Etc::SourceParts=/nonexistent",
            "-o", "Acquire::Check-Valid-Until=false",
            "-o", "Debug::NoLocking=1",
            "-o", "APT::Get::AllowUnauthenticated=false",
        ]

    def update(self) -> None:
        _run(["apt-get", *self.options, "-qq", "update"], timeout=300)

    def download(self, packages: list[str], dest: Path) -> list[Path]:
        dest.mkdir(parents=True, exist_ok=True)
        _run(["apt-get", *self.options, "-qq", "download", *packages], cwd=dest, timeout=600)
        return sorted(dest.glob("*.deb"))


def _extract(debs: list[Path], root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    for deb in debs:
        _run(["dpkg-deb", "-x", str(deb), str(root)])


def _find(root: Path, name: str) -> Path | None:
    for sub in ("usr/sbin", "usr/bin", "usr/libexec/docker", "usr/libexec/docker/cli-plugins", "sbin", "bin"):
        p = root / sub / name
        if p.exists():
            return p
    hits = [p for p in root.rglob(name) if p.is_file()]
    return hits[0] if hits else None


def _ensure_host_runc() -> Path:
    """Bookworm's runc (forky's needs a newer glibc)."""
    for p in (Path("/usr/sbin/runc"), Path("/usr/bin/runc")):
        if p.exists():
            return p
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "runc"], env=env, timeout=600)
    except ProvisionError:
        _run(["apt-get", "-qq", "update"], env=env, timeout=600)
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "runc"], env=env, timeout=600)
    for p in (Path("/usr/sbin/runc"), Path("/usr/bin/runc")):
        if p.exists():
            return p
    raise ProvisionError("runc was installed but not found in /usr/sbin or /usr/bin")


def _link(target: Path, link: Path) -> None:
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(target)


def install_modern(layout: Layout, log: Callable[[str], None] = print) -> None:
    """Download forky's engine packages into a private folder and lay out bin/ and DOCKER_CONFIG."""
    dockerd = layout.bin / "dockerd"
    buildx = layout.config / "cli-plugins" / "docker-buildx"
    if dockerd.exists() and buildx.exists() and (layout.bin / "runc").exists():
        return
    runc = _ensure_host_runc()
    log("fetching Docker engine, CLI, buildx and containerd from Debian forky (extracted, not installed)")
    apt = PrivateApt(layout.apt / "forky", "forky")
    apt.update()
    for old in layout.debs.glob("*.deb"):
        old.unlink()
    debs = apt.download(FORKY_PACKAGES, layout.debs)
    shutil.rmtree(layout.root, ignore_errors=True)
    _extract(debs, layout.root)
    layout.bin.mkdir(parents=True, exist_ok=True)
    for name in ENGINE_BINARIES:
        found = _find(layout.root, name)
        if found is None:
            raise ProvisionError(f"{name} not found in the extracted forky packages")
        _link(found, layout.bin / name)
    tini = _find(layout.root, "tini-static")
    if tini is None:
        raise ProvisionError("tini-static not found in the extracted forky packages")
    _link(tini, layout.bin / "docker-init")
    _link(runc, layout.bin / "runc")
    plugin = _find(layout.root, "docker-buildx")
    if plugin is None:
        raise ProvisionError("docker-buildx not found in the extracted forky packages")
    buildx.parent.mkdir(parents=True, exist_ok=True)
    _link(plugin, buildx)
    layout.flavour_file.write_text("modern\n")


def install_fallback(layout: Layout, log: Callable[[str], None] = print) -> None:
    """Debian bookworm's own engine package (20.10): no heredocs, no COPY --link, no build checks."""
    log("!!! FALLING BACK to the distribution's Docker engine (20.10): no heredocs, no COPY --link, "
        "no build checks, no rawjson progress !!!")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    if not Path("/usr/sbin/dockerd").exists():
        _run(["apt-get", "-qq", "update"], env=env, timeout=600)
        _run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "docker.io"], env=env, timeout=900)
    layout.bin.mkdir(parents=True, exist_ok=True)
    for name in [*ENGINE_BINARIES, "runc"]:
        for d in ("/usr/sbin", "/usr/bin"):
            if Path(d, name).exists():
                _link(Path(d, name), layout.bin / name)
                break
    if Path("/usr/bin/docker-init").exists():
        _link(Path("/usr/bin/docker-init"), layout.bin / "docker-init")
    layout.config.mkdir(parents=True, exist_ok=True)
    layout.flavour_file.write_text("fallback\n")


def engine_env(layout: Layout) -> dict[str, str]:
    """The environment in which `docker` means this engine."""
    path = f"{layout.bin}:{os.environ.get('PATH', '/usr/sbin:/usr/bin:/sbin:/bin')}"
    env = {"DOCKER_HOST": f"unix://{layout.socket}", "DOCKER_CONFIG": str(layout.config), "PATH": path}
    if layout.flavour_file.exists() and layout.flavour_file.read_text().strip() == "fallback":
        env["DOCKER_BUILDKIT"] = "1"
    return env


def daemon_pid(layout: Layout) -> int | None:
    try:
        pid = int(layout.pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except OSError:
        return None
    if _is_zombie(pid):  # a killed daemon started by this process stays a zombie until it is reaped
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            pass
        return None
    return pid


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # the state follows the command name, which is in parentheses and may itself hold spaces or parentheses
    return stat[stat.rfind(")") + 2:][:1] == "Z"


def start_daemon(layout: Layout, timeout: float = 60.0) -> None:
    layout.run.mkdir(parents=True, exist_ok=True)
    layout.data_root.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(engine_env(layout))
    env.pop("DOCKER_HOST", None)
    cmd = [
        str(layout.bin / "dockerd"),
        "--data-root", str(layout.data_root),
        "--exec-root", str(layout.run / "exec"),
        "--pidfile", str(layout.pidfile),
        "-H", f"unix://{layout.socket}",
        "--bridge=none", "--iptables=false", "--ip6tables=false", "--ip-masq=false",
        "--userland-proxy=false",
        "--cgroup-parent", layout.cgroup_parent,
        "--storage-driver=overlay2",
        "--containerd-namespace", "stagewise",
        "--containerd-plugins-namespace", "stagewise-plugins",
    ]
    with layout.log.open("ab") as logf:
        subprocess.Popen(cmd, env=env, stdout=logf, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                         start_new_session=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if layout.socket.exists() and _ping(layout):
            layout.env_file.write_text("".join(f"{k}={v}\n" for k, v in engine_env(layout).items()))
            return
        time.sleep(0.25)
    tail = layout.log.read_text(errors="replace").splitlines()[-20:] if layout.log.exists() else []
    last = "\n".join(tail)
    raise ProvisionError(f"dockerd did not answer within {timeout:.0f}s; last log lines:\n{last}")


def _ping(layout: Layout) -> bool:
    env = dict(os.environ)
    env.update(engine_env(layout))
    proc = subprocess.run([str(layout.bin / "docker"), "version", "--format", "{{.Server.Version}}"],
                          env=env, capture_output=True, text=True, timeout=20, check=False)
    return proc.returncode == 0 and bool(proc.stdout.strip())


def stop_daemon(layout: Layout, timeout: float = 30.0) -> bool:
    """Stop the daemon this project started (by its pid) and clean its cgroups and run folder."""
    pid = daemon_pid(layout)
    stopped = False
    if pid is not None:
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and daemon_pid(layout) is not None:
            time.sleep(0.2)
        if daemon_pid(layout) is not None:
            os.kill(pid, signal.SIGKILL)
        stopped = True
    for ctl in Path("/sys/fs/cgroup").glob(f"*/{layout.cgroup_parent}"):
        for sub in sorted(ctl.rglob("*"), key=lambda p: len(p.parts), reverse=True):
            if sub.is_dir():
                try:
                    sub.rmdir()
                except OSError:
                    pass
        try:
            ctl.rmdir()
        except OSError:
            pass
    shutil.rmtree(layout.run, ignore_errors=True)
    layout.pidfile.unlink(missing_ok=True)
    layout.env_file.unlink(missing_ok=True)
    return stopped


def can_provision() -> tuple[bool, str]:
    if sys.platform != "linux":
        return False, "Stagewise provisions an engine only on Linux"
    if os.geteuid() != 0:
        return False, "provisioning an engine needs root"
    if not Path("/etc/debian_version").exists() or shutil.which("apt-get") is None:
        return False, "provisioning an engine needs a Debian-like machine (apt-get, dpkg-deb)"
    return True, ""
