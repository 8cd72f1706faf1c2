"""eclipse-temurin:21-jre-alpine -> a jlink runtime of Debian's OpenJDK 21 with Temurin's JRE modules
(java.se + jdk.* runtime modules incl. jdk.httpserver) at /opt/java/openjdk on the alpine substitute.
"""

from __future__ import annotations

import sys

from checker.images.model import BuildContext, Substitute
from checker.images.recipes import temurin_common


def build(ctx: BuildContext) -> None:
    temurin_common.build_target(ctx, "jre-alpine")


SUBSTITUTE = Substitute(
    id="temurin-jre-alpine",
    upstream="eclipse-temurin:21-jre-alpine",
    aliases=("eclipse-temurin:21-jre", "eclipse-temurin:21-jre-alpine-3.20", "eclipse-temurin:21-jre-alpine-3.21"),
    summary="jlink JRE (Temurin's module set) of Debian's OpenJDK 21 onto the alpine substitute",
    build=build,
    module=sys.modules[__name__],
    depends=("maven-temurin", "alpine"),
    files=temurin_common.FILES,
    modules=(temurin_common,),
    deviations=("Debian's OpenJDK 21 (glibc); eclipse-temurin:21-jre (Ubuntu-based upstream) is aliased "
                "to this alpine-like image",),
    estimate=25,
)
