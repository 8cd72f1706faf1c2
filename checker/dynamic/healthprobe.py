"""The health probe: is a HEALTHCHECK judged by what it observes, or does it say healthy whatever happens?

The image is started with its entrypoint replaced by a static BusyBox `sleep` that the checker brings in
(put into the created container before it starts, so it works on `scratch` and distroless, with no shell),
with no network, and its own HEALTHCHECK test on a short schedule. With no app running, a health check that
probes the app must report `unhealthy`; one that reports `healthy` checks nothing.

The sleeper is Debian's `busybox-static`, the package the image kit builds the `busybox` and `alpine`
substitutes from: taken from the kit's probe image (the smoke run's, BusyBox alone on scratch) or the local
`busybox` image, or else from the kit's downloaded .deb, checked to be statically linked, and kept under
STAGEWISE_HOME.
"""

from __future__ import annotations

import contextlib
import io
import struct
import subprocess
import tarfile
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.engine import Engine, stagewise_home
from checker.images import probe as probe_image

SLEEPER_DIR = ".stagewise-probe"
SLEEPER = f"/{SLEEPER_DIR}/busybox"
MS = 1_000_000  # nanoseconds; Docker refuses a health interval, timeout or start period below 1 ms
INTERVAL = 100 * MS
MAX_TIMEOUT = 3_000 * MS
# (image, path): the kit's probe image first (static BusyBox on scratch, the one the smoke run already needs),
# then the local busybox substitute's tags
SLEEPER_IMAGES = ((probe_image.IMAGE, "/busybox"), ("busybox:latest", "/bin/busybox"),
                  ("busybox:1.36", "/bin/busybox"), ("busybox:stable", "/bin/busybox"))
_LOCK = threading.Lock()


@dataclass
class HealthProbeAnswer:
    test: list[str]  # the image's HEALTHCHECK test, as Docker stores it (["CMD", ...] or ["CMD-SHELL", "..."])
    status: str | None = None  # healthy | unhealthy | starting | None (the container did not run)
    log: list[str] = field(default_factory=list)  # the probes' output
    exit_codes: list[int] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # the probe container could not be made or started


def is_static_elf(data: bytes) -> bool:
    """An ELF executable with no program interpreter (PT_INTERP): it runs in an image without a loader."""
    if len(data) < 64 or data[:4] != b"\x7fELF" or data[4] != 2:  # 64-bit only
        return False
    order = "<" if data[5] == 1 else ">"
    phoff = struct.unpack_from(order + "Q", data, 0x20)[0]
    phentsize, phnum = struct.unpack_from(order + "HH", data, 0x36)
    for i in range(phnum):
        off = phoff + i * phentsize
        if off + 4 > len(data):
            return False
        if struct.unpack_from(order + "I", data, off)[0] == 3:  # PT_INTERP
            return False
    return True


def _from_kit_deb() -> bytes | None:
    debs = sorted((stagewise_home() / "kit" / "debs").glob("*/busybox-static_*.deb"))
    for deb in debs:
        with tempfile.TemporaryDirectory(prefix="stagewise-sleeper-") as tmp:
            try:
                subprocess.run(["dpkg-deb", "-x", str(deb), tmp], check=True, capture_output=True, timeout=60)
            except (OSError, subprocess.SubprocessError):
                continue
            for rel in ("bin/busybox", "usr/bin/busybox"):
                p = Path(tmp) / rel
                if p.is_file():
                    data = p.read_bytes()
                    if is_static_elf(data):
                        return data
    return None


def _from_local_image(engine: Engine) -> bytes | None:
    for ref, path in SLEEPER_IMAGES:
        try:
            container = engine.client.containers.create(ref, command=["true"], network_mode="none",
                                                        labels={"io.stagewise.created-by": "stagewise"})
        except Exception:
            continue
        try:
            stream, _stat = container.get_archive(path)
            with tarfile.open(fileobj=io.BytesIO(b"".join(stream))) as tar:
                for member in tar.getmembers():
                    f = tar.extractfile(member) if member.isfile() else None
                    if f is not None:
                        data = f.read()
                        if is_static_elf(data):
                            return data
        except Exception:
            continue
        finally:
            with contextlib.suppress(Exception):
                container.remove(force=True)
    return None


