"""SW406 secrets-in-arg-env: secrets in ARG/ENV end up in the image metadata (pitfall 38)."""

from __future__ import annotations

import itertools
import re

from checker.analysis import Context
from checker.model import Instruction
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned

_SECRET_WORDS = frozenset({"password", "passwd", "secret", "token", "apikey", "credential", "credentials",
                           "privatekey", "auth"})  # fmt: skip
_SECRET_PAIRS = frozenset({("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"),
                           ("client", "secret"), ("auth", "token"), ("npm", "token")})  # fmt: skip
_SAFE_WORDS = frozenset({"url", "uri", "endpoint", "host", "path", "file", "dir", "public", "enabled", "mode",
                         "type", "header", "length", "expiry", "ttl", "method", "provider", "name"})  # fmt: skip


def is_secret_name(name: str) -> bool:
    words = [w.lower() for w in re.split(r"[_\-.]", name) if w]
    if not words or any(w in _SAFE_WORDS for w in words):
        return False
    if any(w in _SECRET_WORDS for w in words):
        return True
    return any((a, b) in _SECRET_PAIRS for a, b in itertools.pairwise(words))


def _names(ins: Instruction) -> list[str]:
    if ins.keyword == "ENV":
        return list(ins.args[0::2])
    return [a.partition("=")[0] for a in ins.args]


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    final_chain = {s.index for s in ctx.final_chain()}
    for arg in ctx.df.global_args:
        if is_secret_name(arg.name):
            out.append(
                warned(
                    f"Line {arg.line}: `ARG {arg.name}` looks like a secret. Build args are recorded in the build "
                    "history and cache: `docker history --no-trunc` shows them.",
                    arg.line,
                    hint="Pass secrets with a BuildKit secret mount: `RUN --mount=type=secret,id=npmrc,"
                    "target=/root/.npmrc npm ci` and `docker build --secret id=npmrc,src=.npmrc`.",
                )
            )
    for st in ctx.reachable_stages():
        for ins in st.instructions:
            if ins.keyword not in ("ARG", "ENV"):
                continue
            secret = [n for n in _names(ins) if is_secret_name(n)]
            if not secret:
                continue
            name = secret[0]
            ships = st.index in final_chain
            msg = (
                f"Line {ins.line}: {q(ins)} puts `{name}` in an {ins.keyword}, which looks like a secret. "
                "Potentially sensitive data should not be used in the ARG or ENV commands: "
            )
            if ships:
                msg += (
                    "it is stored in the final image's config and history, where anyone who pulls the image can "
                    "read it."
                )
                out.append(failed(msg, ins.line, ins.snippet))
            else:
                msg += (
                    f"{st.label} does not ship, but its layers, history and build cache keep the value on the build "
                    "machine and in any cache you export."
                )
                out.append(warned(msg, ins.line, ins.snippet))
    if not out:
        out.append(passed("No ARG or ENV looks like a secret.", ctx.final.line))
    return out


RULE = Rule(
    id="SW406",
    name="secrets-in-arg-env",
    concern=Concern.HARDENING,
    title="Don't pass secrets through ARG or ENV",
    rationale="ARG and ENV values are recorded in image metadata and build history.",
    fix="Use a BuildKit secret mount (`RUN --mount=type=secret,id=...`) and never COPY .npmrc or .env.",
    lesson="lessons/05-security/#attack-surface",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Looks at ARG and ENV names (PASSWORD, SECRET, TOKEN, API_KEY, PRIVATE_KEY, ACCESS_KEY, "
        "CLIENT_SECRET, NPM_TOKEN...). Fails them in the final image, warns in builder stages and global ARGs.",
        why="`docker history --no-trunc` shows the value; deleting a file in a later layer does not remove it "
        "from the earlier one (pitfall 38). BuildKit's own check: `SecretsUsedInArgOrEnv`.",
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n"
        "RUN npm run build\n\nFROM node:22-slim\nENV API_TOKEN=abc123\nWORKDIR /app\n"
        'COPY --from=build /app/dist ./dist\nUSER node\nCMD ["node", "dist/server.js"]\n',
        use_instead="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\n"
        "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci\nCOPY . .\nRUN npm run build\n\n"
        "FROM node:22-slim\nWORKDIR /app\nCOPY --from=build /app/dist ./dist\nUSER node\n"
        'CMD ["node", "dist/server.js"]\n',
    ),
    check=check,
    buildkit=("SecretsUsedInArgOrEnv",),
)
