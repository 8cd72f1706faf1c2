"""Finding the class: which students, where each one's submission is, and which exercise it answers.

SUBMISSIONS may be
  - a CSV roster (`student`, optional `submission` and `exercise` columns; paths relative to the CSV);
  - a folder holding `roster.csv` (the roster is used, paths relative to the folder);
  - a folder of per-student entries: sub-folders, `.zip` or `.tar.gz` archives (the name is the student);
  - one student's submission: a folder that holds a Dockerfile itself, or a single archive.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .unpack import JUNK, archive_stem, is_archive

ROSTER_NAMES = ("roster.csv",)
STUDENT_COLUMNS = ("student", "name", "identifier", "github_username", "login", "email")
SUBMISSION_COLUMNS = ("submission", "path", "folder", "archive", "file")
EXERCISE_COLUMNS = ("exercise", "assignment")


class RosterError(ValueError):
    """The roster cannot be read (usage error)."""


@dataclass
class Entry:
    student: str
    slug: str
    source: Path | None  # folder or archive; None when the roster names nothing that exists
    exercise: str | None
    problem: str | None = None  # why it cannot be graded before unpacking (missing submission...)
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ClassList:
    entries: list[Entry]
    kind: str  # roster | folder | single
    roster: Path | None = None
    base: Path | None = None  # where relative exercise paths are looked up


def slugify(name: str) -> str:
    s = re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-.")
    return s[:80] or "student"


def _unique(slug: str, taken: set[str]) -> str:
    out, n = slug, 2
    while out.lower() in taken:
        out = f"{slug}-{n}"
        n += 1
    taken.add(out.lower())
    return out


def _holds_dockerfile(folder: Path) -> bool:
    return any(p.is_file() and p.name.lower() == "dockerfile" for p in folder.iterdir())


def discover(path: Path, *, exercise: str | None = None, student: str | None = None) -> ClassList:
    if not path.exists():
        raise RosterError(f"{path} does not exist")
    if student:  # one student's submission, whatever it looks like
        return ClassList([Entry(student, slugify(student), path, exercise)], "single", base=Path.cwd())
    if path.is_file() and path.suffix.lower() == ".csv":
        return read_roster(path, exercise)
    if path.is_dir():
        for name in ROSTER_NAMES:
            if (path / name).is_file():
                return read_roster(path / name, exercise)
        if _holds_dockerfile(path):
            name = path.resolve().name
            return ClassList([Entry(name, slugify(name), path, exercise)], "single", base=Path.cwd())
        entries: list[Entry] = []
        taken: set[str] = set()
        for p in sorted(path.iterdir(), key=lambda p: p.name.lower()):
            if p.name in JUNK or p.name.startswith("."):
                continue
            if p.is_dir() or is_archive(p):
                name = p.name if p.is_dir() else archive_stem(p)
                entries.append(Entry(name, _unique(slugify(name), taken), p, exercise))
        if not entries:
            raise RosterError(f"{path} holds no roster.csv, no Dockerfile, no student folders and no "
                              ".zip/.tar.gz archives")
        return ClassList(entries, "folder", base=Path.cwd())
    if is_archive(path):
        name = archive_stem(path)
        return ClassList([Entry(name, slugify(name), path, exercise)], "single", base=Path.cwd())
    raise RosterError(f"{path} is not a folder, a roster (.csv) or an archive (.zip, .tar.gz)")


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    low = {h.strip().lower(): h for h in header}
    for n in names:
        if n in low:
            return low[n]
    return None


def read_roster(csv_path: Path, exercise: str | None) -> ClassList:
    base = csv_path.parent
    try:
        text = csv_path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"cannot read the roster {csv_path}: {exc}") from None
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(lines)
    header = list(reader.fieldnames or [])
    scol = _column(header, STUDENT_COLUMNS)
    if scol is None:
        raise RosterError(f"{csv_path}: the roster needs a 'student' column (its columns: {', '.join(header)})")
    pcol = _column(header, SUBMISSION_COLUMNS)
    ecol = _column(header, EXERCISE_COLUMNS)
    entries: list[Entry] = []
    taken: set[str] = set()
    for row in reader:
        name = (row.get(scol) or "").strip()
        if not name:
            continue
        ex = ((row.get(ecol) or "").strip() if ecol else "") or exercise
        extra = {k: (v or "") for k, v in row.items() if k not in (scol, pcol, ecol) and k is not None}
        slug = _unique(slugify(name), taken)
        wanted = ((row.get(pcol) or "").strip() if pcol else "")
        source, problem = _locate(base, wanted, name)
        entries.append(Entry(name, slug, source, ex, problem, extra))
    if not entries:
        raise RosterError(f"{csv_path}: the roster names no student")
    return ClassList(entries, "roster", roster=csv_path, base=base)


def _locate(base: Path, wanted: str, student: str) -> tuple[Path | None, str | None]:
    if wanted:
        p = Path(wanted)
        p = p if p.is_absolute() else base / p
        if p.exists() or p.is_symlink():
            return p, None
        return None, f"no submission: {wanted} does not exist"
    for cand in (base / student, *(base / f"{student}{s}" for s in (".zip", ".tar.gz", ".tgz", ".tar"))):
        if cand.exists():
            return cand, None
    return None, f"no submission: nothing named {student} (folder or archive) next to the roster"
