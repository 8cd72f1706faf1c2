"""SW408 nginx-non-root-paths: stock nginx under a non-root USER cannot write its cache and pid paths (pitfall 33)."""

from __future__ import annotations

import re

from checker.analysis import Context
from checker.report import Concern
from checker.rules._users import effective_user, is_root
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

# What the stock image's nginx writes at start, and the error when it cannot.
PATHS = {
    "/var/cache/nginx": 'nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (13: Permission denied)',
    "/var/run/nginx.pid": 'nginx: [emerg] open() "/var/run/nginx.pid" failed (13: Permission denied)',
    "/etc/nginx/conf.d": "the image's entrypoint cannot render /etc/nginx/templates into /etc/nginx/conf.d",
}
# The words (whole arguments of chown/chmod/touch) that make each path writable.
_ALIASES = {"/var/run/nginx.pid": ("/var/run", "/run", "/var/run/nginx.pid", "/run/nginx.pid", "/var/run/",
                                   "/run/"),
            "/var/cache/nginx": ("/var/cache/nginx", "/var/cache", "/var/cache/nginx/", "/var/cache/"),
            "/etc/nginx/conf.d": ("/etc/nginx/conf.d", "/etc/nginx", "/etc/nginx/conf.d/", "/etc/nginx/")}  # fmt: skip


def _read(ctx: Context, src: str) -> str | None:
    if ctx.context_dir is None:
        return None
    try:
        return (ctx.context_dir / src.lstrip("/")).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def check(ctx: Context) -> list[Verdict]:
    info = ctx.final_image
    if info.ref.name not in ("nginx", "openresty"):
        return [skipped("The final image is not the stock nginx image.", ctx.final.line)]
    user, ins, resolved = effective_user(ctx)
    if ins is None or user is None or not resolved or is_root(user):
        return [skipped("nginx starts as root (its workers drop to the nginx user).", ctx.final.line)]
    # what the Dockerfile made writable: chown/chmod in RUN, and COPY --chown
    handled: set[str] = set()
    for st in ctx.final_chain():
        for i, cmds in ctx.facts(st).runs:
            if i.line > ins.line:
                continue
            for c in cmds:
                if c.program in ("chown", "chmod", "touch"):
                    for path, words in _ALIASES.items():
                        if any(a in words for a in c.args):
                            handled.add(path)
                elif c.program == "sed" and "pid" in c.text:
                    handled.add("/var/run/nginx.pid")  # the pid directive moved
        for i in st.instructions:
            if i.copy is not None and i.copy.chown and i.line < ins.line:
                for path in PATHS:
                    if i.copy.dest_abs.rstrip("/").startswith(path):
                        handled.add(path)
        for i in st.instructions:
            if i.copy is not None and i.copy.from_ref is None and i.copy.dest_abs == "/etc/nginx/nginx.conf":
                # their own nginx.conf may move the pid file: read it when the context is at hand
                text = _read(ctx, i.copy.sources[-1]) if i.copy.sources else None
                if text is None or re.search(r"(?m)^\s*pid\s+/(?!var/run/|run/)", text):
                    handled.add("/var/run/nginx.pid")
    templates = any(
        i.copy is not None and i.copy.dest_abs.startswith("/etc/nginx/templates") for i in ctx.final_instructions()
    )
    if not templates:
        handled.add("/etc/nginx/conf.d")  # only the template step of the entrypoint writes there
    missing = [p for p in PATHS if p not in handled]
    if not missing:
        return [passed(f"{q(ins)}: the nginx cache, pid and conf paths are made writable first.", ins.line)]
    if templates and "/etc/nginx/conf.d" in missing:
        # seen on the engine: the entrypoint cannot render the template, nginx keeps the default config (port 80)
        first = (
            "20-envsubst-on-templates.sh: ERROR: /etc/nginx/templates exists, but /etc/nginx/conf.d is not "
            "writable`, so your template is not rendered, nginx keeps its default config on port 80 and stops with "
            "`nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)"
        )
    else:
        first = PATHS[missing[0]]
    return [
        warned(
            f"Line {ins.line}: {q(ins)} runs the stock `{info.display}` as `{user}`, but the image keeps "
            + ", ".join(f"`{p}`" for p in missing)
            + f" root-owned, so nginx cannot start: `{first}`.",
            ins.line,
            ins.snippet,
            *missing,
            hint="Use `nginxinc/nginx-unprivileged` (runs as uid 101 on port 8080, pid in /tmp), or before "
            f"`USER {user}`: `RUN chown -R {user}:{user} /var/cache/nginx /etc/nginx/conf.d && touch "
            f"/var/run/nginx.pid && chown {user}:{user} /var/run/nginx.pid`, and listen on a port >= 1024.",
        )
    ]


RULE = Rule(
    id="SW408",
    name="nginx-non-root-paths",
    concern=Concern.RUNTIME,
    title="Give a non-root nginx writable paths",
    rationale="The stock nginx image keeps its cache, pid and conf.d paths root-owned.",
    fix="Use nginx-unprivileged, or chown the cache, pid and conf.d paths before USER.",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="When the final image is the stock `nginx` image and a USER switches to non-root, checks that "
        "/var/cache/nginx, /var/run/nginx.pid and /etc/nginx/conf.d are chowned (or touched) before it; names "
        "each path that is not.",
        why='`nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (13: Permission denied)` right after '
        "adding `USER nginx` (pitfall 33).",
        example="FROM nginx:1.27-alpine\nCOPY dist/ /usr/share/nginx/html/\nUSER nginx\n",
        use_instead="FROM nginx:1.27-alpine\nCOPY dist/ /usr/share/nginx/html/\n"
        "RUN chown -R nginx:nginx /var/cache/nginx /etc/nginx/conf.d && touch /var/run/nginx.pid "
        "&& chown nginx:nginx /var/run/nginx.pid\nUSER nginx\n",
    ),
    check=check,
)
