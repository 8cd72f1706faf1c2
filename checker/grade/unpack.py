"""Safe unpacking of untrusted submissions: a folder, a .zip or a .tar(.gz) archive into a fresh folder.

Everything is checked before a byte lands, and again as it lands (the sizes an archive declares are not
trusted): absolute paths, `..`, links that leave the folder, device files, too many files, too many bytes.
Any of those refuses the whole submission with a reason a person can read; nothing outside `dest` is ever
written, and no link is ever followed out of the submission.
"""

from __future__ import annotations

import os
import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

ARCHIVE_SUFFIXES = (".zip", ".tar.gz", ".tgz", ".tar", ".tar.bz2", ".tar.xz")
JUNK = {"__MACOSX", ".DS_Store", "Thumbs.db"}


class Refused(Exception):
    """The submission is unsafe or too large; `str(exc)` is the reason shown in the student's row."""


@dataclass(frozen=True)
class UnpackLimits:
    max_files: int = 2000  # files, folders and links
    max_bytes: int = 50 * 1024 * 1024  # unpacked total
    max_archive_bytes: int = 50 * 1024 * 1024  # the archive file itself


def is_archive(path: Path) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in ARCHIVE_SUFFIXES)


def archive_stem(path: Path) -> str:
    name = path.name
    for s in sorted(ARCHIVE_SUFFIXES, key=len, reverse=True):
        if name.lower().endswith(s):
            return name[: -len(s)]
    return path.stem


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MiB"


def safe_member_path(name: str) -> PurePosixPath:
    """The relative path an archive member may be written to, or Refused."""
    raw = name.replace("\\", "/")
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":" and raw[0].isalpha()):
        raise Refused(f"absolute path in the archive: {name!r}")
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise Refused(f"path with '..' in the archive: {name!r}")
    if any("\x00" in p for p in parts):
        raise Refused(f"NUL byte in a path in the archive: {name!r}")
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def _link_stays_inside(member: PurePosixPath, target: str) -> bool:
    """A symbolic link at `member` pointing at `target` stays inside the root (checked lexically)."""
    if not target or target.startswith("/") or target.replace("\\", "/").startswith("/"):
        return False
    depth = len(member.parent.parts) if str(member.parent) != "." else 0
    for part in target.replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        depth = depth - 1 if part == ".." else depth + 1
        if depth < 0:
            return False
    return True


