"""busybox -> Debian's busybox-static laid out like the official image: every applet hard-linked in /bin."""

from __future__ import annotations

import os
import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute

SUITE = "bookworm"
SHIMMED = ("adduser", "addgroup", "deluser", "delgroup")


def build(ctx: BuildContext) -> None:
    debs = ctx.apt.download(SUITE, ["busybox-static"], ctx.work / "debs")
    stage = ctx.work / "stage"
    kit.deb_extract(debs["busybox-static"], stage)
    tree = ctx.work / "rootfs"
    for d in ("bin", "etc", "home", "root", "tmp", "var/spool/mail", "var/www", "usr/sbin", "usr/libexec",
              "dev", "proc", "sys"):
        (tree / d).mkdir(parents=True, exist_ok=True)
    (tree / "tmp").chmod(0o1777)
    (tree / "root").chmod(0o700)
    found = [p for p in (stage / "bin/busybox", stage / "usr/bin/busybox") if p.exists()]
    if not found:
        raise kit.KitError("busybox-static has no busybox binary")
    kit.copy_file(found[0], tree / "bin/busybox", 0o755)
    for applet in kit.run([str(found[0]), "--list"], what="busybox --list").stdout.split():
        if applet != "busybox" and applet not in SHIMMED:
            os.link(tree / "bin/busybox", tree / "bin" / applet)
    for name in ("passwd", "group"):
        kit.copy_file(ctx.file(f"busybox/{name}"), tree / "etc" / name, 0o644)
    kit.copy_file(ctx.file("busybox/shadow"), tree / "etc/shadow", 0o600)
    # the official image has adduser/addgroup applets; Debian's build has not: the Alpine-syntax shim
    kit.copy_file(ctx.file("alpine/userutils"), tree / "usr/libexec/stagewise-userutils", 0o755)
    for name in SHIMMED:
        kit.symlink("/usr/libexec/stagewise-userutils", tree / "bin" / name)
    tar = kit.write_rootfs_tar(tree, ctx.work / "rootfs.tar")
    ctx.import_rootfs(tar, changes=["ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                    'CMD ["sh"]'])


SUBSTITUTE = Substitute(
    id="busybox",
    upstream="busybox:latest",
    aliases=("busybox:1.36", "busybox:stable", "busybox:1.36.1"),
    summary="Debian bookworm's busybox-static, every applet hard-linked in /bin, like the official image",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE},
    files=("busybox", "alpine/userutils"),
    deviations=("BusyBox 1.35 (Debian bookworm), not 1.36",
                "adduser/addgroup/deluser/delgroup are a shell shim (Debian's build lacks those applets)"),
    estimate=4,
)
