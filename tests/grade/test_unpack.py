"""Safe unpacking: every unsafe shape is refused with a reason, and nothing lands outside the folder."""

from __future__ import annotations

import os
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.grade.unpack import Refused, UnpackLimits, materialize, safe_member_path

from .conftest import tar_bytes, zip_bytes

LIMITS = UnpackLimits(max_files=50, max_bytes=64 * 1024, max_archive_bytes=256 * 1024)


def _unpack(tmp_path: Path, name: str, data: bytes, limits: UnpackLimits = LIMITS) -> Path:
    src = tmp_path / name
    src.write_bytes(data)
    dest = tmp_path / "box" / "dest"
    materialize(src, dest, limits)
    return dest


def _refused(tmp_path: Path, name: str, data: bytes, match: str, limits: UnpackLimits = LIMITS) -> None:
    with pytest.raises(Refused, match=match):
        _unpack(tmp_path, name, data, limits)
    # nothing escaped the box
    outside = [p for p in (tmp_path / "box").rglob("*") if not str(p).startswith(str(tmp_path / "box" / "dest"))]
    assert not outside
    assert not (tmp_path / "evil").exists()


def test_zip_with_a_top_folder_unpacks(tmp_path: Path) -> None:
    dest = _unpack(tmp_path, "a.zip", zip_bytes({"alice/": "", "alice/Dockerfile": "FROM scratch\n"},
                                                modes={"alice/": 0o40755}))
    assert (dest / "alice" / "Dockerfile").read_text() == "FROM scratch\n"


def test_tar_gz_with_an_inside_link_unpacks(tmp_path: Path) -> None:
    link = tarfile.TarInfo("sub/link")
    link.type, link.linkname = tarfile.SYMTYPE, "../Dockerfile"
    dest = _unpack(tmp_path, "a.tar.gz", tar_bytes([("Dockerfile", "FROM scratch\n"), link]))
    assert (dest / "sub" / "link").read_text() == "FROM scratch\n"


@pytest.mark.parametrize("name", ["/etc/passwd", "C:/evil", "\\evil"])
def test_absolute_paths_are_refused(tmp_path: Path, name: str) -> None:
    _refused(tmp_path, "a.zip", zip_bytes({"Dockerfile": "x", name: "x"}), "absolute path")
    _refused(tmp_path, "a.tar.gz", tar_bytes([("Dockerfile", "x"), (name, "x")]), "absolute path")


def test_dotdot_is_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "a.zip", zip_bytes({"Dockerfile": "x", "../../evil": "x"}), r"'\.\.'")
    _refused(tmp_path, "a.tar.gz", tar_bytes([("Dockerfile", "x"), ("a/../../evil", "x")]), r"'\.\.'")
    _refused(tmp_path, "b.zip", zip_bytes({"a\\..\\..\\evil": "x"}), r"'\.\.'")


@pytest.mark.parametrize("target", ["/etc/passwd", "../../evil", "../outside", "a/../../x"])
def test_links_that_leave_are_refused(tmp_path: Path, target: str) -> None:
    link = tarfile.TarInfo("Dockerfile")
    link.type, link.linkname = tarfile.SYMTYPE, target
    _refused(tmp_path, "a.tar.gz", tar_bytes([link]), "leaves the submission")
    _refused(tmp_path, "a.zip", zip_bytes({"Dockerfile": target}, modes={"Dockerfile": 0o120777}),
             "leaves the submission")


def test_hard_links_must_point_inside(tmp_path: Path) -> None:
    hard = tarfile.TarInfo("Dockerfile")
    hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/passwd"
    _refused(tmp_path, "a.tar.gz", tar_bytes([hard]), "absolute path")
    hard2 = tarfile.TarInfo("Dockerfile")
    hard2.type, hard2.linkname = tarfile.LNKTYPE, "never-there"
    _refused(tmp_path, "b.tar.gz", tar_bytes([hard2]), "points at nothing")


def test_writing_through_a_link_is_refused(tmp_path: Path) -> None:
    # a link to a folder inside, then a link out through it: refused; and a file written through a link
    inner = tarfile.TarInfo("d")
    inner.type, inner.linkname = tarfile.SYMTYPE, "."
    _unpack(tmp_path, "ok.tar", tar_bytes([inner, ("d/x", "x")], mode="w"))
    out = tarfile.TarInfo("up")
    out.type, out.linkname = tarfile.SYMTYPE, ".."
    _refused(tmp_path, "a.tar.gz", tar_bytes([out, ("up/evil", "x")]), "leaves the submission")


@pytest.mark.parametrize("kind", [tarfile.CHRTYPE, tarfile.BLKTYPE, tarfile.FIFOTYPE])
def test_device_files_are_refused(tmp_path: Path, kind: bytes) -> None:
    dev = tarfile.TarInfo("dev/null")
    dev.type, dev.devmajor, dev.devminor = kind, 1, 3
    _refused(tmp_path, "a.tar.gz", tar_bytes([("Dockerfile", "x"), dev]), "device or special file")
    _refused(tmp_path, "a.zip", zip_bytes({"Dockerfile": "x", "dev": "x"}, modes={"dev": 0o020644}),
             "device or special file")


def test_too_many_files_are_refused(tmp_path: Path) -> None:
    many = {f"f{i}": "x" for i in range(LIMITS.max_files + 1)}
    _refused(tmp_path, "a.zip", zip_bytes(many), "more than 50")
    _refused(tmp_path, "a.tar.gz", tar_bytes(list(many.items())), "more than 50 files")


