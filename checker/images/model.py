"""What a substitute recipe declares (`Substitute`) and what its build function is given (`BuildContext`)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from checker.engine import Engine
from checker.images import kit

FILES = Path(__file__).resolve().parent / "files"


@dataclass(frozen=True)
class Variant:
    """A second image a recipe makes from the same build, with its own config (e.g. distroless `:nonroot`)."""

    upstream: str
    aliases: tuple[str, ...] = ()

    @property
    def tags(self) -> tuple[str, ...]:
        return (self.upstream, *self.aliases)


@dataclass(frozen=True)
class Substitute:
    """One offline substitute: the upstream image it stands in for, how it is built, and what differs.

    `build` must leave every tag of `tags` in the engine's image store, each image labelled with
    `ctx.labels(...)`. `module`, `files`, `modules` and `versions` feed the recipe hash.
    """

    id: str
    upstream: str
    aliases: tuple[str, ...]
    summary: str  # how it is built, in one line (for `stagewise images list`)
    build: Callable[[BuildContext], None]
    module: ModuleType
    depends: tuple[str, ...] = ()
    variants: tuple[Variant, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()  # paths under checker/images/files/ (a folder means all files below it)
    modules: tuple[ModuleType, ...] = ()  # shared helper modules of this recipe
    deviations: tuple[str, ...] = ()  # how it differs from upstream, in words for a learner
    needs_mmdebstrap: bool = False
    own: bool = False  # an image of Stagewise's own (the smoke-run probe): always built here, never pulled
    estimate: float = 10.0  # seconds, from measurements: the scheduler starts long chains first

    @property
    def primary_tags(self) -> tuple[str, ...]:
        return (self.upstream, *self.aliases)

    @property
    def tags(self) -> tuple[str, ...]:
        out = list(self.primary_tags)
        for variant in self.variants:
            out += variant.tags
        return tuple(out)

    def upstream_of(self, tag: str) -> str:
        for variant in self.variants:
            if tag in variant.tags:
                return variant.upstream
        return self.upstream


@dataclass
class BuildContext:
    """Everything a recipe's build function may use."""

    engine: Engine
    substitute: Substitute
    recipe_hash: str
    work: Path  # a fresh scratch folder for this build, removed afterwards
    log: kit.Log
    apt: kit.AptPool
    refs: Mapping[str, str]  # recipe id -> the upstream tag its image carries (for FROM lines)

    def file(self, rel: str) -> Path:
        path = FILES / rel
        if not path.exists():
            raise kit.KitError(f"recipe {self.substitute.id}: missing kit file {rel}")
        return path

    def ref(self, recipe_id: str) -> str:
        """The tag to use in a FROM line for a dependency."""
        if recipe_id not in self.substitute.depends:
            raise kit.KitError(f"recipe {self.substitute.id} uses {recipe_id} without declaring it in depends")
        return self.refs[recipe_id]

    def labels(self, upstream: str | None = None) -> dict[str, str]:
        """The five io.stagewise/OCI labels (plus the tag list) for the image standing in for `upstream`."""
        up = upstream or self.substitute.upstream
        return kit.labels_for(up, self.substitute.id, self.recipe_hash, self.tags_of(up), own=self.substitute.own)

    def tags_of(self, upstream: str | None = None) -> tuple[str, ...]:
        up = upstream or self.substitute.upstream
        if up == self.substitute.upstream:
            return self.substitute.primary_tags
        for variant in self.substitute.variants:
            if variant.upstream == up:
                return variant.tags
        raise kit.KitError(f"recipe {self.substitute.id} declares no image {up}")

    def import_rootfs(self, tar: Path, *, changes: Sequence[str], upstream: str | None = None) -> str:
        return kit.docker_import(self.engine, tar, self.tags_of(upstream), changes=changes,
                                 labels=self.labels(upstream))

    def build_image(self, context: Path, *, dockerfile: Path | None = None, target: str | None = None,
                    upstream: str | None = None, build_args: Mapping[str, str] | None = None) -> None:
        kit.docker_build(self.engine, context, self.tags_of(upstream), labels=self.labels(upstream),
                         dockerfile=dockerfile, target=target, build_args=build_args)

    def mmdebstrap(self, suite: str, target: Path, *, variant: str = "minbase", include: Sequence[str] = (),
                   slim: bool = False, no_recommends: bool = True, essential_hooks: Sequence[str] = (),
                   customize_hooks: Sequence[str] = ()) -> None:
        """mmdebstrap with this recipe's own .deb cache (kit/debs/<recipe>-<suite>)."""
        cache = kit.kit_home() / "debs" / f"{self.substitute.id}-{suite}"
        kit.mmdebstrap(suite, target, log=self.log, variant=variant, include=include, slim=slim,
                       no_recommends=no_recommends, essential_hooks=essential_hooks,
                       customize_hooks=customize_hooks, cache=cache)

    def copy_files(self, rel: str, dest: Path) -> None:
        """Copy a kit folder (or file) into `dest`, keeping modes."""
        src = self.file(rel)
        if src.is_dir():
            shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
        else:
            kit.copy_file(src, dest)
