"""Helpers for the kit's engine tests: builds with no network, runs, loopback ports."""

from __future__ import annotations

import socket
import subprocess
from pathlib import Path

from checker.engine import Engine


def build(engine: Engine, context: Path, tag: str, *, target: str | None = None,
          timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """A BuildKit build with no network (bases come from the local store), failing with its log."""
    cmd = [engine.cli, *engine.build_command("buildkit"), "--network=none", "--progress=plain", "-t", tag]
    if target:
        cmd += ["--target", target]
    proc = subprocess.run([*cmd, str(context)], env=engine.build_env("buildkit"), capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, f"build of {tag} failed:\n{proc.stderr[-4000:]}"
    return proc


def run(engine: Engine, image: str, *args: str, entrypoint: str | None = None, user: str | None = None,
        check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """docker run --rm --network none --pull=never."""
    cmd = ["run", "--rm", "--network", "none", "--pull=never"]
    if entrypoint is not None:
        cmd += ["--entrypoint", entrypoint]
    if user is not None:
        cmd += ["--user", user]
    proc = engine.docker(*cmd, image, *args, check=False, timeout=timeout)
    if check:
        assert proc.returncode == 0, f"{image} {args}: rc={proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def sh(engine: Engine, image: str, script: str, *, user: str | None = None, check: bool = True) -> str:
    """Run a shell script in the image; returns stdout (stderr joined when check=False)."""
    proc = run(engine, image, "-c", script, entrypoint="/bin/sh", user=user, check=check)
    return proc.stdout if check else proc.stdout + proc.stderr


def free_port(low: int = 18200, high: int = 18299) -> int:
    for port in range(low, high + 1):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free loopback port in {low}-{high}")
