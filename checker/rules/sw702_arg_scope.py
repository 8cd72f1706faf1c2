"""SW702 arg-scope: ARGs end at each FROM; re-declare them in the stage that uses them (pitfall 8, 9, 10, 11)."""

from __future__ import annotations

import re

from checker.analysis import Context, variables_used
from checker.model import Instruction
from checker.parse import PLATFORM_ARGS
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, passed, q, warned

_RUNTIME = frozenset({"CMD", "ENTRYPOINT", "HEALTHCHECK"})


def _text(ins: Instruction) -> str:
    if ins.run is not None:
        return ins.run.script
    parts = list(ins.args) + [f.value or "" for f in ins.flags]
    return " ".join(parts)


def _assigned_in_script(script: str, var: str) -> bool:
    return bool(re.search(rf"(?:\b{var}=|\bfor\s+{var}\b|\bread\s+(?:-\w+\s+)*{var}\b)", script))


def check(ctx: Context) -> list[Verdict]:
    df = ctx.df
    global_args = {a.name: a.line for a in df.global_args}
    stage_args: dict[str, tuple[int, str]] = {}
    stage_envs: dict[str, tuple[int, str]] = {}
    for st in df.stages:
        for ins in st.instructions:
            if ins.keyword == "ARG":
                for a in ins.args:
                    stage_args.setdefault(a.partition("=")[0], (ins.line, st.label))
            elif ins.keyword == "ENV":
                for k in ins.args[0::2]:
                    stage_envs.setdefault(k, (ins.line, st.label))
    interesting = set(global_args) | set(stage_args) | set(stage_envs) | PLATFORM_ARGS
    out: list[Verdict] = []
    for st in ctx.reachable_stages():
        chain = df.ancestors(st)
        args_in_scope: set[str] = set()
        env_in_scope: set[str] = set()
        for anc in reversed(chain[1:]):
            args_in_scope |= set(anc.args)
            env_in_scope |= set(anc.env)
        reported: set[str] = set()
        for ins in st.instructions:
            if ins.keyword == "ARG":
                args_in_scope |= {a.partition("=")[0] for a in ins.args}
                continue
            if ins.keyword == "ENV":
                env_in_scope.update(ins.args[0::2])
            if "$" not in ins.original:
                continue
            text = _text(ins)
            used = variables_used(text) & interesting
            for var in sorted(used):
                if var in reported:
                    continue
                runtime = ins.keyword in _RUNTIME
                visible = env_in_scope if runtime else (env_in_scope | args_in_scope)
                if var in visible or (ins.run is not None and _assigned_in_script(text, var)):
                    continue
                if var in stage_envs and var not in global_args and var not in stage_args:
                    line, label = stage_envs[var]
                    why = (
                        f"it is set with ENV in {label} (line {line}), and ENV only carries over to stages built "
                        "FROM that stage"
                    )
                    fix = f"Set `ENV {var}=...` in this stage (or in a shared base stage both start FROM)."
                elif runtime:
                    why = "ARG values exist only while building; the running container sees ENV only"
                    fix = f"Turn it into runtime config: `ARG {var}` then `ENV {var}=${var}` in this stage."
                elif var in PLATFORM_ARGS and var not in global_args and var not in stage_args:
                    why = "the platform ARGs exist in a stage only after `ARG " + var + "` is declared there"
                    fix = f"Add `ARG {var}` (without a default) in this stage."
                elif var in global_args:
                    why = (
                        f"it is declared before the first FROM (line {global_args[var]}), and those ARGs are visible "
                        "only to FROM lines"
                    )
                    fix = f"Add `ARG {var}` (no value: it keeps the global default) inside this stage."
                else:
                    line, label = stage_args[var]
                    why = f"it is declared in {label} (line {line}), and an ARG's scope ends at the next FROM"
                    fix = f"Re-declare `ARG {var}` in this stage."
                reported.add(var)
                out.append(
                    warned(
                        f"Line {ins.line}: {q(ins)} in {st.label} uses `${var}`, which is empty here: {why}.",
                        ins.line,
                        ins.snippet,
                        hint=fix,
                    )
                )
    if not out:
        out.append(passed("Every ARG used in a stage is declared in that stage.", ctx.final.line))
    return out


RULE = Rule(
    id="SW702",
    name="arg-scope",
    concern=Concern.LINT,
    title="Re-declare ARGs in every stage that uses them",
    rationale="An ARG lives only until the end of its stage; ARGs before the first FROM only reach FROM lines.",
    fix="Add `ARG NAME` (without a value) in each stage that uses it.",
    lesson="lessons/02-stages-and-copy-from/#from-as-names-a-stage",
    kind=Kind.STATIC,
    weight=0.0,
    doc=RuleDoc(
        what="Warns when an instruction uses `$NAME` for a name that is an ARG declared elsewhere (before the "
        "first FROM or in another stage), a platform ARG (`TARGETARCH`...) not declared in the stage, an ENV "
        "of an unrelated stage, or an ARG in CMD/ENTRYPOINT (run time).",
        why="The variable expands to nothing: `--build-arg VERSION=1.2` works in one stage and prints nothing "
        "in the next; package names come out as `clang--dev` (pitfall 8, pitfall 9, pitfall 10, pitfall 11).",
        example="ARG GO_VERSION=1.23\nFROM golang:${GO_VERSION} AS build\nWORKDIR /src\nCOPY . .\n"
        'RUN go build -ldflags "-X main.goVersion=${GO_VERSION}" -o /out/app .\n',
        use_instead="ARG GO_VERSION=1.23\nFROM golang:${GO_VERSION} AS build\nARG GO_VERSION\nWORKDIR /src\n"
        'COPY . .\nRUN go build -ldflags "-X main.goVersion=${GO_VERSION}" -o /out/app .\n',
    ),
    check=check,
    buildkit=("UndefinedVar", "UndefinedArgInFrom"),
)
