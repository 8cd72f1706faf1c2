"""The smoke run in a network namespace of its own (#15), on the real engine: the image runs with no network and
its own defaults, hardened, and the probe image asks it from inside its namespace.

Every address here is a loopback one: the test's own server listens on the host's 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from checker.check import CheckOptions, Target, check
from checker.engine import Engine
from checker.images import kit, recipe_hash
from checker.images import probe as probe_image
from checker.report import Status
from checker.run import PLATFORM_PORT, run_http
from checker.spec import Spec

BUSYBOX = "busybox:latest"
# serve /tmp/w on $PORT (8080 when nothing sets it): /tmp is the writable tmpfs of a read-only root
SERVE = 'mkdir -p /tmp/w && echo "{body}" > /tmp/w/index.html && exec httpd -f -p "${{PORT:-8080}}" -h /tmp/w'


@dataclass
class LoopbackServer:
    port: int
    connections: list[tuple[str, int]] = field(default_factory=list)


@pytest.fixture
def loopback_server() -> Iterator[LoopbackServer]:
    """A TCP server on the host's 127.0.0.1 (a random port) that records every connection it accepts."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    sock.settimeout(0.2)
    server = LoopbackServer(int(sock.getsockname()[1]))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, peer = sock.accept()
            except (TimeoutError, OSError):
                continue
            server.connections.append(peer)
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        stop.set()
        thread.join(timeout=5)
        sock.close()


def _reach_then_serve(port: int) -> list[str]:
    """Try the host's loopback server ten times (REACHED when a connection is made), then serve a page."""
    tries = (f'for i in 1 2 3 4 5 6 7 8 9 10; do nc 127.0.0.1 {port} </dev/null && echo REACHED; '
             'usleep 100000; done; echo tried;')
    return ["sh", "-c", tries + " " + SERVE.format(body="isolated")]


def test_the_image_cannot_reach_a_server_on_the_hosts_loopback(engine: Engine,
                                                                loopback_server: LoopbackServer) -> None:
    answer = run_http(engine, BUSYBOX, command=_reach_then_serve(loopback_server.port), timeout=30)
    assert answer.ok, (answer.error, answer.container_logs)
    assert answer.network == "isolated" and answer.status == 200 and "isolated" in answer.body
    assert "tried" in answer.container_logs and "REACHED" not in answer.container_logs, answer.container_logs
    assert loopback_server.connections == []
    # The same image on the host path (--smoke-network host) does reach it: the test above can fail.
    host = run_http(engine, BUSYBOX, command=_reach_then_serve(loopback_server.port), timeout=30, network="host")
    assert host.ok and host.network == "host", (host.error, host.container_logs)
    assert "REACHED" in host.container_logs and loopback_server.connections


def test_the_probe_asks_the_app_in_its_namespace_and_reports_status_codes(engine: Engine) -> None:
    serve = ["sh", "-c", SERVE.format(body="from inside")]
    ok = run_http(engine, BUSYBOX, command=serve, timeout=20)
    assert ok.ok and ok.status == 200 and ok.body.strip() == "from inside", (ok.error, ok.container_logs)
    assert ok.port == 8080 and ok.read_only and ok.read_only_refused is None
    missing = run_http(engine, BUSYBOX, path="/no-such-page", command=serve, timeout=20)
    assert missing.ok and missing.status == 404, (missing.error, missing.container_logs)
    # nothing listens: the checker's own deadline stops the probe, and says what it saw
    silent = run_http(engine, BUSYBOX, command=["sleep", "60"], timeout=3)
    assert not silent.ok and silent.status is None
    assert silent.error and "nothing answered on port 8080 within 3 s" in silent.error
    assert "Connection refused" in silent.error and silent.seconds < 15
    gone = run_http(engine, BUSYBOX, command=["sh", "-c", "echo bye; exit 3"], timeout=20)
    assert not gone.ok and gone.exit_code == 3 and "bye" in gone.container_logs


def test_an_async_handler_answers_the_probe(engine: Engine) -> None:
    """Node's HTTP server closes a half-closed connection before an async handler answers: the probe keeps its
    side open until the answer is in (it once got an empty answer from the node-nginx preview server)."""
    server = ("require('node:http').createServer(async (req, res) => { await new Promise(r => setTimeout(r, 100));"
              " res.writeHead(200).end('answered later'); }).listen(8080, '0.0.0.0');")
    answer = run_http(engine, "node:22-alpine", command=["node", "-e", server], timeout=20)
    assert answer.ok and answer.status == 200 and answer.body == "answered later", (answer.error,
                                                                                    answer.container_logs)


