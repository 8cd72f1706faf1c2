"""gcr.io/distroless/static-debian12 -> base-files, netbase, tzdata and the CA bundle from Debian bookworm:
no libc, no shell. `:nonroot` runs as 65532 in /home/nonroot.
"""

from __future__ import annotations

import sys

from checker.images.model import BuildContext, Substitute, Variant
from checker.images.recipes import distroless_common

PACKAGES = ("base-files", "netbase", "tzdata", "ca-certificates")
NONROOT = "gcr.io/distroless/static-debian12:nonroot"


def build(ctx: BuildContext) -> None:
    tree = distroless_common.rootfs(ctx, PACKAGES)
    distroless_common.import_both(ctx, tree, NONROOT)


SUBSTITUTE = Substitute(
    id="distroless-static",
    upstream="gcr.io/distroless/static-debian12:latest",
    aliases=("gcr.io/distroless/static:latest",),
    variants=(Variant(NONROOT, ("gcr.io/distroless/static:nonroot",)),),
    summary="base-files, netbase, tzdata and the CA bundle from Debian bookworm (no libc, no shell)",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": distroless_common.SUITE, "packages": ",".join(PACKAGES)},
    files=distroless_common.FILES,
    modules=(distroless_common,),
    deviations=("no :debug variants (no BusyBox shell)",),
    estimate=4,
)
