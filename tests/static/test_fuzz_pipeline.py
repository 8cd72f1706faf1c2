"""Property-based fuzzing of the whole static pipeline: Dockerfiles generated from a grammar of BuildKit's
instructions (flags, heredocs, escapes, ARG in FROM, CRLF, directives) and mutated from the course's own
Dockerfiles and the labelled corpus go through parse -> model -> static rules -> every renderer (text, JSON,
SARIF, JUnit, GitHub, GitLab, Gradescope, and the grader's class JUnit, gradebook and feedback). Nothing may
crash, and every output must be valid: JSON parses and round-trips, SARIF and GitLab validate against their
schemas, JUnit XML parses with one test case per finding, every GitHub line is one workflow command.

At least 10,000 files per run, derandomized (the same files every run, so CI is reproducible); set
STAGEWISE_FUZZ_FILES for a longer run (e.g. 200000), STAGEWISE_FUZZ_SEED to explore other files."""

from __future__ import annotations

import csv
import io
import json
import os
import random
import re
import shutil
import string
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, note, seed, settings
from hypothesis import strategies as st

from checker.grade.outputs import feedback_markdown, gradebook_csv, junit_xml
from checker.grade.store import Status as RowStatus
from checker.grade.store import StudentResult
from checker.parse import parse
from checker.render import RENDERERS
from checker.report import Report, Status
from checker.spec import Spec, load_spec
from checker.static import analyze

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).parent / "corpus"
FILES = int(os.environ.get("STAGEWISE_FUZZ_FILES", "10000"))
SEED = int(os.environ.get("STAGEWISE_FUZZ_SEED", "0"))
FULL_EVERY = 1 if os.environ.get("STAGEWISE_FUZZ_FULL") else 10
SHM = Path("/dev/shm")  # a file written and read back 10,000 times: memory, where the machine has it
SCHEMAS = {name: json.loads(p.read_text()) for name, p in {
    "sarif": REPO / "tests" / "report" / "schemas" / "github-code-scanning-sarif.schema.json",
    "gitlab": REPO / "tests" / "report" / "schemas" / "gitlab-code-quality.schema.json",
    "gradescope": REPO / "tests" / "grade" / "schemas" / "gradescope-results.schema.json",
}.items()}
VALIDATORS = {name: jsonschema.validators.validator_for(s)(s) for name, s in SCHEMAS.items()}
COMMAND_LINE = re.compile(r"^::(error|warning|notice)(?: [^:\r\n]*)?::[^\r\n]*$")


def _seeds() -> list[str]:
    paths = [p for top in ("exercises", "solutions", "examples", "lessons") for p in (REPO / top).rglob("*")
             if p.is_file() and "Dockerfile" in p.name and not p.name.endswith(".dockerignore")]
    paths += sorted(CORPUS.glob("*/Dockerfile"))
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(set(paths))]


SEEDS = _seeds()
SPECS: list[Spec | None] = [None, *(load_spec(p) for p in sorted((REPO / "exercises").glob("*/exercise.yaml")))]

# ------------------------------------------------------------------------------------------- the grammar

IMAGES = ["alpine:3.20", "node:22-alpine", "golang:1.23", "nginx:1.27-alpine", "eclipse-temurin:21-jre",
          "busybox:1.36", "scratch", "debian:bookworm-slim@sha256:" + "a" * 64, "${BASE}", "$BASE:latest",
          "${BASE:-alpine}", "build", "0", "1", "gcr.io/distroless/static", "a b", "", "ALPINE", "x:${TAG}"]
NAMES = ["build", "deps", "runtime", "test", "Build", "1bad", "b-2.x", "final", "s0", "base"]
MOUNTS = ["type=cache,target=/root/.cache", "type=cache,target=/go/pkg/mod,id=gomod,sharing=locked",
          "type=bind,from=build,source=/out,target=/x", "type=bind,source=/,target=/ctx,rw",
          "type=secret,id=token,required=true", "type=ssh", "type=tmpfs,target=/tmp,size=10m", "target=/x",
          "type=bogus", "type=cache", "=,=", ""]
RUN_FLAGS = [f"--mount={m}" for m in MOUNTS] + ["--network=none", "--network=host", "--network=default",
                                                  "--security=insecure", "--security=sandbox", "--device=/dev/x",
                                                  "--bogus", "--mount", "--network"]
