"""SW402 exec-form: ENTRYPOINT and CMD in exec (JSON) form (pitfall 15, 35)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    info = ctx.final_image
    entry = ctx.last("ENTRYPOINT")
    cmd = ctx.last("CMD")
    for ins in (entry, cmd):
        if ins is None or ins.json:
            continue
        body = " ".join(ins.args).strip()
        if ins.keyword == "CMD" and not body:
            continue
        if info.has_shell is False:
            msg = (
                f"Line {ins.line}: {q(ins)} is in shell form, which Docker runs as `/bin/sh -c ...`, but "
                f"`{info.display}` has no shell: the container fails to start with "
                '`exec: "/bin/sh": stat /bin/sh: no such file or directory: unknown`.'
            )
        else:
            msg = (
                f"Line {ins.line}: {q(ins)} is in shell form, so `/bin/sh -c` runs as PID 1 and does not pass "
                "SIGTERM on: `docker stop` waits 10 s and then kills the app, and shutdown hooks never run "
                "(BuildKit's check: `JSONArgsRecommended`)."
            )
            if ins.keyword == "CMD" and entry is not None and entry.json:
                msg += " With an exec-form ENTRYPOINT, a shell-form CMD is passed to it as `/bin/sh -c ...` arguments."
        words = body.split()
        json = ", ".join(f'"{w}"' for w in words) if words and len(words) <= 8 else '"executable", "arg"'
        out.append(failed(msg, ins.line, ins.snippet, hint=f"Write it in exec form: `{ins.keyword} [{json}]`."))
    if not out:
        if entry is None and cmd is None:
            out.append(passed(f"The image keeps the start command of `{info.display}`.", ctx.final.line))
        else:
            ins = entry or cmd
            assert ins is not None
            out.append(passed(f"Line {ins.line}: {q(ins)} is in exec form.", ins.line))
    return out


RULE = Rule(
    id="SW402",
    name="exec-form",
    concern=Concern.HARDENING,
    title="Use the exec form for ENTRYPOINT and CMD",
    rationale="The shell form wraps the app in `/bin/sh -c`, which swallows signals and needs a shell.",
    fix='Write `ENTRYPOINT ["/app"]` / `CMD ["java", "-jar", "app.jar"]` (a JSON array, double quotes).',
    lesson="lessons/05-security/#exec-form-entrypoint",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Checks the ENTRYPOINT and CMD that the final image ends up with (the last ones in the final stage "
        "or in the stages it is built FROM) and fails the shell form.",
        why="`/bin/sh -c` becomes PID 1 and does not forward SIGTERM, so `docker stop` hangs 10 s and kills the "
        'app (pitfall 35). On scratch and distroless there is no shell at all: `exec: "/bin/sh": stat '
        "/bin/sh: no such file or directory` (pitfall 15). Single-quoted arrays (`['a']`) are not JSON and "
        "count as shell form.",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT /app\n",
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
    buildkit=("JSONArgsRecommended",),
)