def static_sleeper(engine: Engine) -> bytes | None:
    """The static BusyBox binary, from the cache under STAGEWISE_HOME, the kit's probe image or a local
    busybox image, or else the kit's downloaded .deb."""
    cached = stagewise_home() / "kit" / "sleeper" / "busybox"
    with _LOCK:
        if cached.is_file():
            data = cached.read_bytes()
            if is_static_elf(data):
                return data
        data_found = _from_local_image(engine) or _from_kit_deb()
        if data_found is None:
            return None
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(data_found)
        tmp.replace(cached)
        return data_found


def _sleeper_tar(binary: bytes) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        d = tarfile.TarInfo(SLEEPER_DIR)
        d.type, d.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(d)
        f = tarfile.TarInfo(f"{SLEEPER_DIR}/busybox")
        f.size, f.mode = len(binary), 0o755
        tar.addfile(f, io.BytesIO(binary))
    return buf.getvalue()


def probe_schedule(healthcheck: dict[str, Any]) -> dict[str, Any]:
    """The image's own test on a short schedule: a probe every 100 ms from the start, one failure decides.
    Every duration is set (a zero would mean "the image's own", e.g. a 5 s start period during which failures
    do not count) and at least 1 ms, the least Docker accepts."""
    timeout = int(healthcheck.get("Timeout") or 30_000 * MS)
    return {"test": healthcheck["Test"], "interval": INTERVAL, "timeout": max(MS, min(timeout, MAX_TIMEOUT)),
            "retries": 1, "start_period": MS}


def run_health_probe(engine: Engine, image: str, sleeper: bytes, *, env: dict[str, str] | None = None,
                     labels: dict[str, str] | None = None) -> HealthProbeAnswer | None:
    """Start `image` without its app and watch its HEALTHCHECK; None when the image has none."""
    config = engine.client.images.get(image).attrs.get("Config") or {}
    healthcheck = config.get("Healthcheck") or {}
    test = healthcheck.get("Test")
    if not test or test[0] == "NONE":
        return None
    answer = HealthProbeAnswer(test=list(test))
    schedule = probe_schedule(healthcheck)
    start = time.monotonic()
    try:
        container = engine.client.containers.create(
            image, entrypoint=[SLEEPER, "sleep", "60"], command=[], detach=True, network_mode="none",
            environment=env or {}, labels={"io.stagewise.created-by": "stagewise", **(labels or {})},
            mem_limit="256m", pids_limit=64, healthcheck=schedule)
    except Exception as exc:
        answer.error = _short(exc)
        return answer
    try:
        try:
            container.put_archive("/", _sleeper_tar(sleeper))
            container.start()
        except Exception as exc:
            answer.error = _short(exc)
            return answer
        # One probe decides (retries 1); a hanging one ends at its timeout. Leave room for a slow engine.
        deadline = start + schedule["timeout"] / 1e9 + 8
        while time.monotonic() < deadline:
            container.reload()
            state = container.attrs.get("State") or {}
            health = state.get("Health") or {}
            answer.status = str(health.get("Status")) if health else None
            answer.log = [str(e.get("Output", "")).strip() for e in health.get("Log") or []]
            answer.exit_codes = [int(e.get("ExitCode", -1)) for e in health.get("Log") or []]
            if state.get("Status") in ("exited", "dead"):
                answer.error = f"the sleeper exited with code {state.get('ExitCode')}"
                break
            if answer.status in ("healthy", "unhealthy"):
                break
            time.sleep(0.05)
    finally:
        with contextlib.suppress(Exception):
            container.remove(force=True)
        answer.seconds = time.monotonic() - start
    return answer


def _short(exc: Exception) -> str:
    text = str(getattr(exc, "explanation", None) or exc).strip()
    return text.splitlines()[-1] if text else type(exc).__name__
