"""Finding the Docker engine: one function (`find_engine`) that every command uses.

Order: DOCKER_HOST, then the default socket (a learner's Docker Desktop / Engine, used as it is), then an
engine this project provisioned. `engine_up` additionally provisions one when none answers.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from checker.engine import provision

DEFAULT_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


class EngineUnavailable(RuntimeError):
    """No engine answers; the message says how to get one."""


HOW_TO_GET_DOCKER = (
    "No Docker engine answers.\n"
    "  - On your own machine: install Docker Desktop (macOS/Windows) or Docker Engine (Linux) and start it,\n"
    "    or point DOCKER_HOST at a running engine.\n"
    "  - On a Debian-like machine as root: `stagewise engine up` provisions one for this project.\n"
    "  - `stagewise check --static-only` needs no engine at all."
)


def stagewise_home() -> Path:
    """Where Stagewise keeps what it provisions: $STAGEWISE_HOME, else .stagewise/ in a checkout."""
    env = os.environ.get("STAGEWISE_HOME")
    if env:
        return Path(env).resolve()
    repo = Path(__file__).resolve().parents[2]
    if (repo / "pyproject.toml").exists() and (repo / "checker").is_dir():
        return repo / ".stagewise"
    return Path.home() / ".cache" / "stagewise"


def ci_mode() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


@dataclass
class Engine:
    """A reachable Docker engine and the environment in which the `docker` CLI talks to it."""

    docker_host: str
    cli: str
    env: dict[str, str]
    provisioned: bool
    offline: bool
    flavour: str = "external"  # external | modern | fallback
    _client: Any = field(default=None, repr=False)

    def docker(self, *args: str, check: bool = True, timeout: float | None = 600,
               capture: bool = True, input_text: str | None = None) -> subprocess.CompletedProcess[str]:
        full_env = dict(os.environ)
        full_env.update(self.env)
        proc = subprocess.run([self.cli, *args], env=full_env, capture_output=capture, text=True,
                              timeout=timeout, check=False, input=input_text)
        if check and proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, [self.cli, *args], proc.stdout, proc.stderr)
        return proc

    @property
    def full_env(self) -> dict[str, str]:
        full = dict(os.environ)
        full.update(self.env)
        return full

    @property
    def client(self) -> Any:
        """The Docker SDK client (inspection, containers); builds go through the CLI."""
        if self._client is None:
            import docker

            self._client = docker.DockerClient(base_url=self.docker_host, timeout=300)
        return self._client

    @contextmanager
    def own_client(self) -> Iterator[Engine]:
        """This engine with an SDK client of its own, closed afterwards: for work in a helper thread, as one
        SDK client is not shared between threads."""
        own = dataclasses.replace(self, _client=None)
        try:
            yield own
        finally:
            if own._client is not None:
                own._client.close()

    @cached_property
    def server_version(self) -> str:
        # The API answers in milliseconds; starting the CLI for it costs a tenth of a second per check.
        return str(self.client.version().get("Version") or "")

    @cached_property
    def buildx_version(self) -> str | None:
        proc = self.docker("buildx", "version", check=False)
        return proc.stdout.strip() if proc.returncode == 0 else None

    @property
    def has_buildkit(self) -> bool:
        return self.buildx_version is not None or self.env.get("DOCKER_BUILDKIT") == "1"

    def build_command(self, builder: str = "buildkit") -> list[str]:
        """The CLI words that start a build with the given builder ('buildkit' or 'classic')."""
        if builder == "classic":
            return ["build"]
        if self.buildx_version is not None:
            return ["buildx", "build", "--load"]
        return ["build"]  # 20.10 client with DOCKER_BUILDKIT=1

    @property
    def untrusted(self) -> bool:
        """Whether the builds are of files nobody has read (`stagewise grade`): refused features, no frontend."""
        return False

    def build_watch(self) -> Any:
        """A watch polled while each build runs (checker.build.BuildWatch), or None."""
        return None

    def build_env(self, builder: str = "buildkit") -> dict[str, str]:
        env = self.full_env
        env["DOCKER_BUILDKIT"] = "0" if builder == "classic" else "1"
        return env


def _answers(docker_host: str, cli: str, extra_env: dict[str, str]) -> bool:
    env = dict(os.environ)
    env.update(extra_env)
    env["DOCKER_HOST"] = docker_host
    try:
        proc = subprocess.run([cli, "version", "--format", "{{.Server.Version}}"], env=env,
                              capture_output=True, text=True, timeout=15, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return proc.returncode == 0 and bool(proc.stdout.strip())


def _provisioned_engine(offline: bool) -> Engine | None:
    layout = provision.Layout(stagewise_home())
    if provision.daemon_pid(layout) is None or not layout.socket.exists():
        return None
    env = provision.engine_env(layout)
    cli = str(layout.bin / "docker")
    if not _answers(env["DOCKER_HOST"], cli, env):
        return None
    flavour = layout.flavour_file.read_text().strip() if layout.flavour_file.exists() else "modern"
    return Engine(env["DOCKER_HOST"], cli, env, provisioned=True, offline=True, flavour=flavour)


def find_engine(*, offline: bool | None = None) -> Engine:
    """The one way every command finds its engine. Raises EngineUnavailable with how to get Docker."""
    want_offline = ci_mode() if offline is None else offline
    cli = shutil.which("docker") or "docker"
    host = os.environ.get("DOCKER_HOST")
    # A project engine wins over the default socket only when DOCKER_HOST names nothing.
    own = _provisioned_engine(want_offline)
    if host:
        if own is not None and own.docker_host == host:
            return own
        if _answers(host, cli, {}):
            return Engine(host, cli, {"DOCKER_HOST": host}, provisioned=False, offline=want_offline)
        raise EngineUnavailable(f"DOCKER_HOST={host} does not answer.\n" + HOW_TO_GET_DOCKER)
    if own is not None:
        return own
    for sock in DEFAULT_SOCKETS:
        if Path(sock).exists() and _answers(f"unix://{sock}", cli, {}):
            return Engine(f"unix://{sock}", cli, {"DOCKER_HOST": f"unix://{sock}"}, provisioned=False,
                          offline=want_offline)
    raise EngineUnavailable(HOW_TO_GET_DOCKER)


def engine_up(log: Callable[[str], None] = print, *, offline: bool | None = None) -> Engine:
    """Find an engine, or provision and start one. Idempotent."""
    try:
        return find_engine(offline=offline)
    except EngineUnavailable:
        pass
    ok, why = provision.can_provision()
    if not ok:
        raise EngineUnavailable(f"{HOW_TO_GET_DOCKER}\n(Stagewise cannot provision one here: {why}.)")
    layout = provision.Layout(stagewise_home())
    layout.home.mkdir(parents=True, exist_ok=True)
    try:
        provision.install_modern(layout, log)
        provision.start_daemon(layout)
    except provision.ProvisionError as exc:
        log(f"modern engine failed: {exc}")
        provision.stop_daemon(layout)
        provision.install_fallback(layout, log)
        provision.start_daemon(layout)
    engine = _provisioned_engine(True)
    if engine is None:
        raise EngineUnavailable("the provisioned engine started but does not answer; see " + str(layout.log))
    log(f"engine up: Docker {engine.server_version} ({engine.flavour}) at {engine.docker_host}")
    return engine


def engine_down(log: Callable[[str], None] = print) -> bool:
    layout = provision.Layout(stagewise_home())
    stopped = provision.stop_daemon(layout)
    log("engine stopped" if stopped else "no engine started by Stagewise is running")
    return stopped


def inspect_json(engine: Engine, *args: str) -> Any:
    return json.loads(engine.docker(*args, "--format", "{{json .}}").stdout)
