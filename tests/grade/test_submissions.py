"""Finding the class (every submission shape) and laying a submission over a fresh exercise folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from checker.grade.submissions import RosterError, discover, slugify
from checker.grade.unpack import Refused, UnpackLimits, materialize
from checker.grade.workspace import NoDockerfile, UnknownExercise, build_context, find_exercise, inspect_submission

from .conftest import TINY, TINY_SOLUTION, tar_bytes, zip_bytes

REPO = Path(__file__).resolve().parents[2]


def test_a_folder_of_folders_and_archives(make_class: Callable[..., Path]) -> None:
    base = make_class({"alice": TINY_SOLUTION, "bob.zip": zip_bytes({"bob/Dockerfile": TINY_SOLUTION}),
                       "carol.tar.gz": tar_bytes([("Dockerfile", TINY_SOLUTION)]),
                       "dan.tgz": tar_bytes([("Dockerfile", TINY_SOLUTION)])})
    (base / "notes.txt").write_text("not a submission")
    (base / ".DS_Store").write_text("junk")
    klass = discover(base, exercise="tiny")
    assert klass.kind == "folder"
    assert [e.student for e in klass.entries] == ["alice", "bob", "carol", "dan"]
    assert all(e.exercise == "tiny" for e in klass.entries)


def test_a_roster_names_students_submissions_and_exercises(tmp_path: Path, make_class: Callable[..., Path]) -> None:
    base = make_class({"alice-dir": TINY_SOLUTION, "b.zip": zip_bytes({"Dockerfile": TINY_SOLUTION})})
    (base / "roster.csv").write_text("Student,Submission,Exercise,email\n"
                                     "Alice A.,alice-dir,tiny,a@x\n"
                                     "Bob,b.zip,node-nginx,b@x\n"
                                     "# a comment line\n"
                                     "Carol,,,c@x\n"
                                     "Alice A.,alice-dir,,\n")
    for target in (base, base / "roster.csv"):  # the folder's roster is found; or the CSV is given
        klass = discover(target, exercise="go-scratch")
        assert klass.kind == "roster"
        e = klass.entries
        assert [x.student for x in e] == ["Alice A.", "Bob", "Carol", "Alice A."]
        assert [x.exercise for x in e] == ["tiny", "node-nginx", "go-scratch", "go-scratch"]
        assert e[0].source == base / "alice-dir" and e[1].source == base / "b.zip"
        assert e[2].source is None and "no submission" in (e[2].problem or "")
        assert e[0].extra == {"email": "a@x"}
        assert len({x.slug for x in e}) == 4  # duplicate names get distinct slugs


def test_roster_without_a_student_column(tmp_path: Path) -> None:
    (tmp_path / "r.csv").write_text("who,what\nx,y\n")
    with pytest.raises(RosterError, match="'student' column"):
        discover(tmp_path / "r.csv")


def test_roster_finds_a_students_folder_by_name(tmp_path: Path, make_class: Callable[..., Path]) -> None:
    base = make_class({"dora": TINY_SOLUTION, "eve.zip": zip_bytes({"Dockerfile": TINY_SOLUTION})})
    (base / "roster.csv").write_text("student\ndora\neve\n")
    e = discover(base, exercise="tiny").entries
    assert e[0].source == base / "dora" and e[1].source == base / "eve.zip"


def test_one_submission(tmp_path: Path) -> None:
    sub = tmp_path / "mine"
    sub.mkdir()
    (sub / "Dockerfile").write_text(TINY_SOLUTION)
    klass = discover(sub, exercise="tiny")
    assert klass.kind == "single" and klass.entries[0].student == "mine"
    (tmp_path / "z.zip").write_bytes(zip_bytes({"Dockerfile": TINY_SOLUTION}))
    assert discover(tmp_path / "z.zip").entries[0].student == "z"
    nested = tmp_path / "nested"
    (nested / "deep").mkdir(parents=True)
    forced = discover(nested, student="Zoe Q")
    assert forced.kind == "single" and forced.entries[0].slug == "zoe-q"


def test_nothing_to_grade(tmp_path: Path) -> None:
    with pytest.raises(RosterError, match="does not exist"):
        discover(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RosterError, match="holds no roster"):
        discover(tmp_path / "empty")


def test_slugs_are_file_names() -> None:
    assert slugify("Ada Lovelace") == "ada-lovelace"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("  ") == "student"


def test_exercises_by_id_or_path() -> None:
    assert find_exercise("node-nginx").reference == REPO / "solutions" / "node-nginx"
    tiny = find_exercise(str(TINY))
    assert tiny.id == "tiny" and tiny.reference == TINY.parents[1] / "solutions" / "tiny"
    with pytest.raises(UnknownExercise, match="known exercises"):
        find_exercise("no-such-exercise")


def _unpacked(tmp_path: Path, files: dict[str, str]) -> Path:
    src = tmp_path / "src"
    for rel, text in files.items():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        (src / rel).write_text(text)
    dest = tmp_path / "unpacked"
    materialize(src, dest, UnpackLimits())
    return dest


def test_the_submission_is_the_dockerfile_and_dockerignore(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    up = _unpacked(tmp_path, {"wrap/Dockerfile": TINY_SOLUTION, "wrap/.dockerignore": "Dockerfile\n",
                              "wrap/src/greeting.txt.in": "HACKED @WHO@\n", "wrap/notes.md": "hi"})
    prepared = inspect_submission(up, ex)
    assert prepared.used == ["wrap/Dockerfile", "wrap/.dockerignore"]
    assert prepared.ignored == ["wrap/notes.md", "wrap/src/greeting.txt.in"]
    ctx = tmp_path / "ctx"
    df = build_context(ex, prepared, ctx, max_bytes=10_000_000)
    assert df.read_text() == TINY_SOLUTION
    assert (ctx / ".dockerignore").read_text() == "Dockerfile\n"
    assert (ctx / "src" / "greeting.txt.in").read_text() == "hello from @WHO@\n"  # the exercise's app
    assert (ctx / "build.sh").is_file()
    with pytest.raises(Refused, match="build context would be"):
        build_context(ex, prepared, tmp_path / "ctx2", max_bytes=100)


def test_without_dockerignore_the_exercises_stays(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    prepared = inspect_submission(_unpacked(tmp_path, {"dockerfile": TINY_SOLUTION}), ex)
    assert prepared.dockerignore_text is None
    build_context(ex, prepared, tmp_path / "ctx", max_bytes=10_000_000)
    assert (tmp_path / "ctx" / ".dockerignore").read_text() == (TINY / ".dockerignore").read_text()


def test_a_differently_named_dockerfile_is_taken_with_a_note(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    prepared = inspect_submission(_unpacked(tmp_path, {"tiny.Dockerfile": TINY_SOLUTION}), ex)
    assert prepared.notes == ["graded tiny.Dockerfile as the Dockerfile"]


def test_no_dockerfile_and_unreadable_dockerfiles(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    with pytest.raises(NoDockerfile, match="no Dockerfile in the submission"):
        inspect_submission(_unpacked(tmp_path / "a", {"README.md": "x", "app.js": "y"}), ex)
    up = tmp_path / "b"
    up.mkdir()
    (up / "Dockerfile").write_bytes(b"\xff\xfe\x00FROM")
    with pytest.raises(Refused, match="not UTF-8"):
        inspect_submission(up, ex)
    (up / "Dockerfile").write_text("#" * 300_000)
    with pytest.raises(Refused, match="KiB"):
        inspect_submission(up, ex)


def test_identical_submissions_have_the_same_hash(tmp_path: Path) -> None:
    ex = find_exercise(str(TINY))
    a = inspect_submission(_unpacked(tmp_path / "a", {"Dockerfile": TINY_SOLUTION}), ex)
    b = inspect_submission(_unpacked(tmp_path / "b", {"x/Dockerfile": TINY_SOLUTION, "x/junk": "1"}), ex)
    c = inspect_submission(_unpacked(tmp_path / "c", {"Dockerfile": TINY_SOLUTION, ".dockerignore": ""}), ex)
    assert a.sha256 == b.sha256 != c.sha256
