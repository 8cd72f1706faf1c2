"""Property tests: malformed and random input never crashes the static checker."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.report import Concern, Status
from checker.static import analyze

KEYWORDS = [
    "FROM",
    "RUN",
    "CMD",
    "COPY",
    "ADD",
    "ENV",
    "ARG",
    "USER",
    "WORKDIR",
    "ENTRYPOINT",
    "EXPOSE",
    "HEALTHCHECK",
    "LABEL",
    "SHELL",
    "ONBUILD",
    "VOLUME",
    "STOPSIGNAL",
    "from",
    "copy",
    "BOGUS",
]
IMAGES = [
    "scratch",
    "alpine",
    "alpine:3.20",
    "node:22-alpine",
    "golang:1.23",
    "gcr.io/distroless/static",
    "${BASE}",
    "$X:latest",
    "build",
    "0",
    "nginx:1.27-alpine",
    "eclipse-temurin:21-jre",
    "a b c",
    "",
]
WORDS = [
    "--from=build",
    "--from=0",
    "--from=1",
    "--from=bulid",
    "--from=alpine",
    "--chown=app:app",
    "--link",
    "--mount=type=cache,target=/c",
    "--mount=type=bind,from=build,source=/x",
    "--chmod=755",
    "AS",
    "as",
    "build",
    "runtime",
    ".",
    "./",
    "/",
    "/app",
    "src/",
    "*.jar",
    "package*.json",
    "npm ci",
    "npm run build",
    "go build -o /out/app .",
    "mvn package",
    "&&",
    "||",
    "$VAR",
    "${VAR:-x}",
    "root",
    "0",
    "nobody",
    "app",
    "CMD",
    "NONE",
    '["/app"]',
    '["a",',
    "[]",
    "'x'",
    "\\",
    "<<EOF",
    "EOF",
    "=",
    "A=1",
    "curl",
    "-R",
    "chown",
]

word = st.sampled_from(WORDS) | st.text(alphabet=string.ascii_letters + string.digits + "-_./:$={}[]\"'*", max_size=12)


@st.composite
def instruction(draw: st.DrawFn) -> str:
    kw = draw(st.sampled_from(KEYWORDS))
    if kw.upper() == "FROM":
        parts = [draw(st.sampled_from(IMAGES))]
        if draw(st.booleans()):
            parts += ["AS", draw(st.sampled_from(["build", "runtime", "Build", "deps", "1bad", "x"]))]
        return "FROM " + " ".join(parts)
    return kw + " " + " ".join(draw(st.lists(word, max_size=6)))


@st.composite
def soup(draw: st.DrawFn) -> str:
    lines = draw(st.lists(instruction(), min_size=0, max_size=14))
    if draw(st.booleans()):
        lines.insert(0, "FROM " + draw(st.sampled_from(IMAGES)) + " AS build")
    extras = draw(
        st.lists(
            st.sampled_from(
                [
                    "",
                    "# comment",
                    "# syntax=docker/dockerfile:1",
                    "# escape=`",
                    "RUN <<EOF",
                    "echo hi",
                    "EOF",
                    "  \\",
                    "\r",
                ]
            ),
            max_size=4,
        )
    )
    for e in extras:
        lines.insert(draw(st.integers(0, len(lines))), e)
    sep = draw(st.sampled_from(["\n", "\r\n"]))
    return sep.join(lines) + draw(st.sampled_from(["", "\n", "\\\n"]))


def _check(text: str) -> None:
    findings = analyze(text, strict=True)
    assert findings
    if len(findings) == 1 and findings[0].status is Status.ERROR:
        f = findings[0]
        assert f.rule == "SW001" and f.concern is Concern.BUILD and f.message
    else:
        assert all(f.status is not Status.ERROR for f in findings)


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(soup())
def test_instruction_soup(text: str) -> None:
    _check(text)


@FAST
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _check(data.decode("utf-8", errors="replace"))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "FROM alpine:3.20",
                "RUN <<EOF",
                "COPY <<A /a",
                "echo $X",
                "A",
                "EOF",
                'CMD ["a", "b"',
                'CMD ["x"]',
                "ENTRYPOINT [",
                'HEALTHCHECK CMD ["x"',
                "RUN echo \\",
                "",
            ]
        ),
        max_size=10,
    )
)
def test_heredocs_and_json_arrays(lines: list[str]) -> None:
    _check("\n".join(lines))
