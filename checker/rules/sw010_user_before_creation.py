"""SW010 user-before-creation: USER a user that a later RUN creates fails the build (pitfall 32)."""

from __future__ import annotations

from checker.analysis import Context, created_users
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        base_users = ctx.image(st).users
        created: set[str] = set()
        for anc in ctx.df.ancestors(st)[1:]:
            created |= ctx.facts(anc).users_created
        pending: dict[str, int] = {}  # user name -> line of the USER that needs it
        user_ins = None
        runs = {id(i): cmds for i, cmds in ctx.facts(st).runs}
        for ins in st.instructions:
            if ins.keyword == "USER":
                name = ins.args[0].split(":", 1)[0]
                if name and not name.isdigit() and "$" not in name and name not in base_users and name not in created:
                    pending[name] = ins.line
                    user_ins = ins
                continue
            if ins.run is None:
                continue
            made = {u for c in runs.get(id(ins), ()) for u in created_users(c)}
            for name in sorted(made & set(pending)):
                assert user_ins is not None
                out.append(
                    failed(
                        f"Line {pending[name]}: {q(user_ins)} switches to `{name}` before line {ins.line} creates it, "
                        f"so the RUN on line {ins.line} cannot start: `unable to find user {name}: no matching "
                        "entries in passwd file`.",
                        pending[name],
                        user_ins.snippet,
                        ins.snippet,
                        hint=f"Create the user first, then switch: move `USER {name}` below line {ins.line}.",
                    )
                )
                del pending[name]
            created |= made
    if not out:
        out.append(passed("No USER comes before the RUN that creates that user.", ctx.final.line))
    return out


RULE = Rule(
    id="SW010",
    name="user-before-creation",
    concern=Concern.BUILD,
    title="Create a user before switching to it",
    rationale="Every RUN after USER runs as that user, so it must already exist.",
    fix="Put `RUN adduser ...` (or useradd) before `USER`.",
    lesson="lessons/05-security/#non-root-user",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Fails a `USER <name>` that comes before the RUN (adduser/useradd) creating that user in the same "
        "stage, when the name is not already in the base image.",
        why="The next RUN cannot start: `unable to find user app: no matching entries in passwd file` (pitfall 32).",
        example="FROM eclipse-temurin:21-jre-alpine\nUSER app\nRUN addgroup -S app && adduser -S -G app app\n"
        'COPY app.jar /app/app.jar\nENTRYPOINT ["java", "-jar", "/app/app.jar"]\n',
        use_instead="FROM eclipse-temurin:21-jre-alpine\nRUN addgroup -S app && adduser -S -G app app\nUSER app\n"
        'COPY app.jar /app/app.jar\nENTRYPOINT ["java", "-jar", "/app/app.jar"]\n',
    ),
    check=check,
)
