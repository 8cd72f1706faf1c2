"""What a rule is: metadata, documentation (ruff's shape) and its check: a static rule's ``check`` judges the
Dockerfile (a :class:`checker.analysis.Context`), a dynamic rule's ``judge`` judges what the build showed (a
:class:`checker.dynamic.facts.DynamicContext` holding the facts it ``needs``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

from checker.dynamic.facts import Fact
from checker.report import Concern, Status

if TYPE_CHECKING:
    from checker.analysis import Context
    from checker.dynamic.facts import DynamicContext
    from checker.model import Instruction

_ID = re.compile(r"^SW\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_LESSON = re.compile(r"^lessons/[0-9]{2}-[a-z0-9-]+/#[a-z0-9-]+$")


class Kind(StrEnum):
    STATIC = "static"  # judged from the Dockerfile (and the context dir) alone
    DYNAMIC = "dynamic"  # judged from the facts a build, the built image and running it produce


@dataclass(frozen=True, slots=True)
class RuleDoc:
    what: str  # "What it does"
    why: str  # "Why is this bad?"
    example: str  # a Dockerfile that fails the rule
    use_instead: str  # a Dockerfile that passes it
    notes: str = ""  # optional extra paragraph (pitfalls, exceptions)


@dataclass(slots=True)
class Verdict:
    """One result of a check, before it becomes a :class:`checker.report.Finding`."""

    status: Status
    message: str
    line: int | None = None
    evidence: Sequence[str] = ()
    hint: str | None = None  # overrides the rule's generic fix hint when set


CheckFn = Callable[["Context"], list[Verdict]]
JudgeFn = Callable[["DynamicContext"], list[Verdict]]


@dataclass(frozen=True, slots=True)
class Rule:
    id: str  # "SW101"
    name: str  # kebab-case
    concern: Concern
    title: str  # one line, shown as the finding title
    rationale: str  # one or two sentences: why it matters
    fix: str  # the generic fix hint
    lesson: str  # lessons/<stem>/#<anchor> (see docs/lesson-anchors.md)
    kind: Kind
    weight: float  # default points
    doc: RuleDoc
    check: CheckFn | None = field(default=None, compare=False)  # static rules: judges the Dockerfile
    judge: JudgeFn | None = field(default=None, compare=False)  # dynamic rules: judges the facts it needs
    needs: frozenset[Fact] = frozenset()  # dynamic rules: the facts `judge` reads; without one it is skipped
    buildkit: tuple[str, ...] = ()  # BuildKit build-check names this rule covers (for de-duplication)

    def __post_init__(self) -> None:
        if not _ID.match(self.id):
            raise ValueError(f"bad rule id {self.id!r}")
        if not _NAME.match(self.name):
            raise ValueError(f"bad rule name {self.name!r}")
        if not _LESSON.match(self.lesson):
            raise ValueError(f"{self.id}: lesson link {self.lesson!r} must look like lessons/<stem>/#<anchor>")
        if self.kind is Kind.STATIC and (self.check is None or self.judge is not None or self.needs):
            raise ValueError(f"{self.id}: a static rule has a check function, and no judge or needs")
        if self.kind is Kind.DYNAMIC and (self.judge is None or self.check is not None or not self.needs):
            raise ValueError(f"{self.id}: a dynamic rule has a judge function and the facts it needs, and no "
                             "static check")

    @property
    def anchor(self) -> str:
        return self.id.lower()

    @property
    def lesson_stem(self) -> str:
        return self.lesson.split("/")[1]

    @property
    def lesson_anchor(self) -> str:
        return self.lesson.split("#", 1)[1]


# Short constructors used by the rule modules.
def passed(message: str, line: int | None = None, *evidence: str) -> Verdict:
    return Verdict(Status.PASS, message, line, evidence)


def failed(message: str, line: int | None = None, *evidence: str, hint: str | None = None) -> Verdict:
    return Verdict(Status.FAIL, message, line, evidence, hint)


def warned(message: str, line: int | None = None, *evidence: str, hint: str | None = None) -> Verdict:
    return Verdict(Status.WARN, message, line, evidence, hint)


def errored(message: str, line: int | None = None, *evidence: str, hint: str | None = None) -> Verdict:
    """The check itself could not decide (a probe that never finished, a twin that did not build)."""
    return Verdict(Status.ERROR, message, line, evidence, hint)


def skipped(message: str, line: int | None = None) -> Verdict:
    return Verdict(Status.SKIP, message, line)


def q(ins: Instruction) -> str:
    """Quote the learner's own instruction for a message."""
    return f"`{ins.snippet}`"
