"""Exercise specs: what the checker verifies for one exercise (validated by pydantic; JSON schema exported)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from checker.report import Concern


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class HttpProbe(StrictModel):
    """Run the image with its own defaults in a network namespace of its own and request a path from a probe
    that joins it (or, with `--smoke-network host`, on the host's network and a loopback port)."""

    path: str = "/"
    port_env: str = "PORT"  # the env var the image reads its port from
    host_env: str | None = None  # optional env var for the listen address (e.g. NGINX_HOST)
    # The env var a platform sets to the port it gives the app (like Cloud Run's PORT): the checker sets it (to
    # checker.run.PLATFORM_PORT) and asks that port. Unset: nothing is set, and the port asked is the image's
    # ENV value of `port_env`, else its one EXPOSEd port, else `port`.
    platform_port: str | None = None
    port: int = Field(default=8080, ge=1, le=65535)  # the app's own default port, when the image names none
    expect_status: int = 200
    expect_body: str | None = None  # substring expected in the body
    env: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = 30.0


class CommandProbe(StrictModel):
    """Run the image with a command (network none) and compare its output."""

    args: list[str] = Field(default_factory=list)  # appended to the entrypoint, like `docker run IMG args...`
    expect_output: str | None = None  # substring of stdout
    expect_exit: int = 0
    env: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = 30.0


class SmokeTest(StrictModel):
    http: HttpProbe | None = None
    command: CommandProbe | None = None
    expect_healthy: bool = False  # wait for Docker's HEALTHCHECK to report healthy


class CacheProbe(StrictModel):
    source_file: str  # a source file (relative to the context) that the probe edits
    manifest_file: str  # a dependency manifest that the negative probe edits
    install_pattern: str  # regex matching the dependency-install RUN (e.g. "npm ci|npm install")
    # False where a Dockerfile may legitimately have no dependency step (the probe is then skipped); True makes
    # a missing one a failure of cache ordering, since the exercise is about that step.
    required: bool = True

    @field_validator("install_pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as err:
            raise ValueError(f"not a valid regular expression: {err}") from err
        return value


class BuiltFrom(StrictModel):
    """A source whose edit must show in artifacts of the final image: the checker inserts `constant` (valid code
    in the source's language) into a copy of `source`, rebuilds, and expects every path in `artifacts` to
    change (rule SW252)."""

    source: str  # a file relative to the context
    constant: str  # the line inserted; a string literal in it is looked for in the rebuilt artifact
    before: str | None = None  # insert before the last occurrence of this text (default: append)
    artifacts: list[str] = Field(min_length=1)  # absolute paths in the final image (a file or a directory)


class Milestone(StrictModel):
    """A step of a staged exercise: reached when its concerns pass and every earlier required step is reached."""

    title: str
    concerns: list[Concern] = Field(min_length=1)
    optional: bool = False  # shown to the learner, not judged
    lesson: str | None = None


class SizeBudget(StrictModel):
    max_mb: float | None = None
    max_fraction_of_single_stage: float | None = None  # e.g. 0.25 of the single-stage twin
    single_stage_dockerfile: str | None = None  # path (relative to the exercise) of the single-stage twin


class RuleWeight(StrictModel):
    points: float = 1.0
    required: bool = True


class Spec(StrictModel):
    id: str
    title: str
    language: Literal["node", "java", "go", "python", "other"] = "other"
    dockerfile: str = "Dockerfile"
    context: str = "."
    target: str | None = None
    rules: dict[str, RuleWeight] = Field(default_factory=dict)  # rule id -> weight; empty = defaults
    require_healthcheck: bool = False
    require_non_root: bool = True
    smoke: SmokeTest | None = None
    cache: CacheProbe | None = None
    artifacts: list[str] = Field(default_factory=list)  # paths expected in the final image
    built_from: list[BuiltFrom] = Field(default_factory=list)  # artifacts that must change with their sources
    # Paths that must NOT exist in the final image (sources, manifests, build output folders, toolchains):
    # shell-style patterns (fnmatch, `*` also matches `/`) matched against absolute paths in the image.
    forbidden: list[str] = Field(default_factory=list)
    size: SizeBudget | None = None
    lessons: list[str] = Field(default_factory=list)  # lesson section links to read
    milestones: list[Milestone] = Field(default_factory=list)  # the steps of a staged exercise, in order


def load_spec(path: Path) -> Spec:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Spec.model_validate(data)


def json_schema() -> dict[str, object]:
    return Spec.model_json_schema()