def test_the_app_runs_hardened_with_its_own_defaults(engine: Engine) -> None:
    show = 'grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status; env | sort; '
    answer = run_http(engine, BUSYBOX, command=["sh", "-c", show + SERVE.format(body="hardened")], timeout=20,
                      port_env="PORT", host_env="HOST")
    assert answer.ok, (answer.error, answer.container_logs)
    # CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE 10 and nothing else
    assert "CapBnd:\t00000000000004eb" in answer.container_logs, answer.container_logs
    assert "NoNewPrivs:\t1" in answer.container_logs
    # no host and no port variable from the checker: the image's defaults
    assert "\nPORT=" not in answer.container_logs and "\nHOST=" not in answer.container_logs


def test_the_platform_port_is_the_only_variable_set(engine: Engine) -> None:
    answer = run_http(engine, BUSYBOX, command=["sh", "-c", SERVE.format(body="platform")], timeout=20,
                      platform_port="PORT")
    assert answer.ok and answer.port == PLATFORM_PORT and "platform" in answer.body, answer.error
    assert answer.port_source.startswith(f"PORT={PLATFORM_PORT}")


def test_an_app_that_must_write_its_root_runs_again_writable(engine: Engine) -> None:
    answer = run_http(engine, BUSYBOX, command=["sh", "-c", "touch /marker || exit 1; " + SERVE.format(body="rw")],
                      timeout=20)
    assert answer.ok and "rw" in answer.body, (answer.error, answer.container_logs)
    assert not answer.read_only
    assert answer.read_only_refused and "Read-only file system" in answer.read_only_refused


def test_the_probe_is_a_labelled_kit_image(engine: Engine) -> None:
    tag = probe_image.ensure(engine)
    attrs = engine.client.images.get(tag).attrs
    labels = attrs["Config"]["Labels"]
    assert labels[kit.LABEL_RECIPE] == "probe" and labels[kit.LABEL_HASH] == recipe_hash("probe")
    assert labels[kit.LABEL_DESCRIPTION].startswith(f"STAGEWISE KIT IMAGE {tag}")
    assert attrs["Config"]["Entrypoint"] == ["/busybox"] and attrs["Config"]["User"] == "65534:65534"
    assert len(attrs["RootFS"]["Layers"]) == 1 and attrs["Size"] < 5_000_000


NGINX_TEMPLATE = """server {
    listen       ${NGINX_HOST}:${NGINX_PORT};
    root   /usr/share/nginx/html;
}
"""


def _nginx_target(tmp: Path, env_line: str) -> Target:
    ctx = tmp / f"ctx-{uuid.uuid4().hex[:8]}"
    ctx.mkdir()
    (ctx / "default.conf.template").write_text(NGINX_TEMPLATE)
    (ctx / "index.html").write_text("<h1>templated</h1>\n")
    (ctx / "Dockerfile").write_text(
        "FROM nginx:1.25-alpine\n" + env_line +
        "COPY default.conf.template /etc/nginx/templates/default.conf.template\n"
        "COPY index.html /usr/share/nginx/html/index.html\nEXPOSE 8080\n")
    spec = Spec.model_validate({"id": "nginx-env", "title": "nginx env", "require_non_root": False,
                                "smoke": {"http": {"path": "/", "port_env": "NGINX_PORT", "host_env": "NGINX_HOST",
                                                   "expect_body": "templated"}}})
    return Target(dockerfile=ctx / "Dockerfile", context=ctx, spec=spec)


def test_broken_env_defaults_fail_with_the_containers_own_error_line(engine: Engine, tmp_path: Path) -> None:
    broken = _nginx_target(tmp_path, "ENV NGINX_PORT=8080\n")  # NGINX_HOST never set
    report = check(broken, CheckOptions(reuse=False), engine=engine)
    smoke = next(f for f in report.findings if f.rule == "SW550")
    assert smoke.status == Status.FAIL, smoke
    own_line = 'host not found in "${NGINX_HOST}:8080" of the "listen" directive'
    assert own_line in smoke.message and any(own_line in e for e in smoke.evidence), smoke
    assert smoke.hint and "ENV" in smoke.hint
    # The old host path set NGINX_HOST itself, so it never saw the broken default:
    masked = check(broken, CheckOptions(reuse=False, smoke_network="host"), engine=engine)
    assert next(f for f in masked.findings if f.rule == "SW550").status == Status.PASS
    # With both defaults the image answers in its own namespace (nginx needs a writable root: evidence says so)
    fixed = check(_nginx_target(tmp_path, "ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080\n"), CheckOptions(reuse=False),
                  engine=engine)
    ok = next(f for f in fixed.findings if f.rule == "SW550")
    assert ok.status == Status.PASS, ok
    assert any("ran again with a writable one" in e for e in ok.evidence), ok.evidence
