"""eclipse-temurin:21-jdk-alpine -> Debian's OpenJDK 21 as a self-contained jlink image (with jmods, so
jlink works inside it, and objcopy for `jlink --strip-debug`) at /opt/java/openjdk on the alpine substitute.
"""

from __future__ import annotations

import sys

from checker.images.model import BuildContext, Substitute
from checker.images.recipes import temurin_common


def build(ctx: BuildContext) -> None:
    temurin_common.build_target(ctx, "jdk-alpine")


SUBSTITUTE = Substitute(
    id="temurin-jdk-alpine",
    upstream="eclipse-temurin:21-jdk-alpine",
    aliases=("eclipse-temurin:21-alpine", "eclipse-temurin:21-jdk-alpine-3.20", "eclipse-temurin:21-jdk-alpine-3.21"),
    summary="Debian's OpenJDK 21 cut with jlink (all modules + jmods) onto the alpine substitute",
    build=build,
    module=sys.modules[__name__],
    depends=("maven-temurin", "alpine"),
    files=temurin_common.FILES,
    modules=(temurin_common,),
    deviations=("Debian's OpenJDK 21 (glibc), stripped of debug info; java -version says Debian",
                "jlink --compress=2 prints a deprecation warning on 21, as upstream"),
    estimate=30,
)
