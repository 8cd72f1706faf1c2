"""Running a built image for a smoke test: in a network namespace of its own (network none) with the request
made by a probe container that joins it, or, when a user asks, on the host's network and a loopback port.

Every container started here is labelled and removed afterwards, whatever happens.
"""

from __future__ import annotations

import contextlib
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from checker.engine import Engine

RUN_LABEL = "io.stagewise.created-by"


@dataclass
class HttpAnswer:
    ok: bool
    status: int | None
    body: str
    seconds: float
    port: int
    error: str | None = None
    container_logs: str = ""
    exit_code: int | None = None
    health: str | None = None  # healthy | unhealthy | starting | None (no healthcheck)
    health_log: list[str] = field(default_factory=list)
    network: str = "host"  # isolated (no network, asked by the probe in its namespace) | host (asked from here)
    port_source: str = ""  # where the port came from: the image's ENV or EXPOSE, the platform port, a free port
    read_only: bool = False  # the root file system was read-only in the run that answered
    read_only_refused: str | None = None  # the app's log line that made the checker run it writable


@dataclass
class CommandAnswer:
    exit_code: int | None
    output: str
    seconds: float
    timed_out: bool = False
    error: str | None = None


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _remove(container: Any) -> None:
    with contextlib.suppress(Exception):
        container.remove(force=True)


def _failing_streak(container: Any) -> int:
    return int(((container.attrs.get("State") or {}).get("Health") or {}).get("FailingStreak") or 0)


def _health(container: Any) -> tuple[str | None, list[str]]:
    container.reload()
    state = container.attrs.get("State", {})
    health = state.get("Health")
    if not health:
        return None, []
    log = [str(entry.get("Output", "")).strip() for entry in health.get("Log") or []]
    return str(health.get("Status")), log


NANOSECONDS = 1_000_000_000


def _fast_healthcheck(engine: Engine, image: str) -> dict[str, Any] | None:
    """The image's own HEALTHCHECK test, timeout and retries, probed every second from the start.

    Docker's defaults (30 s interval) would make a check wait half a minute to learn what one probe shows;
    only the schedule changes, never the command. A failure before the app is up does not decide anything:
    the caller waits for the app first, and one success turns the status healthy again."""
    config = engine.client.images.get(image).attrs.get("Config") or {}
    test = (config.get("Healthcheck") or {}).get("Test")
    if not test or test[0] == "NONE":
        return None
    hc = config["Healthcheck"]
    # start_period 0 would mean "the image's own" (e.g. 5 s in which failures do not count): 1 ms, Docker's least.
    return {"test": test, "interval": NANOSECONDS, "start_period": NANOSECONDS // 1000,
            "timeout": int(hc.get("Timeout") or 30 * NANOSECONDS), "retries": int(hc.get("Retries") or 3)}


def _settle_seconds(probe: dict[str, Any] | None) -> float:
    if probe is None:
        return 0.0
    return probe["retries"] * (1 + probe["timeout"] / NANOSECONDS) + 2


SMOKE_NETWORKS = ("isolated", "host")
# What the course's images need and no more: nginx's master switches to its user (SETUID, SETGID), makes its
# cache folders its own (CHOWN, FOWNER, DAC_OVERRIDE as root) and signals its workers (KILL); a server may bind
# a port below 1024 (NET_BIND_SERVICE). Docker's defaults add MKNOD, NET_RAW, SYS_CHROOT, AUDIT_WRITE, SETPCAP,
# SETFCAP and FSETID, which a web app never needs.
SMOKE_CAPABILITIES = ("CHOWN", "DAC_OVERRIDE", "FOWNER", "SETUID", "SETGID", "NET_BIND_SERVICE", "KILL")
NO_NEW_PRIVILEGES = "no-new-privileges:true"
PLATFORM_PORT = 18080  # what the checker, as a platform, puts in the spec's `platform_port` variable
DEFAULT_PORT = 8080  # the port probed when the image says nothing (no ENV value, no single EXPOSE)
# An app's words for "I must write where the image is read-only" (EROFS; nginx's entrypoint: "is not writable")
READ_ONLY_MARKS = ("read-only file system", "not writable", "erofs")
TMPFS = {"/tmp": "rw,nosuid,nodev,size=64m"}
# How often the isolated smoke run looks at its two containers: an app that is up answers within one look.
POLL_SECONDS = 0.05


