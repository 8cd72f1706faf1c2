"""SW405 user-exists: USER / --chown names must exist in the final image (pitfall 14, 32)."""

from __future__ import annotations

from checker.analysis import Context
from checker.model import Instruction
from checker.parse import expand
from checker.report import Concern
from checker.rules._users import COMMON_SYSTEM_USERS, final_scope, known_users, passwd_copied
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, skipped, warned


def _names(spec: str) -> list[str]:
    """The names in `user[:group]`, each once: `app:app` is one name to look up, not two findings."""
    return list(dict.fromkeys(p for p in spec.split(":") if p and not p.isdigit()))


def check(ctx: Context) -> list[Verdict]:
    info = ctx.final_image
    users = known_users(ctx)
    copied_passwd = passwd_copied(ctx)
    scope = final_scope(ctx)
    out: list[Verdict] = []
    judged = False
    shellless = info.has_passwd is False or "distroless" in info.ref.path
    for st in ctx.final_chain():
        for ins in st.instructions:
            spec: str | None = None
            if ins.keyword == "USER":
                spec = ins.args[0]
            elif ins.copy is not None and ins.copy.chown:
                spec = ins.copy.chown
            if spec is None:
                continue
            value, ok = expand(spec, scope)
            if not ok:
                continue
            judged = True
            for name in _names(value):
                out.extend(_judge(ctx, ins, name, users, copied_passwd, shellless))
    if not judged:
        return [skipped("No USER or --chown by name in the final image.", ctx.final.line)]
    return out or [
        passed("Every user and group named in the final image exists there (or is numeric).", ctx.final.line)
    ]


def _judge(
    ctx: Context, ins: Instruction, name: str, users: set[str], copied_passwd: bool, shellless: bool
) -> list[Verdict]:
    info = ctx.final_image
    where = "COPY --chown" if ins.keyword == "COPY" else "USER"
    if info.has_passwd is False and not copied_passwd:
        return [
            failed(
                f"Line {ins.line}: {q(ins)} names the user `{name}`, but `{info.display}` has no /etc/passwd, so "
                f"the name cannot be resolved: `unable to find user {name}: no matching entries in passwd file`.",
                ins.line,
                ins.snippet,
                hint="Use numeric ids (`USER 65532:65532`, `--chown=65532:65532`), or create the user in the builder "
                "and copy /etc/passwd and /etc/group into the final stage.",
            )
        ]
    if name in users or copied_passwd:
        if shellless and ins.keyword == "USER":
            uid = "65532" if name == "nonroot" else ("65534" if name == "nobody" else None)
            return [
                warned(
                    f"Line {ins.line}: {q(ins)} works with Docker, but Kubernetes' `runAsNonRoot` cannot verify a "
                    "user name (`image has non-numeric user`), and there is no shell to debug with.",
                    ins.line,
                    ins.snippet,
                    hint=f"Prefer the numeric id: `USER {uid or '<uid>'}`.",
                )
            ]
        return []
    if name in COMMON_SYSTEM_USERS:
        return []
    verdict = failed if info.category != "unknown" else warned
    return [
        verdict(
            f"Line {ins.line}: {where} uses `{name}`, but no user or group of that name is created in the final "
            f"image (`{info.display}` does not have one): "
            + (
                f"`unable to convert uid/gid chown string to host mapping: can't find uid for user {name}`."
                if where == "COPY --chown"
                else f"`unable to find user {name}: no matching entries in passwd file`."
            ),
            ins.line,
            ins.snippet,
            hint="Create it in the final stage before use (`RUN addgroup -S app && adduser -S app -G app` on Alpine, "
            "`RUN useradd --system app` on Debian), or use numeric ids. Users made in the builder do not carry over.",
        )
    ]


RULE = Rule(
    id="SW405",
    name="user-exists",
    concern=Concern.HARDENING,
    title="Name only users that exist in the final image",
    rationale="User names are looked up in the final image's /etc/passwd; scratch has none.",
    fix="Use numeric ids on scratch/distroless, or create the user in the final stage first.",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Checks every `USER` and `COPY --chown` of the final image that uses a name: fails on scratch (no "
        "/etc/passwd) unless /etc/passwd is copied in, fails names that are neither in the base image nor "
        "created with adduser/useradd in the final stage, and warns about names on distroless (prefer 65532).",
        why="The container does not start: `unable to find user nobody: no matching entries in passwd file`, "
        "or the build fails with `can't find uid for user app` (pitfall 14, pitfall 32).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n"
        "RUN adduser -D app\n\nFROM scratch\nCOPY --from=build /out/app /app\nUSER app\n"
        'ENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        'FROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\nENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
