"""SW350 dependency-layer-reused: a source-only edit reuses the dependency install from the build cache, and a
manifest edit re-runs it (proven by the cache probe's rebuilds)."""

from __future__ import annotations

from checker.dynamic.cacheprobe import ProbeRun
from checker.dynamic.facts import DynamicContext, Fact
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, errored, failed, passed, skipped, warned

_FATE = {True: "reused from cache", False: "ran again", None: "never decided"}


def judge(ctx: DynamicContext) -> list[Verdict]:
    probe = ctx.cache_probe
    install = probe.install
    cache = ctx.spec.cache if ctx.spec else None
    if install is None and cache is not None and cache.required:
        # The exercise is about this step: leaving it out (or folding it into the compile) is the mistake.
        return [failed("This exercise expects the dependencies to be installed in a step of their own, before the "
                       f"source is copied, but no stage the final image uses has one. Copy "
                       f"`{cache.manifest_file or 'the dependency manifest'}` first, install the "
                       "dependencies (npm ci, mvn dependency:go-offline, go mod download, pip install -r ...), "
                       "then copy the rest of the source.", ctx.final_line)]
    if install is None:
        return [skipped("no dependency-install step (npm ci, go mod download, mvn dependency:..., pip install "
                        "-r...) to probe")]
    source = probe.source
    if probe.result is None or source is None:
        return [skipped("no source file in the context to edit for the probe", install.line)]
    src_run: ProbeRun | None = probe.result.source_edit
    man_run: ProbeRun | None = probe.result.manifest_edit
    installs = [i for i in (probe.installs or (install,))]
    evidence = []
    for run, what in ((src_run, "after editing {} only"), (man_run, "after editing {}")):
        if run is None:
            continue
        for ins in installs:
            fate = run.fates.get(ins.line, run.install_cached if len(installs) == 1 else None)
            evidence.append(f"{what.format(run.edited)}: line {ins.line} `{ins.snippet}` {_FATE[fate]} "
                            f"({run.seconds:.1f} s probe)")
    if src_run is None or src_run.install_cached is None:
        return [errored(f"The cache probe could not tell whether line {install.line} was reused: "
                        f"{src_run.error if src_run else 'no probe build'}", install.line, *evidence)]
    if src_run.install_cached:
        if man_run is not None and man_run.install_cached is True:
            return [warned(f"Line {install.line} `{install.snippet}` was reused after a source edit, but also after "
                           f"editing {man_run.edited}: the install step does not depend on the manifest, so "
                           "dependency changes would not reinstall.", install.line, *evidence)]
        steps = ", ".join(f"line {i.line} `{i.snippet}`" for i in installs)
        return [passed(f"A source-only edit ({source}) reused the dependency step{'s' if len(installs) > 1 else ''}, "
                       f"{steps}; editing the manifest re-ran {'them' if len(installs) > 1 else 'it'}.",
                       install.line, *evidence)]
    rerun = [i for i in installs if src_run.fates.get(i.line, src_run.install_cached if len(installs) == 1
                                                          else None) is False]
    out = []
    for ins in rerun or [install]:
        earlier = [i for i in installs if i.line < ins.line and src_run.fates.get(i.line) is True]
        why = (f" An earlier install, line {earlier[0].line} `{earlier[0].snippet}`, is reused, but this one comes "
               "after a COPY that brings in the sources, so it runs again anyway: install once, in the stage "
               "that copies only the manifests, and build from there without installing again."
               if earlier else " A COPY before it brings in sources, so every code change reinstalls every "
               "dependency.")
        hint = (f"Install once: take the install out of line {ins.line} and keep only the build commands there; "
                f"this stage gets the dependencies line {earlier[0].line} installed (`FROM` that stage, or "
                "`COPY --from=` its dependency folder)." if earlier else None)
        out.append(failed(f"Editing only {source} re-ran the dependency install, line {ins.line} `{ins.snippet}`."
                          + why, ins.line, *evidence, hint=hint))
    return out


RULE = Rule(
    id="SW350",
    name="dependency-layer-reused",
    concern=Concern.CACHE_ORDERING,
    title="A source edit must not re-run the dependency install",
    rationale="Dependency layers that survive code edits make rebuilds take seconds instead of minutes.",
    fix=(
        "Copy the manifests, install, then copy the sources; check with `docker build "
        "--progress=plain` that the install step says CACHED after an edit."
    ),
    lesson="lessons/06-migration/#step-2-cache",
    kind=Kind.DYNAMIC,
    weight=3.0,
    doc=RuleDoc(
        what=(
            "Rebuilds scratch copies of the context, side by side: after editing a source file, every "
            "dependency-install step the target reaches (the exercise's `install_pattern`; a later stage's "
            "`RUN npm ci && npm run build` after `COPY . .` counts too, and each one that re-runs is reported "
            "with its line) must be `CACHED`; after editing "
            "the manifest, it must run again (so the check cannot be passed by never installing). Each "
            "probe build stops as soon as the step's fate is known. A re-run is confirmed before it is "
            "blamed: the step must come from the cache with nothing edited, and a second, fresh source "
            "edit must re-run it again. Probe builds start from tags of their own for the base images, so "
            "a concurrent build on the same engine cannot make BuildKit miss the cache (BuildKit issue "
            "4674)."
        ),
        why=(
            "The static rule reads the order of instructions; this probe watches BuildKit's cache "
            "for real, including `.dockerignore` effects (pitfall 23, pitfall 24)."
        ),
        example="FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\nRUN npm run build\n",
        use_instead=(
            "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . "
            ".\nRUN npm run build\n"
        ),
        notes="",
    ),
    judge=judge,
    needs=frozenset({Fact.CACHE_PROBE}),
)
