"""`list_images`: the engine's local images, and which of them are offline substitutes (for `stagewise images list`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from checker.engine import Engine
from checker.images import catalogue, kit


@dataclass(frozen=True)
class LocalImage:
    """One local tag (or an untagged image)."""

    ref: str  # repo:tag, or the short id when untagged
    image_id: str
    size_mb: float
    created: str
    substitute: bool  # an offline substitute made by this kit, under one of its own tags
    upstream: str | None  # what it stands in for (substitutes), or the substitute it was built on
    recipe: str | None
    recipe_hash: str | None
    current: bool | None  # the recipe hash matches the catalogue (None: not a substitute)
    description: str  # for a person: what it is and how it was built
    deviations: tuple[str, ...] = ()  # how a substitute differs from the upstream image

    @property
    def derived(self) -> bool:
        """Built FROM a substitute (it inherited the labels) but not a substitute itself."""
        return not self.substitute and self.upstream is not None


def list_images(engine: Engine, *, include_untagged: bool = False) -> list[LocalImage]:
    rows: list[LocalImage] = []
    for attrs in engine.client.api.images():  # one call: tags, labels, sizes
        tags = [t for t in attrs.get("RepoTags") or [] if t and t != "<none>:<none>"]
        if not tags:
            if not include_untagged:
                continue
            tags = [attrs["Id"].split(":", 1)[-1][:12]]
        for tag in tags:
            rows.append(describe(tag, attrs))
    rows.sort(key=lambda r: (not r.substitute, r.ref))
    return rows


def describe(tag: str, attrs: dict[str, Any]) -> LocalImage:
    labels: dict[str, str] = dict(attrs.get("Labels") or (attrs.get("Config") or {}).get("Labels") or {})
    size_mb = round(int(attrs.get("Size") or 0) / 1e6, 1)
    created = str(attrs.get("Created", ""))
    image_id = str(attrs.get("Id", ""))
    marked = labels.get(kit.LABEL_SUBSTITUTE) == "true"
    upstream = labels.get(kit.LABEL_UPSTREAM)
    recipe = labels.get(kit.LABEL_RECIPE)
    digest = labels.get(kit.LABEL_HASH)
    own_tags = {catalogue.normalize_ref(t) for t in labels.get(kit.LABEL_TAGS, "").split(",") if t}
    if not marked:
        return LocalImage(tag, image_id, size_mb, created, False, None, None, None, None, "")
    if catalogue.normalize_ref(tag) not in own_tags:
        return LocalImage(tag, image_id, size_mb, created, False, upstream, recipe, digest, None,
                          f"built on the OFFLINE SUBSTITUTE for {upstream}")
    sub = catalogue.BY_ID.get(recipe or "")
    current = sub is not None and catalogue.recipe_hash(sub.id) == digest
    how = sub.summary if sub is not None else "recipe no longer in the catalogue"
    state = "" if current else " [stale: the recipe changed; `stagewise images prepare` rebuilds it]"
    what = "STAGEWISE KIT IMAGE" if sub is not None and sub.own else f"OFFLINE SUBSTITUTE for {upstream}"
    return LocalImage(tag, image_id, size_mb, created, True, upstream, recipe, digest, current,
                      f"{what}: {how}{state}", sub.deviations if sub else ())