class _Budget:
    def __init__(self, limits: UnpackLimits, what: str) -> None:
        self.limits, self.what = limits, what
        self.files = 0
        self.bytes = 0

    def entry(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise Refused(f"{self.what} has more than {self.limits.max_files} files (the limit)")

    def add(self, n: int) -> None:
        self.bytes += n
        if self.bytes > self.limits.max_bytes:
            raise Refused(f"{self.what} unpacks to more than {_mib(self.limits.max_bytes)} (the limit)")


def _inside(root: Path, path: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _target(dest: Path, rel: PurePosixPath) -> Path:
    """Where `rel` goes under dest; its parent folder must really be inside dest (no write through a link)."""
    out = dest.joinpath(*rel.parts)
    parent = out.parent
    parent.mkdir(parents=True, exist_ok=True)
    if not _inside(dest.resolve(), parent.resolve()):
        raise Refused(f"{rel} would be written through a link that leaves the submission")
    if out.is_symlink() or out.exists():
        if out.is_dir() and not out.is_symlink():
            raise Refused(f"{rel} is both a folder and a file in the archive")
        out.unlink()
    return out


def _copy_stream(src: object, out: Path, budget: _Budget, declared: int | None, name: str) -> None:
    read = getattr(src, "read")  # noqa: B009 - a file object from zipfile/tarfile
    written = 0
    with out.open("wb") as f:
        while True:
            chunk = read(1024 * 256)
            if not chunk:
                break
            written += len(chunk)
            if declared is not None and written > declared:
                raise Refused(f"{name} holds more data than the archive declares")
            budget.add(len(chunk))
            f.write(chunk)
    out.chmod(0o644)


def _final_check(dest: Path) -> None:
    """Defence in depth: every link, resolved for real, must stay inside dest."""
    root = dest.resolve()
    for dirpath, dirnames, filenames in os.walk(dest):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            if p.is_symlink() and not _inside(root, Path(os.path.realpath(p))):
                raise Refused(f"link {p.relative_to(dest)} -> {os.readlink(p)} leaves the submission")


def unpack_zip(archive: Path, dest: Path, limits: UnpackLimits) -> None:
    try:
        _unpack_zip(archive, dest, limits)
    except Refused:
        raise
    except Exception as exc:  # a damaged stream: zlib.error, BadZipFile, NotImplementedError (method)...
        raise Refused(f"{archive.name} is damaged ({type(exc).__name__}: {exc})") from None


def _unpack_zip(archive: Path, dest: Path, limits: UnpackLimits) -> None:
    budget = _Budget(limits, archive.name)
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise Refused(f"{archive.name} is not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > limits.max_files:
            raise Refused(f"{archive.name} has {len(infos)} entries, more than {limits.max_files} (the limit)")
        declared = sum(i.file_size for i in infos)
        if declared > limits.max_bytes:
            raise Refused(f"{archive.name} unpacks to {_mib(declared)}, more than {_mib(limits.max_bytes)} "
                          "(the limit)")
        # validate every member before writing anything
        plan: list[tuple[zipfile.ZipInfo, PurePosixPath, str]] = []
        for info in infos:
            rel = safe_member_path(info.filename)
            if info.flag_bits & 0x1:
                raise Refused(f"{info.filename!r} is encrypted")
            mode = (info.external_attr >> 16) & 0xFFFF
            kind = "dir" if info.is_dir() else "file"
            if mode:
                if stat.S_ISLNK(mode):
                    kind = "link"
                elif stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
                    raise Refused(f"device or special file in the archive: {info.filename!r}")
            if kind == "link":
                if info.file_size > 4096:
                    raise Refused(f"link {info.filename!r} has an oversized target")
                target = zf.read(info).decode("utf-8", "replace")
                if not _link_stays_inside(rel, target):
                    raise Refused(f"link {info.filename!r} -> {target!r} leaves the submission")
            plan.append((info, rel, kind))
        for info, rel, kind in plan:
            budget.entry()
            if str(rel) == ".":
                continue
            if kind == "dir":
                d = dest.joinpath(*rel.parts)
                if d.is_symlink() or (d.exists() and not d.is_dir()):
                    raise Refused(f"{rel} is both a folder and a file in the archive")
                d.mkdir(parents=True, exist_ok=True)
                continue
            out = _target(dest, rel)
            if kind == "link":
                os.symlink(zf.read(info).decode("utf-8", "replace"), out)
                continue
            with zf.open(info) as src:
                _copy_stream(src, out, budget, info.file_size, info.filename)
    _final_check(dest)


def unpack_tar(archive: Path, dest: Path, limits: UnpackLimits) -> None:
    budget = _Budget(limits, archive.name)
    try:
        tf = tarfile.open(archive, mode="r:*")  # noqa: SIM115 - closed by the `with` below
    except Exception as exc:  # untrusted bytes: gzip, bz2, lzma and tar all raise their own kinds
        raise Refused(f"{archive.name} is not a readable tar archive ({type(exc).__name__}: {exc})") from None
    written: set[PurePosixPath] = set()
    with tf:
        try:
            for m in tf:  # streaming: never the whole member list in memory
                budget.entry()
                rel = safe_member_path(m.name)
                if m.ischr() or m.isblk() or m.isfifo() or m.isdev():
                    raise Refused(f"device or special file in the archive: {m.name!r}")
                if str(rel) == ".":
                    continue
                if m.isdir():
                    d = dest.joinpath(*rel.parts)
                    if d.is_symlink() or (d.exists() and not d.is_dir()):
                        raise Refused(f"{rel} is both a folder and a file in the archive")
                    d.mkdir(parents=True, exist_ok=True)
                elif m.issym():
                    if not _link_stays_inside(rel, m.linkname):
                        raise Refused(f"link {m.name!r} -> {m.linkname!r} leaves the submission")
                    os.symlink(m.linkname, _target(dest, rel))
                elif m.islnk():
                    src_rel = safe_member_path(m.linkname)
                    if src_rel not in written:
                        raise Refused(f"hard link {m.name!r} -> {m.linkname!r} points at nothing in the archive")
                    out = _target(dest, rel)
                    budget.add(dest.joinpath(*src_rel.parts).stat().st_size)
                    shutil.copyfile(dest.joinpath(*src_rel.parts), out)
                    written.add(rel)
                elif m.isreg():
                    if m.size > limits.max_bytes:
                        raise Refused(f"{m.name!r} is {_mib(m.size)}, more than {_mib(limits.max_bytes)} (the limit)")
                    src = tf.extractfile(m)
                    if src is None:
                        raise Refused(f"{m.name!r} cannot be read")
                    out = _target(dest, rel)
                    _copy_stream(src, out, budget, m.size, m.name)
                    written.add(rel)
                else:
                    raise Refused(f"unsupported entry type in the archive: {m.name!r}")
        except Refused:
            raise
        except Exception as exc:  # a damaged stream: EOFError, zlib.error, lzma.LZMAError, TarError...
            raise Refused(f"{archive.name} is damaged ({type(exc).__name__}: {exc})") from None
    _final_check(dest)


def copy_folder(src: Path, dest: Path, limits: UnpackLimits) -> None:
    """Copy a submission folder, refusing what an archive would be refused for (links out, devices...)."""
    budget = _Budget(limits, f"folder {src.name}")
    root = src.resolve()
    for dirpath, dirnames, filenames in os.walk(src, followlinks=False):
        here = Path(dirpath)
        rel_dir = here.relative_to(src)
        for name in sorted(dirnames + filenames):
            p = here / name
            rel = PurePosixPath(*(rel_dir / name).parts)
            budget.entry()
            st = p.lstat()
            if stat.S_ISLNK(st.st_mode):
                target = os.readlink(p)
                if not _link_stays_inside(rel, target) or not _inside(root, Path(os.path.realpath(p))):
                    raise Refused(f"link {rel} -> {target} leaves the submission")
                os.symlink(target, _target(dest, rel))
                if name in dirnames:
                    dirnames.remove(name)  # never walk through a link
            elif stat.S_ISDIR(st.st_mode):
                dest.joinpath(*rel.parts).mkdir(parents=True, exist_ok=True)
            elif stat.S_ISREG(st.st_mode):
                if budget.bytes + st.st_size > limits.max_bytes:
                    budget.add(st.st_size)  # refuses, with the reason
                out = _target(dest, rel)
                with p.open("rb") as f:
                    _copy_stream(f, out, budget, None, str(rel))
            else:
                raise Refused(f"device or special file in the submission: {rel}")
    _final_check(dest)


def materialize(source: Path, dest: Path, limits: UnpackLimits) -> None:
    """Put the submission at `source` (folder or archive) into the empty folder `dest`, or Refused."""
    dest.mkdir(parents=True, exist_ok=True)
    if source.is_symlink():
        raise Refused(f"{source.name} is a link; submit the folder or archive itself")
    if source.is_dir():
        copy_folder(source, dest, limits)
        return
    if not source.is_file():
        raise Refused(f"{source} does not exist")
    size = source.stat().st_size
    if size > limits.max_archive_bytes:
        raise Refused(f"{source.name} is {_mib(size)}, more than {_mib(limits.max_archive_bytes)} (the limit)")
    name = source.name.lower()
    if name.endswith(".zip"):
        unpack_zip(source, dest, limits)
    elif is_archive(source):
        unpack_tar(source, dest, limits)
    else:
        raise Refused(f"{source.name} is neither a folder nor a .zip/.tar.gz archive")
