"""SW451 healthcheck-detects-no-app: the HEALTHCHECK reports unhealthy when the app is not running (judged by
starting the image without its app)."""

from __future__ import annotations

from checker.dynamic.facts import DynamicContext, Fact
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, errored, failed, passed, skipped

# Programs that succeed whatever the app does.
_ALWAYS_OK = {"true": "`true` always succeeds", "/bin/true": "`/bin/true` always succeeds",
              "/usr/bin/true": "`/usr/bin/true` always succeeds", "exit 0": "`exit 0` always succeeds",
              ":": "`:` always succeeds", "echo": "`echo` prints and succeeds, whatever the app does"}


def _healthcheck_line(ctx: DynamicContext) -> Instruction | None:
    if ctx.final is None:
        return None
    found = None
    for st in reversed(ctx.model.ancestors(ctx.final)):
        for ins in st.instructions:
            if ins.keyword == "HEALTHCHECK":
                found = ins
    return found


def _why(test: list[str]) -> str:
    words = test[1:]
    if test[0] == "CMD-SHELL":
        text = " ".join(words).strip()
        first = text.split(None, 1)[0] if text else ""
        reason = _ALWAYS_OK.get(text) or _ALWAYS_OK.get(first)
        return reason or f"`{text}` succeeds without asking the app anything"
    program = words[0] if words else ""
    return _ALWAYS_OK.get(program) or f"`{' '.join(words)}` succeeds without asking the app anything"


def _example(ctx: DynamicContext) -> str:
    http = ctx.spec.smoke.http if ctx.spec and ctx.spec.smoke else None
    port = f"${{{http.port_env}}}" if http else "8080"
    path = http.path if http else "/"
    return (f"`HEALTHCHECK CMD wget -q -O /dev/null \"http://127.0.0.1:{port}{path}\" || exit 1` where the image "
            "has BusyBox wget, or an exec-form call to a health sub-command of your app that requests it "
            "(`HEALTHCHECK CMD [\"/usr/local/bin/server\", \"-healthcheck\"]`)")


def judge(ctx: DynamicContext) -> list[Verdict]:
    probe = ctx.health_probe
    hc = _healthcheck_line(ctx)
    line = hc.line if hc else None
    if probe.unavailable:
        return [skipped(f"skipped: {probe.unavailable}", line)]
    ans = probe.answer
    if ans is None:
        return [skipped("No HEALTHCHECK in the image to try without the app.", line)]
    where = f"Line {line}: your" if line else "The image's (inherited from its base)"
    shown = f"the image's health check: {' '.join(ans.test[1:])}"
    evidence = [f"probe output: {out}" for out in ans.log[-2:] if out]
    if ans.error:
        return [errored(f"The image could not be started without its app to try its HEALTHCHECK: {ans.error}",
                        line, *evidence)]
    if ans.status == "healthy":
        return [failed(
            f"{where} HEALTHCHECK says healthy even when the app is not running: {_why(ans.test)}. The checker "
            "started this image with its program replaced by a plain `sleep` (no app, no network) and Docker "
            "still reported `healthy`. A health check must ask the app whether it answers, so that it turns "
            "unhealthy when the app hangs or is gone.", line, *evidence, *([] if hc else [shown]),
            hint=f"Probe the app, e.g. {_example(ctx)}.")]
    if ans.status == "unhealthy":
        return [passed(f"With the app not running, the HEALTHCHECK reported `unhealthy` ({ans.seconds:.1f} s): it "
                       "really probes the app.", line, *evidence)]
    return [errored(f"The HEALTHCHECK gave no verdict without the app within {ans.seconds:.1f} s "
                    f"(status {ans.status or 'none'}).", line, *evidence)]


RULE = Rule(
    id="SW451",
    name="healthcheck-detects-no-app",
    concern=Concern.HARDENING,
    title="The HEALTHCHECK must fail when the app is not running",
    rationale="A health check that always succeeds tells the orchestrator a dead container is fine, so nothing "
    "ever restarts it.",
    fix="Make the HEALTHCHECK request the app (its health endpoint or a health sub-command that calls it), not "
    "run a command that succeeds on its own.",
    lesson="lessons/05-security/#healthcheck",
    kind=Kind.DYNAMIC,
    weight=1.0,
    doc=RuleDoc(
        what="Starts the final image a second time, beside the smoke test, with its entrypoint replaced by a "
        "static BusyBox `sleep` that the checker puts into the container (so it works on `scratch` and "
        "distroless too), with no network and the image's own HEALTHCHECK on a short schedule. With no app "
        "running, the health check must report `unhealthy`; one that reports `healthy` fails.",
        why="`HEALTHCHECK CMD [\"/bin/true\"]` (or `echo ok`, `exit 0`) makes the smoke test's `healthy` "
        "meaningless: Docker, Compose and Swarm keep routing to a container whose app has hung or died. The "
        "smoke test alone cannot tell, because there the app is up.",
        example="FROM golang:1.23-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
        "/out/server .\n\nFROM alpine:3.20\nCOPY --from=build /out/server /usr/local/bin/server\nUSER 10001\n"
        'HEALTHCHECK CMD ["/bin/true"]\nENTRYPOINT ["/usr/local/bin/server"]\n',
        use_instead="FROM golang:1.23-alpine AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o "
        "/out/server .\n\nFROM alpine:3.20\nCOPY --from=build /out/server /usr/local/bin/server\nUSER 10001\n"
        'HEALTHCHECK CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1\n'
        'ENTRYPOINT ["/usr/local/bin/server"]\n',
        notes="The sleeper is Debian's `busybox-static`, the package the image kit builds its `busybox` and "
        "`alpine` substitutes from. A health check that hangs counts as failing once its timeout (at most "
        "3 s here) has passed.",
    ),
    judge=judge,
    needs=frozenset({Fact.HEALTH_PROBE}),
)
