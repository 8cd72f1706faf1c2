"""checker.parse / checker.model: BuildKit syntax, ARG substitution, stage graph, clean parse errors."""

from __future__ import annotations

import pytest

from checker.parse import ParseError, expand, parse


def test_heredoc_mount_link_chmod_and_directives() -> None:
    df = parse(
        "# syntax=docker/dockerfile:1\n"
        "# check=skip=JSONArgsRecommended\n"
        "ARG GO_VERSION=1.23\n"
        "FROM golang:${GO_VERSION} AS Build\n"
        "WORKDIR /src\n"
        "copy --link --chmod=755 go.mod go.sum ./\n"
        "RUN --mount=type=cache,target=/root/.cache/go-build \\\n"
        "    --mount=type=bind,from=deps,source=/x,target=/y \\\n"
        "    go mod download\n"
        "COPY <<EOF /etc/motd\nhello\nEOF\n"
        "RUN <<EOT sh\nset -e\ngo build -o /out/app .\nEOT\n"
        "FROM deps\n"
    )
    assert df.directives == {"syntax": "docker/dockerfile:1", "check": "skip=JSONArgsRecommended"}
    assert df.directive_lines["check"] == 2
    build = df.stages[0]
    assert build.name == "build" and build.name_as_written == "Build"
    assert build.base == "golang:1.23" and build.base_raw == "golang:${GO_VERSION}" and build.base_resolved
    copy = build.instructions[1]
    assert copy.keyword == "COPY" and copy.line == 6
    assert copy.copy is not None and copy.copy.link and copy.copy.chmod == "755"
    assert copy.copy.dest_abs == "/src" and copy.copy.sources == ("go.mod", "go.sum")
    run = build.instructions[2]
    assert run.line == 7 and run.end_line == 9
    assert run.run is not None and [m.type for m in run.run.mounts] == ["cache", "bind"]
    assert run.run.mounts[1].from_ref == "deps"
    heredoc = build.instructions[3]
    assert heredoc.copy is not None and heredoc.copy.heredoc and heredoc.heredocs[0].content == "hello\n"
    run_heredoc = build.instructions[4]
    assert run_heredoc.run is not None and "go build" in run_heredoc.run.script
    mount_ref = next(r for r in df.refs if r.kind == "mount")
    assert mount_ref.problem == "forward" or mount_ref.external or mount_ref.problem == "undefined"


def test_escape_directive_crlf_and_lowercase() -> None:
    df = parse('# escape=`\r\nfrom alpine:3.20 as a\r\nrun echo a `\r\n  b\r\nCMD ["x"]\r\n')
    assert df.directives["escape"] == "`"
    st = df.stages[0]
    assert st.name == "a"
    run = st.instructions[0]
    assert run.keyword == "RUN" and run.line == 3 and run.end_line == 4
    assert run.run is not None and "echo a" in run.run.script and "b" in run.run.script
    cmd = st.instructions[1]
    assert cmd.json and cmd.args == ("x",)


def test_json_and_shell_forms() -> None:
    df = parse('FROM a:1\nCMD [\'a\', \'b\']\nENTRYPOINT ["/app", "--flag"]\nRUN ["sh", "-c", "echo"]\n')
    cmd, ep, run = df.stages[0].instructions
    assert not cmd.json  # single quotes are not JSON: shell form
    assert ep.json and ep.args == ("/app", "--flag")
    assert run.run is not None and not run.run.shell_form


@pytest.mark.parametrize(
    ("word", "scope", "expected", "ok"),
    [
        ("golang:${V}", {"V": "1.23"}, "golang:1.23", True),
        ("golang:$V", {"V": "1.23"}, "golang:1.23", True),
        ("golang:${V:-1.22}", {}, "golang:1.22", True),
        ("golang:${V:-1.22}", {"V": ""}, "golang:1.22", True),
        ("golang:${V-1.22}", {"V": ""}, "golang:", True),
        ("x${V:+-alpine}", {"V": "1"}, "x-alpine", True),
        ("golang:${V}", {"V": None}, "golang:", False),
        ("golang:${NOPE}", {}, "golang:", False),
        ("plain", {}, "plain", True),
    ],
)
def test_expand(word: str, scope: dict[str, str | None], expected: str, ok: bool) -> None:
    assert expand(word, scope) == (expected, ok)


def test_from_arg_defaults_and_stage_bases() -> None:
    df = parse(
        "ARG BASE=eclipse-temurin\nARG JAVA=21\nFROM maven:3.9 AS build\nRUN mvn package\n"
        "FROM ${BASE}:${JAVA}-jre-alpine AS runtime\nCOPY --from=BUILD /t/app.jar /app.jar\n"
        "FROM runtime AS debug\n"
    )
    assert [a.name for a in df.global_args] == ["BASE", "JAVA"]
    assert df.stages[1].base == "eclipse-temurin:21-jre-alpine"
    assert df.stages[2].base_stage == 1
    assert df.root_image(df.stages[2]) == "eclipse-temurin:21-jre-alpine"
    ref = next(r for r in df.refs if r.kind == "copy")
    assert ref.target == 0 and ref.problem is None  # names are case-insensitive
    assert df.reachable(2) == {0, 1, 2}
    assert df.reachable(0) == {0}
    assert df.target_stage("Runtime") is df.stages[1]
    assert df.target_stage("nope") is None


