"""The declared catalogue: one module per substitute, in dependency order (each exports SUBSTITUTE); the
last, `probe`, is the kit's own image for the smoke run, not a substitute.

Shared helper modules (nginx_layout, temurin_common, distroless_common) live here too but are not recipes.
"""

from __future__ import annotations

from checker.images.model import Substitute
from checker.images.recipes import (
    alpine,
    busybox,
    debian_slim,
    distroless_base,
    distroless_java,
    distroless_static,
    golang_alpine,
    maven_temurin,
    nginx_alpine,
    nginx_debian,
    node_alpine,
    probe,
    temurin_jdk_alpine,
    temurin_jre_alpine,
)

SUBSTITUTES: tuple[Substitute, ...] = (
    debian_slim.SUBSTITUTE,
    busybox.SUBSTITUTE,
    alpine.SUBSTITUTE,
    golang_alpine.SUBSTITUTE,
    node_alpine.SUBSTITUTE,
    nginx_alpine.SUBSTITUTE,
    nginx_debian.SUBSTITUTE,
    maven_temurin.SUBSTITUTE,
    temurin_jdk_alpine.SUBSTITUTE,
    temurin_jre_alpine.SUBSTITUTE,
    distroless_static.SUBSTITUTE,
    distroless_base.SUBSTITUTE,
    distroless_java.SUBSTITUTE,
    probe.SUBSTITUTE,
)
