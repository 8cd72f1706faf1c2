"""nginx:1.25-alpine -> the alpine substitute + Debian trixie's nginx and envsubst, in the official layout:
user nginx (101:101), conf.d/default.conf serving /usr/share/nginx/html on :80, logs to stdout/stderr,
/docker-entrypoint.sh with the envsubst templates script, `nginx -g 'daemon off;'`.
"""

from __future__ import annotations

import fnmatch
import shutil
import sys
from pathlib import Path

from checker.images import kit
from checker.images.model import BuildContext, Substitute
from checker.images.recipes import alpine, nginx_layout

SUITE = "trixie"
PACKAGES = ("nginx", "gettext-base")
LIBDIR = "usr/lib/x86_64-linux-gnu"

DOCKERFILE = """\
FROM {base}
ENV NGINX_VERSION={version}
COPY rootfs/ /
RUN addgroup -g 101 -S nginx \\
 && adduser -S -D -H -u 101 -h /var/cache/nginx -s /sbin/nologin -G nginx -g nginx nginx \\
 && {finish} \\
 && printf 'nginx\\ngettext-envsubst\\ngettext\\n' >> /etc/apk/offline-provided
EXPOSE 80
STOPSIGNAL SIGQUIT
ENTRYPOINT ["/docker-entrypoint.sh"]
CMD ["nginx", "-g", "daemon off;"]
"""


def build(ctx: BuildContext) -> None:
    stage = ctx.work / "stage"
    ctx.mmdebstrap(SUITE, stage, variant="extract", include=PACKAGES)
    context = ctx.work / "context"
    root = context / "rootfs"
    nginx = stage / "usr/sbin/nginx"
    envsubst = stage / "usr/bin/envsubst"
    kit.copy_file(nginx, root / "usr/sbin/nginx", 0o755)
    kit.copy_file(envsubst, root / "usr/bin/envsubst", 0o755)
    for d in ("etc/nginx", "usr/share/nginx", "usr/lib/nginx"):
        if (stage / d).exists():
            shutil.copytree(stage / d, root / d, symlinks=True, dirs_exist_ok=True)
    # the libraries nginx and envsubst need that the alpine substitute does not have
    for lib in sorted(kit.loader_libs(stage, [nginx, envsubst])):
        if any(fnmatch.fnmatch(lib.name, pattern) for pattern in alpine.LIBS):
            continue
        kit.copy_file(lib.resolve(), root / LIBDIR / lib.name, 0o644)
    nginx_layout.overlay(ctx, root)
    version = _version(stage)
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=ctx.ref("alpine"), version=version,
                                                          finish=nginx_layout.FINISH))
    ctx.build_image(context)


def _version(stage: Path) -> str:
    """nginx -v of the staged binary, run with the stage's own loader and libraries."""
    libdir = stage / LIBDIR
    proc = kit.run([str(libdir / "ld-linux-x86-64.so.2"), "--library-path", str(libdir),
                    str(stage / "usr/sbin/nginx"), "-v"], what="nginx -v")
    return (proc.stderr or proc.stdout).strip().rsplit("/", 1)[-1] or "unknown"


SUBSTITUTE = Substitute(
    id="nginx-alpine",
    upstream="nginx:1.25-alpine",
    aliases=("nginx:alpine", "nginx:1.25-alpine-slim", "nginx:alpine-slim", "nginx:1.25-alpine3.19"),
    summary="alpine substitute + nginx and envsubst from Debian trixie, in the official image's layout",
    build=build,
    module=sys.modules[__name__],
    depends=("alpine",),
    versions={"suite": SUITE, "packages": ",".join(PACKAGES)},
    files=nginx_layout.FILES,
    modules=(nginx_layout,),
    deviations=("nginx 1.26 (Debian trixie) under the 1.25 tag; core modules only (no njs, no dynamic modules)",
                "temp files live under /var/lib/nginx (a symlink to /var/cache/nginx)"),
    needs_mmdebstrap=True,
    estimate=8,
)