def hardening(read_only: bool) -> dict[str, Any]:
    """The options of every smoke-run container: no capability beyond SMOKE_CAPABILITIES, no new privileges,
    and (when `read_only`) a read-only root with a small writable /tmp."""
    opts: dict[str, Any] = {"cap_drop": ["ALL"], "cap_add": list(SMOKE_CAPABILITIES),
                            "security_opt": [NO_NEW_PRIVILEGES]}
    if read_only:
        opts.update(read_only=True, tmpfs=dict(TMPFS))
    return opts


def listen_port(config: dict[str, Any], port_env: str, default: int = DEFAULT_PORT) -> tuple[int, str]:
    """The port the image listens on by its own defaults, and where that came from: its ENV value of
    `port_env`, else its one EXPOSEd TCP port, else `default`."""
    for item in config.get("Env") or []:
        name, _, value = str(item).partition("=")
        if name == port_env and value.strip().isdigit() and 0 < int(value) < 65536:
            return int(value), f"ENV {port_env}={value.strip()}"
    exposed = sorted(int(p.split("/")[0]) for p in (config.get("ExposedPorts") or {})
                     if p.endswith("/tcp") and p.split("/")[0].isdigit())
    if len(exposed) == 1:
        return exposed[0], f"EXPOSE {exposed[0]}"
    return default, f"the exercise's default port {default}"


def run_http(engine: Engine, image: str, *, path: str = "/", port_env: str = "PORT",
             host_env: str | None = None, env: dict[str, str] | None = None, timeout: float = 30.0,
             port: int | None = None, wait_healthy: bool = False, labels: dict[str, str] | None = None,
             read_only: bool = False, command: list[str] | None = None, network: str = "isolated",
             platform_port: str | None = None, default_port: int = DEFAULT_PORT) -> HttpAnswer:
    """Start `image` and request `path`. `command` replaces the image's CMD (the arguments after the image name
    in `docker run`).

    network "isolated": the image runs as `docker run IMAGE` would start it (its own ENV; only
    `platform_port`, when given, set to PLATFORM_PORT) with no network at all (`network_mode="none"`), hardened
    (`hardening`), read-only first; the request comes from the probe image in its namespace. When the app fails
    on the read-only root (its log says so), it runs once more with a writable one and the answer says why.

    network "host" (asked for by a user): the old path. On the host's network, with a free loopback port in
    `port_env` and 127.0.0.1 in `host_env`; the request comes from here."""
    if network == "host":
        return _run_http_host(engine, image, path=path, port_env=port_env, host_env=host_env, env=env,
                              timeout=timeout, port=port, wait_healthy=wait_healthy, labels=labels,
                              read_only=read_only, command=command)
    if network != "isolated":
        raise ValueError(f"unknown smoke network {network!r} (one of {', '.join(SMOKE_NETWORKS)})")
    environment = dict(env or {})
    config = engine.client.images.get(image).attrs.get("Config") or {}
    if platform_port:
        environment[platform_port] = str(PLATFORM_PORT)
        chosen, source = PLATFORM_PORT, f"{platform_port}={PLATFORM_PORT}, set by the checker as a platform would"
    else:
        chosen, source = listen_port(config, port_env, default_port)
    answer = _run_http_isolated(engine, image, path=path, environment=environment, port=chosen, timeout=timeout,
                                wait_healthy=wait_healthy, labels=labels, command=command, read_only=True)
    first_logs = answer.container_logs
    refused = [ln.strip() for ln in first_logs.splitlines() if any(m in ln.lower() for m in READ_ONLY_MARKS)]
    if not answer.ok and refused:
        answer = _run_http_isolated(engine, image, path=path, environment=environment, port=chosen,
                                    timeout=timeout, wait_healthy=wait_healthy, labels=labels, command=command,
                                    read_only=False)
        answer.read_only_refused = refused[-1]  # the last: the error that stopped it, after any notices
    answer.port_source = source
    return answer


