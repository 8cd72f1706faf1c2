"""Helpers shared by the user-related hardening rules."""

from __future__ import annotations

from checker.analysis import Context
from checker.model import Instruction
from checker.parse import expand

COMMON_SYSTEM_USERS = frozenset(
    {
        "root", "nobody", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news", "uucp", "proxy",
        "www-data", "backup", "list", "irc", "_apt", "adm", "operator", "ftp", "guest", "nogroup", "users",
        "wheel", "staff", "shutdown", "halt", "postmaster", "cron", "squid", "xfs", "sshd", "at", "ntp",
    }
)  # fmt: skip


def final_scope(ctx: Context) -> dict[str, str | None]:
    scope: dict[str, str | None] = {}
    for st in ctx.final_chain():
        scope.update(st.args)
        scope.update(st.env)
    return scope


def effective_user(ctx: Context) -> tuple[str | None, Instruction | None, bool]:
    """(user as configured, the USER instruction or None for the base default, resolved)."""
    ins = ctx.last("USER")
    if ins is None:
        info = ctx.final_image
        if info.default_uid is None:
            return None, None, False
        return (str(info.default_uid) if info.default_user in (None, "root") else info.default_user), None, True
    value, ok = expand(ins.args[0], final_scope(ctx))
    return value, ins, ok


def is_root(user: str) -> bool:
    return user.split(":", 1)[0].strip() in ("root", "0", "")


def known_users(ctx: Context) -> set[str]:
    users = set(ctx.final_image.users)
    for st in ctx.final_chain():
        users |= ctx.facts(st).users_created
    return users


def passwd_copied(ctx: Context) -> bool:
    return any(ctx.facts(st).passwd_copied for st in ctx.final_chain())
