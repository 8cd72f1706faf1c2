"""A second engine on this machine, selected with DOCKER_HOST (as a remote engine would be), and killed in
the middle of a run: no finished result is lost, the gradebook stays whole, a re-run finishes the rest and
cleans what the killed run left. Also a buildx builder chosen by name (--builder) and the build cache:
the records a run creates are pruned, the ones before it are kept."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from checker.engine import Engine, provision, stagewise_home
from checker.grade.sandbox import GRADE_LABEL, cache_record_ids, count_labelled
from checker.grade.store import Store

from .conftest import TINY, tiny_variant

STAGEWISE = str(Path(sys.executable).parent / "stagewise")


def _kill_leftovers(layout: provision.Layout) -> None:
    """Processes of this test's daemon only (found by its own paths), ended by pid."""
    marks = (str(layout.home), str(layout.run))
    for e in os.listdir("/proc"):
        if not e.isdigit():
            continue
        try:
            cmd = Path(f"/proc/{e}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(m in cmd for m in marks):
            try:
                os.kill(int(e), signal.SIGKILL)
            except OSError:
                pass


@pytest.fixture(scope="module")
def engine2(engine: Engine) -> Iterator[tuple[provision.Layout, Engine]]:
    main = provision.Layout(stagewise_home())
    if not engine.provisioned or not (main.bin / "dockerd").exists() or os.geteuid() != 0:
        pytest.skip("a second engine needs the engine Stagewise provisions (root, its extracted binaries)")
    home = Path(tempfile.mkdtemp(prefix="sw-e2-"))
    (home / "bin").symlink_to(main.bin)
    (home / "docker-config").symlink_to(main.config)
    (home / "engine-flavour").write_text("modern\n")
    layout = provision.Layout(home)
    provision.start_daemon(layout)
    env = provision.engine_env(layout)
    e2 = Engine(env["DOCKER_HOST"], str(layout.bin / "docker"), env, provisioned=False, offline=True,
                flavour="modern")
    try:
        save = subprocess.Popen([engine.cli, "save", "busybox:1.36"], env=engine.full_env, stdout=subprocess.PIPE)
        subprocess.run([e2.cli, "load", "-q"], env=e2.full_env, stdin=save.stdout, check=True, capture_output=True,
                       timeout=300)
        save.wait(timeout=60)
        yield layout, e2
    finally:
        provision.stop_daemon(layout)
        _kill_leftovers(layout)
        _unmount_below(home)
        shutil.rmtree(home, ignore_errors=True)


def _unmount_below(home: Path) -> None:
    """A daemon killed with SIGKILL leaves its data-root mounted: unmount what is below home, deepest first."""
    with open("/proc/self/mounts", encoding="utf-8") as f:
        points = [ln.split()[1] for ln in f if ln.split()[1].startswith(str(home) + "/")]
    for point in sorted(points, key=len, reverse=True):
        subprocess.run(["umount", point], capture_output=True, check=False)


def _env(e2: Engine, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DOCKER_HOST": e2.docker_host, "DOCKER_CONFIG": e2.env["DOCKER_CONFIG"],
           "PATH": e2.env["PATH"], "COLUMNS": "200"}
    env.pop("CI", None)
    env.update(extra)
    return env


def _rows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "gradebook.csv").open() as f:
        return {r["student"]: r for r in csv.DictReader(f)}


def _class(root: Path, n: int, sleep: int) -> Path:
    root.mkdir(parents=True)
    for i in range(n):
        (root / f"s{i}").mkdir()
        # a distinct RUN per student: a comment alone would let the build cache skip the sleep
        (root / f"s{i}" / "Dockerfile").write_text(tiny_variant(f"e2-{i}", f"RUN echo e2-{i} && sleep {sleep}"))
    return root