def _run_http_isolated(engine: Engine, image: str, *, path: str, environment: dict[str, str], port: int,
                       timeout: float, wait_healthy: bool, labels: dict[str, str] | None,
                       command: list[str] | None, read_only: bool) -> HttpAnswer:
    from checker.images import probe as probe_image

    start = time.monotonic()
    probe_tag = probe_image.ensure(engine)
    check = _fast_healthcheck(engine, image) if wait_healthy else None
    all_labels = {RUN_LABEL: "stagewise", **(labels or {})}
    container = engine.client.containers.create(
        image, command=command, detach=True, network_mode="none", environment=environment, labels=all_labels,
        mem_limit="512m", pids_limit=256, healthcheck=check, **hardening(read_only),
    )
    answer = HttpAnswer(ok=False, status=None, body="", seconds=0.0, port=port, network="isolated",
                        read_only=read_only)
    prober: Any = None
    try:
        try:
            container.start()
        except Exception as exc:  # the runtime refuses: missing shell or binary, exec format error...
            answer.error = _short_api_error(exc)
            answer.seconds = time.monotonic() - start
            return answer
        deadline = start + timeout
        last_error = "no answer"
        try:
            prober = engine.client.containers.create(
                probe_tag, command=probe_image.command(), detach=True, network_mode=f"container:{container.id}",
                environment=probe_image.environment(port, path), labels=all_labels, user="65534:65534",
                mem_limit="64m", pids_limit=32, **hardening(True),
            )
            prober.start()
        except Exception as exc:  # the app's container stopped before the probe could join its namespace
            container.reload()
            if container.status in ("exited", "dead"):
                answer.exit_code = int(container.attrs["State"].get("ExitCode", -1))
                last_error = f"the container exited with code {answer.exit_code} before answering"
            else:
                last_error = f"the probe could not start: {_short_api_error(exc)}"
            deadline = 0.0
        while time.monotonic() < deadline:
            container.reload()
            if container.status in ("exited", "dead"):
                answer.exit_code = int(container.attrs["State"].get("ExitCode", -1))
                last_error = f"the container exited with code {answer.exit_code} before answering"
                break
            prober.reload()
            if prober.status in ("exited", "dead"):
                raw = prober.logs(stdout=True, stderr=False)
                got = probe_image.parse(raw)
                if got.status is None:
                    last_error = (f"the answer on port {port} is not HTTP: {got.raw_head!r}" if raw else
                                  f"the connection to port {port} closed without an answer")
                else:
                    answer.status, answer.body, answer.ok = got.status, got.body, True
                break
            time.sleep(POLL_SECONDS)
        else:
            if deadline:
                tried = prober.logs(stdout=False, stderr=True, tail=1).decode("utf-8", "replace").strip()
                last_error = (f"nothing answered on port {port} within {timeout:.0f} s"
                              + (f" ({tried.removeprefix('nc: ')})" if tried else ""))
        if not answer.ok:
            answer.error = last_error
        _wait_for_health(answer, container, check, wait_healthy, deadline)
        answer.seconds = time.monotonic() - start
        with contextlib.suppress(Exception):
            answer.container_logs = _ordered_logs(container)
    finally:
        if prober is not None:
            _remove(prober)
        _remove(container)
    return answer


def _wait_for_health(answer: HttpAnswer, container: Any, check: dict[str, Any] | None, wait_healthy: bool,
                     deadline: float) -> None:
    if wait_healthy and answer.ok:
        # The app answers: a working healthcheck turns healthy at its next probe (one a second). Give it
        # as many probes as the image's retries allow, each within its timeout, before calling it broken.
        settle = time.monotonic() + _settle_seconds(check)
        streak_when_up = _failing_streak(container)
        retries = check["retries"] if check else 3
        while time.monotonic() < max(deadline, settle):
            answer.health, answer.health_log = _health(container)
            if answer.health in (None, "healthy") or time.monotonic() > settle:
                break
            if _failing_streak(container) >= streak_when_up + retries:
                break  # as many probes failed, with the app up, as Docker allows: it is broken
            time.sleep(0.25)
    else:
        answer.health, answer.health_log = _health(container)


