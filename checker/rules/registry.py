"""The rule registry: every rule, static and dynamic, in id order (like ruff's and hadolint's codes).

``all_rules()`` lists them, ``get("SW101")`` finds one (case-insensitive, by id or kebab name),
``static_rules()`` are the ones :func:`checker.static.analyze` runs over the Dockerfile, ``dynamic_rules()``
the ones :class:`checker.dynamic.judge.Judging` runs over the facts a build produced; each dynamic rule
declares the facts it ``needs``, so a check that lacks one skips exactly the rules that need it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from functools import cache
from types import ModuleType

import checker.rules
from checker.rules.base import Kind, Rule

# One file a rule, named after its id (sw101_single_stage.py holds SW101): a new file is a new rule.
_RULE_MODULE = re.compile(r"^sw(\d{3})_\w+$")


def _modules() -> list[ModuleType]:
    found = []
    for info in pkgutil.iter_modules(checker.rules.__path__):
        m = _RULE_MODULE.match(info.name)
        if m is None:
            continue
        module = importlib.import_module(f"checker.rules.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise ValueError(f"checker/rules/{info.name}.py defines no RULE")
        if rule.id != f"SW{m.group(1)}":
            raise ValueError(f"checker/rules/{info.name}.py holds {rule.id}: the file name and the id must agree")
        found.append(module)
    return found


@cache
def _index() -> tuple[tuple[Rule, ...], dict[str, Rule]]:
    rules = tuple(sorted((m.RULE for m in _modules()), key=lambda r: r.id))
    by_key: dict[str, Rule] = {}
    for r in rules:
        for key in (r.id.lower(), r.name):
            if key in by_key:
                raise ValueError(f"duplicate rule id or name: {key}")
            by_key[key] = r
    return rules, by_key


def all_rules() -> list[Rule]:
    return list(_index()[0])


def static_rules() -> list[Rule]:
    return [r for r in _index()[0] if r.kind is Kind.STATIC]


def dynamic_rules() -> list[Rule]:
    return [r for r in _index()[0] if r.kind is Kind.DYNAMIC]


def get(rule_id: str) -> Rule:
    """A rule by id (``SW101``) or name (``single-stage``); KeyError when unknown."""
    try:
        return _index()[1][rule_id.strip().lower()]
    except KeyError:
        raise KeyError(f"unknown rule: {rule_id}") from None


PARSE_RULE_ID = "SW001"
