"""gcr.io/distroless/java21-debian12 -> distroless static + the JRE of the eclipse-temurin:21-jre-alpine
substitute (with the trixie glibc it needs) at /usr/lib/jvm; ENTRYPOINT ["/usr/bin/java", "-jar"].
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute, Variant
from checker.images.recipes import distroless_common

JVM = "/usr/lib/jvm/java-21-openjdk-amd64"
NONROOT = "gcr.io/distroless/java21-debian12:nonroot"

DOCKERFILE = f"""\
FROM {{jre}} AS jre
FROM {{static}}
COPY --from=jre /usr/lib/x86_64-linux-gnu/ /usr/lib/x86_64-linux-gnu/
COPY --from=jre /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2
COPY --from=jre /opt/java/openjdk {JVM}
COPY rootfs/ /
ENV JAVA_HOME={JVM} JAVA_VERSION=21 LANG=C.UTF-8
ENTRYPOINT ["/usr/bin/java", "-jar"]
"""


def build(ctx: BuildContext) -> None:
    context = ctx.work / "context"
    (context / "rootfs/usr/bin").mkdir(parents=True)
    kit.symlink(f"{JVM}/bin/java", context / "rootfs/usr/bin/java")
    (context / "Dockerfile").write_text(DOCKERFILE.format(jre=ctx.ref("temurin-jre-alpine"),
                                                          static=ctx.ref("distroless-static")))
    ctx.build_image(context)
    distroless_common.nonroot_variant(ctx, SUBSTITUTE.upstream, NONROOT)


SUBSTITUTE = Substitute(
    id="distroless-java",
    upstream="gcr.io/distroless/java21-debian12:latest",
    aliases=("gcr.io/distroless/java21:latest",),
    variants=(Variant(NONROOT, ("gcr.io/distroless/java21:nonroot",)),),
    summary="distroless static + the jlink JRE of Debian's OpenJDK 21 (and trixie glibc); "
            "ENTRYPOINT java -jar",
    build=build,
    module=sys.modules[__name__],
    depends=("temurin-jre-alpine", "distroless-static"),
    modules=(distroless_common,),
    deviations=("Debian's OpenJDK 21 with trixie's glibc on a bookworm distroless base",),
    estimate=5,
)
