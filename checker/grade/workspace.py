"""Exercises and build contexts for grading.

The grading model: a submission is the learner's Dockerfile (and, optionally, their .dockerignore). The
grader copies a fresh exercise folder and lays those one or two files over it, so every learner's image is
built from the same app, exactly as `stagewise check exercises/<id>` builds it for the learner. Any other
file in a submission (a changed app, a test "fixed" to pass, a node_modules) is ignored and listed in the
feedback: the app is the exercise's, not the learner's.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from checker.dockerignore import IGNORE, submission_ignore
from checker.spec import Spec, load_spec

from .unpack import JUNK, Refused

REPO = Path(__file__).resolve().parents[2]
EXERCISES = REPO / "exercises"
SOLUTIONS = REPO / "solutions"
# Never copied from the exercise folder into a build context: VCS data, the catalogue of wrong answers, and
# what a local try of the app may have left behind (it would make grades depend on the grader's machine).
CONTEXT_EXCLUDES = {".git", "wrong", "node_modules", "dist", "target", "__pycache__", ".DS_Store"}
MAX_DOCKERFILE_BYTES = 256 * 1024


class UnknownExercise(ValueError):
    pass


@dataclass(frozen=True, eq=False)
class Exercise:
    id: str
    dir: Path
    spec: Spec
    fingerprint: str
    reference: Path | None  # a folder holding the reference solution's Dockerfile

    @property
    def dockerfile_name(self) -> str:
        return self.spec.dockerfile


def known_exercises() -> list[str]:
    if not EXERCISES.is_dir():
        return []
    return sorted(p.name for p in EXERCISES.iterdir() if (p / "exercise.yaml").is_file())


def find_exercise(name: str, *, base: Path | None = None) -> Exercise:
    """An exercise by id (exercises/<id>) or by the path of a folder holding exercise.yaml."""
    candidates = []
    if "/" not in name and "\\" not in name and name not in (".", ".."):
        candidates.append(EXERCISES / name)
    p = Path(name)
    candidates += [p] if p.is_absolute() else ([base / p] if base else []) + [Path.cwd() / p]
    for c in candidates:
        if (c / "exercise.yaml").is_file():
            return _load_exercise(c.resolve())
    raise UnknownExercise(f"no exercise {name!r}; known exercises: {', '.join(known_exercises()) or 'none'} "
                          "(or give the path of a folder holding exercise.yaml)")


@cache
def _load_exercise(folder: Path) -> Exercise:
    spec = load_spec(folder / "exercise.yaml")
    reference = None
    for cand in (SOLUTIONS / spec.id, folder.parent.parent / "solutions" / spec.id, folder / "solution"):
        if (cand / spec.dockerfile).is_file() or (cand / "Dockerfile").is_file():
            reference = cand
            break
    return Exercise(spec.id, folder, spec, _fingerprint(folder, spec), reference)


def _walk_context_files(folder: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if d not in CONTEXT_EXCLUDES)
        for f in sorted(filenames):
            if f not in CONTEXT_EXCLUDES:
                out.append(Path(dirpath) / f)
    return out


def _fingerprint(folder: Path, spec: Spec) -> str:
    h = hashlib.sha256(spec.model_dump_json().encode())
    for p in _walk_context_files(folder):
        h.update(str(p.relative_to(folder)).encode() + b"\0")
        h.update(os.readlink(p).encode() if p.is_symlink() else hashlib.sha256(p.read_bytes()).digest())
    return h.hexdigest()


@dataclass
class Prepared:
    """What a submission contributes, found in its unpacked folder."""

    dockerfile_text: str
    dockerfile_name: str  # as found in the submission (relative path)
    dockerignore_text: str | None
    used: list[str]
    ignored: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        h = hashlib.sha256(b"dockerfile\0" + self.dockerfile_text.encode())
        h.update(b"\0dockerignore\0" + (self.dockerignore_text.encode() if self.dockerignore_text is not None
                                         else b"\xff(none)"))
        return h.hexdigest()


def _listing(root: Path) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in JUNK)
        for f in sorted(filenames):
            if f not in JUNK:
                files.append(str((Path(dirpath) / f).relative_to(root)))
    return files


def submission_root(unpacked: Path, dockerfile_name: str = "Dockerfile") -> Path:
    """The folder of the submission that holds the Dockerfile: archives often wrap it in one folder."""
    root = unpacked
    for _ in range(3):
        if _find_dockerfile(root, dockerfile_name) is not None:
            return root
        entries = [e for e in root.iterdir() if e.name not in JUNK and not e.name.startswith(".")]
        dirs = [e for e in entries if e.is_dir() and not e.is_symlink()]
        if len(dirs) == 1 and len(entries) == 1:
            root = dirs[0]
            continue
        break
    return root


def _find_dockerfile(root: Path, wanted: str) -> Path | None:
    exact = root / wanted
    if exact.is_file():
        return exact
    files = [p for p in root.iterdir() if p.is_file()] if root.is_dir() else []
    lower = [p for p in files if p.name.lower() == wanted.lower()]
    if len(lower) == 1:
        return lower[0]
    named = [p for p in files if (p.name.lower().endswith(".dockerfile") or p.name.lower().startswith("dockerfile."))
             and not p.name.lower().endswith(".dockerignore")]
    return named[0] if len(named) == 1 else None


def _read_text(p: Path, what: str) -> str:
    if p.stat().st_size > MAX_DOCKERFILE_BYTES:
        raise Refused(f"{what} is {p.stat().st_size // 1024} KiB, more than {MAX_DOCKERFILE_BYTES // 1024} KiB")
    data = p.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Refused(f"{what} {encoding_problem(data, exc)}") from None


def encoding_problem(data: bytes, exc: UnicodeDecodeError) -> str:
    """What is wrong with bytes that are not UTF-8, in words a learner can act on."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(data) > 3 and data[1:2] == b"\0" and data[3:4] == b"\0"):
        return "is not UTF-8 text: it is saved as UTF-16 (Windows editors do that): save it as UTF-8"
    head = data[:4096]
    if head.count(b"\0") > 0 or sum(b < 9 or 13 < b < 32 for b in head) > len(head) // 20:
        return "is not UTF-8 text but binary data: submit the Dockerfile itself"
    line = data.count(b"\n", 0, exc.start) + 1
    col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
    return (f"is not UTF-8 text: byte 0x{data[exc.start]:02x} on line {line}, column {col} (saved as Latin-1 or "
            "Windows-1252?): save it as UTF-8")


