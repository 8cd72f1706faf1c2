"""Stagewise rules: one module per rule, collected by :mod:`checker.rules.registry`."""

from checker.rules.base import Kind, Rule, RuleDoc, Verdict

__all__ = ["Kind", "Rule", "RuleDoc", "Verdict"]
