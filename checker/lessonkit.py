"""The small helper API the lessons use: the same build, inspect and run code the checker uses.

    from checker import lessonkit as lk
    lk.show("node/Dockerfile")
    img = lk.build("node", tag="lesson1/node:single")
    img.size_mb, img.seconds, lk.toolchains(img.tag)

Every helper returns plain values so a notebook cell can end in an assertion of what it teaches.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.build import BuildResult, Step
from checker.build import build as _build
from checker.dynamic.toolchains import ToolchainHit, find_toolchains
from checker.engine import Engine, engine_up
from checker.inspect import ImageFacts, image_facts
from checker.run import CommandAnswer, HttpAnswer, run_command, run_http

LESSON_LABEL = {"io.stagewise.lesson": "true"}
_engine: Engine | None = None


def engine() -> Engine:
    global _engine
    if _engine is None:
        _engine = engine_up(lambda _msg: None)
    return _engine


@dataclass
class Built:
    tag: str
    ok: bool
    seconds: float
    size_mb: float
    steps: list[Step] = field(default_factory=list)
    error: str | None = None

    @property
    def cached_steps(self) -> list[str]:
        return [s.instruction for s in self.steps if s.cached]

    @property
    def rerun_steps(self) -> list[str]:
        return [s.instruction for s in self.steps if not s.cached]

    def step(self, pattern: str) -> Step:
        rx = re.compile(pattern)
        for s in self.steps:
            if rx.search(s.instruction):
                return s
        raise LookupError(f"no step matches {pattern!r}: {[s.instruction for s in self.steps]}")


def _result_to_built(result: BuildResult, tag: str) -> Built:
    size = engine().client.images.get(tag).attrs["Size"] / 1e6 if result.ok else 0.0
    return Built(tag, result.ok, round(result.seconds, 2), round(size, 1), result.steps, result.error)


def build(context: str | Path, *, dockerfile: str = "Dockerfile", tag: str, target: str | None = None,
          builder: str = "buildkit", no_cache: bool = False, check: bool = True) -> Built:
    """Build for real (no network). With check=True a failed build raises with BuildKit's error."""
    ctx = Path(context)
    result = _build(engine(), ctx, dockerfile=ctx / dockerfile, tag=tag, target=target, builder=builder,
                    no_cache=no_cache, labels=LESSON_LABEL)
    if check and not result.ok:
        raise RuntimeError(f"build of {ctx / dockerfile} failed: {result.error}")
    return _result_to_built(result, tag)


def build_fails(context: str | Path, *, dockerfile: str = "Dockerfile", tag: str = "lesson/expected-failure",
                target: str | None = None, builder: str = "buildkit") -> str:
    """Build something that must fail, and return the builder's error message (what a learner sees)."""
    ctx = Path(context)
    result = _build(engine(), ctx, dockerfile=ctx / dockerfile, tag=tag, target=target, builder=builder,
                    labels=LESSON_LABEL)
    if result.ok:
        raise AssertionError(f"{ctx / dockerfile} was expected to fail but built")
    return result.error or "failed"


def size_mb(tag: str) -> float:
    return round(engine().client.images.get(tag).attrs["Size"] / 1e6, 1)


def facts(tag: str) -> ImageFacts:
    return image_facts(engine(), tag)


def layer_count(tag: str) -> int:
    return len(engine().client.images.get(tag).attrs["RootFS"]["Layers"])


def history(tag: str) -> list[tuple[str, float]]:
    """(instruction, MB) per history entry, oldest first, as `docker history` shows them reversed."""
    rows = []
    for h in reversed(engine().client.images.get(tag).history()):
        rows.append((str(h.get("CreatedBy", ""))[:90], round(int(h.get("Size", 0)) / 1e6, 2)))
    return rows


def files(tag: str, pattern: str = ".*") -> list[str]:
    rx = re.compile(pattern)
    return sorted(p for p in image_facts(engine(), tag).files() if rx.search(p))


def has_file(tag: str, path: str) -> bool:
    return path in image_facts(engine(), tag).files()


def toolchains(tag: str) -> list[ToolchainHit]:
    merged = {p: e for p, (e, _layer) in image_facts(engine(), tag).files().items()}
    return find_toolchains(merged)


def shells(tag: str) -> list[str]:
    names = {"sh", "bash", "ash", "dash", "zsh", "busybox"}
    return sorted(p for p in image_facts(engine(), tag).files() if p.rsplit("/", 1)[-1] in names
                  and "/bin/" in p)


