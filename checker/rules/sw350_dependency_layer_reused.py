"""SW350 dependency-layer-reused: dynamic rule (metadata and docs only; the engine implements the check)."""

from __future__ import annotations

from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc

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
)
