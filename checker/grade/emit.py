"""Generated integrations for one exercise: a Gradescope autograder bundle, and what a Classroom 50 assignment
needs (checker/grade/classroom.py, classroom50_autograder.py). GitHub Classroom's workflow is no longer
written: the service was discontinued in 2026 (it ended on 28 August 2026).

Each grades one submission with `stagewise grade SUBMISSION --student submission`, which writes
`students/submission/gradescope.json` (Gradescope's results.json) and `students/submission/classroom50.json`
(the grading part of Classroom 50's result.json).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

from checker.build import images_a_build_needs
from checker.engine import Engine

from .workspace import REPO, Exercise

BUNDLE_README = """# Stagewise autograder for Gradescope: exercise {id}

Upload `autograder.zip` as a Gradescope "Autograder" (zip upload). Gradescope runs `setup.sh` once
when it builds the autograder image, and `run_autograder` for every submission; the submission
(the learner's `Dockerfile`, optionally `.dockerignore`) is graded against a fresh copy of the
exercise's app, bundled in `stagewise/exercises/{id}/`.

A Docker engine is needed to build the submission. Gradescope's autograder containers cannot run
one themselves (no privileged mode), so point the bundle at an engine the course runs elsewhere:
edit `stagewise.env` before zipping (DOCKER_HOST=tcp://host:2376 with DOCKER_TLS_VERIFY=1 and the
client certificates in `certs/`, or DOCKER_HOST=ssh://user@host). Every build runs with no network
and a time limit; images and containers are labelled and removed after each submission.
Without an engine, set STAGEWISE_STATIC_ONLY=1 in `stagewise.env`: only the rules that read the
Dockerfile are graded (`stagewise check --static-only`).

Test it locally, as Gradescope would (the scripts honour AUTOGRADER_ROOT and STAGEWISE_BIN):

    mkdir -p /tmp/ag/submission /tmp/ag/results && cp Dockerfile /tmp/ag/submission/
    AUTOGRADER_ROOT=/tmp/ag STAGEWISE_BIN=$(which stagewise) ./run_autograder
    cat /tmp/ag/results/results.json
"""

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image, when it builds the autograder.
set -euo pipefail
SRC="${{AUTOGRADER_ROOT:-/autograder}}/source"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# the docker CLI (and buildx when the distribution has it): the engine itself runs elsewhere (stagewise.env)
apt-get install -y -qq --no-install-recommends ca-certificates docker.io >/dev/null
apt-get install -y -qq --no-install-recommends docker-buildx >/dev/null 2>&1 || true
PY=""
for p in python3.13 python3.12 python3.11; do command -v "$p" >/dev/null && PY="$p" && break; done
if [ -z "$PY" ]; then
  apt-get install -y -qq --no-install-recommends python3.11 python3.11-venv >/dev/null
  PY=python3.11
fi
"$PY" -m venv "${{AUTOGRADER_ROOT:-/autograder}}/venv"
"${{AUTOGRADER_ROOT:-/autograder}}/venv/bin/pip" install -q -c "$SRC/stagewise/constraints.txt" -e "$SRC/stagewise"
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission; it must leave results/results.json behind, whatever happens.
set -uo pipefail
ROOT="${{AUTOGRADER_ROOT:-/autograder}}"
SRC="$ROOT/source"
STAGEWISE="${{STAGEWISE_BIN:-$ROOT/venv/bin/stagewise}}"
if [ -f "$SRC/stagewise.env" ]; then set -a; . "$SRC/stagewise.env"; set +a; fi
mkdir -p "$ROOT/results"
OUT="$(mktemp -d)"
if [ "${{STAGEWISE_STATIC_ONLY:-0}}" = "1" ]; then
  "$STAGEWISE" check "$ROOT/submission/Dockerfile" --exercise {id} \\
    --static-only --format gradescope -o "$ROOT/results/results.json"
else
  "$STAGEWISE" grade "$ROOT/submission" --student submission --exercise "$SRC/stagewise/exercises/{id}" \\
    --out "$OUT" --jobs 1 --timeout {timeout} --no-reference
fi
RESULT="$OUT/students/submission/gradescope.json"
if [ -f "$RESULT" ]; then
  cp "$RESULT" "$ROOT/results/results.json"
elif [ ! -f "$ROOT/results/results.json" ]; then
  MSG="The autograder could not grade this submission; your instructor has the log."
  printf '{{"score": 0, "output": "%s", "tests": []}}\\n' "$MSG" > "$ROOT/results/results.json"
fi
rm -rf "$OUT"
exit 0
"""

STAGEWISE_ENV = """# Where the Docker engine is: Gradescope's container cannot run one. Examples:
# DOCKER_HOST=tcp://grader.example.edu:2376
# DOCKER_TLS_VERIFY=1
# DOCKER_CERT_PATH=/autograder/source/certs
# DOCKER_HOST=ssh://grader@grader.example.edu
# STAGEWISE_STATIC_ONLY=1   # no engine at all: grade the static rules only
"""

def _course_repository() -> str:
    try:
        url = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"], capture_output=True,
                             text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        url = ""
    m = re.search(r"github\.com[:/]([^/]+/[^/]+?)(?:\.git)?$", url)
    return m.group(1) if m else "stagewise/stagewise"


def base_images(exercise: Exercise) -> list[str]:
    """The images the exercise's reference solution and starter need (what a fresh runner must pull)."""
    seen: list[str] = []
    for df in ([exercise.reference / exercise.dockerfile_name] if exercise.reference else []) + \
            [exercise.dir / exercise.dockerfile_name]:
        if df.is_file():
            for ref, _line in images_a_build_needs(df.read_text(encoding="utf-8")):
                if ref not in seen:
                    seen.append(ref)
    return seen


COURSE_FILES = ("pyproject.toml", "constraints.txt", "README.md", "LICENSE")


def gradescope_bundle(exercise: Exercise, dest: Path, *, timeout: float = 600) -> Path:
    """Write the bundle's files into dest and zip them (files at the zip's root): returns the zip."""
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "setup.sh").write_text(SETUP_SH.format())
    (dest / "run_autograder").write_text(RUN_AUTOGRADER.format(id=exercise.id, timeout=f"{timeout:g}"))
    for name in ("setup.sh", "run_autograder"):
        (dest / name).chmod(0o755)
    env = dest / "stagewise.env"
    if not env.exists():
        env.write_text(STAGEWISE_ENV)
    (dest / "README.md").write_text(BUNDLE_README.format(id=exercise.id))
    course = dest / "stagewise"
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir()
    for name in COURSE_FILES:
        if (REPO / name).is_file():
            shutil.copy2(REPO / name, course / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")
    shutil.copytree(REPO / "checker", course / "checker", ignore=ignore)
    shutil.copytree(exercise.dir, course / "exercises" / exercise.id,
                    ignore=shutil.ignore_patterns("node_modules", "dist", "target", ".git"))
    if exercise.reference is not None:
        shutil.copytree(exercise.reference, course / "solutions" / exercise.id)
    archive = dest / "autograder.zip"
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(dest.rglob("*")):
            if p == archive or p.is_dir():
                continue
            info = zipfile.ZipInfo.from_file(p, str(p.relative_to(dest)))
            with p.open("rb") as f:
                zf.writestr(info, f.read(), zipfile.ZIP_DEFLATED)
    return archive


# ------------------------------------------------------------------------------------------ Classroom 50

CLASSROOM50_README = """# Stagewise on Classroom 50: exercise {id}

Generated by `stagewise grade --emit-classroom50`. Two folders, for two repositories:

- `template/` is the assignment's **template repository** (the learner's starter code): the exercise's app,
  its starter `{dockerfile}`, its `README.md` and `exercise.yaml` (so `stagewise check .` in a learner's copy
  grades against the same spec). Nothing of the solution is in it: Classroom 50 lets students read private
  templates, history included. It holds no `.github/workflows/autograde.yaml` (that name is Classroom 50's own).
  Push it to a repository of its own and mark it as a template (Settings, General, Template repository).
- `autograder/` goes into your `classroom50` repository as `CLASSROOM/autograders/ASSIGNMENT/` (replace
  CLASSROOM and ASSIGNMENT with the classroom's short name and the assignment's slug). Classroom 50's runner
  runs `autograder.py` for every submission on a GitHub Actions runner, which has a Docker engine: it installs
  Stagewise (`{install}`: edit `install` in `autograder/stagewise.json`, or put a wheel built with
  `pip wheel --no-deps .` next to `autograder.py`), pulls the base images ({images}), grades the learner's
  `{dockerfile}` (and `.dockerignore`) against the copy of the exercise in `autograder/exercise/`, and writes
  `result.json` (one test per concern, {total}) and `release-body.md` (the learner's feedback, shown on the
  submission's Release). The bundle is published through your organisation's Pages site: it holds the
  exercise and never the solution.

Time limits: each build {build_timeout} s, the whole grading {grade_timeout} s (a Classroom 50 test command may
take at most 600 s; its default of 10 s does not fit a Docker build), setup (install and image pulls)
{setup_timeout} s: the grade job stops after 15 minutes. Change them in `autograder/stagewise.json`.

Register the assignment, for example:

    gh teacher assignment add ORG CLASSROOM ASSIGNMENT --name "{title}" --template ORG/TEMPLATE-REPO \\
        --runtime runtime.json

`runtime.json` asks for `ubuntu-latest` (a GitHub-hosted runner, with Docker) and Python {python}. Do not add
declarative tests: a per-assignment `autograder.py` takes precedence over them. Every submission costs at least
a minute of Actions time; the `tag` submission mode grades only `gh student submit`s.
"""

AUTOGRADER_SOURCE = Path(__file__).with_name("classroom50_autograder.py")
CLASSROOM50_MAX_TIMEOUT = 600  # the longest a Classroom 50 test command may run
CLASSROOM50_SETUP_TIMEOUT = 240


def _copy_exercise(exercise: Exercise, dest: Path) -> None:
    """The exercise folder without what a build never sees (CONTEXT_EXCLUDES: the wrong-answer catalogue, VCS
    data, local build output) and without a solution kept inside it."""
    from .workspace import CONTEXT_EXCLUDES

    solution = exercise.reference.resolve() if exercise.reference else None

    def ignore(folder: str, names: list[str]) -> set[str]:
        skip = set(shutil.ignore_patterns(*CONTEXT_EXCLUDES, "*.pyc", "solution", "solutions")(folder, names))
        return skip | {n for n in names if solution is not None and (Path(folder) / n).resolve() == solution}

    shutil.rmtree(dest, ignore_errors=True)
    shutil.copytree(exercise.dir, dest, ignore=ignore)


def reference_concern_max(exercise: Exercise, engine: Engine, *, timeout: float = 300) -> dict[str, int] | None:
    """Each concern's points for the exercise's reference solution, graded for real (so every learner's
    result.json has the same max-score); None when there is no reference or it does not pass."""
    import json
    import tempfile

    from .runner import GradeOptions, grade_class
    from .submissions import ClassList, Entry

    if exercise.reference is None:
        return None
    with tempfile.TemporaryDirectory(prefix="stagewise-ref-") as tmp:
        klass = ClassList([Entry("reference", "reference", exercise.reference, str(exercise.dir))], "single")
        opts = GradeOptions(out=Path(tmp), exercise=str(exercise.dir), jobs=1, timeout=timeout, reference=False)
        grade_class(klass, opts, engine)
        result = Path(tmp) / "students" / "reference" / "classroom50.json"
        if not result.is_file():
            return None
        doc = json.loads(result.read_text())
    if doc["score"] != doc["max-score"]:
        return None
    return {t["concern"]: int(t["max-score"]) for t in doc["tests"] if t.get("concern")}


def classroom50_files(exercise: Exercise, dest: Path, *, timeout: float = 300, install: str | None = None,
                      concern_max: dict[str, int] | None = None, python: str = "3.11") -> list[Path]:
    """Write DEST/template (the template repository), DEST/autograder (CLASSROOM/autograders/ASSIGNMENT/ in the
    classroom50 repository), DEST/runtime.json and DEST/README.md. Returns the files written. Python 3.11: the
    version the pinned dependencies (constraints.txt) are tested with."""
    import json

    from checker.render.text import CONCERN_TITLES

    build_timeout = int(min(max(timeout, 1), CLASSROOM50_MAX_TIMEOUT))
    grade_timeout = int(min(CLASSROOM50_MAX_TIMEOUT, 4 * build_timeout + 30))
    install = install or f"stagewise @ git+https://github.com/{_course_repository()}@main"
    images = base_images(exercise)
    dest.mkdir(parents=True, exist_ok=True)
    _copy_exercise(exercise, dest / "template")
    auto = dest / "autograder"
    auto.mkdir(exist_ok=True)
    _copy_exercise(exercise, auto / "exercise")
    (auto / "autograder.py").write_text(AUTOGRADER_SOURCE.read_text(encoding="utf-8"), encoding="utf-8")
    config = {"exercise": exercise.id, "dockerfile": exercise.dockerfile_name, "install": install,
              "base_images": images, "build_timeout": build_timeout, "grade_timeout": grade_timeout,
              "setup_timeout": CLASSROOM50_SETUP_TIMEOUT, "concern_max": concern_max or {},
              "titles": {c.value: t for c, t in CONCERN_TITLES.items()}}
    (auto / "stagewise.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
    (dest / "runtime.json").write_text(json.dumps({"runs-on": "ubuntu-latest", "python": python}, indent=2) + "\n")
    total = (f"{sum(concern_max.values())} points in all, as the reference solution earns" if concern_max
             else "worth the points its checks judged")
    (dest / "README.md").write_text(CLASSROOM50_README.format(
        id=exercise.id, dockerfile=exercise.dockerfile_name, install=install, images=", ".join(images) or "none",
        total=total, build_timeout=build_timeout, grade_timeout=grade_timeout,
        setup_timeout=CLASSROOM50_SETUP_TIMEOUT, title=exercise.spec.title, python=python))
    return sorted(p for p in dest.rglob("*") if p.is_file())