def executables(tag: str) -> int:
    return sum(1 for e, _l in image_facts(engine(), tag).files().values() if e.executable
               or (e.kind == "symlink" and "/bin/" in e.path))


def packages(tag: str) -> dict[str, int]:
    """Installed OS packages by database: dpkg (Debian) status files, apk, distroless status.d."""
    fs = image_facts(engine(), tag).files()
    counts = {"dpkg": 0, "apk": 0}
    counts["dpkg"] = sum(1 for p in fs if p.startswith("/var/lib/dpkg/info/") and p.endswith(".list"))
    counts["dpkg"] += sum(1 for p in fs if p.startswith("/var/lib/dpkg/status.d/") and not p.endswith(".md5sums"))
    return counts


def config(tag: str) -> dict[str, Any]:
    f = image_facts(engine(), tag, with_files=False)
    return {"User": f.user or "(root)", "Entrypoint": f.entrypoint, "Cmd": f.cmd, "Healthcheck": f.healthcheck,
            "ExposedPorts": f.exposed_ports, "WorkingDir": f.workdir}


def run_and_request(tag: str, *, path: str = "/", port_env: str = "PORT", host_env: str | None = None,
                    env: dict[str, str] | None = None, wait_healthy: bool = False, timeout: float = 30) -> HttpAnswer:
    """Run on the host network with a free loopback port in `port_env`, and request `path`."""
    return run_http(engine(), tag, path=path, port_env=port_env, host_env=host_env, env=env,
                    wait_healthy=wait_healthy, timeout=timeout, labels=LESSON_LABEL)


def run(tag: str, *args: str, entrypoint: list[str] | None = None) -> CommandAnswer:
    return run_command(engine(), tag, list(args), entrypoint=entrypoint, labels=LESSON_LABEL)


@dataclass
class Rebuild:
    seconds: float
    cached: list[str]
    rerun: list[str]

    def was_cached(self, pattern: str) -> bool:
        return any(re.search(pattern, s) for s in self.cached)


def rebuild_after_edit(context: str | Path, edit: str, *, dockerfile: str = "Dockerfile",
                       tag: str = "lesson/rebuild") -> Rebuild:
    """Build once, append a line to one file (in a scratch copy), build again and time it."""
    with tempfile.TemporaryDirectory(prefix="stagewise-lesson-") as tmp:
        ctx = Path(tmp) / "ctx"
        shutil.copytree(context, ctx)
        build(ctx, dockerfile=dockerfile, tag=tag)
        with (ctx / edit).open("a") as f:
            f.write(f"\n// edited {time.time()}\n" if not edit.endswith((".json", ".xml")) else "\n")
        again = build(ctx, dockerfile=dockerfile, tag=tag)
    return Rebuild(again.seconds, again.cached_steps, again.rerun_steps)


def show(path: str | Path, *, language: str | None = None) -> Any:
    """Display a file of the lesson as a code block (the reader can open the same file)."""
    from IPython.display import Markdown

    p = Path(path)
    lang = language or ("dockerfile" if "Dockerfile" in p.name else p.suffix.lstrip(".") or "text")
    return Markdown(f"`{p}`\n\n```{lang}\n{p.read_text().rstrip()}\n```")


def table(rows: list[dict[str, Any]]) -> Any:
    from IPython.display import Markdown

    if not rows:
        return Markdown("(no rows)")
    cols = list(rows[0])
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in cols) + " |" for r in rows]
    return Markdown("\n".join(lines))


def bar_chart(values: dict[str, float], *, title: str, unit: str = "MB") -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 0.5 + 0.45 * len(values)))
    names = list(values)
    ax.barh(names, [values[n] for n in names], color=["#c0392b" if "single" in n else "#2e86c1" for n in names])
    ax.invert_yaxis()
    ax.set_xlabel(unit)
    ax.set_title(title)
    for i, n in enumerate(names):
        ax.text(values[n], i, f" {values[n]:.0f}", va="center")
    fig.tight_layout()
    return fig


def substitute_of(tag: str) -> str | None:
    """The upstream image a local base image stands in for, when it is an offline substitute."""
    labels = engine().client.images.get(tag).attrs["Config"].get("Labels") or {}
    if labels.get("io.stagewise.substitute") == "true":
        return str(labels.get("io.stagewise.upstream"))
    return None


def cleanup(prefix: str) -> int:
    """Remove the images a lesson tagged (their tags start with prefix)."""
    removed = 0
    for image in engine().client.images.list(filters={"label": "io.stagewise.lesson=true"}):
        for t in image.tags:
            if t.startswith(prefix):
                engine().docker("rmi", "-f", t, check=False)
                removed += 1
    return removed
