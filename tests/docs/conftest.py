"""Fixtures of the docs-site tests: the site built once per session (generator, then `mkdocs build
--strict`), served on a loopback port, and Debian's Chromium.

With CI=true a missing Chromium or a missing docs toolchain FAILS these tests, it never skips them."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from checker.engine import ci_mode

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"


def missing(what: str) -> None:
    if ci_mode():
        pytest.fail(f"CI=true and {what}", pytrace=False)
    pytest.skip(what)


@dataclass
class SiteBuild:
    site: Path
    returncode: int
    output: str

    def require(self) -> Path:
        if self.returncode != 0:
            pytest.fail(f"mkdocs build --strict failed (exit {self.returncode}):\n{self.output[-6000:]}",
                        pytrace=False)
        return self.site


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_MKDOCS_2_WARNING"] = "1"  # the theme's end-of-life banner
    return env


@pytest.fixture(scope="session")
def site_build(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """`python -m checker.docs_site`, then `mkdocs build --strict` into a temporary folder."""
    for module in ("mkdocs", "material", "mkdocs_jupyter"):
        try:
            __import__(module)
        except ImportError:
            missing(f"{module} is not installed (the `docs` extra)")
    site = tmp_path_factory.mktemp("site")
    out = []
    for cmd in ([sys.executable, "-m", "checker.docs_site"],
                [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(REPO / "mkdocs.yml"),
                 "-d", str(site)]):
        proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600, check=False)
        out.append(f"$ {' '.join(cmd[1:])}\n{proc.stdout}{proc.stderr}")
        if proc.returncode != 0:
            return SiteBuild(site, proc.returncode, "\n".join(out))
    return SiteBuild(site, 0, "\n".join(out))


@pytest.fixture(scope="session")
def site(site_build: SiteBuild) -> Path:
    return site_build.require()


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="session")
def site_url(site: Path) -> Iterator[str]:
    """The built site served by http.server on 127.0.0.1, a free port, in a thread."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's chromium (`apt-get install chromium`): Playwright's own browser download does not work here."""
    if not CHROMIUM.is_file():
        missing(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing("playwright (Python) is not installed (the `docs` extra)")
    return CHROMIUM


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def lesson_with_chart(repo: Path = REPO) -> str | None:
    """The stem of the first lesson whose saved outputs hold an image."""
    for nb in sorted((repo / "lessons").glob("*.ipynb")):
        text = nb.read_text(encoding="utf-8")
        if '"image/png"' in text or '"image/svg+xml"' in text:
            return nb.stem
    return None

