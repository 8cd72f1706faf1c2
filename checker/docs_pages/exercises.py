"""The exercises' pages: each exercise's README (links rewritten for the site, its "checks" section filled from
``exercise.yaml`` and the rule registry) and the exercises' index page."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from checker.docs_pages import structure
from checker.docs_pages.lessons import section_link
from checker.docs_pages.links import SiteLinks
from checker.docs_pages.markdown_helpers import (
    admonition,
    details_to_admonitions,
    escape_table_cell,
    indent,
    markdown_headings,
)
from checker.docs_pages.structure import NOTICE, REPO
from checker.rules.registry import get

log = logging.getLogger("stagewise.docs")


@dataclass(frozen=True)
class Exercise:
    id: str
    dir: Path
    spec: Any  # checker.spec.Spec | None

    @property
    def readme(self) -> Path:
        return self.dir / "README.md"

    @property
    def solution_dir(self) -> Path:
        return self.dir.parent.parent / "solutions" / self.id

    @property
    def title(self) -> str:
        if self.readme.is_file():
            for h in markdown_headings(self.readme.read_text(encoding="utf-8")):
                if h.level == 1:
                    return re.sub(r"^Exercise:\s*", "", h.text)
        return str(self.spec.title) if self.spec else self.id

    @property
    def has_solution(self) -> bool:
        return (self.solution_dir / "Dockerfile").is_file()


def exercises(repo: Path = REPO) -> list[Exercise]:
    from checker.spec import load_spec

    out = []
    root = repo / "exercises"
    for d in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else []:
        if not (d / "README.md").is_file():
            log.warning("exercise %s has no README.md yet: left out of the site", d.name)
            continue
        spec = None
        if (d / "exercise.yaml").is_file():
            try:
                spec = load_spec(d / "exercise.yaml")
            except (ValueError, yaml.YAMLError) as exc:
                log.warning("exercises/%s/exercise.yaml does not validate: %s", d.name, exc)
        out.append(Exercise(d.name, d, spec))
    return out


def checks_markdown(spec: Any, page: str, titles: dict[str, str] | None = None) -> str:
    """What the checker verifies for an exercise, from its spec and the rule registry (markdown)."""
    out: list[str] = []
    out.append("`stagewise check` builds your Dockerfile for real (context: the exercise folder) and reports "
               "one finding per rule, grouped by concern.\n")
    facts: list[str] = []
    if spec.target:
        facts.append(f"- **Target stage:** `{spec.target}`.")
    if spec.smoke and spec.smoke.http:
        h = spec.smoke.http
        body = f" whose body contains `{h.expect_body}`" if h.expect_body else ""
        platform = (f"; the checker sets only `{h.platform_port}`, as a platform would, to a port of its own"
                    if h.platform_port else f"; the port asked is its `{h.port_env}` default")
        facts.append(f"- **It answers:** the image runs as `docker run IMAGE` would, with its own ENV defaults, "
                     f"in a network namespace of its own{platform}, and `GET {h.path}` (from a probe in that "
                     f"namespace) returns {h.expect_status}{body}.")
    if spec.smoke and spec.smoke.command:
        c = spec.smoke.command
        expect = f", printing `{c.expect_output}`" if c.expect_output else ""
        facts.append(f"- **It runs:** `docker run IMAGE {' '.join(c.args)}` exits {c.expect_exit}{expect}.")
    if spec.smoke and spec.smoke.expect_healthy:
        facts.append("- **It is healthy:** its `HEALTHCHECK` reports *healthy* in the runtime image.")
    if spec.cache:
        missing = ("a Dockerfile without that step fails" if spec.cache.required
                   else "a Dockerfile without that step is not probed")
        facts.append(f"- **Cache ordering, proven by a rebuild:** after an edit of `{spec.cache.source_file}` the "
                     f"dependency install step (`{spec.cache.install_pattern}`) comes from the cache; after an "
                     f"edit of `{spec.cache.manifest_file}` it runs again; {missing}.")
    if spec.milestones:
        steps = "; ".join(f"{m.title}{' (optional, not graded)' if m.optional else ''}: "
                          + ", ".join(c.value for c in m.concerns) for m in spec.milestones)
        facts.append(f"- **Progress:** the report says which step is reached (every concern of the step passes, "
                     f"and every earlier required step is reached): {steps}.")
    if spec.artifacts:
        facts.append("- **Expected in the final image:** " + ", ".join(f"`{a}`" for a in spec.artifacts) + ".")
    if spec.forbidden:
        facts.append("- **Not in the final image:** " + ", ".join(f"`{a}`" for a in spec.forbidden) + ".")
    if spec.size and spec.size.max_mb:
        facts.append(f"- **Size budget:** at most {spec.size.max_mb:g} MB.")
    if spec.size and spec.size.max_fraction_of_single_stage:
        facts.append(f"- **Size budget:** at most {spec.size.max_fraction_of_single_stage:.0%} of the "
                     "single-stage image.")
    facts.append(f"- **Runs as a non-root user:** {'required' if spec.require_non_root else 'not required'}; "
                 f"**health check:** {'required' if spec.require_healthcheck else 'not required'}.")
    out.append("\n".join(facts) + "\n")
    if spec.rules:
        out.append("| rule | concern | points | required |\n|---|---|---|---|")
        for rule_id, weight in sorted(spec.rules.items()):
            try:
                rule = get(rule_id)
                name = (f"[{rule.id}]({structure.link(structure.RULE_REFERENCE, page, rule.anchor)}) "
                        f"{escape_table_cell(rule.title)}")
                concern = rule.concern.value
            except KeyError:
                name, concern = rule_id, "?"
            out.append(f"| {name} | {concern} | {weight.points:g} | {'yes' if weight.required else 'no'} |")
        out.append("")
    else:
        out.append(f"Every rule of the [rule reference]({structure.link(structure.RULE_REFERENCE, page)}) applies "
                   "with its default weight.\n")
    if spec.lessons:
        out.append("Read first: " + " · ".join(section_link(lesson, page, titles)
                                                for lesson in spec.lessons) + "\n")
    return "\n".join(out)


_CHECKS = re.compile(r"(<!--\s*checks:start\s*-->)(?P<body>.*?)(<!--\s*checks:end\s*-->)", re.S)


def exercise_page_markdown(ex: Exercise, links: SiteLinks, titles: dict[str, str] | None = None) -> str:
    page = structure.exercise_page(ex.id)
    text = ex.readme.read_text(encoding="utf-8")
    m = _CHECKS.search(text)
    if m and ex.spec is not None:
        body = re.sub(r"<!--.*?-->", "", m.group("body"), flags=re.S).strip()
        if not body:  # not generated in the README itself: generate it here
            text = text[: m.start("body")] + "\n" + checks_markdown(ex.spec, page, titles) + text[m.end("body"):]
    text = links.rewrite(details_to_admonitions(text), structure.exercise_readme(ex.id), page)
    tail = ["\n---\n"]
    command = f"stagewise check exercises/{ex.id} --exercise {ex.id}"
    tail.append('!!! tip "Check your work"\n')
    if command not in text:
        tail.append(indent(f"```sh\n{command}\n```") + "\n")
    tail.append(indent("`stagewise check` prints its findings for people; add `--format json` (or `junit`, "
                       "`sarif`, `gradescope`) for a machine-readable report: see "
                       f"[the output formats]({structure.link(structure.OUTPUT_FORMATS, page)}).") + "\n")
    if ex.has_solution:
        tail.append('??? danger "Solution (spoiler)"\n')
        tail.append(indent("A passing Dockerfile, with why each line is there, is on "
                           f"[a separate page]({structure.link(structure.solution_page(ex.id), page)}). "
                           "Try the exercise first.") + "\n")
    return NOTICE.format(source=structure.exercise_readme(ex.id)) + text + "\n".join(tail)


def exercises_index(items: list[Exercise], links: SiteLinks) -> str:
    page = structure.EXERCISES_INDEX
    out = [NOTICE.format(source=f"{structure.EXERCISES_README} and exercises/*/exercise.yaml")]
    readme = links.repo / structure.EXERCISES_README
    intro = admonition("info", "How the exercises work",
                       "Each exercise is a small real app in `exercises/<id>/` with a starter `Dockerfile`. Edit "
                       "the Dockerfile, then run `stagewise check exercises/<id> --exercise <id>`: the checker "
                       "builds it for real and tells you, rule by rule, what passes, what does not, how to fix "
                       "it and which lesson section explains it. Each exercise has a solution on a separate "
                       "page, marked as a spoiler.")
    if readme.is_file():
        text = links.rewrite(readme.read_text(encoding="utf-8"), structure.EXERCISES_README, page)
        head, sep, rest = text.partition("\n")
        out += [head + sep, intro, rest]
    else:
        out += ["# Exercises\n", intro]
        out.append("| exercise | language |\n|---|---|")
        for ex in items:
            lang = ex.spec.language if ex.spec else ""
            out.append(f"| [{ex.title}]({structure.link(structure.exercise_page(ex.id), page)}) | {lang} |")
    return "\n".join(out)