COPY_FLAGS = ["--from=build", "--from=0", "--from=9", "--from=alpine:3.20", "--from=${STAGE}", "--chown=app:app",
              "--chown=1000", "--chmod=755", "--chmod=u+x", "--link", "--link=false", "--parents",
              "--exclude=*.md", "--checksum=sha256:" + "b" * 64, "--keep-git-dir=true", "--bogus=1"]
WORDS = ["/app", ".", "./", "/", "src/", "*.jar", "package*.json", "go.mod", "go.sum", "dist/", "/out/app",
         "https://files.example.invalid/x.tgz", "git@host.invalid:r.git", "$HOME", "${A:-b}", "${A:+c}",
         "${A?err}", "\\$X", "'q'", '"dq"', "&&", "||", ";", "|", ">", "2>&1", "npm ci", "go build -o /out/app .",
         "mvn -o package", "apk add --no-cache curl", "rm -rf /var/cache/*", "echo", "\\", "=", "A=1", "#", "é",
         "\t", "${", "}", "[", "]", '["a",', "--", "-", "0", "65535", "root", "nobody", "1000:1000"]
HEREDOC_BODIES = ["echo one\necho two", "set -e\napk add curl", "", "EOF inside", "  indented\n\ttabbed",
                  "#!/bin/sh\necho $X", "line with \\\ncontinuation"]
CHARS = string.printable + "\x00\x0b\x0c\x1b\x7f\x85\u00a0\u2028\u2029\ufeff\ufffd\u00e9\u4e2d\U0001f600`$\\\"'"

WORD_CHARS = string.ascii_letters + string.digits + "-_./:$={}[]\"'*@"

# Each file is generated by a random.Random seeded with a number hypothesis draws (derandomized: the same
# numbers every run): a hypothesis draw per grammar choice costs some 25 ms a file, a Random call nothing.
# A failing file is printed in full (hypothesis.note), so it can be pasted into a regression test.


def _word(r: random.Random) -> str:
    if r.random() < 0.7:
        return r.choice(WORDS)
    return "".join(r.choice(WORD_CHARS) for _ in range(r.randint(0, 10)))


def _words(r: random.Random, n: int = 5) -> str:
    return " ".join(_word(r) for _ in range(r.randint(0, n)))


def from_line(r: random.Random) -> str:
    parts = ["FROM"]
    if r.random() < 0.25:
        parts.append(r.choice(["--platform=$BUILDPLATFORM", "--platform=linux/amd64", "--platform"]))
    parts.append(r.choice(IMAGES))
    if r.random() < 0.5:
        parts += [r.choice(["AS", "as", "As"]), r.choice(NAMES)]
    return " ".join(parts)


def heredoc(r: random.Random, keyword: str) -> str:
    delim = r.choice(["EOF", "EOT", "'EOF'", '"EOF"', "-EOF", "A"])
    name = delim.strip("'\"-")
    head = f"{keyword} <<{delim}" + (" /dest" if keyword == "COPY" else r.choice(["", " bash", " | sh"]))
    if r.random() < 0.2:  # two heredocs on one line
        head += " <<TWO"
        name = f"{name}\nsecond\nTWO"
    closing = r.choice([name, name, "", f"  {name}", name.lower()])
    return f"{head}\n{r.choice(HEREDOC_BODIES)}\n{closing}"


