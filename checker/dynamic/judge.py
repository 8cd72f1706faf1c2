"""Dynamic rules judge the facts: each rule runs once every fact it needs is there, and a rule whose facts will
not come is skipped, with the reason of the first missing one (the only place such skips are written).

Findings keep one fixed order whatever finishes first: the rules that ran, by the last fact they needed (in
the order a check produces facts) and then by id; then the skipped ones, by id.
"""

from __future__ import annotations

from checker.dynamic.facts import FACT_ORDER, DynamicContext
from checker.report import Finding, Status
from checker.rules.base import Rule, Verdict
from checker.rules.registry import dynamic_rules
from checker.spec import Spec


def _weight(rule: Rule, spec: Spec | None) -> tuple[float, bool]:
    """(points, required) for a rule under a spec; without a spec every rule counts its default weight."""
    if spec and spec.rules:
        w = spec.rules.get(rule.id)
        if w is None:
            return 0.0, False
        return w.points, w.required
    return rule.weight, True


def finding(rule: Rule, status: Status, message: str, spec: Spec | None, *, line: int | None = None,
            hint: str | None = None, evidence: list[str] | None = None) -> Finding:
    """A dynamic rule's verdict as a finding: each is worth the rule's whole weight (a dynamic rule gives one
    verdict); a failure without a hint of its own gets the rule's fix."""
    points, required = _weight(rule, spec)
    if not required:
        points = 0.0
    earned = points if status in (Status.PASS, Status.WARN, Status.SKIP) else 0.0
    return Finding(rule=rule.id, concern=rule.concern, status=status, message=message, line=line,
                   hint=hint if hint is not None else (rule.fix if status in (Status.FAIL, Status.ERROR, Status.WARN)
                                                       else None),
                   lesson=rule.lesson, points=earned if status != Status.SKIP else 0.0,
                   max_points=points if status != Status.SKIP else 0.0, evidence=evidence or [], title=rule.title)


def _rank(rule: Rule) -> tuple[int, str]:
    return max(FACT_ORDER[f] for f in rule.needs), rule.id


class Judging:
    """The dynamic rules of one check over its context: call :meth:`ready` whenever facts arrive (rules run
    while the engine still works on the slower facts), then :meth:`finish` for every finding."""

    def __init__(self, ctx: DynamicContext, rules: list[Rule] | None = None) -> None:
        self.ctx = ctx
        self.rules = sorted(rules if rules is not None else dynamic_rules(), key=lambda r: r.id)
        self._judged: dict[str, list[Finding]] = {}

    @property
    def judged(self) -> frozenset[str]:
        """The ids of the rules that ran so far."""
        return frozenset(self._judged)

    def ready(self) -> None:
        """Run every rule whose facts are all there and that has not run yet."""
        for rule in self.rules:
            if rule.id not in self._judged and all(self.ctx.facts.has(f) for f in rule.needs):
                self._judged[rule.id] = [self._finding(rule, v) for v in self._verdicts(rule)]

    def finish(self) -> list[Finding]:
        self.ready()
        judged = [f for rule in sorted((r for r in self.rules if r.id in self._judged), key=_rank)
                  for f in self._judged[rule.id]]
        skipped = []
        for rule in self.rules:
            if rule.id in self._judged:
                continue
            missing = self.ctx.facts.why_missing(rule.needs)
            if missing is None:
                raise RuntimeError(f"{rule.id} needs {sorted(rule.needs)}: neither produced nor said missing")
            skipped.append(self._finding(rule, Verdict(missing.status, missing.reason)))
        return judged + skipped

    def _verdicts(self, rule: Rule) -> list[Verdict]:
        assert rule.judge is not None
        return rule.judge(self.ctx)

    def _finding(self, rule: Rule, v: Verdict) -> Finding:
        return finding(rule, v.status, v.message, self.ctx.spec, line=v.line, hint=v.hint, evidence=list(v.evidence))
