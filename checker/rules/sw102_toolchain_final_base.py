"""SW102 toolchain-final-base: the final stage must not be based on an SDK/toolchain image (pitfall 5)."""

from __future__ import annotations

from checker.analysis import Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned

_ALTERNATIVES = {
    "java": "a JRE such as `eclipse-temurin:21-jre-alpine` or `gcr.io/distroless/java21-debian12`",
    "go": "`scratch` or `gcr.io/distroless/static-debian12:nonroot` for a static binary",
    "node": "`nginx:<version>-alpine` for a static front end, `node:<version>-slim` or "
    "`gcr.io/distroless/nodejs22-debian12` for a server",
    "python": "`python:<version>-slim`",
    "rust": "`gcr.io/distroless/cc-debian12` or `debian:bookworm-slim`",
    "dotnet": "`mcr.microsoft.com/dotnet/aspnet` or `mcr.microsoft.com/dotnet/runtime`",
}


def _runs_node(ctx: Context) -> bool:
    for kw in ("ENTRYPOINT", "CMD"):
        ins = ctx.last(kw)
        if ins is not None and ins.args:
            first = ins.args[0].split()[0] if ins.args[0].split() else ""
            return first.rsplit("/", 1)[-1] in ("node", "npm", "npx", "yarn", "pnpm")
    return False


def check(ctx: Context) -> list[Verdict]:
    root = ctx.df.ancestors(ctx.final)[-1]
    ins = root.from_instr
    if not root.base_resolved:
        return [
            warned(
                f"Line {ins.line}: {q(ins)} uses a variable without a default, so the checker cannot tell which "
                "image ships. Give the ARG a default before the first FROM.",
                ins.line,
                ins.snippet,
            )
        ]
    info = ctx.image(ctx.final)
    if (
        info.category == "toolchain"
        and info.language == "node"
        and "alpine" in (info.ref.tag or "")
        and _runs_node(ctx)
    ):
        return [
            warned(
                f"Line {ins.line}: the final image is `{info.display}`, which the app needs to run Node, but it also "
                "ships npm, yarn and corepack. For a static site serve the files with nginx; for a server, "
                "`gcr.io/distroless/nodejs22-debian12` (or `node:<version>-slim`) carries less.",
                ins.line,
                ins.snippet,
            )
        ]
    if info.category == "toolchain":
        alt = _ALTERNATIVES.get(info.language or "", "a runtime-only image (JRE, slim, distroless, nginx...)")
        via = "" if root is ctx.final else f" (the final stage inherits it through {root.label})"
        return [
            failed(
                f"Line {ins.line}: the final image is based on `{info.display}`{via}: {info.reason}. Build tools "
                f"then ship to production. Use {alt} for the final stage.",
                ins.line,
                ins.snippet,
            )
        ]
    return [passed(f"The final image is based on `{info.display}`: {info.reason}.", ins.line)]


RULE = Rule(
    id="SW102",
    name="toolchain-final-base",
    concern=Concern.STAGE_SEPARATION,
    title="The final stage must use a runtime image, not a toolchain",
    rationale="SDK images (JDK, Maven, golang, full node/python, rust, dotnet/sdk) carry compilers and "
    "package managers the app never uses at run time.",
    fix="Base the final stage on a runtime image: a JRE, a -slim image, distroless, scratch or nginx.",
    lesson="lessons/05-security/#attack-surface",
    kind=Kind.STATIC,
    weight=3.0,
    doc=RuleDoc(
        what="Classifies the final stage's base image (following `FROM <stage>` chains and ARG defaults) with "
        "the checker's image catalogue and fails toolchain images: `golang`, `maven`, `gradle`, JDKs, "
        "`rust` (slim too), full `node` and `node:*-alpine`, full `python`, `gcc`, `*-dev`/`*-sdk`, "
        "`dotnet/sdk`.",
        why="Compilers, package managers and headers make the image larger and give an attacker tools; "
        "vulnerability scans fill with CVEs for software that never runs (pitfall 5).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM golang:1.23\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
        notes="`node:<version>-slim` counts as a runtime for Node servers, but it still ships npm; "
        "`gcr.io/distroless/nodejs*` is smaller.",
    ),
    check=check,
)
