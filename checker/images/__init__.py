"""The offline base-image kit: every base image the course uses, kept, pulled, or built as a labelled
offline substitute from Debian/PyPI/npm packages when no registry is reachable.

    prepare(engine, names=None, offline=None, jobs=2, log=print) -> list[PrepareResult]
    list_images(engine) -> list[LocalImage]
"""

from __future__ import annotations

from checker.images.catalogue import SUBSTITUTES, find, manifest, normalize_ref, recipe_hash
from checker.images.collect import ImageReference, collect_references, dockerfiles, references_in
from checker.images.kit import KitError
from checker.images.listing import LocalImage, list_images
from checker.images.model import Substitute, Variant
from checker.images.pipeline import MissingImageError, PrepareResult, prepare, require

__all__ = [
    "SUBSTITUTES", "ImageReference", "KitError", "LocalImage", "MissingImageError", "PrepareResult", "Substitute",
    "Variant", "collect_references", "dockerfiles", "find", "list_images", "manifest", "normalize_ref", "prepare",
    "recipe_hash", "references_in", "require",
]
