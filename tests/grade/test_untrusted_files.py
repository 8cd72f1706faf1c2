"""What the grader decides from a file's text alone, before anything reaches the engine: the refusals, the
frontend directive in each of BuildKit's spellings, the encoding of a file that is not UTF-8; and the bounded
pieces (the build log's tail, the disk count). No engine: these never build."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from checker.build import LOG_TAIL_BYTES, LogTail, syntax_directive, untrusted_refusal, without_syntax_directive
from checker.grade.sandbox import ResourceLimits, _du
from checker.grade.workspace import encoding_problem

BASE = "FROM busybox:1.36\nRUN echo hi\n"


@pytest.mark.parametrize(("text", "words"), [
    ("FROM busybox:1.36\nRUN --network=host echo hi\n", "line 2 `RUN --network=host`: grading builds have no network"),
    ("FROM busybox:1.36\nRUN --security=insecure id\n", "`RUN --security=insecure`: a step outside"),
    ("FROM busybox:1.36\nRUN --device=/dev/fuse id\n", "line 2 `RUN --device`: grading builds get no host device"),
    ("FROM busybox:1.36\nADD https://files.example.invalid/a.tgz /a\n", "a.tgz`: grading builds have no network"),
    ("FROM busybox:1.36\nADD git@git.example.invalid:r.git /r\n", "line 2 `ADD git@git.example.invalid:r.git`"),
    ("FROM busybox:1.36\nONBUILD ADD https://files.example.invalid/a /a\n", "line 2 `ADD https://files.example.invalid/a`"),
    ("FROM busybox:1.36\nONBUILD RUN --network=host true\n", "line 2 `RUN --network=host`"),
    ("//syntax=docker/dockerfile:1\n" + BASE, "line 1 `//syntax=docker/dockerfile:1`: BuildKit would fetch"),
    ('{"syntax": "docker/dockerfile:1"}', "line 1 `{\"syntax\": \"docker/dockerfile:1\"}`: BuildKit would fetch"),
    # a file our parser refuses still gets the raw scan
    ("FROM busybox:1.36\nRUN --network=host true\nCOPY --bogus=1 a b\n", "line 2 `RUN --network=host`"),
])
def test_refused_before_building(text: str, words: str) -> None:
    refusal = untrusted_refusal(text)
    assert refusal is not None and refusal.startswith("refused before building: ") and words in refusal, refusal


@pytest.mark.parametrize("text", [
    BASE,
    "FROM busybox:1.36\nRUN --network=none echo hi\n",
    "FROM busybox:1.36\nRUN --mount=type=bind,source=/,target=/ctx ls /ctx\n",  # the context's root: contained
    "FROM busybox:1.36\nRUN --security=sandbox true\n",
    "# syntax=docker/dockerfile:1\n" + BASE,  # blanked in a copy, not refused
    "FROM busybox:1.36\nCOPY https.txt /x\nRUN echo https://files.example.invalid\n",
])
def test_not_refused(text: str) -> None:
    assert untrusted_refusal(text) is None


def test_many_problems_make_a_bounded_refusal() -> None:
    text = "FROM busybox:1.36\n" + "RUN --network=host true\n" * 10_000
    refusal = untrusted_refusal(text)
    assert refusal is not None and "and 9995 more" in refusal and len(refusal) < 2_000


@pytest.mark.parametrize(("text", "found"), [
    ("# syntax=docker/dockerfile:1\n" + BASE, (1, "#", "docker/dockerfile:1")),
    ("#!/bin/sh\n# syntax = docker/dockerfile:1\n" + BASE, (2, "#", "docker/dockerfile:1")),
    ("# escape=`\n#syntax=x\n" + BASE, (2, "#", "x")),
    ("//syntax=foo\n" + BASE, (1, "//", "foo")),
    ("#!/bin/sh\n//syntax=x\n" + BASE, (2, "//", "x")),
    ('{"syntax": "foo"}', (1, "json", "foo")),
    ("#!/bin/sh\n\n# syntax=x\n" + BASE, None),  # a blank line ends the directives
    ("FROM busybox\n# syntax=x\n", None),
    ('{"syntax": "foo"', None),
])
def test_the_frontend_directive_in_every_spelling_buildkit_reads(text: str, found: tuple[int, str, str] | None
                                                                 ) -> None:
    assert syntax_directive(text) == found


def test_a_syntax_line_after_a_shebang_is_blanked_and_lines_keep_their_numbers() -> None:
    text = "#!/bin/sh\n# syntax=docker/dockerfile:1\n# escape=\\\n" + BASE
    out = without_syntax_directive(text)
    assert syntax_directive(out) is None
    assert out.count("\n") == text.count("\n") and out.startswith("#!/bin/sh\n# escape=\\\n")


@pytest.mark.parametrize(("data", "words"), [
    ("FROM busybox\n".encode("utf-16"), "saved as UTF-16"),
    (bytes(range(256)) * 4, "binary data"),
    ("FROM busybox\n# déjà\n".encode("latin-1"), "byte 0xe9 on line 2, column 4"),
    ("FROM busybox\nRUN echo ‘x’\n".encode("cp1252"), "byte 0x91 on line 2, column 10"),
])
def test_an_encoding_problem_is_named(data: bytes, words: str) -> None:
    with pytest.raises(UnicodeDecodeError) as exc:
        data.decode("utf-8-sig")
    assert words in encoding_problem(data, exc.value)


def test_the_build_log_is_a_bounded_tail() -> None:
    tail = LogTail()
    line = "0123456789abcdef" * 4
    for i in range(200_000):  # 13 MB of log
        tail.append(f"{i} {line}")
    tail.append("x" * 100_000)  # one endless line
    text = tail.text()
    assert len(text) <= LOG_TAIL_BYTES + 10_000
    assert text.endswith(" [line cut]") and "199999 " in text
    cut = tail.cut()
    assert cut is not None and re.fullmatch(r"only its last 1\.0 MiB of 13\.\d MiB were kept", cut), cut


def test_buildkit_clipping_is_reported() -> None:
    tail = LogTail()
    tail.append("[output clipped, log limit 2MiB reached]")
    assert tail.cut() == "BuildKit clipped a step's output at its log limit"
    assert LogTail().cut() is None


def test_du_counts_what_is_written_once(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 3_000_000)
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "b").write_bytes(b"y" * 1_000_000)
    (tmp_path / "link").hardlink_to(tmp_path / "a")
    (tmp_path / "sym").symlink_to("/")  # never followed
    assert 3_900_000 <= _du(tmp_path) <= 4_200_000


def test_the_disk_figure_follows_the_memory_figure() -> None:
    limits = ResourceLimits(memory_bytes=128 * 1024**2, pids=512, disk_bytes=200 * 1024**2)
    assert limits.describe() == "128 MiB, 512 processes"
    assert limits.describe_disk() == "200 MiB of disk per build"
    assert ResourceLimits().describe_disk() == "4 GiB of disk per build"
    assert ResourceLimits(disk_bytes=int(1.5 * 1024**3)).describe_disk() == "1.5 GiB of disk per build"
