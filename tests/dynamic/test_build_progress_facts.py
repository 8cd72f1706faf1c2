"""Facts read from a build's own progress (no engine): BuildKit's checks among its warnings, and when a set of
steps is done while the build goes on."""

from __future__ import annotations

import base64

from checker.build import Step
from checker.dynamic.buildchecks import checks_from_warnings
from checker.dynamic.cacheprobe import StepsDone
from checker.parse import parse


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def warning(short: str, detail: str, url: str, line: int | None) -> dict[str, object]:
    w: dict[str, object] = {"vertex": "sha256:0", "level": 1, "short": b64(short), "detail": [b64(detail)],
                            "url": url}
    if line is not None:
        w["range"] = [{"start": {"line": line}, "end": {"line": line}}]
    return w


def test_checks_from_warnings_reads_rule_detail_description_url_and_line() -> None:
    checks = checks_from_warnings([
        warning("FromAsCasing: 'as' and 'FROM' keywords' casing do not match (line 1)",
                "The 'as' keyword should match the case of the 'from' keyword",
                "https://docs.docker.com/go/dockerfile/rule/from-as-casing/", 1),
        # not a build check: no rule link
        warning("some other warning", "detail", "", None),
    ])
    assert len(checks) == 1
    c = checks[0]
    assert (c.rule, c.line) == ("FromAsCasing", 1)
    assert c.detail == "'as' and 'FROM' keywords' casing do not match"
    assert c.description.startswith("The 'as' keyword")
    assert c.url.endswith("/from-as-casing/")


def test_checks_from_warnings_without_a_range_has_no_line() -> None:
    checks = checks_from_warnings([warning("SecretsUsedInArgOrEnv: Do not use ARG or ENV for secrets",
                                           "Sensitive data should not be used", "https://x/dockerfile/rule/s/",
                                           None)])
    assert checks[0].line is None and checks[0].detail == "Do not use ARG or ENV for secrets"


DOCKERFILE = """\
FROM golang:1.23 AS build
WORKDIR /src
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/a .
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/b ./b
FROM scratch
COPY --from=build /out/a /a
"""


def test_steps_done_waits_for_every_step_reused_or_completed() -> None:
    model = parse(DOCKERFILE)
    runs = [i for i in model.stages[0].instructions if i.keyword == "RUN"]
    done = StepsDone(runs, model.stages)
    first = Step(name="[build 3/4] RUN ...", instruction=runs[0].original, stage="build", number=3)
    second = Step(name="[build 4/4] RUN ...", instruction=runs[1].original, stage="build", number=4)
    second.started = 1.0
    done.feed(first)  # reported, not yet run
    done.feed(second)  # started, not completed
    assert not done.event.is_set()
    first.cached = True
    done.feed(first)
    assert not done.event.is_set()
    failed = Step(name="[build 4/4] RUN ...", instruction=runs[1].original, stage="build", number=4,
                  started=1.0, completed=2.0, error="exit code 1")
    done.feed(failed)  # a failed step is not done: what it was to leave is not there
    assert not done.event.is_set()
    second.completed = 2.0
    done.feed(second)
    assert done.event.is_set()


def test_steps_done_with_nothing_to_wait_for_is_set() -> None:
    assert StepsDone([], []).event.is_set()