def test_docker_host_selects_the_engine_and_a_killed_engine_loses_nothing(
        engine2: tuple[provision.Layout, Engine], engine: Engine, tmp_path: Path) -> None:
    layout, e2 = engine2
    base = _class(tmp_path / "class", 5, 3)
    out = tmp_path / "out"
    key = Store(out).key
    cache_before = cache_record_ids(e2)
    assert cache_before is not None
    args = [STAGEWISE, "--offline", "grade", str(base), "--exercise", str(TINY), "--out", str(out), "--jobs", "1",
            "--timeout", "60", "--no-reference"]
    proc = subprocess.Popen(args, env=_env(e2), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    state = out / ".state" / "students"
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and len(list(state.glob("*.json"))) < 2:
        assert count_labelled(engine, GRADE_LABEL, key) == (0, 0)  # nothing on the main engine
        time.sleep(0.3)
    # kill the engine in the middle of the third student's build
    time.sleep(1.5)
    pid = provision.daemon_pid(layout)
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    _stdout, stderr = proc.communicate(timeout=180)
    assert proc.returncode == 3, stderr[-3000:]
    assert "engine stopped answering" in stderr
    rows = _rows(out)
    graded = sorted(n for n, r in rows.items() if r["status"] == "passed")
    pending = sorted(n for n, r in rows.items() if r["status"] == "pending")
    assert len(graded) >= 2 and len(graded) + len(pending) == 5, rows
    assert sorted(p.stem for p in state.glob("*.json")) == graded  # only finished results were committed
    # bring the engine back and finish the run
    provision.stop_daemon(layout)
    _kill_leftovers(layout)
    provision.start_daemon(layout)
    # the killed run had no chance to prune: its build-cache records prove the builds ran on the second engine
    left = cache_record_ids(e2)
    assert left is not None and left - cache_before, "the killed run built nothing on the second engine"
    rerun = subprocess.run(args, env=_env(e2), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    assert f"graded {len(pending)}, unchanged {len(graded)}" in rerun.stderr
    assert all(r["status"] == "passed" for r in _rows(out).values())
    assert count_labelled(e2, GRADE_LABEL, key) == (0, 0)  # the killed run's leftovers too
    after = cache_record_ids(e2)
    assert after is not None and after <= cache_before, "the run's build-cache records were pruned"


def test_a_buildx_builder_by_name(engine2: tuple[provision.Layout, Engine], tmp_path: Path) -> None:
    """`--builder NAME` reaches buildx (BUILDX_BUILDER) for every build of the run. A builder of another kind
    (docker-container, remote, kubernetes) needs a BuildKit image or daemon this offline machine does not have:
    here the default builder is named explicitly, and a context's docker-driver builder is refused with why."""
    layout, e2 = engine2
    if provision.daemon_pid(layout) is None:
        provision.stop_daemon(layout)
        provision.start_daemon(layout)
    config = tmp_path / "docker-config"
    config.mkdir()
    (config / "cli-plugins").symlink_to(Path(e2.env["DOCKER_CONFIG"]) / "cli-plugins")
    env = _env(e2, DOCKER_CONFIG=str(config))
    base = _class(tmp_path / "class", 1, 0)
    out = tmp_path / "out"
    proc = subprocess.run([STAGEWISE, "--offline", "grade", str(base), "--exercise", str(TINY), "--out", str(out),
                           "--builder", "default", "--no-reference"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert _rows(out)["s0"]["status"] == "passed"
    assert list(config.glob("buildx/activity/default"))  # buildx itself recorded the builder's use
    subprocess.run([e2.cli, "context", "create", "second-engine", "--docker", f"host={e2.docker_host}"], env=env,
                   check=True, capture_output=True)
    for name, why in (("second-engine", "docker driver of the Docker context"),
                      ("no-such-builder", "no buildx builder named 'no-such-builder'")):
        bad = subprocess.run([STAGEWISE, "--offline", "grade", str(base), "--exercise", str(TINY), "--out",
                              str(out), "--builder", name], env=env, capture_output=True, text=True, timeout=120)
        assert bad.returncode == 2 and why in bad.stderr, bad.stderr