def instruction(r: random.Random) -> str:
    kind = r.choice(["FROM", "RUN", "RUN", "COPY", "COPY", "ADD", "ENV", "ARG", "USER", "WORKDIR", "CMD",
                     "ENTRYPOINT", "EXPOSE", "HEALTHCHECK", "LABEL", "SHELL", "ONBUILD", "VOLUME", "STOPSIGNAL",
                     "MAINTAINER", "heredoc", "json", "comment", "BOGUS", "run", "Copy"])
    if kind == "FROM":
        return from_line(r)
    if kind in ("RUN", "run"):
        flags = " ".join(r.choice(RUN_FLAGS) for _ in range(r.randint(0, 3)))
        return f"{kind} {flags} {_words(r)}".replace("  ", " ")
    if kind in ("COPY", "ADD", "Copy"):
        flags = " ".join(r.choice(COPY_FLAGS) for _ in range(r.randint(0, 3)))
        return f"{kind} {flags} {_words(r, 4)}"
    if kind == "ARG":
        return "ARG " + r.choice(["BASE=alpine:3.20", "BASE", "TAG=1", "A=${B}", "X=1 Y=2", "=", "", "STAGE=build"])
    if kind == "ENV":
        return "ENV " + r.choice(["A=1", "A 1", 'A="x y" B=2', "PATH=$PATH:/x", "NODE_ENV=production", "A", "=1"])
    if kind in ("CMD", "ENTRYPOINT", "json"):
        kw = kind if kind != "json" else r.choice(["CMD", "ENTRYPOINT", "SHELL", "RUN", "HEALTHCHECK CMD"])
        return kw + " " + r.choice(['["/app"]', '["node", "dist/server.js"]', '["a",', "[]", '[""]', '["a" "b"]',
                                    "[1, 2]", '{"a": 1}', "node app.js", "", '["sh", "-c", "echo \\"$X\\""]'])
    if kind == "HEALTHCHECK":
        return "HEALTHCHECK " + r.choice(["NONE", "--interval=5s CMD wget -q -O- localhost", "--retries=x CMD true",
                                          "CMD", "--bogus CMD true"])
    if kind == "ONBUILD":
        return "ONBUILD " + r.choice(["RUN --network=host true", "COPY . /app", "ONBUILD RUN x", "FROM alpine",
                                      "ADD https://files.example.invalid/x /x", ""])
    if kind == "heredoc":
        return heredoc(r, r.choice(["RUN", "COPY", "RUN --mount=type=cache,target=/c"]))
    if kind == "comment":
        return r.choice(["# a comment", "#", "   # indented", "# syntax=docker/dockerfile:1", "# escape=`",
                         "//syntax=x", "#!/bin/sh"])
    return f"{kind} {_words(r)}"


def grammar_file(r: random.Random) -> str:
    lines = [r.choice(["# syntax=docker/dockerfile:1", "# escape=`", "# escape=\\", "# check=skip=all", "#!/bin/sh",
                       "# check=error=true"]) for _ in range(r.choice([0, 0, 1, 2]))]
    if r.random() < 0.5:
        lines.append(r.choice(["ARG BASE=alpine:3.20", "ARG BASE", "ARG TAG=3.20 BASE=alpine"]))
    lines.append(from_line(r))
    lines += [instruction(r) for _ in range(r.randint(0, 16))]
    return _finish(r, lines)


def _finish(r: random.Random, lines: list[str]) -> str:
    escape = "`" if any(ln.startswith("# escape=`") for ln in lines[:3]) else "\\"
    out = list(lines)
    for _ in range(r.choice([0, 0, 1, 2])):  # continuation lines, in the file's escape character
        i = r.randrange(len(out)) if out else 0
        if out and " " in out[i]:
            head, _, tail = out[i].partition(" ")
            filler = r.choice(["", "# a comment between continuations", "   "])
            out[i] = f"{head} {escape}\n{filler}\n  {tail}" if filler else f"{head} {escape}\n  {tail}"
    sep = r.choice(["\n", "\n", "\r\n", "\r"])
    text = sep.join(out) + r.choice(["", "\n", sep, "\\", "\\\n", "`\n"])
    if r.random() < 0.05:
        text = "\ufeff" + text
    return text


