"""The official nginx image's layout, shared by the two nginx recipes (not a recipe itself).

Debian's nginx binary keeps its compiled-in paths (temp files under /var/lib/nginx); /var/lib/nginx is made a
symlink to /var/cache/nginx, so `chown -R nginx /var/cache/nginx` (the usual non-root recipe) covers them
as it does upstream.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from checker.images import kit
from checker.images.model import BuildContext

FILES = ("nginx",)

# Run inside the image (or the chroot) after the overlay is in place.
FINISH = (
    "rm -rf /etc/nginx/sites-available /etc/nginx/sites-enabled /etc/nginx/modules-enabled "
    "/etc/nginx/modules-available /var/www/html /var/lib/nginx "
    "&& mkdir -p /var/cache/nginx /var/log/nginx /docker-entrypoint.d /etc/nginx/conf.d "
    "&& ln -s /var/cache/nginx /var/lib/nginx "
    "&& ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log "
    "&& nginx -t"
)


def overlay(ctx: BuildContext, root: Path) -> None:
    """Copy the upstream-style configuration, pages and entrypoint scripts into `root`."""
    nginx = ctx.file("nginx")
    kit.copy_file(nginx / "nginx.conf", root / "etc/nginx/nginx.conf", 0o644)
    default = (nginx / "conf.d/default.conf").read_bytes()
    kit.copy_file(nginx / "conf.d/default.conf", root / "etc/nginx/conf.d/default.conf", 0o644)
    for page in ("index.html", "50x.html"):
        kit.copy_file(nginx / "html" / page, root / "usr/share/nginx/html" / page, 0o644)
    kit.copy_file(nginx / "docker-entrypoint.sh", root / "docker-entrypoint.sh", 0o755)
    for script in sorted((nginx / "docker-entrypoint.d").iterdir()):
        kit.copy_file(script, root / "docker-entrypoint.d" / script.name, 0o755)
    digest = hashlib.sha256(default).hexdigest()
    (root / "usr/share/nginx/default.conf.sha256").write_text(f"{digest}  etc/nginx/conf.d/default.conf\n")
