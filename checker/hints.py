"""Hints for the errors learners hit, recognised by the builder's or the container's own words (learner-pitfalls.md)."""

from __future__ import annotations

import re

# Messages for errors learners hit, with the builder's own words recognised (learner-pitfalls.md).
BUILD_ERROR_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r'failed to calculate checksum of ref .*"(/[^"]+)": not found|COPY failed: .*no such file'),
     "A COPY could not find its source. For `COPY --from`, the path is looked up from the root of the other "
     "stage (its WORKDIR is ignored), and each tool writes its output somewhere else (Vite: dist/, CRA: build/, "
     "Maven: target/, Gradle: build/libs/). Build the builder alone (`--target build`) and list it to see."),
    (re.compile(r"pull access denied|repository does not exist|failed to resolve source metadata|"
                r"no such host|failed to do request"),
     "Docker tried to fetch an image: a `--from` or `FROM` that names no earlier stage is taken as an image "
     "name. Check the spelling and case of your stage names (`AS build` and `--from=build`), and that the "
     "stage is defined above its use."),
    (re.compile(r"target stage \"?[^ ]+\"? could not be found"),
     "--target must name a stage of the Dockerfile (`FROM ... AS <name>`)."),
    (re.compile(r"the --mount option requires BuildKit"),
     "RUN --mount needs BuildKit: build with `docker buildx build`, or drop the cache mount for the classic "
     "builder."),
    (re.compile(r"unable to find user|no matching entries in passwd file"),
     "The user does not exist in that stage. scratch and distroless have no /etc/passwd entries for your "
     "names: use a numeric `USER 65532:65532`, or create the user in the final stage first."),
    (re.compile(r'exec: "/bin/sh": stat /bin/sh: no such file or directory'),
     "A shell-form instruction needs /bin/sh, which scratch and distroless images do not have. Use the exec "
     "form (`[\"/app\"]`) and do every RUN in the builder."),
    (re.compile(r"npm ci.*can only install|npm error code EUSAGE"),
     "`npm ci` needs package-lock.json next to package.json: `COPY package.json package-lock.json ./`."),
    (re.compile(r"unknown time zone|zoneinfo"),  # pitfall 13
     "The runtime image has no time zone database (scratch, distroless static, Alpine without tzdata). For "
     "Go, `import _ \"time/tzdata\"` or build with `-tags timetzdata`; otherwise copy /usr/share/zoneinfo from "
     "the builder, or install tzdata in the runtime stage."),
    (re.compile(r"[Ee]xec format error"),  # pitfall 11
     "A program built for another CPU was started: an arm64 binary on amd64 or the reverse. A builder on "
     "`FROM --platform=$BUILDPLATFORM` runs on the build machine and cannot run what it cross-compiled; declare "
     "`ARG TARGETOS TARGETARCH` (no defaults) in the stage, build with `GOOS=$TARGETOS GOARCH=$TARGETARCH`, and "
     "check the result with `file`."),
    (re.compile(r"x509: certificate signed by unknown authority|tls: failed to verify certificate"),  # pitfall 12
     "The runtime image has no CA certificates (scratch has none): copy the bundle from the builder, "
     "`COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/`, or use a distroless static base."),
    (re.compile(r"Error relocating|symbol not found|ld-linux|ld-musl"),  # pitfall 18
     "A binary built against one C library (glibc on Debian, musl on Alpine) was copied into an image with the "
     "other. Keep the builder and the runtime on the same libc family, or build a static binary "
     "(`CGO_ENABLED=0` for Go)."),
    (re.compile(r"exec /[^ ]+\.sh: no such file or directory|\r: not found|/bin/sh\^M"),  # pitfall 36
     "The script is in the image but its interpreter is not found: Windows line endings turn the shebang into "
     "`#!/bin/sh\\r`. Strip the `\\r` in the build stage (`sed -i 's/\\r$//'`) or add `*.sh text eol=lf` to "
     ".gitattributes; and the runtime image must contain that interpreter at all."),
    (re.compile(r"NoClassDefFoundError|Cannot run program \"objcopy\""),  # pitfall 39
     "A jlink-made runtime lacks a module the app needs (or jlink's --strip-debug needs objcopy). Derive the "
     "modules with `jdeps --print-module-deps --ignore-missing-deps app.jar`, use "
     "`--strip-java-debug-attributes` on Alpine, or start from a ready-made JRE image."),
]


def build_hint(error: str) -> str | None:
    for rx, hint in BUILD_ERROR_HINTS:
        if rx.search(error):
            return hint
    return None


def runtime_hint(error: str, logs: str) -> str | None:
    text = error + "\n" + logs
    hint = build_hint(text)
    if hint:
        return hint
    if re.search(r"no such file or directory|not found", text):
        return ("The runtime lacks what the entrypoint needs: a dynamically linked binary in scratch/alpine "
                "(build with CGO_ENABLED=0), a script whose interpreter is missing, or Windows line endings.")
    if "Permission denied" in text or "permission denied" in text:
        return "The non-root user cannot read or bind what it needs: `COPY --chown`, or listen on a port >= 1024."
    if "curl" in text:
        return "curl is not in Alpine-based runtimes: use busybox `wget -q --spider` in the HEALTHCHECK."
    return None
