"""Shared by the two eclipse-temurin alpine recipes (not a recipe itself): one Dockerfile, two targets.

The jlink stage runs in the maven substitute; BuildKit's cache shares it between the two builds.
"""

from __future__ import annotations

from checker.images import kit
from checker.images.model import BuildContext

FILES = ("temurin",)


def build_target(ctx: BuildContext, target: str) -> None:
    context = ctx.work / "context"
    context.mkdir(parents=True, exist_ok=True)
    kit.copy_file(ctx.file("temurin/Dockerfile"), context / "Dockerfile", 0o644)
    kit.copy_file(ctx.file("temurin/__cacert_entrypoint.sh"), context / "__cacert_entrypoint.sh", 0o755)
    ctx.build_image(context, target=target, build_args={"MAVEN_IMAGE": ctx.ref("maven-temurin"),
                                                        "ALPINE_IMAGE": ctx.ref("alpine")})
