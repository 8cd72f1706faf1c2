"""alpine:3.20 -> BusyBox (Debian's busybox-static) + glibc from Debian trixie, laid out like Alpine.

Alpine's own packages cannot be fetched, so this is *not* Alpine: it is glibc, not musl. It has Alpine's
/etc/passwd and /etc/group (so `addgroup -S app && adduser -S app -G app` gives uid 100 / gid 101), an
Alpine-syntax adduser/addgroup/deluser/delgroup shim, an `apk` shim that accepts only the packages already
present, BusyBox `wget`, tzdata and the CA bundle. libstdc++ is in the base on purpose: Debian's OpenJDK
links it dynamically.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from checker.images import kit
from checker.images.model import BuildContext, Substitute

SUITE = "trixie"
STAGE_PACKAGES = ("busybox-static", "libc6", "libgcc-s1", "libstdc++6", "zlib1g", "libssl3t64", "tzdata",
                  "ca-certificates", "netbase")
LIBDIR = "usr/lib/x86_64-linux-gnu"
# glibc and the few libraries Alpine's base also has (libgcc, libstdc++, zlib, libssl/libcrypto)
LIBS = ("ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libmvec.so.1", "libpthread.so.0", "libdl.so.2",
        "librt.so.1", "libresolv.so.2", "libutil.so.1", "libanl.so.1", "libnss_files.so.2", "libnss_dns.so.2",
        "libnss_compat.so.2", "libgcc_s.so.1", "libstdc++.so.6*", "libz.so.1*", "libssl.so.3", "libcrypto.so.3")
SHIMMED = {"adduser", "addgroup", "deluser", "delgroup"}
RELEASE = "3.20.3"


def build(ctx: BuildContext) -> None:
    stage = ctx.work / "stage"
    ctx.mmdebstrap(SUITE, stage, variant="extract", include=STAGE_PACKAGES)
    tree = ctx.work / "rootfs"
    make_tree(ctx, stage, tree)
    tar = kit.write_rootfs_tar(tree, ctx.work / "rootfs.tar")
    ctx.import_rootfs(tar, changes=[f"ENV PATH={kit.DEFAULT_PATH}", 'CMD ["/bin/sh"]'])


def make_tree(ctx: BuildContext, stage: Path, tree: Path) -> None:
    for d in ("bin", "sbin", "etc/apk", "etc/ssl/certs", "etc/profile.d", "etc/crontabs", "lib", "lib64",
              "usr/bin", "usr/sbin", "usr/libexec", "usr/local/bin", "usr/local/sbin", "usr/local/lib",
              "usr/local/share", "usr/share", "var/cache", "var/empty", "var/lib", "var/local", "var/log",
              "var/mail", "var/opt", "var/spool/cron", "var/tmp", "home", "root", "tmp", "dev", "proc", "sys",
              "run/lock", "mnt", "media", "opt", "srv", LIBDIR):
        (tree / d).mkdir(parents=True, exist_ok=True)
    (tree / "tmp").chmod(0o1777)
    (tree / "var/tmp").chmod(0o1777)
    (tree / "root").chmod(0o700)
    kit.symlink("/run", tree / "var/run")
    kit.symlink("/run/lock", tree / "var/lock")

    # BusyBox, with Alpine-style symlinks to /bin/busybox for every applet
    busybox = stage / "usr/bin/busybox"
    kit.copy_file(busybox, tree / "bin/busybox", 0o755)
    applets = kit.run([str(busybox), "--list-full"], what="busybox --list-full").stdout.split()
    for applet in applets:
        if applet.rsplit("/", 1)[-1] in SHIMMED or applet == "bin/busybox":
            continue
        kit.symlink("/bin/busybox", tree / applet)

    # glibc and friends; the loader where every Debian binary looks for it
    for pattern in LIBS:
        for lib in sorted((stage / LIBDIR).glob(pattern)):
            kit.copy_file(lib, tree / LIBDIR / lib.name)
    kit.symlink(f"/{LIBDIR}/ld-linux-x86-64.so.2", tree / "lib64/ld-linux-x86-64.so.2")
    kit.copy_file(ctx.file("alpine/ldd"), tree / "usr/bin/ldd", 0o755)

    # time zones, CA certificates, services/protocols
    shutil.copytree(stage / "usr/share/zoneinfo", tree / "usr/share/zoneinfo", symlinks=True)
    bundle = kit.ca_bundle(stage / "usr/share/ca-certificates/mozilla")
    (tree / "etc/ssl/certs/ca-certificates.crt").write_text(bundle)
    kit.symlink("certs/ca-certificates.crt", tree / "etc/ssl/cert.pem")
    for name in ("services", "protocols"):
        kit.copy_file(stage / "etc" / name, tree / "etc" / name, 0o644)

    # Alpine's users and groups, name service, release files
    for name in ("passwd", "group", "nsswitch.conf", "os-release", "shells", "profile"):
        kit.copy_file(ctx.file(f"alpine/{name}"), tree / "etc" / name, 0o644)
    kit.copy_file(ctx.file("alpine/shadow"), tree / "etc/shadow", 0o640)
    (tree / "etc/alpine-release").write_text(RELEASE + "\n")
    (tree / "etc/hostname").write_text("localhost\n")
    (tree / "etc/motd").write_text("OFFLINE SUBSTITUTE for alpine:3.20 (BusyBox + glibc from Debian); "
                                   "not Alpine Linux.\n")
    (tree / "etc/apk/repositories").write_text("# offline substitute: no repositories are reachable\n")
    (tree / "etc/apk/world").write_text("alpine-baselayout\nalpine-keys\napk-tools\nbusybox\nlibc-utils\n")
    kit.copy_file(ctx.file("alpine/offline-provided"), tree / "etc/apk/offline-provided", 0o644)

    # the shims
    kit.copy_file(ctx.file("alpine/userutils"), tree / "usr/libexec/stagewise-userutils", 0o755)
    for name in sorted(SHIMMED):
        kit.symlink("/usr/libexec/stagewise-userutils", tree / "usr/sbin" / name)
    kit.copy_file(ctx.file("alpine/apk"), tree / "sbin/apk", 0o755)


SUBSTITUTE = Substitute(
    id="alpine",
    upstream="alpine:3.20",
    aliases=("alpine:latest", "alpine:3", "alpine:3.19", "alpine:3.21"),
    summary="BusyBox + glibc (Debian trixie) laid out like Alpine, with adduser/addgroup and apk shims",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE, "packages": ",".join(STAGE_PACKAGES), "release": RELEASE},
    files=("alpine",),
    deviations=(
        "glibc (Debian trixie), not musl; BusyBox 1.37 from Debian",
        "apk installs nothing: `apk add` succeeds only for packages already present "
        "(ca-certificates, tzdata, libc6-compat, ...) and fails loudly otherwise",
        "adduser/addgroup/deluser/delgroup are a shell shim with BusyBox semantics (no password prompt)",
        "ldd is a loader wrapper; libstdc++ is present in the base",
    ),
    needs_mmdebstrap=True,
    estimate=8,
)
