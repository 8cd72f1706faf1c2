"""`engine up` decides from the pid file whether its daemon still runs. A daemon killed with SIGKILL by the
process that started it stays a zombie until reaped: it must count as stopped, or nothing restarts it."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from checker.engine import provision


def test_a_zombie_daemon_counts_as_stopped_and_is_reaped(tmp_path: Path) -> None:
    layout = provision.Layout(tmp_path)
    child = subprocess.Popen(["sleep", "30"])
    layout.pidfile.parent.mkdir(parents=True, exist_ok=True)
    layout.pidfile.write_text(f"{child.pid}\n")
    assert provision.daemon_pid(layout) == child.pid  # alive
    child.kill()
    deadline = time.monotonic() + 10
    while Path(f"/proc/{child.pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert provision.daemon_pid(layout) is None
    assert not Path(f"/proc/{child.pid}").exists()  # reaped, not left behind


def test_a_missing_or_garbled_pid_file_means_stopped(tmp_path: Path) -> None:
    layout = provision.Layout(tmp_path)
    assert provision.daemon_pid(layout) is None
    layout.pidfile.parent.mkdir(parents=True, exist_ok=True)
    layout.pidfile.write_text("not a pid\n")
    assert provision.daemon_pid(layout) is None
