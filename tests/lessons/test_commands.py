"""The `docker` commands the lessons show are the ones that ran: lessonkit prints a build's command as a
learner types it (the machine's own flags left out, machine_note says which), and running that printed
command again, with those flags, gives the same image and the same steps."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest

from checker import lessonkit as lk
from checker.engine import Engine

REPO = Path(__file__).resolve().parents[2]
LESSONS = REPO / "lessons"


def test_learner_command_leaves_out_only_the_machine_flags() -> None:
    ran = ["buildx", "build", "--load", "--progress=rawjson", "--network=none", "-f", "04/node/Dockerfile",
           "-t", "lesson04/node:good", "--target", "build", "--label", "io.stagewise.created-by=stagewise",
           "--label", "io.stagewise.lesson=true", "--build-arg", "V=1", "--iidfile", "/tmp/x", "apps/node"]
    assert lk.learner_command(ran) == ("docker build -f 04/node/Dockerfile -t lesson04/node:good --target build "
                                       "--build-arg V=1 apps/node")
    assert lk.learner_command(["build", "--force-rm", "--progress=plain", "-t", "a b", "."], classic=True) == \
        "DOCKER_BUILDKIT=0 docker build -t 'a b' ."


def _printed_builds(text: str) -> list[str]:
    return [line[2:] for line in text.splitlines() if line.startswith("$ docker build ")]


def _rerun(engine: Engine, shown: str, cwd: Path, iid: Path) -> str:
    """Run a shown `docker build` command again from `cwd`, word for word, with this machine's flags added
    before the context; returns the image id. (`docker build` is buildx's since Docker 23.)"""
    words = shlex.split(shown)
    assert words[:2] == ["docker", "build"], shown
    args = [*words[1:-1], *lk.machine_build_flags(), "--iidfile", str(iid), words[-1]]
    here = Path.cwd()
    os.chdir(cwd)
    try:
        proc = engine.docker(*args, check=False)
    finally:
        os.chdir(here)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return iid.read_text().strip()


def test_a_shown_build_command_rebuilds_the_same_image(engine: Engine, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       cleanup_images: list[str]) -> None:
    ctx = tmp_path / "app"
    ctx.mkdir()
    (ctx / "hello.txt").write_text("hello\n")
    (tmp_path / "Dockerfile.lesson").write_text("FROM busybox:1.36\nCOPY hello.txt /srv/\nRUN wc -c /srv/hello.txt\n")
    tag = "stagewise-test/shown-command:1"
    cleanup_images.append(tag)
    here = Path.cwd()
    os.chdir(tmp_path)  # lessons run from lessons/ with relative paths; so does this
    try:
        built = lk.build(Path("app"), dockerfile=Path("Dockerfile.lesson"), tag=tag)
    finally:
        os.chdir(here)
    printed = _printed_builds(capsys.readouterr().out)
    assert printed == [built.command] == ["docker build -f Dockerfile.lesson -t stagewise-test/shown-command:1 app"]
    assert _rerun(engine, printed[0], tmp_path, tmp_path / "iid") == built.image_id


def _step(line: str) -> str:
    """A printed step line without its cache state and time (they depend on what ran before)."""
    return re.sub(r"^ => (CACHED )?(\[[^\]]*\] )?|  \d+\.\ds$", "", line)


def _saved_output(stem: str) -> str:
    nb = json.loads((LESSONS / f"{stem}.ipynb").read_text())
    texts = []
    for cell in nb["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                texts.append("".join(out["text"]))
    return "\n".join(texts)


def test_lesson_four_shows_commands_that_rebuild_its_steps(engine: Engine, tmp_path: Path,
                                                             cleanup_images: list[str]) -> None:
    """A command printed in the saved lesson 4 (the build stage of the Node app), run again from lessons/,
    runs exactly the step lines the notebook shows under it."""
    text = _saved_output("04-build-cache")
    lines = text.splitlines()
    start = next(i for i, ln in enumerate(lines)
                 if ln.startswith("$ docker build ") and "--target build" in ln and ln.endswith(" apps/node"))
    shown = lines[start][2:]
    saved_steps = []
    for ln in lines[start + 1:]:
        if not ln.startswith(" => "):
            break
        saved_steps.append(_step(ln))
    assert saved_steps, "the saved lesson shows no step lines under its build command"
    tag = shlex.split(shown)[shlex.split(shown).index("-t") + 1]
    cleanup_images.append(tag)
    _rerun(engine, shown, LESSONS, tmp_path / "iid")
    # The same build through lessonkit (cached by now) reports the steps that the notebook printed.
    here = Path.cwd()
    os.chdir(LESSONS)
    try:
        words = shlex.split(shown)
        again = lk.build(Path(words[-1]), dockerfile=Path(words[words.index("-f") + 1]), tag=tag,
                         target="build", echo=False)
    finally:
        os.chdir(here)
    assert again.command == shown
    # the same steps; BuildKit may place a step it shares with another build elsewhere, under its label
    assert sorted(_step(ln) for ln in lk.step_lines(again.steps)) == sorted(saved_steps)
