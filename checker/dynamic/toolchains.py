"""Language toolchains and package managers that must stay in builder stages.

OS package managers (apk, apt) are part of most runtime bases and are not counted here; the security lesson
measures them separately.
"""

from __future__ import annotations

from dataclasses import dataclass

from checker.inspect import FileEntry

# binary name -> (toolchain, what it is)
TOOLCHAIN_BINARIES: dict[str, tuple[str, str]] = {
    "go": ("Go", "the Go compiler"),
    "gofmt": ("Go", "the Go formatter"),
    "javac": ("Java", "the Java compiler (a JDK)"),
    "jshell": ("Java", "the JDK shell"),
    "jlink": ("Java", "the JDK linker"),
    "mvn": ("Maven", "the Maven build tool"),
    "mvnw": ("Maven", "the Maven wrapper"),
    "gradle": ("Gradle", "the Gradle build tool"),
    "gradlew": ("Gradle", "the Gradle wrapper"),
    "npm": ("Node", "the npm package manager"),
    "npx": ("Node", "npm's package runner"),
    "yarn": ("Node", "the Yarn package manager"),
    "pnpm": ("Node", "the pnpm package manager"),
    "corepack": ("Node", "Node's package-manager manager"),
    "gcc": ("C", "the GNU C compiler"),
    "cc": ("C", "a C compiler"),
    "g++": ("C++", "the GNU C++ compiler"),
    "c++": ("C++", "a C++ compiler"),
    "clang": ("C", "the clang compiler"),
    "make": ("C", "make"),
    "cargo": ("Rust", "the Cargo build tool"),
    "rustc": ("Rust", "the Rust compiler"),
    "pip": ("Python", "the pip package installer"),
    "pip3": ("Python", "the pip package installer"),
    "poetry": ("Python", "the Poetry package manager"),
    "uv": ("Python", "the uv package manager"),
    "dotnet": (".NET", "the .NET SDK driver"),
}

BIN_DIRS = ("/bin/", "/sbin/", "/usr/bin/", "/usr/sbin/", "/usr/local/bin/", "/usr/local/sbin/",
            "/usr/local/go/bin/", "/opt/", "/usr/lib/jvm/", "/usr/share/maven/bin/", "/root/.cargo/bin/",
            "/usr/local/cargo/bin/", "/go/bin/")


@dataclass(frozen=True)
class ToolchainHit:
    path: str
    binary: str
    toolchain: str
    what: str


def find_toolchains(files: dict[str, FileEntry], *, allow: frozenset[str] = frozenset()) -> list[ToolchainHit]:
    """Toolchain executables in a merged filesystem listing (path -> entry)."""
    hits: list[ToolchainHit] = []
    for path, entry in sorted(files.items()):
        base = path.rsplit("/", 1)[-1]
        known = TOOLCHAIN_BINARIES.get(base)
        if known is None or base in allow:
            continue
        if entry.kind not in ("file", "symlink", "hardlink"):
            continue
        if entry.kind == "file" and not entry.executable:
            continue
        if not (path.startswith(BIN_DIRS) and "/bin/" in path + "/"):
            continue
        hits.append(ToolchainHit(path, base, known[0], known[1]))
    return hits
