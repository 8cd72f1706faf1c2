"""SW012 network-in-build: builds here have no network, so a download in a RUN step fails."""

from __future__ import annotations

import re

from checker.analysis import Context
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, warned

_URL = re.compile(r"\b(?:https?|ftp)://[^\s'\"]+")
_FETCHERS = frozenset({"wget", "curl", "git", "aria2c"})


def _downloads(ctx: Context) -> list[tuple[Instruction, str]]:
    out: list[tuple[Instruction, str]] = []
    for st in ctx.reachable_stages():
        for ins in st.instructions:
            if ins.copy is not None and ins.copy.is_add:
                url = next((s for s in ins.copy.sources if _URL.match(s)), None)
                if url:
                    out.append((ins, url))
        for ins, cmds in ctx.facts(st).runs:
            for c in cmds:
                if c.program not in _FETCHERS or (c.program == "git" and c.sub() not in ("clone", "fetch", "pull")):
                    continue
                m = _URL.search(c.text)
                if m:
                    out.append((ins, m.group(0)))
                    break
    return sorted(out, key=lambda hit: hit[0].line)


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for ins, url in _downloads(ctx):
        out.append(
            warned(
                f"Line {ins.line}: {q(ins)} downloads `{url}` while the image builds. The checker (and the "
                "grader) build with no network at all, so this step fails (`wget: bad address`, `curl: (6) "
                "Could not resolve host`), and on a real machine it makes the build depend on that server "
                "and on whatever it serves that day.",
                ins.line,
                ins.snippet,
                hint="Use what the exercise gives you: files in the build context (`COPY`), packages already in "
                "the base image, or a file from another stage (`COPY --from=<stage>`). Pin a checksum when a "
                "real build must download.",
            )
        )
    return out or [passed("No RUN or ADD step downloads from the network.", ctx.final.line)]


RULE = Rule(
    id="SW012",
    name="network-in-build",
    concern=Concern.BUILD,
    title="Don't download while building",
    rationale="Builds here run with no network; elsewhere a download makes the build depend on a server.",
    fix="COPY the file from the build context or another stage instead of downloading it.",
    lesson="lessons/04-build-cache/#build-only-vs-runtime-files",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns about `RUN wget/curl <url>`, `RUN git clone <url>` and `ADD <url>` in the stages the target "
        "builds.",
        why="The checker builds with `--network=none`: the step fails with `wget: bad address '...'`. Package "
        "installs of packages the offline base images do not have fail the same way (`apk`: `(no such "
        "package)`, `apt-get`: `Unable to locate package`), and so does `npm install` of a package the lockfile "
        "does not hold.",
        example="FROM alpine:3.20\nRUN wget -q -O /usr/local/bin/tool https://files.example.invalid/tool\n",
        use_instead="FROM alpine:3.20\nCOPY tools/tool /usr/local/bin/tool\n",
    ),
    check=check,
)