def test_oversized_archives_are_refused(tmp_path: Path) -> None:
    big = "A" * (LIMITS.max_bytes + 1)  # compresses to almost nothing: a (small) zip bomb
    _refused(tmp_path, "a.zip", zip_bytes({"Dockerfile": "x", "big": big}), "unpacks to")
    _refused(tmp_path, "a.tar.gz", tar_bytes([("Dockerfile", "x"), ("big", big)]), "more than")
    (tmp_path / "huge.zip").write_bytes(os.urandom(LIMITS.max_archive_bytes + 1))
    with pytest.raises(Refused, match="more than"):
        materialize(tmp_path / "huge.zip", tmp_path / "d", LIMITS)


def test_a_zip_that_lies_about_its_sizes_is_stopped(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"Dockerfile": "FROM scratch\n" * 200}))
    # shrink the declared size in the central directory: the real data is longer
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 24:cd + 28] = (10).to_bytes(4, "little")
    with pytest.raises((Refused, zipfile.BadZipFile)):
        _unpack(tmp_path, "a.zip", bytes(data))


def test_damaged_or_foreign_files_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "a.zip", b"not a zip at all", "not a readable zip")
    _refused(tmp_path, "a.tar.gz", b"\x1f\x8b\x08garbage", "tar archive|damaged")
    (tmp_path / "notes.txt").write_text("hi")
    with pytest.raises(Refused, match="neither a folder nor"):
        materialize(tmp_path / "notes.txt", tmp_path / "d", LIMITS)


def test_encrypted_zip_entries_are_refused(tmp_path: Path) -> None:
    data = bytearray(zip_bytes({"Dockerfile": "x"}))
    cd = data.rfind(b"PK\x01\x02")
    data[cd + 8] |= 0x1  # general purpose flag: encrypted
    _refused(tmp_path, "a.zip", bytes(data), "encrypted")


def test_folders_are_checked_like_archives(tmp_path: Path) -> None:
    sub = tmp_path / "alice"
    sub.mkdir()
    (sub / "Dockerfile").write_text("FROM scratch\n")
    (sub / "inside").symlink_to("Dockerfile")
    dest = tmp_path / "d1"
    materialize(sub, dest, LIMITS)
    assert (dest / "inside").read_text() == "FROM scratch\n"
    (sub / "secret").symlink_to("/etc/passwd")
    with pytest.raises(Refused, match="leaves the submission"):
        materialize(sub, tmp_path / "d2", LIMITS)
    (sub / "secret").unlink()
    os.mkfifo(sub / "pipe")
    with pytest.raises(Refused, match="device or special"):
        materialize(sub, tmp_path / "d3", LIMITS)
    (sub / "pipe").unlink()
    (sub / "big").write_bytes(b"x" * (LIMITS.max_bytes + 1))
    with pytest.raises(Refused, match="unpacks to more than"):
        materialize(sub, tmp_path / "d4", LIMITS)
    (tmp_path / "link-to-folder").symlink_to(sub)
    with pytest.raises(Refused, match="is a link"):
        materialize(tmp_path / "link-to-folder", tmp_path / "d5", LIMITS)


def test_unpacked_files_lose_special_modes(tmp_path: Path) -> None:
    info = tarfile.TarInfo("run.sh")
    raw = b"#!/bin/sh\n"
    info.size, info.mode = len(raw), 0o4777
    import io

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tf:
        tf.addfile(info, io.BytesIO(raw))
    dest = _unpack(tmp_path, "a.tar", buf.getvalue())
    assert not (dest / "run.sh").stat().st_mode & (stat.S_ISUID | stat.S_ISGID)


SEGMENTS = st.sampled_from(["a", "b", "..", ".", "", "/", "\\", "C:", "etc", "x y", "ü"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(st.lists(SEGMENTS, min_size=1, max_size=5).map("/".join), min_size=1, max_size=6),
       links=st.lists(st.tuples(st.lists(SEGMENTS, min_size=1, max_size=3).map("/".join),
                                st.lists(SEGMENTS, min_size=1, max_size=4).map("/".join)), max_size=3))
def test_fuzz_nothing_ever_lands_outside(tmp_path_factory: pytest.TempPathFactory, names: list[str],
                                         links: list[tuple[str, str]]) -> None:
    tmp = tmp_path_factory.mktemp("fuzz")
    members: list[tarfile.TarInfo | tuple[str, bytes | str]] = [(n, "x") for n in names]
    for name, target in links:
        info = tarfile.TarInfo(name)
        info.type, info.linkname = tarfile.SYMTYPE, target
        members.append(info)
    box = tmp / "box"
    (tmp / "a.tar").write_bytes(tar_bytes(members, mode="w"))
    try:
        materialize(tmp / "a.tar", box / "dest", LIMITS)
    except Refused:
        pass
    for p in [*tmp.rglob("*")]:
        assert str(p).startswith(str(box)) or p == tmp / "a.tar"
        if p.is_symlink():
            assert os.path.realpath(p).startswith(str((box / "dest").resolve()))


def test_safe_member_path_normalises() -> None:
    assert str(safe_member_path("./a//b/./c")) == "a/b/c"
    assert str(safe_member_path("a\\b")) == "a/b"
    with pytest.raises(Refused):
        safe_member_path("a/../../b")
