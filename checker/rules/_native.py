"""What a copied path is (a native program, a Node tree, plain data) and which libc the stages around it have:
shared by the rules that follow an artifact from the base it was built on to the base it lands on (SW209 to
SW212, pitfalls 17, 18, 19 and 40). The libc of well-known images comes from checker.image_roles."""

from __future__ import annotations

import posixpath
import re

from checker.analysis import Context
from checker.image_roles import ImageInfo
from checker.model import Instruction, Stage

DATA_EXT = frozenset(
    {".jar", ".war", ".js", ".mjs", ".cjs", ".css", ".html", ".htm", ".json", ".txt", ".md", ".yaml", ".yml",
     ".xml", ".conf", ".template", ".crt", ".pem", ".png", ".svg", ".ico", ".map", ".properties", ".toml"}
)  # fmt: skip
DATA_PATHS = ("/etc/ssl", "/etc/passwd", "/etc/group", "/usr/share/zoneinfo", "/etc/ca-certificates",
              "/usr/share/ca-certificates", "/usr/share/nginx", "/etc/nginx")  # fmt: skip
_PROGRAM_DIRS = re.compile(r"(^|/)(s?bin|libexec|jre|jdk|jvm)(/|$)|\.so(\.\d+)*$|^/usr/local/lib/")
_NATIVE_BUILDERS = frozenset({"gcc", "g++", "cc", "c++", "clang", "make", "cmake", "ninja", "cargo", "rustc", "jlink"})
LIBC_WORDS = {"glibc": "glibc", "musl": "musl", "none": "no C library at all"}


def libc(info: ImageInfo) -> str | None:
    """The image's libc; a tag such as `3.7-alpine3.10` is Alpine (musl) too."""
    if info.libc != "none" and any(t.startswith("alpine") for t in re.split(r"[-._]", info.ref.tag or "")):
        return "musl"
    return info.libc


def libc_words(info: ImageInfo) -> str:
    return f"`{info.display}` ({LIBC_WORDS.get(libc(info) or '', 'unknown libc')})"


def is_data(src: str) -> bool:
    path = "/" + src.lstrip("/")
    if any(path == p or path.startswith(p + "/") for p in DATA_PATHS):
        return True
    return posixpath.splitext(path.rstrip("/"))[1].lower() in DATA_EXT


def looks_like_program(src: str) -> bool:
    """A path that holds executables or shared libraries by its place in the tree."""
    return not is_data(src) and bool(_PROGRAM_DIRS.search("/" + src.lstrip("/")))


def native_build(ctx: Context, stage: Stage) -> Instruction | None:
    """A RUN of the stage's chain that compiles or links native code (C, Rust, jlink), if any."""
    for st in reversed(ctx.df.ancestors(stage)):
        for ins, cmds in ctx.facts(st).runs:
            if any(c.program in _NATIVE_BUILDERS for c in cmds):
                return ins
    return None


def go_builds(ctx: Context, stage: Stage) -> list[Instruction]:
    out = []
    for st in reversed(ctx.df.ancestors(stage)):
        for ins, cmds in ctx.facts(st).runs:
            if any(c.program == "go" and c.sub() in ("build", "install") for c in cmds):
                out.append(ins)
    return out


def chain_env(ctx: Context, stage: Stage, name: str) -> str | None:
    value: str | None = None
    for st in reversed(ctx.df.ancestors(stage)):
        if name in st.args and st.args[name] is not None:
            value = st.args[name]
        if name in st.env:
            value = st.env[name]
    return value


def cgo_off(ctx: Context, stage: Stage, ins: Instruction) -> bool:
    """True when this go build cannot link against libc: CGO_ENABLED=0, a static link, or pure-Go tags."""
    script = ins.run.script if ins.run is not None else ""
    if re.search(r"CGO_ENABLED=0", script) or chain_env(ctx, stage, "CGO_ENABLED") == "0":
        return True
    return bool(re.search(r"-static\b|netgo", script))