def _run_http_host(engine: Engine, image: str, *, path: str, port_env: str, host_env: str | None,
                   env: dict[str, str] | None, timeout: float, port: int | None, wait_healthy: bool,
                   labels: dict[str, str] | None, read_only: bool, command: list[str] | None) -> HttpAnswer:
    """The host-network path: the image on the host's network with its port in `port_env`, asked from here."""
    port = port or free_loopback_port()
    environment = dict(env or {})
    environment[port_env] = str(port)
    if host_env:
        environment[host_env] = "127.0.0.1"
    start = time.monotonic()
    probe = _fast_healthcheck(engine, image) if wait_healthy else None
    container = engine.client.containers.create(
        image, command=command, detach=True, network_mode="host", environment=environment,
        labels={RUN_LABEL: "stagewise", **(labels or {})}, read_only=read_only,
        mem_limit="512m", pids_limit=256, healthcheck=probe,
    )
    answer = HttpAnswer(ok=False, status=None, body="", seconds=0.0, port=port, network="host",
                        port_source=f"{port_env}={port}, a free port on the host's loopback")
    try:
        try:
            container.start()
        except Exception as exc:  # the runtime refuses: missing shell or binary, exec format error...
            answer.error = _short_api_error(exc)
            answer.seconds = time.monotonic() - start
            return answer
        url = f"http://127.0.0.1:{port}{path}"
        deadline = start + timeout
        last_error = "no answer"
        while time.monotonic() < deadline:
            container.reload()
            if container.status in ("exited", "dead"):
                answer.exit_code = int(container.attrs["State"].get("ExitCode", -1))
                last_error = f"the container exited with code {answer.exit_code} before answering"
                break
            try:
                with urllib.request.urlopen(url, timeout=2) as resp:
                    answer.status = int(resp.status)
                    answer.body = resp.read(1_000_000).decode("utf-8", "replace")
                    answer.ok = True
                    break
            except urllib.error.HTTPError as exc:
                answer.status = exc.code
                answer.body = exc.read(100_000).decode("utf-8", "replace")
                answer.ok = True
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
                last_error = str(getattr(exc, "reason", exc))
                time.sleep(0.2)
        if not answer.ok:
            answer.error = last_error
        _wait_for_health(answer, container, probe, wait_healthy, deadline)
        answer.seconds = time.monotonic() - start
        with contextlib.suppress(Exception):
            answer.container_logs = _ordered_logs(container)
    finally:
        _remove(container)
    return answer


def _ordered_logs(container: Any) -> str:
    """The container's stdout, then its stderr, each in its own order: interleaved, the two streams of one
    run come out in a different order every time, and the last lines (the errors a finding shows) are
    stderr's."""
    out, err = (container.logs(stdout=o, stderr=not o, tail=50).decode("utf-8", "replace") for o in (True, False))
    return out + ("\n" if out and not out.endswith("\n") else "") + err


def run_command(engine: Engine, image: str, args: list[str] | None = None, *, env: dict[str, str] | None = None,
                timeout: float = 30.0, entrypoint: list[str] | None = None,
                labels: dict[str, str] | None = None) -> CommandAnswer:
    """Run `image` with `args` (after its entrypoint) and no network; collect its output."""
    start = time.monotonic()
    kwargs: dict[str, Any] = {}
    if entrypoint is not None:
        kwargs["entrypoint"] = entrypoint
    container = engine.client.containers.create(
        image, command=args or None, detach=True, network_mode="none", environment=env or {},
        labels={RUN_LABEL: "stagewise", **(labels or {})}, mem_limit="512m", pids_limit=256, **hardening(False),
        **kwargs,
    )
    try:
        try:
            container.start()
        except Exception as exc:  # the runtime refuses: missing shell or binary, exec format error...
            return CommandAnswer(exit_code=None, output="", seconds=time.monotonic() - start,
                                 error=_short_api_error(exc))
        try:
            result = container.wait(timeout=timeout)
            code: int | None = int(result.get("StatusCode", -1))
            timed_out = False
        except Exception:
            code, timed_out = None, True
        output = container.logs().decode("utf-8", "replace")
    finally:
        _remove(container)
    return CommandAnswer(exit_code=code, output=output, seconds=time.monotonic() - start, timed_out=timed_out)


def _short_api_error(exc: Exception) -> str:
    text = str(getattr(exc, "explanation", None) or exc)
    return text.strip().splitlines()[-1] if text.strip() else type(exc).__name__
