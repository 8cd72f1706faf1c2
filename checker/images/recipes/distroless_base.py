"""gcr.io/distroless/base-debian12 -> distroless static + glibc and OpenSSL from Debian bookworm."""

from __future__ import annotations

import sys

from checker.images.model import BuildContext, Substitute, Variant
from checker.images.recipes import distroless_common

PACKAGES = ("base-files", "netbase", "tzdata", "ca-certificates", "libc6", "libssl3")
NONROOT = "gcr.io/distroless/base-debian12:nonroot"


def build(ctx: BuildContext) -> None:
    tree = distroless_common.rootfs(ctx, PACKAGES)
    distroless_common.import_both(ctx, tree, NONROOT)


SUBSTITUTE = Substitute(
    id="distroless-base",
    upstream="gcr.io/distroless/base-debian12:latest",
    aliases=("gcr.io/distroless/base:latest",),
    variants=(Variant(NONROOT, ("gcr.io/distroless/base:nonroot",)),),
    summary="distroless static + glibc and OpenSSL from Debian bookworm (no shell)",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": distroless_common.SUITE, "packages": ",".join(PACKAGES)},
    files=distroless_common.FILES,
    modules=(distroless_common,),
    deviations=("no :debug variants (no BusyBox shell)",),
    estimate=5,
)
