"""What reached the final image: files traced to the Dockerfile line that added them, and the ones that
are not build outputs (sources, tests, manifests, VCS data, the Dockerfile, dev dependencies)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from checker.inspect import FileEntry, ImageFacts, Layer
from checker.model import Dockerfile, Instruction, Stage

SOURCE_EXT = frozenset({
    ".go", ".java", ".kt", ".scala", ".groovy", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".vue", ".svelte",
    ".py", ".rs", ".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".rb", ".php", ".swift",
})
MANIFESTS = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "pom.xml",
    "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "gradle.properties",
    "go.mod", "go.sum", "requirements.txt", "pyproject.toml", "poetry.lock", "uv.lock", "Pipfile",
    "Pipfile.lock", "setup.py", "setup.cfg", "Cargo.toml", "Cargo.lock",
})
BUILD_FILES = frozenset({"Dockerfile", ".dockerignore", "Makefile", "mvnw", "gradlew", ".gitignore",
                         ".gitattributes", "exercise.yaml"})
TEST_PATTERN = re.compile(r"(^|/)(tests?|__tests__|spec)/|_test\.go$|\.(test|spec)\.[cm]?[jt]sx?$|Test\.java$|"
                          r"(^|/)test_[^/]+\.py$")
HEAVY_SKIP = frozenset({".git", "node_modules", "target", "dist", "build", ".venv", "__pycache__"})


@dataclass(frozen=True)
class StrayFile:
    path: str  # in the image
    context_path: str  # the context file it is a copy of
    category: str  # source | test | manifest | build-file | vcs | dev-dependency
    line: int | None  # Dockerfile line that brought it
    instruction: str | None


def categorize(relpath: str) -> str | None:
    name = relpath.rsplit("/", 1)[-1]
    if relpath.startswith(".git/") or "/.git/" in relpath:
        return "vcs"
    if TEST_PATTERN.search(relpath):
        return "test"
    if name in MANIFESTS:
        return "manifest"
    if name in BUILD_FILES or name.startswith("Dockerfile") or name.endswith(".Dockerfile"):
        return "build-file"
    if os.path.splitext(name)[1] in SOURCE_EXT:
        return "source"
    return None


def context_index(context: Path, *, limit: int = 20000) -> dict[str, str]:
    """relpath -> sha256 for the context's files that would matter if shipped (skips heavy dirs' insides,
    except .git's first files so that a shipped .git is still recognised)."""
    index: dict[str, str] = {}
    for root, dirs, files in os.walk(context):
        rel_root = os.path.relpath(root, context)
        rel_root = "" if rel_root == "." else rel_root + "/"
        dirs[:] = [d for d in dirs if d not in HEAVY_SKIP or d == ".git"]
        for f in files:
            rel = rel_root + f
            if categorize(rel) is None:
                continue
            p = Path(root) / f
            try:
                if p.is_symlink() or p.stat().st_size > (8 << 20):
                    continue
                index[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
            except OSError:
                continue
            if len(index) >= limit:
                return index
    return index


def chain_instructions(model: Dockerfile, stage: Stage) -> list[Instruction]:
    """The instructions whose history entries sit on top of the root image, root stage first."""
    out: list[Instruction] = []
    for st in reversed(model.ancestors(stage)):
        out += st.instructions
    return out


def _history_keyword(created_by: str) -> str:
    text = created_by.strip()
    if "#(nop)" in text:  # classic builder: "/bin/sh -c #(nop) COPY file:abc in /x"
        text = text.split("#(nop)", 1)[1].strip()
        return text.split(" ", 1)[0].upper()
    if text.startswith("/bin/sh -c") or text.startswith("|"):
        return "RUN"
    return text.split(" ", 1)[0].upper() if text else ""


def trace_layers(facts: ImageFacts, model: Dockerfile, stage: Stage, base_history_len: int) -> dict[int, Instruction]:
    """layer index -> the Dockerfile instruction that created it, for layers above the root image."""
    instrs = [i for i in chain_instructions(model, stage) if i.keyword != "FROM"]
    result: dict[int, Instruction] = {}
    pos = 0
    for entry in facts.history[base_history_len:]:
        kw = _history_keyword(entry.created_by)
        j = pos
        while j < len(instrs) and instrs[j].keyword != kw:
            j += 1
        if j < len(instrs):
            pos = j + 1
            if entry.layer_index is not None:
                result[entry.layer_index] = instrs[j]
    return result


def stray_files(facts: ImageFacts, traced: dict[int, Instruction], context: dict[str, str],
                first_layer: int) -> list[StrayFile]:
    """Files added above the root image that are copies of context sources, tests, manifests..."""
    by_hash: dict[str, list[str]] = {}
    for rel, digest in context.items():
        by_hash.setdefault(digest, []).append(rel)
    strays: list[StrayFile] = []
    merged = facts.files(from_layer=first_layer)
    for path, (entry, layer) in sorted(merged.items()):
        cat, matched = _match(path, entry, by_hash)
        if cat is None or matched is None:
            continue
        instr = traced.get(layer.index)
        strays.append(StrayFile(path, matched, cat, instr.line if instr else None, instr.snippet if instr else None))
    strays += dev_dependencies(merged, traced)
    return strays


def _match(path: str, entry: FileEntry, by_hash: dict[str, list[str]]) -> tuple[str | None, str | None]:
    if entry.kind != "file" or entry.sha256 is None:
        if "/.git/" in path + "/" and path.endswith("/.git/HEAD"):
            return "vcs", ".git/HEAD"
        return None, None
    for rel in by_hash.get(entry.sha256, []):
        # the image path must end with the context path: a built file that happens to equal a source
        # (an asset copied verbatim into dist/) is an output, not a shipped source.
        if path == "/" + rel or path.endswith("/" + rel):
            cat = categorize(rel)
            if cat is not None:
                return cat, rel
    return None, None


def dev_dependencies(merged: dict[str, tuple[FileEntry, Layer]], traced: dict[int, Instruction]) -> list[StrayFile]:
    """node_modules folders whose lockfile marks packages as dev-only (shipped devDependencies)."""
    out: list[StrayFile] = []
    for path, (entry, layer) in merged.items():
        if not path.endswith("/node_modules/.package-lock.json") or not entry.text:
            continue
        instr = traced.get(layer.index)
        root = path[: -len("/.package-lock.json")]
        for pkg in dev_packages_in_lock(entry.text):
            out.append(StrayFile(f"{root}/{pkg}", "node_modules", "dev-dependency",
                                 instr.line if instr else None, instr.snippet if instr else None))
    return out


def dev_packages_in_lock(text: str) -> list[str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return []
    return sorted(k.rsplit("node_modules/", 1)[-1] for k, v in (data.get("packages") or {}).items()
                  if isinstance(v, dict) and v.get("dev"))
