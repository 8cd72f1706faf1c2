"""debian:bookworm-slim -> mmdebstrap minbase of bookworm with the official slim image's dpkg excludes.

The merged-/usr hook keeps `usrmerge` (and with it perl) out; the excludes persist in
/etc/dpkg/dpkg.cfg.d/99mmdebstrap so later `apt-get install` layers honour them, as on upstream.
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute

SUITE = "bookworm"

# The official image's apt tweaks (docker-clean, no translations, gzip'd indexes, no autoremove of suggests).
APT_CONF = {
    "docker-clean": 'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
                    '/var/cache/apt/*.bin || true"; };\n'
                    'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb '
                    '/var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };\n'
                    'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";\n',
    "docker-no-languages": 'Acquire::Languages "none";\n',
    "docker-gzip-indexes": 'Acquire::GzipIndexes "true";\n',
    "docker-autoremove-suggests": 'Apt::AutoRemove::SuggestsImportant "false";\n',
}


def apt_conf_hook() -> list[str]:
    hooks = []
    for name, text in APT_CONF.items():
        quoted = text.replace("'", "'\\''")
        hooks.append(f"printf '%s' '{quoted}' > \"$1\"/etc/apt/apt.conf.d/{name}")
    return hooks


def build(ctx: BuildContext) -> None:
    tar = ctx.work / "rootfs.tar"
    ctx.mmdebstrap(SUITE, tar, variant="minbase", slim=True, no_recommends=False,
                   customize_hooks=apt_conf_hook())
    ctx.import_rootfs(tar, changes=[f"ENV PATH={kit.DEFAULT_PATH}", 'CMD ["bash"]'])


SUBSTITUTE = Substitute(
    id="debian-slim",
    upstream="debian:bookworm-slim",
    aliases=("debian:12-slim",),
    summary="mmdebstrap --variant=minbase of Debian bookworm with the slim image's dpkg excludes",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE, "slim": ",".join(kit.SLIM_DPKG_OPTIONS)},
    deviations=("apt sources name the host's own Debian mirror; `apt-get install` fails offline, as it must",),
    needs_mmdebstrap=True,
    estimate=25,
)
