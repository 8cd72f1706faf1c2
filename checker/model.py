"""The Dockerfile model every static rule shares: stages, instructions, copies, mounts and the stage graph.

Built once per file by :func:`checker.parse.parse`; rules only read it. Stage names are compared
case-insensitively (``name`` is lower-cased, ``name_as_written`` keeps the learner's spelling), as BuildKit
does. Line numbers are 1-based and point at the first line of an instruction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from checker.image_roles import ImageInfo, classify


@dataclass(frozen=True, slots=True)
class Flag:
    name: str  # without the leading dashes, lower-case
    value: str | None  # None for a bare flag such as --link


@dataclass(frozen=True, slots=True)
class Heredoc:
    name: str
    content: str


@dataclass(frozen=True, slots=True)
class Mount:
    """One ``RUN --mount=...`` flag."""

    type: str  # bind (default), cache, secret, ssh, tmpfs
    from_ref: str | None  # from=<stage|image>, expanded
    source: str | None
    target: str | None
    id: str | None
    raw: str


@dataclass(frozen=True, slots=True)
class CopySpec:
    """A COPY or ADD: sources, destination and flags (variables expanded in the stage's scope)."""

    sources: tuple[str, ...]
    dest: str  # as written (expanded)
    dest_abs: str  # resolved against the WORKDIR in effect
    dest_is_dir: bool
    from_ref: str | None  # --from value (expanded), None for the build context
    chown: str | None
    chmod: str | None
    link: bool
    is_add: bool
    heredoc: bool


@dataclass(frozen=True, slots=True)
class RunSpec:
    script: str  # shell text (JSON form joined with spaces; heredoc bodies appended)
    shell_form: bool
    mounts: tuple[Mount, ...]


@dataclass(slots=True)
class Instruction:
    keyword: str  # upper-case: FROM, RUN, COPY...
    line: int  # first line, 1-based
    end_line: int
    original: str  # the instruction as written (continuations joined by the parser)
    args: tuple[str, ...]
    flags: tuple[Flag, ...]
    json: bool  # exec (JSON) form
    heredocs: tuple[Heredoc, ...]
    sub_keyword: str | None = None  # ONBUILD <sub>
    stage_index: int | None = None  # None for ARGs before the first FROM
    workdir: str = "/"  # the WORKDIR in effect when this instruction runs
    copy: CopySpec | None = None
    run: RunSpec | None = None

    def flag(self, name: str) -> str | None:
        for f in self.flags:
            if f.name == name:
                return f.value if f.value is not None else "true"
        return None

    def has_flag(self, name: str) -> bool:
        return any(f.name == name for f in self.flags)

    @property
    def snippet(self) -> str:
        """The learner's own line, first physical line only, shortened for messages."""
        text = self.original.split("\n", 1)[0].strip()
        text = " ".join(text.split())
        return text if len(text) <= 90 else text[:87] + "..."


@dataclass(frozen=True, slots=True)
class ArgDecl:
    name: str
    default: str | None
    line: int


@dataclass(slots=True)
class Stage:
    index: int
    name: str | None  # lower-case, as BuildKit matches it
    name_as_written: str | None
    base_raw: str  # as written after FROM
    base: str  # with ARG defaults substituted
    base_resolved: bool  # False when a variable had no default
    base_stage: int | None  # index of the stage it is built FROM, if any
    platform: str | None
    from_instr: Instruction
    instructions: list[Instruction] = field(default_factory=list)
    args: dict[str, str | None] = field(default_factory=dict)  # ARGs declared inside the stage
    env: dict[str, str] = field(default_factory=dict)  # ENV set inside the stage (last value)
    final_workdir: str = "/"

    @property
    def line(self) -> int:
        return self.from_instr.line

    @property
    def label(self) -> str:
        if self.name_as_written:
            return f"stage '{self.name_as_written}'"
        return f"stage #{self.index} (unnamed, line {self.line})"

    def of(self, *keywords: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword in keywords]


RefKind = Literal["from", "copy", "mount"]
RefProblem = Literal["undefined", "forward", "self", "out-of-range", "image-like-name"]


@dataclass(slots=True)
class StageRef:
    """One reference from a stage to another stage or to an external image."""

    kind: RefKind
    stage_index: int  # the stage holding the reference
    instruction: Instruction
    raw: str  # the value as written/expanded
    target: int | None  # the stage it resolves to (BuildKit semantics), None for images
    numeric: bool = False
    external: bool = False  # an image reference
    problem: RefProblem | None = None
    suggestion: str | None = None  # closest stage name for likely typos

    @property
    def line(self) -> int:
        return self.instruction.line


@dataclass(frozen=True, slots=True)
class StageGraph:
    """The stage graph seen from one build target (see :meth:`Dockerfile.graph`)."""

    target: int | None  # None when --target names no stage
    reachable: frozenset[int]  # stages BuildKit builds for the target
    unused: tuple[int, ...]  # stages it skips
    undefined: tuple[StageRef, ...]  # --from names no stage and is not an image (or an index out of range)
    image_like: tuple[StageRef, ...]  # bare known image names (`--from=alpine`): pulled, unpinned
    forward: tuple[StageRef, ...]  # references to stages defined further down
    self_refs: tuple[StageRef, ...]  # a stage copying from itself
    cycles: tuple[StageRef, ...]  # references closing a dependency cycle (self references included)
    numeric: tuple[StageRef, ...]  # --from=<index>
    external: tuple[StageRef, ...]  # --from=<image> and FROM <image>


@dataclass(slots=True)
class Dockerfile:
    text: str
    directives: dict[str, str]
    directive_lines: dict[str, int]
    global_args: list[ArgDecl]
    stages: list[Stage]
    refs: list[StageRef]
    _by_name: dict[str, int] = field(default_factory=dict)
    _ancestors: dict[int, list[Stage]] = field(default_factory=dict)
    _deps: dict[int, set[int]] | None = None

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    @property
    def global_arg_defaults(self) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for a in self.global_args:
            out[a.name] = a.default
        return out

    def stage_named(self, name: str) -> Stage | None:
        idx = self._by_name.get(name.lower())
        return None if idx is None else self.stages[idx]

    def target_stage(self, target: str | None) -> Stage | None:
        """The stage a build produces: ``--target`` (case-insensitive) or the last stage."""
        if not self.stages:
            return None
        if target:
            return self.stage_named(target)
        return self.stages[-1]

    def ancestors(self, stage: Stage) -> list[Stage]:
        """The FROM-chain: the stage itself first, then the stage it is built from, and so on."""
        cached = self._ancestors.get(stage.index)
        if cached is not None:
            return cached
        chain = [stage]
        seen = {stage.index}
        cur = stage
        while cur.base_stage is not None and cur.base_stage not in seen:
            cur = self.stages[cur.base_stage]
            seen.add(cur.index)
            chain.append(cur)
        self._ancestors[stage.index] = chain
        return chain

    def root_image(self, stage: Stage) -> str:
        """The external image at the root of a stage's FROM-chain (``scratch`` included)."""
        return self.ancestors(stage)[-1].base

    def image_info(self, stage: Stage) -> ImageInfo:
        return classify(self.root_image(stage))

    def dependencies(self, stage_index: int) -> set[int]:
        """Stages a stage depends on directly (FROM <stage>, COPY --from, RUN --mount from=)."""
        if self._deps is None:
            table: dict[int, set[int]] = {s.index: set() for s in self.stages}
            for s in self.stages:
                if s.base_stage is not None:
                    table[s.index].add(s.base_stage)
            for ref in self.refs:
                if ref.target is not None and ref.target != ref.stage_index:
                    table[ref.stage_index].add(ref.target)
            self._deps = table
        return self._deps[stage_index]

    def reachable(self, target_index: int) -> set[int]:
        """Stages BuildKit builds for a target: the target and everything it depends on."""
        seen = {target_index}
        todo = [target_index]
        while todo:
            for dep in self.dependencies(todo.pop()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    def graph(self, target: str | None = None) -> StageGraph:
        stage = self.target_stage(target)
        reach = frozenset(self.reachable(stage.index)) if stage is not None else frozenset()
        refs = self.refs
        return StageGraph(
            target=stage.index if stage is not None else None,
            reachable=reach,
            unused=tuple(s.index for s in self.stages if s.index not in reach),
            undefined=tuple(r for r in refs if r.problem in ("undefined", "out-of-range")),
            image_like=tuple(r for r in refs if r.problem == "image-like-name"),
            forward=tuple(r for r in refs if r.problem == "forward"),
            self_refs=tuple(r for r in refs if r.problem == "self"),
            cycles=tuple(self.cycles()),
            numeric=tuple(r for r in refs if r.numeric),
            external=tuple(r for r in refs if r.external),
        )

    def cycles(self) -> list[StageRef]:
        """References that close a dependency cycle (a stage copying from itself is a cycle of one).

        Only a reference to the same or a later stage can close a cycle, because FROM <stage> and
        backward references always point down the file.
        """
        out: list[StageRef] = []
        for ref in self.refs:
            if ref.target is None or ref.target < ref.stage_index:
                continue
            if ref.target == ref.stage_index or ref.stage_index in self.reachable(ref.target):
                out.append(ref)
        return out
