"""Running a built image for a smoke test: no bridge here, so network none, or host on a loopback port.

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


def run_http(engine: Engine, image: str, *, path: str = "/", port_env: str = "PORT",
             host_env: str | None = None, env: dict[str, str] | None = None, timeout: float = 30.0,
             port: int | None = None, wait_healthy: bool = False, labels: dict[str, str] | None = None,
             read_only: bool = False, command: list[str] | None = None) -> HttpAnswer:
    """Start `image` on the host network with its port in `port_env`, request `path` on 127.0.0.1.
    `command` replaces the image's CMD (the arguments after the image name in `docker run`)."""
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
    answer = HttpAnswer(ok=False, status=None, body="", seconds=0.0, port=port)
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
        if wait_healthy and answer.ok:
            # The app answers: a working healthcheck turns healthy at its next probe (one a second). Give it
            # as many probes as the image's retries allow, each within its timeout, before calling it broken.
            settle = time.monotonic() + _settle_seconds(probe)
            streak_when_up = _failing_streak(container)
            retries = probe["retries"] if probe else 3
            while time.monotonic() < max(deadline, settle):
                answer.health, answer.health_log = _health(container)
                if answer.health in (None, "healthy") or time.monotonic() > settle:
                    break
                if _failing_streak(container) >= streak_when_up + retries:
                    break  # as many probes failed, with the app up, as Docker allows: it is broken
                time.sleep(0.25)
        else:
            answer.health, answer.health_log = _health(container)
        answer.seconds = time.monotonic() - start
        with contextlib.suppress(Exception):
            answer.container_logs = container.logs(tail=50).decode("utf-8", "replace")
    finally:
        _remove(container)
    return answer


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
        labels={RUN_LABEL: "stagewise", **(labels or {})}, mem_limit="512m", pids_limit=256, **kwargs,
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
