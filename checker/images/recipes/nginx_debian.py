"""nginx:1.25 (bookworm) -> mmdebstrap of Debian bookworm (slim excludes) with nginx, envsubst and curl,
in the official image's layout (user nginx 101:101, conf.d/default.conf, /docker-entrypoint.sh + templates).
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute
from checker.images.recipes import nginx_layout

SUITE = "bookworm"
PACKAGES = ("nginx", "gettext-base", "curl", "ca-certificates")

USERS = ("groupadd --system --gid 101 nginx && useradd --system --gid nginx --no-create-home "
         "--home /nonexistent --comment 'nginx user' --shell /bin/false --uid 101 nginx")

DOCKERFILE = """\
FROM {rootfs}
ENV PATH={path} NGINX_VERSION={version}
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
"""


def build(ctx: BuildContext) -> None:
    overlay = ctx.work / "overlay"
    nginx_layout.overlay(ctx, overlay)
    tar = ctx.work / "rootfs.tar"
    version_file = ctx.work / "nginx-version"
    ctx.mmdebstrap(SUITE, tar, variant="minbase", slim=True, include=PACKAGES, customize_hooks=[
        f'cp -a {overlay}/. "$1"/',
        f'chroot "$1" sh -c "{USERS}"',
        f'chroot "$1" sh -c "{nginx_layout.FINISH}"',
        f'chroot "$1" dpkg-query -W -f="\\${{Version}}" nginx > {version_file}',
    ])
    version = version_file.read_text().strip().split("-")[0] or "unknown"
    # `docker import` cannot set STOPSIGNAL: import under a scratch tag, then one metadata-only build.
    scratch_tag = f"stagewise-kit/nginx-debian-rootfs:{ctx.recipe_hash}"
    kit.docker_import(ctx.engine, tar, [scratch_tag], changes=[], labels=ctx.labels())
    tar.unlink()
    context = ctx.work / "context"
    context.mkdir()
    (context / "Dockerfile").write_text(DOCKERFILE.format(rootfs=scratch_tag, path=kit.DEFAULT_PATH,
                                                          version=version))
    try:
        ctx.build_image(context)
    finally:
        ctx.engine.docker("rmi", scratch_tag, check=False)


SUBSTITUTE = Substitute(
    id="nginx-debian",
    upstream="nginx:1.25",
    aliases=("nginx:1.25-bookworm", "nginx:latest", "nginx:bookworm", "nginx:1", "nginx:stable"),
    summary="mmdebstrap of Debian bookworm (slim) + nginx, envsubst, curl, in the official image's layout",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE, "packages": ",".join(PACKAGES), "slim": ",".join(kit.SLIM_DPKG_OPTIONS)},
    files=nginx_layout.FILES,
    modules=(nginx_layout,),
    deviations=("nginx 1.22 (Debian bookworm) under the 1.25 tag; dynamic modules (stream, njs...) absent",
                "temp files live under /var/lib/nginx (a symlink to /var/cache/nginx)"),
    needs_mmdebstrap=True,
    estimate=28,
)
