"""stagewise/probe -> the smoke run's HTTP probe: Debian's static BusyBox alone on scratch.

Not a stand-in for an upstream image: the checker starts it in the network namespace of the image it smoke-tests
(`--network container:<id>`) and asks the app for a page with `busybox nc` (see checker/images/probe.py).
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute

SUITE = "bookworm"
TAG = "stagewise/probe:1"


def build(ctx: BuildContext) -> None:
    debs = ctx.apt.download(SUITE, ["busybox-static"], ctx.work / "debs")
    stage = ctx.work / "stage"
    kit.deb_extract(debs["busybox-static"], stage)
    found = [p for p in (stage / "bin/busybox", stage / "usr/bin/busybox") if p.exists()]
    if not found:
        raise kit.KitError("busybox-static has no busybox binary")
    tree = ctx.work / "rootfs"
    # one file: no /bin, no /etc, no applet links; the runtime adds /dev, /proc and /sys
    kit.copy_file(found[0], tree / "busybox", 0o755)
    tar = kit.write_rootfs_tar(tree, ctx.work / "rootfs.tar")
    ctx.import_rootfs(tar, changes=['ENTRYPOINT ["/busybox"]', "USER 65534:65534"])


SUBSTITUTE = Substitute(
    id="probe",
    upstream=TAG,
    aliases=(),
    summary="Stagewise's own smoke-run probe: Debian bookworm's static BusyBox, alone on scratch",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE},
    own=True,
    deviations=("not a stand-in for an upstream image: Stagewise's own HTTP probe, never pulled",),
    estimate=3,
)