def mutated_seed(r: random.Random) -> str:
    lines = r.choice(SEEDS).split("\n")
    for _ in range(r.randint(0, 6)):
        if not lines:
            lines = [instruction(r)]
            continue
        op = r.choice(["drop", "dup", "swap", "insert", "replace", "chars", "cut", "case", "join", "crlf"])
        i = r.randrange(len(lines))
        if op == "drop" and len(lines) > 1:
            del lines[i]
        elif op == "dup":
            lines.insert(i, lines[i])
        elif op == "swap":
            j = r.randrange(len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op == "insert":
            lines.insert(i, instruction(r))
        elif op == "replace":
            lines[i] = instruction(r)
        elif op == "chars":
            at = r.randint(0, len(lines[i]))
            lines[i] = lines[i][:at] + "".join(r.choice(CHARS) for _ in range(r.randint(1, 4))) + lines[i][at:]
        elif op == "cut":
            lines[i] = lines[i][:r.randint(0, len(lines[i]))]
        elif op == "case":
            lines[i] = lines[i].swapcase()
        elif op == "join" and i + 1 < len(lines):
            lines[i:i + 2] = [lines[i] + " \\", lines[i + 1]]
        elif op == "crlf":
            lines[i] += "\r"
    return _finish(r, lines)


def seeded(make: Callable[[random.Random], str]) -> st.SearchStrategy[str]:
    return st.integers(0, 2**32 - 1).map(lambda n: make(random.Random(n)))


def raw_text() -> st.SearchStrategy[str]:
    return st.text(alphabet=CHARS, max_size=300) | st.binary(max_size=300).map(
        lambda b: b.decode("utf-8", errors="replace"))


# ------------------------------------------------------------------------------------------- the pipeline


class Pipeline:
    """One Dockerfile through every stage; counts the files it saw. Every file goes through parse, the model,
    every static rule and every machine-readable renderer, each output parsed back (JSON, XML, workflow
    commands); every FULL_EVERY-th file (and every file with STAGEWISE_FUZZ_FULL=1) also through the terminal
    renderer, the schemas of SARIF, GitLab and Gradescope, and the grader's class outputs: these cost some
    30 ms a report, and 10,000 files of them would not fit in a minute."""

    def __init__(self, workdir: Path, full_every: int = FULL_EVERY) -> None:
        os.chdir(workdir)  # the report names the file relative to the checkout, as `stagewise check` in CI does
        self.path = Path("Dockerfile")
        self.files = 0
        self.parsed = 0
        self.full = 0
        self.full_every = full_every

    def __call__(self, text: str, spec: Spec | None) -> None:
        self.files += 1
        full = self.files % self.full_every == 1 or self.full_every == 1
        self.path.write_text(text, encoding="utf-8", errors="surrogatepass", newline="")
        findings = analyze(text, spec=spec, target=spec.target if spec else None, strict=True,
                           dockerfile_path=self.path.resolve())
        assert findings
        if findings[0].rule == "SW001" and findings[0].status is Status.ERROR:
            assert len(findings) == 1 and len(findings[0].message) < 2_000, findings[0].message
        else:
            self.parsed += 1
        assert all(len(f.message) < 20_000 for f in findings)
        report = Report(dockerfile=str(self.path), exercise=spec.id if spec else None, findings=findings).finalize()
        check_renderers(report, len(findings), full=full)
        if full:
            self.full += 1
            check_grade_outputs(report, text)


def check_renderers(report: Report, n: int, *, full: bool = True) -> None:
    out = {name: render(report) for name, render in RENDERERS.items() if full or name != "text"}
    if full:
        assert "stagewise check" in out["text"]
    assert Report.model_validate_json(out["json"]) == report
    docs = {name: json.loads(out[name]) for name in ("sarif", "gitlab", "gradescope")}
    if full:
        for name, doc in docs.items():
            VALIDATORS[name].validate(doc)
    assert len(docs["sarif"]["runs"][0]["results"]) <= n
    junit = ET.fromstring(out["junit"].split("\n", 1)[1])
    assert len(junit.findall("testsuite/testcase")) == n == int(junit.get("tests") or -1)
    lines = out["github"].rstrip("\n").split("\n")
    assert lines and all(COMMAND_LINE.match(ln) for ln in lines), [ln for ln in lines if not COMMAND_LINE.match(ln)]


def check_grade_outputs(report: Report, text: str) -> None:
    row = StudentResult(student="fuzz \x00<&>\"", slug="fuzz", exercise=report.exercise, status=RowStatus.FAILED,
                        note=text[:200], report=report, dockerfile=text)
    ET.fromstring(junit_xml([row]).split("\n", 1)[1])
    assert feedback_markdown(row, report.max_score).startswith("# Stagewise feedback")
    rows = list(csv.DictReader(io.StringIO(gradebook_csv([row], {}))))
    assert len(rows) == 1 and rows[0]["student"] == 'fuzz  <&>"'  # one line per student: no control characters
    assert not any(c in rows[0]["note"] for c in "\r\n\x00")


# ------------------------------------------------------------------------------------------- the suite

SHARES: dict[str, tuple[Callable[[], st.SearchStrategy[str]], float]] = {  # two halves each: pytest -n 2
    "grammar-1": (lambda: seeded(grammar_file), 0.225),
    "grammar-2": (lambda: seeded(grammar_file), 0.225),
    "mutated-1": (lambda: seeded(mutated_seed), 0.225),
    "mutated-2": (lambda: seeded(mutated_seed), 0.225),
    "raw": (raw_text, 0.10),
}


@pytest.mark.parametrize("family", sorted(SHARES))
def test_no_crash_and_valid_outputs(family: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    work = Path(tempfile.mkdtemp(dir=SHM)) if SHM.is_dir() and os.access(SHM, os.W_OK) else tmp_path
    monkeypatch.chdir(work)
    make, share = SHARES[family]
    wanted = int(FILES * share) + 1
    pipeline = Pipeline(work)

    @seed(SEED + sorted(SHARES).index(family))
    @settings(max_examples=wanted, derandomize=SEED == 0, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(text=make(), spec=st.sampled_from(SPECS))
    def run(text: str, spec: Spec | None) -> None:
        note(text)
        pipeline(text, spec)

    try:
        run()
    finally:
        if work != tmp_path:
            shutil.rmtree(work, ignore_errors=True)
    assert pipeline.files >= wanted, f"{family}: only {pipeline.files} files generated, {wanted} wanted"
    assert pipeline.full >= pipeline.files // pipeline.full_every
    if not family.startswith("raw"):
        assert pipeline.parsed > pipeline.files // 10, f"{family}: {pipeline.parsed} of {pipeline.files} parse"


def test_the_seeds_are_the_course_and_the_corpus() -> None:
    assert len(SEEDS) >= 100 and len(SPECS) >= 4
    assert all(isinstance(parse(s).stages, list) for s in SEEDS[:5])


# ------------------------------------------------------------------------------------------- regressions


def test_junit_holds_a_nul_byte_from_a_binary_dockerfile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    """Found by the hostile grading run: a NUL byte in a finding made the class JUnit unreadable, and the
    exception stopped the grading slot."""
    text = "FROM busybox:1.36\nRUN echo \x00\n"
    Pipeline(tmp_path)(text, None)
    report = Report(dockerfile="Dockerfile", findings=analyze(text)).finalize()
    assert "\\x00" in RENDERERS["junit"](report)
    row = StudentResult(student="a\x00b", slug="ab", status=RowStatus.ERROR, note="bad \x00 note")
    ET.fromstring(junit_xml([row]).split("\n", 1)[1])


@pytest.mark.parametrize("text", [
    "FROM busybox:1.36\n" + "RUN " + "x" * 70_000 + "\n",
    "FROM busybox:1.36\nBOGUS" + "y" * 70_000 + "\n",
    "//syntax=docker/dockerfile:1\nFROM busybox:1.36\n",
    '{"syntax": "docker/dockerfile:1"}',
], ids=["endless-run", "endless-unknown", "slash-syntax", "json-syntax"])
def test_an_unknown_or_endless_line_gives_a_bounded_message(text: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Pipeline(tmp_path)(text, None)
    findings = analyze(text)
    assert findings[0].rule == "SW001" and len(findings[0].message) < 400, findings[0].message


def test_reports_of_every_status_render(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    text = SEEDS[0]
    pipeline = Pipeline(tmp_path)
    pipeline(text, SPECS[1])
    for status in Status:
        report = Report(dockerfile=str(pipeline.path), findings=[
            f.model_copy(update={"status": status}) for f in analyze(text)]).finalize()
        check_renderers(report, len(report.findings))


def test_a_gradebook_cell_is_one_line() -> None:
    """Found by the fuzzer: a lone CR from a Dockerfile line in a note split the row for CSV readers (the csv
    module quotes a field with CR only when CR is part of the line terminator)."""
    row = StudentResult(student="ann\rbob", slug="ann", status=RowStatus.FAILED, note="line 1\rline 2\x00\u2028end")
    text = gradebook_csv([row], {})
    assert len(text.splitlines()) == 2
    (parsed,) = csv.DictReader(io.StringIO(text))
    assert parsed["student"] == "ann bob" and parsed["note"] == "line 1 line 2 end"
