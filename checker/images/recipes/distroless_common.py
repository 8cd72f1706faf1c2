"""Shared by the distroless recipes (not a recipe itself): a root filesystem from a few Debian packages,
no shell and no package manager, users root / nobody / nonroot (65532), and the `:nonroot` variant.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from checker.images import kit
from checker.images.model import BuildContext

FILES = ("distroless",)
SUITE = "bookworm"
CHANGES = (f"ENV PATH={kit.DEFAULT_PATH}", "ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")
# What distroless drops from the packages: no shells, no tools, no docs beyond copyright, no maintainer bits.
DROP = ("bin", "sbin", "usr/bin", "usr/sbin", "usr/share/man", "usr/share/info", "usr/share/lintian",
        "usr/share/bug", "usr/share/ca-certificates", "usr/share/base-files", "usr/share/common-licenses",
        "usr/lib/os-release.d", "etc/init.d", "etc/update-motd.d", "etc/profile.d", "etc/skel",
        "etc/ca-certificates", "etc/ca-certificates.conf", "etc/ssl/openssl.cnf", "usr/share/doc-base",
        "etc/profile", "etc/bash.bashrc", "etc/dpkg", "usr/share/debconf", "usr/sbin", "etc/ld.so.conf.d")


def rootfs(ctx: BuildContext, packages: tuple[str, ...]) -> Path:
    """Extract `packages` (bookworm, exact, no dependencies) into a distroless tree; returns the tree."""
    debs = ctx.apt.download(SUITE, list(packages), ctx.work / "debs")
    tree = ctx.work / "rootfs"
    status = tree / "var/lib/dpkg/status.d"
    status.mkdir(parents=True)
    for name in packages:
        kit.deb_extract(debs[name], tree)
        (status / name).write_text(kit.deb_control(debs[name]))
    certs = tree / "usr/share/ca-certificates/mozilla"
    bundle = kit.ca_bundle(certs) if certs.is_dir() else None
    for rel in DROP:
        path = tree / rel
        if path.is_symlink() or path.is_file():
            path.unlink()
        elif path.is_dir():
            shutil.rmtree(path)
    doc = tree / "usr/share/doc"
    if doc.is_dir():
        for f in doc.rglob("*"):
            if f.is_file() and f.name != "copyright":
                f.unlink()
    if bundle is not None:
        (tree / "etc/ssl/certs").mkdir(parents=True, exist_ok=True)
        (tree / "etc/ssl/certs/ca-certificates.crt").write_text(bundle)
    for name in ("passwd", "group", "nsswitch.conf"):
        kit.copy_file(ctx.file(f"distroless/{name}"), tree / "etc" / name, 0o644)
    for d in ("tmp", "root", "home/nonroot", "var/lib/dpkg", "etc/ssl/certs"):
        (tree / d).mkdir(parents=True, exist_ok=True)
    (tree / "tmp").chmod(0o1777)
    (tree / "root").chmod(0o700)
    (tree / "home/nonroot").chmod(0o700)
    return tree


def import_both(ctx: BuildContext, tree: Path, nonroot: str) -> None:
    """Import the tree as the root image and as its `:nonroot` variant (user 65532, WORKDIR /home/nonroot)."""
    tar = kit.write_rootfs_tar(tree, ctx.work / "rootfs.tar", owners={"home/nonroot": (65532, 65532)})
    ctx.import_rootfs(tar, changes=[*CHANGES, "USER 0", "WORKDIR /"])
    ctx.import_rootfs(tar, changes=[*CHANGES, "USER 65532", "WORKDIR /home/nonroot"], upstream=nonroot)


def nonroot_variant(ctx: BuildContext, root_tag: str, nonroot: str) -> None:
    """Build the `:nonroot` variant of a Dockerfile-built distroless image."""
    context = ctx.work / "nonroot"
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_text(f"FROM {root_tag}\nUSER 65532\nWORKDIR /home/nonroot\n")
    ctx.build_image(context, upstream=nonroot)
