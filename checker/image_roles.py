"""What a base image is for (its role: toolchain, runtime, minimal or os) and what it ships.

`classify(ref)` turns an image reference (``node:22-alpine``, ``gcr.io/distroless/static:nonroot``,
``mcr.microsoft.com/dotnet/sdk:8.0``...) into an :class:`ImageInfo`:

* ``category``: ``toolchain`` (compilers, SDKs, package managers: belongs in a builder stage),
  ``runtime`` (made to run an app), ``minimal`` (scratch, distroless, chainguard: no shell),
  ``os`` (a general-purpose distro such as ``ubuntu``/``debian``) or ``unknown``. ``reason`` says why,
  in words that can be shown to a learner.
* the default user (``default_uid``/``default_user``) and the user names its ``/etc/passwd`` is known to
  hold, whether it has a shell, curl or wget, its libc, its default ENTRYPOINT and WORKDIR,
* whether the tag is pinned (``latest`` or no tag = unpinned; a tag without a version number such as
  ``lts`` or ``alpine`` is ``floating``; a digest is pinned).

The catalogue is deliberately conservative: facts we are not sure about are ``None`` (unknown), and rules
only complain about facts that are known. Everything is pure string logic, cached per reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Category = Literal["toolchain", "runtime", "minimal", "os", "unknown"]
Pinning = Literal["pinned", "floating", "unpinned"]

_DIGIT = re.compile(r"\d")
_TAG_SPLIT = re.compile(r"[-._]")


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed image reference. ``path`` has the registry and the ``library/`` prefix removed."""

    raw: str
    registry: str | None
    path: str  # e.g. "node", "distroless/static-debian12", "dotnet/sdk", "bitnami/nginx"
    tag: str | None
    digest: str | None

    @property
    def name(self) -> str:
        """Last path component: ``node``, ``static-debian12``, ``sdk``."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def full_path(self) -> str:
        return f"{self.registry}/{self.path}" if self.registry else self.path


@dataclass(frozen=True, slots=True)
class ImageInfo:
    ref: ImageRef
    category: Category
    reason: str
    default_uid: int | None  # 0 = root; None = unknown
    default_user: str | None  # the name, when it has one
    users: frozenset[str]  # user names known to exist in its /etc/passwd (empty: none / unknown)
    has_passwd: bool | None  # scratch: False
    has_shell: bool | None
    has_curl: bool | None
    has_wget: bool | None
    has_package_manager: bool | None
    libc: Literal["glibc", "musl", "none"] | None
    entrypoint: tuple[str, ...] | None  # the base's own ENTRYPOINT, when it sets one that matters
    workdir: str
    pinning: Pinning
    language: str | None = None  # "node", "java", "go", "python", "rust", "dotnet"... when it is about one

    @property
    def is_scratch(self) -> bool:
        return self.ref.path == "scratch"

    @property
    def pinned(self) -> bool:
        return self.pinning == "pinned"

    @property
    def display(self) -> str:
        return self.ref.raw


def parse_ref(ref: str) -> ImageRef:
    """Split ``[registry/]path[:tag][@digest]`` (no validation: garbage in, best effort out)."""
    raw = ref.strip()
    rest = raw.lower()
    digest: str | None = None
    if "@" in rest:
        rest, digest = rest.split("@", 1)
    tag: str | None = None
    slash = rest.rfind("/")
    colon = rest.rfind(":")
    if colon > slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    registry: str | None = None
    first, sep, remainder = rest.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        registry, rest = first, remainder
    if registry in ("docker.io", "index.docker.io", "registry-1.docker.io"):
        registry = None
    if registry is None and rest.startswith("library/"):
        rest = rest[len("library/") :]
    return ImageRef(raw=raw, registry=registry, path=rest, tag=tag or None, digest=digest or None)


def looks_like_image(ref: str) -> bool:
    """True for refs that can only be images: a registry, a namespace, a tag or a digest."""
    return any(c in ref for c in ":/@.")


# Well-known official images that are used bare in `COPY --from=<image>` (e.g. `--from=alpine`).
KNOWN_IMAGE_NAMES = frozenset(
    {
        "alpine", "busybox", "debian", "ubuntu", "nginx", "node", "golang", "python", "maven", "gradle",
        "rust", "gcc", "openjdk", "eclipse-temurin", "amazoncorretto", "httpd", "caddy", "traefik",
        "redis", "postgres", "mysql", "scratch", "docker", "registry", "tomcat", "php", "ruby", "composer",
        "buildpack-deps", "fedora", "centos", "rockylinux", "almalinux", "amazonlinux", "bash", "curlimages/curl",
        "tonistiigi/xx", "hashicorp/terraform",
    }
)  # fmt: skip

_TOOLCHAIN_NAMES = {
    "golang": ("go", "the Go toolchain (compiler, go command, git, gcc on Debian tags)"),
    "maven": ("java", "Maven plus a full JDK"),
    "gradle": ("java", "Gradle plus a full JDK"),
    "rust": ("rust", "the Rust toolchain (rustc, cargo; -slim tags still carry the compiler)"),
    "gcc": (None, "the GNU compiler collection"),
    "clang": (None, "a C/C++ compiler"),
    "buildpack-deps": (None, "compilers and -dev headers (it is the base of the language SDK images)"),
    "sbt": ("java", "sbt plus a full JDK"),
    "composer": ("php", "the PHP package manager"),
    "elixir": ("elixir", "the Elixir/Erlang toolchain"),
    "haskell": ("haskell", "GHC and cabal/stack"),
    "swift": ("swift", "the Swift compiler"),
    "kotlin": ("java", "the Kotlin compiler"),
    "jdk": ("java", "a full JDK"),
    "go": ("go", "the Go toolchain"),
    "ant": ("java", "Ant plus a JDK"),
}

_JAVA_DISTS = {
    "openjdk", "eclipse-temurin", "amazoncorretto", "ibm-semeru-runtimes", "sapmachine", "zulu-openjdk",
    "ibmjava", "adoptopenjdk", "bellsoft/liberica-openjdk-alpine", "liberica-openjdk-debian",
    "liberica-openjre-alpine", "microsoft-openjdk", "temurin", "java",
}  # fmt: skip

_RUNTIME_SERVERS = {
    "nginx": "nginx serves static files and proxies; it has no compilers",
    "nginx-unprivileged": "nginx running as the unprivileged `nginx` user (uid 101) on port 8080",
    "httpd": "Apache httpd serves static files",
    "caddy": "Caddy serves static files",
    "traefik": "a reverse proxy",
    "tomcat": "a servlet container",
    "jetty": "a servlet container",
    "openresty": "nginx with Lua",
    "lighttpd": "a small web server",
}

_OS_IMAGES = {"debian", "ubuntu", "fedora", "centos", "rockylinux", "almalinux", "amazonlinux", "oraclelinux"}


def _tag_tokens(tag: str | None) -> frozenset[str]:
    return frozenset(_TAG_SPLIT.split(tag)) if tag else frozenset()


def _pinning(ref: ImageRef) -> Pinning:
    if ref.digest:
        return "pinned"
    if ref.path == "scratch":
        return "pinned"
    if not ref.tag or ref.tag == "latest":
        return "unpinned"
    if not _DIGIT.search(ref.tag):
        if "distroless" in ref.path and _DIGIT.search(ref.name):
            return "pinned"  # distroless has no version tags; static-debian12:nonroot pins the distro
        return "floating"  # lts, alpine, stable, current, bookworm-slim...
    return "pinned"


@lru_cache(maxsize=4096)
def classify(ref: str) -> ImageInfo:
    r = parse_ref(ref)
    tokens = _tag_tokens(r.tag)
    name = r.name
    path = r.path
    pin = _pinning(r)
    tag = r.tag or ""
    alpine = "alpine" in tokens or name == "alpine" or "alpine" in name
    slim = "slim" in tokens or "slim" in tag
    libc: Literal["glibc", "musl", "none"] | None = "musl" if alpine else None

    def info(
        category: Category,
        reason: str,
        *,
        uid: int | None = 0,
        user: str | None = "root",
        users: frozenset[str] = frozenset({"root"}),
        passwd: bool | None = True,
        shell: bool | None = True,
        curl: bool | None = None,
        wget: bool | None = None,
        pkg: bool | None = True,
        lc: Literal["glibc", "musl", "none"] | None = libc,
        entrypoint: tuple[str, ...] | None = None,
        workdir: str = "/",
        language: str | None = None,
    ) -> ImageInfo:
        if alpine:
            curl = False if curl is None else curl
            wget = True if wget is None else wget  # BusyBox wget
        return ImageInfo(
            ref=r, category=category, reason=reason, default_uid=uid, default_user=user, users=users,
            has_passwd=passwd, has_shell=shell, has_curl=curl, has_wget=wget, has_package_manager=pkg,
            libc=lc, entrypoint=entrypoint, workdir=workdir, pinning=pin, language=language,
        )  # fmt: skip

    # --- no filesystem at all
    if path == "scratch":
        return info(
            "minimal",
            "scratch is an empty image: no shell, no /etc/passwd, no CA certificates, no libc",
            uid=0, user=None, users=frozenset(), passwd=False, shell=False, curl=False, wget=False, pkg=False,
            lc="none",
        )  # fmt: skip

    # --- distroless
    if "distroless" in path:
        debug = "debug" in tokens
        nonroot = "nonroot" in tokens
        entry: tuple[str, ...] | None = None
        lang: str | None = None
        if name.startswith("java"):
            entry, lang = ("java", "-jar"), "java"
        elif name.startswith("nodejs"):
            entry, lang = ("/nodejs/bin/node",), "node"
        elif name.startswith("python"):
            entry, lang = ("/usr/bin/python3",), "python"
        return info(
            "minimal",
            f"{path} is distroless: only the runtime libraries, no shell"
            + (" (the :debug tag adds a BusyBox shell)" if debug else "")
            + ("; :nonroot runs as uid 65532" if nonroot else "; it runs as root unless you use :nonroot"),
            uid=65532 if nonroot else 0,
            user="nonroot" if nonroot else "root",
            users=frozenset({"root", "nonroot", "nobody"}),
            shell=debug, curl=False, wget=debug, pkg=False,
            lc="none" if name.startswith("static") else "glibc",
            entrypoint=entry, language=lang,
            workdir="/home/nonroot" if nonroot else "/",
        )  # fmt: skip

    # --- chainguard / wolfi
    if r.registry == "cgr.dev" or path.startswith("chainguard/"):
        dev = "dev" in tokens or name in _TOOLCHAIN_NAMES or name in ("jdk", "maven", "gradle", "gcc-glibc")
        if dev:
            return info("toolchain", f"{r.raw} is a Chainguard -dev/SDK image with a shell and apk",
                        uid=65532, user="nonroot", users=frozenset({"root", "nonroot"}))  # fmt: skip
        return info(
            "minimal", f"{r.raw} is a minimal Chainguard image: no shell, runs as nonroot (65532)",
            uid=65532, user="nonroot", users=frozenset({"root", "nonroot"}), shell=False, curl=False,
            wget=False, pkg=False, lc="glibc",
        )  # fmt: skip

    # --- .NET
    if "dotnet" in path:
        if name == "sdk" or path.endswith("dotnet/sdk") or "sdk" in tokens:
            return info("toolchain", f"{r.raw} is the .NET SDK (compiler, NuGet, MSBuild)", language="dotnet",
                        lc=libc or "glibc")  # fmt: skip
        if name in ("aspnet", "runtime", "runtime-deps"):
            return info("runtime", f"{r.raw} is a .NET runtime image without the SDK", language="dotnet",
                        users=frozenset({"root", "app"}), lc=libc or "glibc")  # fmt: skip

    # --- generic "-dev" / "-sdk" flavours
    if "dev" in tokens or "devel" in tokens or "sdk" in tokens or name.endswith("-dev") or name.endswith("-sdk"):
        return info("toolchain", f"{r.raw} is a -dev/-sdk flavour with compilers and headers")

    # --- language toolchains
    if name in _TOOLCHAIN_NAMES:
        lang, what = _TOOLCHAIN_NAMES[name]
        return info(
            "toolchain", f"{r.raw} ships {what}: a builder image, not a runtime",
            language=lang, curl=None if alpine else True, wget=None if alpine else True,
            workdir="/go" if name == "golang" else "/", lc=libc or "glibc",
        )  # fmt: skip

    # --- Java distributions: JDK vs JRE
    if name in _JAVA_DISTS or path in _JAVA_DISTS or "jdk" in name or "jre" in name:
        jre = "jre" in tokens or "jre" in name or "jre" in tag
        if jre:
            return info("runtime", f"{r.raw} is a Java runtime (JRE) without the compiler", language="java",
                        lc=libc or "glibc")  # fmt: skip
        return info(
            "toolchain",
            f"{r.raw} is a full JDK (javac, jar, jlink...); the runtime stage only needs a JRE",
            language="java", lc=libc or "glibc",
        )  # fmt: skip

    # --- Node
    if name == "node":
        users = frozenset({"root", "node"})
        if slim:
            return info(
                "runtime",
                f"{r.raw} is a slim Node runtime; note it still ships npm, yarn and corepack, "
                "so a distroless/nodejs base is smaller and has less to attack",
                users=users, curl=False, wget=False, language="node", lc="glibc",
            )  # fmt: skip
        if alpine:
            return info(
                "toolchain",
                f"{r.raw} is Node with npm, yarn and corepack; for a static front end ship nginx, "
                "for a server use node:<version>-slim or gcr.io/distroless/nodejs",
                users=users, language="node",
            )  # fmt: skip
        return info(
            "toolchain",
            f"{r.raw} is the full Node image (npm, yarn, gcc, make, python, git: buildpack-deps)",
            users=users, curl=True, wget=True, language="node", lc="glibc",
        )  # fmt: skip

    # --- Python
    if name in ("python", "pypy"):
        if slim or alpine:
            return info("runtime", f"{r.raw} is a small Python runtime without compilers",
                        curl=False, wget=None if alpine else False, language="python",
                        lc=libc or "glibc")  # fmt: skip
        return info(
            "toolchain",
            f"{r.raw} is the full Python image (gcc, make, -dev headers from buildpack-deps); "
            "use python:<version>-slim to run",
            curl=True, wget=True, language="python", lc="glibc",
        )  # fmt: skip

    # --- Ruby follows the same convention
    if name == "ruby":
        if slim or alpine:
            return info("runtime", f"{r.raw} is a slim {name} runtime", language=name)
        return info("toolchain", f"{r.raw} is the full {name} image with compilers", language=name)
    # --- PHP: there is no slimmer official runtime; the Debian variants keep gcc and make (PHPIZE_DEPS) so that
    # `docker-php-ext-install` works, the -alpine ones drop them
    if name == "php":
        return info(
            "runtime",
            f"{r.raw} is the PHP runtime"
            + ("" if alpine else " (its Debian variants keep gcc and make for `docker-php-ext-install`)"),
            language=name,
        )

    # --- servers
    if name in _RUNTIME_SERVERS:
        unpriv = name == "nginx-unprivileged"
        nginx = name.startswith("nginx") or name == "openresty"
        return info(
            "runtime",
            f"{r.raw}: {_RUNTIME_SERVERS[name]}",
            uid=101 if unpriv else 0,
            user="nginx" if unpriv else "root",
            users=frozenset({"root", "nginx", "nobody"}) if nginx else frozenset({"root", "nobody"}),
            curl=True if (nginx and not alpine) else None,
            wget=None,
            entrypoint=("/docker-entrypoint.sh",) if nginx else None,
        )  # fmt: skip

    # --- bitnami: non-root by default
    if path.startswith("bitnami/"):
        return info("runtime", f"{r.raw} is a Bitnami image (runs as uid 1001)", uid=1001, user=None,
                    users=frozenset({"root"}))  # fmt: skip

    # --- small bases
    if name in ("alpine", "busybox"):
        return info("runtime", f"{r.raw} is a small base image ({'musl, apk' if name == 'alpine' else 'BusyBox'})",
                    users=frozenset({"root", "nobody"}), curl=False, wget=True,
                    pkg=name == "alpine", lc="musl" if name == "alpine" else None)  # fmt: skip
    if name in _OS_IMAGES:
        if slim or name in ("ubi-minimal", "ubi-micro"):
            return info("runtime", f"{r.raw} is a slim distro base", curl=False, wget=False,
                        users=frozenset({"root", "nobody"}), lc="glibc")  # fmt: skip
        return info("os", f"{r.raw} is a general-purpose distro image (fine, but bigger than it needs to be)",
                    curl=False if name in ("debian", "ubuntu") else None, wget=False if name == "debian" else None,
                    users=frozenset({"root", "nobody"}), lc="glibc")  # fmt: skip
    if name.startswith("ubi") and "minimal" in name:
        return info("runtime", f"{r.raw} is a minimal Red Hat base")
    if slim:
        return info("runtime", f"{r.raw} is a -slim flavour (no compilers)", curl=False, wget=False)
    return info("unknown", f"{r.raw} is not in the checker's catalogue", curl=None, wget=None)
