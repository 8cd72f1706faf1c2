"""Hints for the errors learners hit, recognised by the builder's or the container's own words (learner-pitfalls.md)."""

from __future__ import annotations

import re

# Messages for errors learners hit, with the builder's own words recognised (learner-pitfalls.md).
_NO_NETWORK = ("Builds here have no network at all (the checker and the grader build with `--network=none`, and "
               "the base images are offline copies).")

BUILD_ERROR_HINTS: list[tuple[re.Pattern[str], str]] = [
    # First: the build could not download something. Matched before the image-pull hint below, whose words
    # ("no such host") a download error can share.
    (re.compile(r"(?:\[ERROR\] )?(?:Failed to execute goal \S+[^\n]*?(?:in offline mode|Unable to generate "
                r"classpath)[^\n]*|Cannot access \S+ \([^)]*\) in offline mode and the artifact \S+ has not been "
                r"downloaded[^\n]*)"),  # pitfall 25
     "Maven stopped: `{match}`. With `-o` Maven may use only what ~/.m2 already holds, and `dependency:go-offline` "
     "did not fetch everything: it does not "
     "resolve every plugin the lifecycle binds (surefire, jar, resources in the versions the build really uses) "
     "nor dependencies declared on plugins (MDEP-82, MDEP-820). Drop `-o` and treat go-offline as a cache "
     "warm-up, or keep ~/.m2 in a cache mount (`RUN --mount=type=cache,target=/root/.m2 mvn -B package`)."),
    (re.compile(r"wget: bad address|wget: unable to resolve|curl: \(6\) Could not resolve host|"
                r"curl: \(7\) Failed to connect|Could not resolve host|unable to access '[^']+': Could not resolve"),
     _NO_NETWORK + " A `wget`, `curl` or `git clone` of a URL in a RUN step cannot work: take the file from the "
     "build context (`COPY`), from the base image, or from another stage (`COPY --from=<stage>`)."),
    (re.compile(r"\(no such package\)|OFFLINE SUBSTITUTE for Alpine: nothing can be downloaded"),
     _NO_NETWORK + " `apk add` can only \"install\" packages the offline Alpine image already holds (the error "
     "lists them: ca-certificates, tzdata, wget...). Drop the package, or do the work in a builder stage whose "
     "image has the tool."),
    (re.compile(r"Unable to locate package|Temporary failure resolving|E: Package '[^']+' has no installation "
                r"candidate|Failed to fetch .*(resolv|Could not connect)"),
     _NO_NETWORK + " `apt-get update` cannot reach a package archive, so `apt-get install` finds no package "
     "(`Unable to locate package`). Use what the base image already ships, or a base image that has the tool "
     "(the JDK, Maven, Go and Node images have their toolchains)."),
    # The offline node images set npm's `offline=true` (ENOTCACHED, seen); elsewhere npm fails to resolve.
    (re.compile(r"npm (?:error|ERR!) code (?:ENOTCACHED|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|"
                r"ENETUNREACH)|cache mode is 'only-if-cached' but no cached response|getaddrinfo (?:EAI_AGAIN|"
                r"ENOTFOUND)|npm (?:error|ERR!) network"),
     _NO_NETWORK + " npm can install only the packages the exercise's package-lock.json names (they are in the "
     "image's npm cache, so `npm ci` works); a package added with `npm install <name>` cannot be downloaded. "
     "Use `npm ci` with the lockfile the exercise gives you, and don't add packages to it."),
    (re.compile(r"go: .*(?:dial tcp|no such host|i/o timeout)|Get \"https?://[^\"]+\": dial tcp"),
     _NO_NETWORK + " The go command tried to download modules: build with the modules the exercise's go.mod and "
     "go.sum name (they are in the image's module cache); `go get` or `go install <pkg>@<version>` of new "
     "modules cannot work."),
    (re.compile(r"Could not transfer artifact .*(?:Unknown host|Network is unreachable|Connection refused)|"
                r"Non-resolvable parent POM|Could not resolve dependencies for project"),
     _NO_NETWORK + " Maven could not download an artifact: build with the plugins and dependencies the "
     "exercise's pom.xml names (they are in the image's repository); new ones cannot be fetched."),
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
    (re.compile(r"/etc/nginx/templates exists, but /etc/nginx/conf\.d is not writable"),  # pitfall 33
     "nginx's entrypoint runs as your non-root USER and cannot write /etc/nginx/conf.d, so your template is not "
     "rendered and nginx falls back to the default config on port 80, which a non-root user cannot bind. Chown "
     "the paths nginx writes before `USER nginx` (`RUN chown -R nginx:nginx /var/cache/nginx /etc/nginx/conf.d && "
     "touch /var/run/nginx.pid && chown nginx:nginx /var/run/nginx.pid`), or use nginxinc/nginx-unprivileged."),
    (re.compile(r'nginx: \[emerg\] (?:mkdir|open)\(\) "[^"]+" failed \(13: Permission denied\)'),  # pitfall 33
     "nginx runs as a non-root user but the stock image keeps /var/cache/nginx, /var/run/nginx.pid and "
     "/etc/nginx/conf.d root-owned. Use nginxinc/nginx-unprivileged, or before `USER nginx` chown those paths "
     "(`RUN chown -R nginx:nginx /var/cache/nginx /etc/nginx/conf.d && touch /var/run/nginx.pid && chown "
     "nginx:nginx /var/run/nginx.pid`) and listen on a port >= 1024."),
    (re.compile(r"bind\(\) to \S+:(?:[1-9]\d{0,2}|10[01]\d|102[0-3]) failed \(13: Permission denied\)"),  # 33
     "A non-root server cannot listen on a port below 1024: listen on 8080 (and EXPOSE 8080), or use an "
     "unprivileged image such as nginxinc/nginx-unprivileged."),
    (re.compile(r"(?:mkdir: can't create directory|mkdir: cannot create directory|touch: cannot touch|"
                r"can't create) '?[^':]+'?: Permission denied"),  # pitfall 31
     "A RUN after `USER` runs as that user, and folders made before it (WORKDIR, `RUN mkdir`, files copied "
     "from another stage) belong to root. Make the folder and hand it over before USER (`RUN mkdir -p "
     "/app/logs && chown app:app /app/logs`), or copy with `COPY --chown=app:app`."),
    (re.compile(r'\[emerg\][^\n]*"[^"\n]*\$\{\w+\}[^"\n]*"'),  # a template variable the image never sets
     "nginx read a literal `${...}`: its entrypoint fills a template only with the variables that are set, and "
     "the image sets no ENV default for this one (`{match}`). The checker starts the image as `docker run IMAGE` "
     "does, with its own defaults: give every variable the templates use an `ENV` default in the final stage "
     "(`ENV NGINX_HOST=0.0.0.0 NGINX_PORT=8080`)."),
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
    """The hint for the first known error in the text; `{match}` in a hint quotes the tool's own line."""
    for rx, hint in BUILD_ERROR_HINTS:
        m = rx.search(error)
        if m:
            quoted = " ".join(m.group(0).split())
            return hint.replace("{match}", quoted if len(quoted) <= 240 else quoted[:237] + "...")
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
