"""The golden files' normaliser (pure) and comparison: what varies between runs is replaced, the wording is not."""

from __future__ import annotations

from pathlib import Path

import pytest

from .golden import UPDATE_ENV, compare, normalise

FRAMED = """\
╭─ stagewise check ──────────────────────────────────────────╮
│ exercises/go-scratch/wrong/x.Dockerfile  exercise go-scratch  built with buildkit on Docker 27.3.1 │
│                                                            │
│ Build: PASS                                                │
│   ✔ SW050 The image builds (buildkit, 53.1 s).             │
╰────────────────────────────────────────────────────────────╯
"""


def test_frame_and_padding_go_and_the_engine_version_is_a_placeholder() -> None:
    assert normalise(FRAMED) == (
        "exercises/go-scratch/wrong/x.Dockerfile  exercise go-scratch  built with buildkit on Docker <version>\n"
        "\n"
        "Build: PASS\n"
        "  ✔ SW050 The image builds (buildkit, <time>).\n"
    )


def test_a_wider_panel_gives_the_same_text() -> None:
    wide = "\n".join(line[:-1] + "        " + line[-1] if line.startswith("│") else line
                     for line in FRAMED.splitlines())
    assert normalise(wide) == normalise(FRAMED)


@pytest.mark.parametrize(("raw", "want"), [
    ("GET / answered 200 in 5.7 s, healthcheck healthy.", "GET / answered 200 in <time>, healthcheck healthy."),
    ("reused (0.42 s probe)", "reused (<time> probe)"),
    ("took 120.0ms", "took <time>"),
    ("The image is 6.4 MB, within the budget of 20 MB.", "The image is <size>, within the budget of <size>."),
    ("image 1.58 GB", "image <size>"),
    ("sent 2.5kB of 1 MB", "sent <size> of <size>"),
    ('checksum of ref 9fc06100-f5c7-4769-8237-44711964e8d2::z2vaekwrg10h2g8fwzadl57tp: "/out/server": not found',
     'checksum of ref <ref>: "/out/server": not found'),
    ("image sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef gone",
     "image sha256:<digest> gone"),
    ("container 3f2a9c1b7d4e exited", "container <id> exited"),
    ("at 2026-12-02T13:33:44.123Z, then 13:34:01", "at <timestamp>, then <clock>"),
    ("2026/12/02 14:10:30 [emerg] 1#1: bind() to 0.0.0.0:80 failed", "<timestamp> [emerg] 1#1: bind() to 0.0.0.0:80 failed"),
    ('127.0.0.1 - - [02/Dec/2026:14:10:30 +0000] "GET / HTTP/1.1" 200', '127.0.0.1 - - [<timestamp>] "GET / HTTP/1.1" 200'),
    ("[notice] 1#1: start worker process 31", "[notice] 1#1: start worker process <pid>"),
    ("[notice] 1#1: OS: Linux 6.18.44-fc-v1045", "[notice] 1#1: OS: Linux <kernel>"),
    ("[notice] 1#1: getrlimit(RLIMIT_NOFILE): 20000:20000", "[notice] 1#1: getrlimit(RLIMIT_NOFILE): <limit>"),
    ("GET http://127.0.0.1:41234/healthz", "GET http://127.0.0.1:<port>/healthz"),
    ("started with PORT=39811", "started with PORT=<port>"),
])
def test_what_varies_is_replaced(raw: str, want: str) -> None:
    assert normalise(raw) == want + "\n"


@pytest.mark.parametrize("fixed", [
    "HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3",  # a Dockerfile's own times
    "`docker stop` waits 10 s and kills the server",  # wording, not a measurement
    "Line 12: `FROM scratch`",
    "NOT PASSED YET  score 79/81",
    "USER 65532:65532",  # a uid is not a port
    "EXPOSE 8080 matches the port the app listens on (`PORT=8080`, line 15)",
    "`golang:1.23-alpine` and `nginx:1.25-alpine`, Node 22, go1.23.4",
    "lessons/07-beyond-the-basics/#ca-certificates-and-time-zones-on-scratch",
    "add `cafebabe` and deadbeefcafe",  # hex-looking words without a digit are words
    "`load .dockerignore` shows `transferring context: 2B`",  # a quoted message, not this run's size
])
def test_wording_is_kept(fixed: str) -> None:
    assert normalise(fixed) == fixed + "\n"


def test_paths_the_caller_knows_and_temporary_folders() -> None:
    raw = ("copied /work/repo/exercises/a and /tmp/pytest-of-x/pytest-3/test_y0/context/src, "
           "then `/tmp/stagewise-k2j3h4/Dockerfile`")
    out = normalise(raw, paths={"/work/repo": "<repo>", "/tmp/pytest-of-x/pytest-3/test_y0/context": "<context>"})
    assert out == "copied <repo>/exercises/a and <context>/src, then `<tmp>/Dockerfile`\n"


def test_normalising_twice_changes_nothing() -> None:
    once = normalise(FRAMED + "took 5.7 s at 127.0.0.1:41234, 6.4 MB, sha256:abcdef012345\n")
    assert normalise(once) == once


def test_a_missing_golden_file_fails_and_says_how_to_make_it(tmp_path: Path) -> None:
    why = compare(tmp_path / "ex" / "entry.txt", "text\n", update=False)
    assert why is not None and f"{UPDATE_ENV}=1" in why and "entry.txt" in why
    assert not (tmp_path / "ex" / "entry.txt").exists()


def test_update_writes_then_compare_passes_and_a_change_is_a_diff(tmp_path: Path) -> None:
    golden = tmp_path / "ex" / "entry.txt"
    assert compare(golden, "line one\nline two\n", update=True) is None
    assert golden.read_text() == "line one\nline two\n"
    assert compare(golden, "line one\nline two\n", update=False) is None
    why = compare(golden, "line one\nline 2\n", update=False)
    assert why is not None and "-line two" in why and "+line 2" in why and f"{UPDATE_ENV}=1" in why


def test_the_update_variable_is_read_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(UPDATE_ENV, "1")
    assert compare(tmp_path / "new.txt", "x\n") is None and (tmp_path / "new.txt").read_text() == "x\n"
    monkeypatch.setenv(UPDATE_ENV, "0")
    assert compare(tmp_path / "other.txt", "x\n") is not None
