"""Stagewise's autograder for Classroom 50 (written by `stagewise grade --emit-classroom50 DIR --exercise ID`).

Classroom 50's runner runs `CLASSROOM/autograders/ASSIGNMENT/autograder.py` once per submission, in the
student's checkout on a GitHub Actions runner (which has a Docker engine), with the identity of the submission in
its environment (CLASSROOM, ASSIGNMENT, SUBMISSION_TAG, COMMIT_URL, RELEASE_URL, REVIEW_URL, OWNER,
ASSIGNMENT_TYPE) and the bundle's folder in CLASSROOM50_BUNDLE_DIR. It must leave `./result.json`
(schema `classroom50/result/v1`) and may leave `./release-body.md`; exiting non-zero is an infrastructure error.

This script, standard library only:
1. installs Stagewise into a virtual environment (a wheel next to this file if there is one, else
   `stagewise.json`'s `install`), unless STAGEWISE_BIN names a `stagewise` to use;
2. makes the exercise's base images available (the runner is online: CI=false lets Stagewise pull them);
3. grades the learner's Dockerfile (and .dockerignore) against the copy of the exercise next to this file
   (`exercise/`, never the solution), with a time limit per build and one for the whole grading;
4. writes result.json: the runner's identity, then one test per concern (`classroom50.json` from Stagewise),
   every concern worth the points it is worth for the reference solution (`concern_max` in stagewise.json) so
   every submission has the same max-score; and release-body.md, the learner's feedback.

Classroom 50 runs an autograder.py with no time limit of its own, inside a grade job that stops after 15
minutes, so the limits are here: setup at most `setup_timeout` s, grading at most `grade_timeout` s (<= 600, the
longest a Classroom 50 test command may take), each build at most `build_timeout` s.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCHEMA = "classroom50/result/v1"
MAX_TEXT = 2000
IDENTITY_ENV = {"classroom": "CLASSROOM", "assignment": "ASSIGNMENT", "submission": "SUBMISSION_TAG",
                "commit": "COMMIT_URL", "release": "RELEASE_URL", "review": "REVIEW_URL", "owner": "OWNER",
                "assignment_type": "ASSIGNMENT_TYPE"}


def log(msg: str) -> None:
    print(f"stagewise: {msg}", flush=True)


def load_config(bundle: Path) -> dict[str, Any]:
    config: dict[str, Any] = json.loads((bundle / "stagewise.json").read_text(encoding="utf-8"))
    return config


def install_stagewise(bundle: Path, config: dict[str, Any], deadline: float) -> Path:
    if os.environ.get("STAGEWISE_BIN"):
        return Path(os.environ["STAGEWISE_BIN"])
    venv = Path(os.environ.get("RUNNER_TEMP") or tempfile.gettempdir()) / "stagewise-venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=max(1, deadline - time.monotonic()))
    wheels = sorted(bundle.glob("stagewise-*.whl"))
    spec = str(wheels[-1]) if wheels else str(config["install"])
    log(f"installing {spec}")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", spec], check=True,
                   timeout=max(1, deadline - time.monotonic()))
    return venv / "bin" / "stagewise"


def committer_date(checkout: Path) -> str:
    """The graded commit's committer date in UTC (the submission instant, the same on every regrade)."""
    now = datetime.datetime.now(datetime.UTC)
    try:
        out = subprocess.run(["git", "-C", str(checkout), "log", "-1", "--format=%cI"], capture_output=True,
                             text=True, timeout=20, check=False).stdout.strip()
        when = datetime.datetime.fromisoformat(out).astimezone(datetime.UTC) if out else now
    except (OSError, ValueError, subprocess.TimeoutExpired):
        when = now
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def identity(checkout: Path, env: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {k: env[v] for k, v in IDENTITY_ENV.items() if env.get(v)}
    if "owner" not in out and env.get("USERNAME"):
        out["owner"] = env["USERNAME"]
    out.setdefault("review", out.get("commit", ""))
    out["datetime"] = committer_date(checkout)
    out["graded_at"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return out


def with_reference_max(grading: dict[str, Any], concern_max: dict[str, int], titles: dict[str, str]
                       ) -> dict[str, Any]:
    """Every concern worth its reference points, so every submission has the same max-score: a concern this
    submission's checks could not judge is a failed test worth 0 of them, a test never earns more than its max,
    and a submission that was not graded at all (refused, no Dockerfile) is worth the whole exercise."""
    tests = [dict(t) for t in grading["tests"]]
    by_concern = {t["concern"]: t for t in tests if t.get("concern")}
    if not by_concern:
        if tests:
            tests[0]["max-score"] = max(int(tests[0]["max-score"]), sum(concern_max.values()))
    else:
        for concern, points in concern_max.items():
            t = by_concern.get(concern)
            if t is None:
                tests.append({"test-name": titles.get(concern, concern), "passed": False, "score": 0,
                              "max-score": points, "concern": concern,
                              "message": "Not judged: these checks need the image, and it was not built or not run."})
            else:
                t["max-score"] = points
                t["score"] = min(int(t["score"]), points)
    return {"schema": SCHEMA, "score": sum(int(t["score"]) for t in tests),
            "max-score": sum(int(t["max-score"]) for t in tests), "tests": tests}


def failure(test: str, message: str, max_score: int) -> dict[str, Any]:
    return {"schema": SCHEMA, "score": 0, "max-score": max_score,
            "tests": [{"test-name": test, "passed": False, "score": 0, "max-score": max_score,
                       "message": message[:MAX_TEXT]}]}


def grade(stagewise: Path, bundle: Path, config: dict[str, Any], checkout: Path, env: dict[str, str],
          work: Path) -> tuple[dict[str, Any], str]:
    """(the grading part of result.json, the feedback) for the Dockerfile in `checkout`."""
    submission = work / "submission"
    submission.mkdir(parents=True)
    for name in (config["dockerfile"], ".dockerignore", f"{config['dockerfile']}.dockerignore"):
        if (checkout / name).is_file():
            shutil.copyfile(checkout / name, submission / name)  # only these are graded
    out = work / "grade"
    learner = env.get("OWNER") or env.get("USERNAME") or "submission"  # the feedback's title names them
    cmd = [str(stagewise), "grade", str(submission), "--student", learner, "--exercise",
           str(bundle / "exercise"), "--out", str(out), "--jobs", "1", "--timeout", str(config["build_timeout"]),
           "--no-reference", "--keep-cache"]
    total = int(sum(config.get("concern_max", {}).values()))
    try:
        subprocess.run(cmd, env=env, timeout=config["grade_timeout"], check=False)
    except subprocess.TimeoutExpired:
        return failure("Grading finished in time", f"Grading took longer than {config['grade_timeout']} s and was "
                       f"stopped (each build may take {config['build_timeout']} s).", total), ""
    found = sorted((out / "students").glob("*/classroom50.json"))
    if len(found) != 1:
        raise RuntimeError(f"stagewise wrote no result ({' '.join(cmd)})")
    student = found[0].parent
    grading = json.loads((student / "classroom50.json").read_text(encoding="utf-8"))
    if config.get("concern_max"):
        grading = with_reference_max(grading, config["concern_max"], config.get("titles", {}))
    feedback = (student / "feedback.md").read_text(encoding="utf-8") if (student / "feedback.md").is_file() else ""
    return grading, feedback


def release_body(doc: dict[str, Any], feedback: str) -> str:
    """The score and a row per test (what Classroom 50's own release body shows), then Stagewise's feedback with
    the same score in it (its own line counts only the checks that judged this Dockerfile)."""
    rows = [f"| {'✅' if t['passed'] else '❌'} {t['test-name']} | {t['score']} / {t['max-score']} |"
            for t in doc["tests"]]
    head = [f"## Score: {doc['score']} / {doc['max-score']}", "", "| Test | Points |", "|---|---|", *rows, ""]
    feedback = re.sub(r"score \*\*[0-9.]+ / [0-9.]+\*\*", f"score **{doc['score']} / {doc['max-score']}**", feedback,
                      count=1)
    return "\n".join(head) + ("\n" + feedback if feedback else "")


def main() -> int:
    bundle = Path(os.environ.get("CLASSROOM50_BUNDLE_DIR") or HERE)
    config = load_config(bundle)
    checkout = Path.cwd()
    start = time.monotonic()
    env = dict(os.environ)
    env["CI"] = "false"  # GitHub's runner is online: Stagewise may pull the real base images there
    stagewise = install_stagewise(bundle, config, start + config["setup_timeout"])
    if not os.environ.get("STAGEWISE_BIN") and config.get("base_images"):
        only = [a for image in config["base_images"] for a in ("--only", image)]
        left = max(1.0, start + config["setup_timeout"] - time.monotonic())
        try:
            subprocess.run([str(stagewise), "images", "prepare", *only], env=env, timeout=left, check=False)
        except subprocess.TimeoutExpired:
            log("preparing the base images took too long; the build pulls what is missing")
    with tempfile.TemporaryDirectory(prefix="stagewise-") as tmp:
        grading, feedback = grade(stagewise, bundle, config, checkout, env, Path(tmp))
    doc = {"schema": SCHEMA, **identity(checkout, env)}
    doc.update({k: grading[k] for k in ("score", "max-score", "tests")})
    (checkout / "result.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    (checkout / "release-body.md").write_text(release_body(doc, feedback), encoding="utf-8")
    log(f"score {doc['score']}/{doc['max-score']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
