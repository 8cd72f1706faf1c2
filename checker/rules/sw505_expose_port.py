"""SW505 expose-port: EXPOSE must name the port the app listens on (pitfall 37)."""

from __future__ import annotations

from checker.analysis import Context
from checker.model import Instruction
from checker.report import Concern
from checker.rules._users import final_scope
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, skipped, warned

_PORT_VARS = ("PORT", "HTTP_PORT", "SERVER_PORT", "APP_PORT", "NGINX_PORT", "LISTEN_PORT")


def _listening(ctx: Context) -> tuple[str, str, Instruction | None] | None:
    """(port, how we know, the ENV line) for the port the final image's app listens on."""
    names = list(_PORT_VARS)
    spec_port: str | None = None
    if ctx.spec is not None and ctx.spec.smoke is not None and ctx.spec.smoke.http is not None:
        spec_port = ctx.spec.smoke.http.port_env
        names.insert(0, spec_port)
    for name in dict.fromkeys(names):
        for st in reversed(ctx.final_chain()):
            for ins in reversed(st.of("ENV")):
                args = list(ins.args)
                for i in range(0, len(args) - 1, 2):
                    value = args[i + 1].strip("\"'")
                    if args[i] == name and value.isdigit():
                        known = ", the port variable this exercise's app reads" if name == spec_port else ""
                        return value, f"`{name}={value}` on line {ins.line}{known}", ins
    info = ctx.final_image
    if info.ref.name in ("nginx", "openresty") and not any(
        ins.copy is not None and any("conf" in s or "template" in s for s in ins.copy.sources)
        for ins in ctx.final_instructions()
    ):
        return "80", f"`{info.display}` listens on 80 unless its configuration says otherwise", None
    if info.ref.name == "nginx-unprivileged":
        return "8080", f"`{info.display}` listens on 8080", None
    return None


def check(ctx: Context) -> list[Verdict]:
    exposes = [ins for ins in ctx.final_instructions() if ins.keyword == "EXPOSE"]
    if not exposes:
        chain = {st.index for st in ctx.final_chain()}
        builder = [i for st in ctx.reachable_stages() if st.index not in chain for i in st.of("EXPOSE")]
        if builder:
            ins = builder[0]
            return [
                warned(
                    f"Line {ins.line}: {q(ins)} is in {ctx.stage_of(ins).label}, which does not ship: EXPOSE is "
                    "not carried over from a builder, so the final image declares no port.",
                    ins.line,
                    ins.snippet,
                    hint="Put EXPOSE in the final stage, with the port the runtime server listens on.",
                )
            ]
        return [skipped("The final image declares no port.", ctx.final.line)]
    found = _listening(ctx)
    if found is None:
        return [skipped("The port the app listens on is not known from the Dockerfile.", exposes[-1].line)]
    port, how, _ = found
    scope = final_scope(ctx)
    declared: list[str] = []
    for ins in exposes:
        for word in ins.args:
            value = word.split("/", 1)[0]
            if value.startswith("$"):
                value = str(scope.get(value.strip("${}")) or value)
            declared.append(value)
    if port in declared:
        return [passed(f"EXPOSE {port} matches the port the app listens on ({how}).", exposes[-1].line)]
    ins = exposes[-1]
    return [
        warned(
            f"Line {ins.line}: {q(ins)}, but the app listens on {port} ({how}). EXPOSE is metadata only: it "
            f"neither publishes a port nor changes where the server listens, so `docker run -P` and anyone "
            f"reading the image use {', '.join(declared)}, where nothing answers (connection refused).",
            ins.line,
            ins.snippet,
            hint=f"`EXPOSE {port}`, and publish it with `docker run -p <host>:{port}`.",
        )
    ]


RULE = Rule(
    id="SW505",
    name="expose-port",
    concern=Concern.RUNTIME,
    title="EXPOSE the port the app listens on",
    rationale="EXPOSE documents the port; a wrong one sends everyone to a port where nothing listens.",
    fix="EXPOSE, in the final stage, the port the runtime server really uses.",
    lesson="lessons/03-language-examples/#node-to-nginx",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Compares the final image's EXPOSE with the port its app listens on: the exercise's port variable "
        "(or PORT, NGINX_PORT...) set with ENV in the final stage, or nginx's 80 when no configuration is "
        "copied. Also warns about an EXPOSE left in a builder stage.",
        why="After moving from the Node dev server to nginx, `EXPOSE 3000` stays while nginx listens on 80: the "
        "browser gets \"connection refused\" (pitfall 37).",
        example="FROM node:22-slim\nWORKDIR /app\nCOPY server.js .\nENV PORT=8080\nEXPOSE 3000\n"
        'CMD ["node", "server.js"]\n',
        use_instead="FROM node:22-slim\nWORKDIR /app\nCOPY server.js .\nENV PORT=8080\nEXPOSE 8080\n"
        'CMD ["node", "server.js"]\n',
    ),
    check=check,
)
