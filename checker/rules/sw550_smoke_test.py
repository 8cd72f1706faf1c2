"""SW550 smoke-test: the built image starts and answers as the exercise says (HTTP, a command, or just starts)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from checker.dynamic.facts import DynamicContext, Fact
from checker.hints import runtime_hint
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed

if TYPE_CHECKING:
    from checker.run import HttpAnswer


def judge(ctx: DynamicContext) -> list[Verdict]:
    run = ctx.smoke_run
    smoke = ctx.spec.smoke if ctx.spec else None
    if run.kind == "http":
        assert smoke is not None and smoke.http is not None and run.http is not None
        p, ans = smoke.http, run.http
        ev = [ln for ln in ans.container_logs.splitlines()[-8:] if ln.strip()]
        how = _how_it_ran(ans)
        if not ans.ok:
            where = ("on a loopback port (--smoke-network host)" if ans.network == "host" else
                     f"on port {ans.port}, started with its own defaults and no network")
            said = f' It printed last: "{ev[-1].strip()}"' if ans.exit_code is not None and ev else ""
            return [failed(f"The image did not answer GET {p.path} {where}: {ans.error}.{said}", None, *ev, *how,
                           hint=runtime_hint(ans.error or "", ans.container_logs))]
        problems = []
        if ans.status != p.expect_status:
            problems.append(f"status {ans.status}, expected {p.expect_status}")
        if p.expect_body and p.expect_body not in ans.body:
            problems.append(f"the body lacks {p.expect_body!r}")
        if smoke.expect_healthy and ans.health != "healthy":
            problems.append(f"Docker reports health {ans.health or 'none (no HEALTHCHECK)'}"
                            + (f": {ans.health_log[-1]}" if ans.health_log else ""))
        if problems:
            return [failed(f"GET {p.path} answered, but " + "; ".join(problems) + ".", None,
                           *ev, *ans.health_log[-2:], *how, hint=runtime_hint("; ".join(problems), ""))]
        health = f", healthcheck {ans.health}" if ans.health else ""
        return [passed(f"GET {p.path} answered {ans.status} in {ans.seconds:.1f} s{health}.", None, *how)]
    res = run.command
    assert res is not None
    if run.kind == "command":
        assert smoke is not None and smoke.command is not None
        c = smoke.command
        lacks = bool(c.expect_output and c.expect_output not in res.output)
        if res.error or res.timed_out or res.exit_code != c.expect_exit or lacks:
            killed = " (killed: out of memory or a signal)" if res.exit_code == 137 else ""
            if "can't fork" in res.output:
                killed += " (it hit the container's process limit: can't fork)"
            why = res.error or (f"it did not finish within {c.timeout_s:g} s and was stopped" if res.timed_out else
                                f"exit code {res.exit_code}{killed}"
                                + (f", output lacks {c.expect_output!r}" if lacks else ""))
            tail = [ln[:300] for ln in res.output.splitlines()[-8:]]
            return [failed(f"Running the image failed: {why}.", None, *tail,
                           hint=runtime_hint(why, res.output))]
        return [passed(f"The image ran and printed what was expected ({res.seconds:.1f} s).")]
    # No smoke test declared: the image must at least start (a server keeps running, a tool exits 0).
    if res.error:
        return [failed(f"The image cannot start: {res.error}", hint=runtime_hint(res.error, ""))]
    if not res.timed_out and res.exit_code not in (0, None):
        return [failed(f"The image started and exited with code {res.exit_code}.", None,
                       *res.output.splitlines()[-8:], hint=runtime_hint("", res.output))]
    return [passed("The image starts (no smoke test declared: started with no network and watched for 3 s).")]


def _how_it_ran(ans: HttpAnswer) -> list[str]:
    """Evidence: which network, which port and why, and whether the root file system stayed read-only."""
    if ans.network == "host":
        return [f"Ran on the host's network (asked for with --smoke-network host), port {ans.port_source}."]
    lines = [f"Ran with no network (asked by a probe in its own namespace), port {ans.port} ({ans.port_source})."]
    if ans.read_only_refused:
        lines.append("It could not start on a read-only root file system, so it ran again with a writable one: "
                     f"{ans.read_only_refused}")
    elif ans.read_only:
        lines.append("The root file system was read-only (a writable /tmp only).")
    return lines


RULE = Rule(
    id="SW550",
    name="smoke-test",
    concern=Concern.RUNTIME,
    title="The image must start and answer",
    rationale="An image that builds but does not start is not done.",
    fix="Run it yourself: `docker run --rm -p 8080:8080 <image>` and read the first error it prints.",
    lesson="lessons/06-migration/#step-4-hardened-runtime",
    kind=Kind.DYNAMIC,
    weight=4.0,
    doc=RuleDoc(
        what=(
            "Runs the final image as the exercise says: an HTTP probe (status and body), or a "
            "command with expected output and exit code; optionally waits until Docker's "
            "HEALTHCHECK reports `healthy`. The HTTP probe runs the image as `docker run IMAGE` "
            "would, with its own ENV defaults (only a platform's port variable is set, where the "
            "exercise names one), in a network namespace of its own with no route anywhere, "
            "without the capabilities a web app does not need, and on a read-only root file "
            "system when the app allows it; the request comes from a small probe container that "
            "joins that namespace. `--smoke-network host` runs it on the host's network and a "
            "loopback port instead."
        ),
        why=(
            "Typical failures only show at run time: a dynamically linked Go binary on scratch "
            "(`exec /app: no such file or directory`, pitfall 17), missing CA certificates "
            "(pitfall 12), the wrong port (pitfall 37), a root-owned directory the app writes to "
            "(pitfall 31)."
        ),
        example=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app .\n\nFROM "
            'scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n'
        ),
        use_instead=(
            "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
            "/out/app .\n\nFROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\n"
            'ENTRYPOINT ["/app"]\n'
        ),
        notes=(
            "The example builds, but the binary is linked against glibc (cgo is on in the Debian "
            "golang image) and scratch has no loader."
        ),
    ),
    judge=judge,
    needs=frozenset({Fact.SMOKE_RUN}),
)
