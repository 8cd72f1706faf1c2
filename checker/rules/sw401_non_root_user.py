"""SW401 non-root-user: the final image must not run as root (pitfall 14, 31, 33)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules._users import effective_user, is_root
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned


def _how(ctx: Context) -> str:
    info = ctx.final_image
    name = info.ref.name
    if info.is_scratch:
        return "scratch has no /etc/passwd, so use a numeric id: `USER 65532:65532`"
    if "distroless" in info.ref.path:
        return "use the `:nonroot` tag of the distroless image, or `USER 65532:65532`"
    if "node" in info.users:
        return f"`{info.display}` already has a `node` user: add `USER node`"
    if name in ("nginx", "openresty"):
        return (
            "use `nginxinc/nginx-unprivileged` (runs as uid 101 on port 8080), or move nginx to port 8080 and make "
            "its cache and pid paths writable before `USER nginx`"
        )
    if info.libc == "musl" or name in ("alpine", "busybox"):
        return "create a user and switch to it: `RUN addgroup -S app && adduser -S app -G app` then `USER app`"
    return "create a user and switch to it: `RUN useradd --system --uid 10001 app` then `USER app` (or `USER 10001`)"


def check(ctx: Context) -> list[Verdict]:
    required = ctx.spec.require_non_root if ctx.spec is not None else True
    user, ins, resolved = effective_user(ctx)
    info = ctx.final_image
    line = ins.line if ins else ctx.final.line
    if user is None or not resolved:
        what = f"{q(ins)} uses a variable without a value" if ins else f"the user of `{info.display}` is unknown"
        return [warned(f"Line {line}: {what}, so the checker cannot tell whether the app runs as root.", line)]
    if is_root(user):
        if ins is not None:
            msg = (
                f"Line {ins.line}: {q(ins)} is the last USER in the final image, so the app runs as root: a bug in "
                "the app gives an attacker root in the container."
            )
        else:
            msg = (
                f"Line {line}: the final stage never sets USER, and `{info.display}` runs as root by default, so "
                "the app runs as root."
            )
        how = _how(ctx)
        hint = how[0].upper() + how[1:] + "."
        if not required:
            return [warned(msg + " (This exercise does not require a non-root user.)", line, hint=hint)]
        return [failed(msg, line, ins.snippet if ins else info.display, hint=hint)]
    out = [
        passed(
            f"Line {line}: the app runs as `{user}`"
            + ("" if ins else f" (the default of `{info.display}`)")
            + ", not root.",
            line,
        )
    ]
    if info.ref.name in ("nginx", "openresty") and ins is not None:
        low_ports = [
            e
            for st in ctx.final_chain()
            for e in st.of("EXPOSE")
            if any(p.split("/")[0].isdigit() and int(p.split("/")[0]) < 1024 for p in e.args)
        ]
        if low_ports:
            e = low_ports[-1]
            out.append(
                warned(
                    f"Line {e.line}: {q(e)} with {q(ins)}: a non-root nginx cannot bind ports below 1024 and fails "
                    "with `nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)`.",
                    e.line,
                    hint="Listen on 8080 (and EXPOSE 8080), or use `nginxinc/nginx-unprivileged`.",
                )
            )
    return out


RULE = Rule(
    id="SW401",
    name="non-root-user",
    concern=Concern.HARDENING,
    title="Run the app as a non-root user",
    rationale="A process running as root turns any bug in the app into root in the container.",
    fix="End the final stage with `USER <non-root>`, or use a base that defaults to one (distroless :nonroot).",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Works out the user the final image runs as: the last `USER` of the final stage (or of the stages "
        "it is built FROM), otherwise the base image's default from the catalogue (root for most images, "
        "65532 for distroless `:nonroot` and Chainguard, 101 for nginx-unprivileged). Fails when that is root "
        "(`USER root`, `USER 0`, or no USER on a root base). Builder stages are never judged. With a non-root "
        "nginx it also warns about ports below 1024 (pitfall 33).",
        why="Container escapes and file-system damage are far easier as root; many platforms refuse root "
        "containers (pitfall 31, pitfall 33).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM alpine:3.20\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM alpine:3.20\nRUN addgroup -S app && adduser -S app -G app\nCOPY --from=build /out/app /app\n"
        'USER app\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
