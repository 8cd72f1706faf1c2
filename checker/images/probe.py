"""The smoke run's HTTP probe: the kit image `stagewise/probe` (static BusyBox on scratch, see
checker/images/recipes/probe.py), what it runs, and how its answer is read.

The probe joins the network namespace of the image under test and sends one HTTP/1.0 request with
`busybox nc`, again every 0.05 s while the port refuses (its /tmp is a small tmpfs, for the request's FIFO);
it prints the raw answer (at most `MAX_BYTES`, the rest is read and dropped) and exits 0. It has no timeout
of its own: the checker stops it at its deadline (BusyBox's `wget -T` crashed with some builds, and the
checker's clock is the one that counts).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from checker.engine import Engine
from checker.images.recipes.probe import TAG

IMAGE = TAG
MAX_BYTES = 1_000_000

# $PROBE_PATH and $PROBE_PORT come from the environment, never from the script text. The request reaches nc
# through a FIFO whose writer stays open until the answer is in: nc would half-close the connection at the end
# of its input, and Node's HTTP server then closes it before an async handler answers (seen: an empty answer).
SCRIPT = (
    "set -o pipefail\n"
    "/busybox mkfifo /tmp/request || exit 2\n"
    "while :; do\n"
    "  { printf 'GET %s HTTP/1.0\\r\\nHost: 127.0.0.1:%s\\r\\nUser-Agent: stagewise-probe\\r\\n"
    "Connection: close\\r\\n\\r\\n' \"$PROBE_PATH\" \"$PROBE_PORT\"; exec /busybox sleep 3600; } > /tmp/request &\n"
    "  writer=$!\n"
    "  /busybox nc 127.0.0.1 \"$PROBE_PORT\" < /tmp/request \\\n"
    "    | { /busybox head -c \"$PROBE_MAX\"; /busybox cat >/dev/null; }\n"
    "  status=$?\n"
    "  kill $writer 2>/dev/null; wait $writer 2>/dev/null\n"
    "  [ $status = 0 ] && exit 0\n"
    "  /busybox usleep 50000\n"
    "done\n"
)


def command() -> list[str]:
    return ["sh", "-c", SCRIPT]


def environment(port: int, path: str) -> dict[str, str]:
    return {"PROBE_PORT": str(port), "PROBE_PATH": path, "PROBE_MAX": str(MAX_BYTES)}


@dataclass(frozen=True)
class Response:
    status: int | None  # None: no HTTP status line
    body: str
    raw_head: str  # the first line as received (for a message when it is not HTTP)


_STATUS = re.compile(rb"^HTTP/\d(?:\.\d)?\s+(\d{3})")


def parse(raw: bytes) -> Response:
    """An HTTP/1.x answer as the probe printed it: status line, headers, blank line, body."""
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    first = head.split(b"\n", 1)[0].strip()
    m = _STATUS.match(first)
    return Response(int(m.group(1)) if m else None, body.decode("utf-8", "replace") if sep else "",
                    first.decode("utf-8", "replace")[:200])


_ready: set[str] = set()
_lock = threading.Lock()


def ensure(engine: Engine) -> str:
    """The probe image's tag, prepared (built from the kit when missing or stale) once per engine and process.
    Raises checker.images.MissingImageError when it cannot be built."""
    with _lock:
        if engine.docker_host in _ready:
            return IMAGE
        from checker.images.pipeline import require

        require(engine, [IMAGE], log=lambda _msg: None)
        _ready.add(engine.docker_host)
    return IMAGE