class NoDockerfile(Exception):
    """The submission holds no Dockerfile (a mistake, not a danger)."""


def inspect_submission(unpacked: Path, exercise: Exercise) -> Prepared:
    root = submission_root(unpacked, exercise.dockerfile_name)
    found = _find_dockerfile(root, exercise.dockerfile_name)
    listing = _listing(unpacked)
    if found is None:
        shown = ", ".join(listing[:8]) + (" ..." if len(listing) > 8 else "")
        raise NoDockerfile(f"no {exercise.dockerfile_name} in the submission (it holds: {shown or 'nothing'})")
    text = _read_text(found, found.name)
    notes = []
    if found.name != exercise.dockerfile_name:
        notes.append(f"graded {found.name} as the {exercise.dockerfile_name}")
    ignore_text = None
    used = [str(found.relative_to(unpacked))]
    # The same choice `stagewise check <folder> --exercise <id>` makes (checker.dockerignore): the ignore file
    # beside the Dockerfile by its name first, then the folder's .dockerignore.
    ignore = submission_ignore(found.parent, found.name, graded_as=exercise.dockerfile_name)
    if ignore is not None:
        ignore_text = _read_text(ignore, ignore.name)
        used.append(str(ignore.relative_to(unpacked)))
    ignored = [f for f in listing if f not in used]
    return Prepared(text, str(found.relative_to(unpacked)), ignore_text, used, ignored, notes)


def build_context(exercise: Exercise, prepared: Prepared, dest: Path, *, max_bytes: int) -> Path:
    """A fresh copy of the exercise folder with the submission's Dockerfile (and .dockerignore) laid over it."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    total = 0
    for p in _walk_context_files(exercise.dir):
        rel = p.relative_to(exercise.dir)
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        if p.is_symlink():
            os.symlink(os.readlink(p), out)
            continue
        shutil.copy2(p, out)
        total += out.stat().st_size
    (dest / exercise.dockerfile_name).write_text(prepared.dockerfile_text, encoding="utf-8")
    if prepared.dockerignore_text is not None:
        # The learner's ignore file replaces the exercise's, whatever name the exercise's had: at the context
        # root, where both builders read it (BuildKit would prefer a `<Dockerfile>.dockerignore`, so none stays).
        (dest / (exercise.dockerfile_name + IGNORE)).unlink(missing_ok=True)
        (dest / IGNORE).write_text(prepared.dockerignore_text, encoding="utf-8")
    total += len(prepared.dockerfile_text.encode()) + len((prepared.dockerignore_text or "").encode())
    if total > max_bytes:
        raise Refused(f"the build context would be {total / 1024 / 1024:.1f} MiB, more than "
                      f"{max_bytes / 1024 / 1024:.0f} MiB (the limit)")
    return dest / exercise.dockerfile_name
