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
    evidence = []
    if src_run is not None:
        evidence.append(f"after editing {src_run.edited} only: line {install.line} `{install.snippet}` "
                        f"{_FATE[src_run.install_cached]} ({src_run.seconds:.1f} s probe)")
    if man_run is not None:
        evidence.append(f"after editing {man_run.edited}: the same step {_FATE[man_run.install_cached]} "
                        f"({man_run.seconds:.1f} s probe)")
    if src_run is None or src_run.install_cached is None:
        return [errored(f"The cache probe could not tell whether line {install.line} was reused: "
                        f"{src_run.error if src_run else 'no probe build'}", install.line, *evidence)]
    if src_run.install_cached:
        if man_run is not None and man_run.install_cached is True:
            return [warned(f"Line {install.line} `{install.snippet}` was reused after a source edit, but also after "
                           f"editing {man_run.edited}: the install step does not depend on the manifest, so "
                           "dependency changes would not reinstall.", install.line, *evidence)]
        return [passed(f"A source-only edit ({source}) reused the dependency step, line {install.line} "
                       f"`{install.snippet}`; editing the manifest re-ran it.", install.line, *evidence)]
    return [failed(f"Editing only {source} re-ran the dependency install, line {install.line} `{install.snippet}`: "
                   "a COPY before it brings in sources, so every code change reinstalls every dependency.",
                   install.line, *evidence)]


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
            "Rebuilds scratch copies of the context, side by side: after editing a source file, the "
            "dependency-install step (the exercise's `install_pattern`) must be `CACHED`; after editing "
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