def test_stage_refs_numeric_external_undefined_forward_self() -> None:
    df = parse(
        "FROM golang:1.23 AS build\nRUN go build\n"
        "FROM alpine:3.20 AS runtime\n"
        "COPY --from=0 /a /a\n"
        "COPY --from=bulid /b /b\n"
        "COPY --from=nginx:1.27 /c /c\n"
        "COPY --from=alpine /d /d\n"
        "COPY --from=later /e /e\n"
        "COPY --from=runtime /f /f\n"
        "COPY --from=builder /g /g\n"
        "COPY --from=whatever /h /h\n"
        "COPY --from=7 /i /i\n"
        "FROM scratch AS later\n"
    )
    refs = {r.raw: r for r in df.refs if r.kind == "copy"}
    assert refs["0"].numeric and refs["0"].target == 0 and refs["0"].problem is None
    assert refs["bulid"].problem == "undefined" and refs["bulid"].suggestion == "build"
    assert refs["nginx:1.27"].external and refs["nginx:1.27"].problem is None
    assert refs["alpine"].external and refs["alpine"].problem == "image-like-name"
    assert refs["later"].problem == "forward" and refs["later"].target == 2
    assert refs["runtime"].problem == "self"
    assert refs["builder"].problem == "undefined" and refs["builder"].suggestion == "build"
    assert refs["whatever"].problem == "undefined" and refs["whatever"].suggestion is None
    assert refs["7"].problem == "out-of-range"
    assert [r.raw for r in df.cycles()] == ["runtime"]


def test_workdir_tracking() -> None:
    df = parse("FROM golang:1.23 AS b\nCOPY x .\nWORKDIR app\nWORKDIR sub/../src\nCOPY y ./\nFROM b\nCOPY z .\n")
    b = df.stages[0]
    assert b.instructions[0].copy is not None and b.instructions[0].copy.dest_abs == "/go"  # golang's WORKDIR
    assert b.final_workdir == "/go/app/src"
    assert b.instructions[3].copy is not None and b.instructions[3].copy.dest_abs == "/go/app/src"
    assert df.stages[1].instructions[0].copy is not None
    assert df.stages[1].instructions[0].copy.dest_abs == "/go/app/src"


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("FROM alpine:3.20\nRUNN echo\n", 2, "unknown instruction: RUNN"),
        ("FROM alpine:3.20\nCOPY --frm=build a b\n", 2, "unknown flag: frm"),
        ("FROM alpine:3.20\nRUN echo\nRUN <<EOF\necho hi\n", 3, "unterminated heredoc"),
        ("FROM a b\n", 1, "FROM requires either one or three arguments"),
        ("FROM a:1 AS 1stage\n", 1, "invalid name for build stage"),
        ("RUN echo\nFROM a\n", 1, "no build stage in current context"),
        ("FROM a:1\nENV ONLYKEY\n", 2, "ENV must have two arguments"),
        ("FROM a:1\nCOPY onlyone\n", 2, "COPY requires at least two arguments"),
        ("# escape=x\nFROM a\n", 1, "invalid escape token"),
        ("FROM a:1\nHEALTHCHECK --interval=3s\n", 2, "HEALTHCHECK requires at least one argument"),
        ("FROM a:1\nHEALTHCHECK CURL x\n", 2, 'Unknown type "CURL"'),
        ("FROM a:1\nRUN echo\x00oops\n", 2, "NUL byte"),
        ("ARG X=1\n", 1, "no FROM"),
    ],
)
def test_parse_errors_have_message_and_line(text: str, line: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert needle in info.value.message
    assert info.value.line == line


@pytest.mark.parametrize("text", ["", "   \n", "# just a comment\n"])
def test_empty_files(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse(text)
    assert "no instructions" in info.value.message


def test_huge_line_is_a_clean_error() -> None:
    with pytest.raises(ParseError) as info:
        parse("FROM a:1\nRUN " + "x" * 70000 + "\n")
    assert info.value.line == 2 and ("64 KiB" in info.value.message or "65535" in info.value.message)


def test_bom_is_ignored() -> None:
    assert parse("\ufeffFROM alpine:3.20\n").stages[0].base == "alpine:3.20"


def test_stage_graph() -> None:
    df = parse(
        "FROM golang:1.23 AS build\nRUN go build\nFROM alpine:3.20 AS test\nRUN echo\n"
        "FROM alpine:3.20 AS runtime\nCOPY --from=build /a /a\nCOPY --from=bulid /b /b\nCOPY --from=0 /c /c\n"
        "COPY --from=runtime /d /d\nCOPY --from=alpine /e /e\nCOPY --from=late /f /f\nFROM scratch AS late\n"
    )
    g = df.graph("runtime")
    assert g.target == 2 and g.reachable == {0, 2, 3} and g.unused == (1,)
    assert [r.raw for r in g.undefined] == ["bulid"]
    assert [r.raw for r in g.image_like] == ["alpine"]
    assert [r.raw for r in g.forward] == ["late"]
    assert [r.raw for r in g.self_refs] == ["runtime"] and [r.raw for r in g.cycles] == ["runtime"]
    assert [r.raw for r in g.numeric] == ["0"]
    assert df.graph("nope").target is None and df.graph().target == 3
