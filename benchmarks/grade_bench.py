"""`stagewise grade` against the naive way to grade a class, on the same machine, in the same run.

    python -m benchmarks.grade_bench [--exercise node-nginx] [--students 30] [--jobs N]

The class: N submissions of one exercise, as a class hands them in: the reference answer and the
exercise's catalogue of realistic mistakes (exercises/<id>/wrong/), each student's file carrying their own
header comment, so no two submissions are byte-identical and nothing is deduplicated.

Naive: a sequential loop of `stagewise check <Dockerfile> --exercise ID --no-reuse --format json` (the loop
the instructor guide gives): each check is `docker build` plus the checks (the image's contents, the
cache probe, the smoke test, the size), one after the other.
Grade: `stagewise grade CLASS --exercise ID --regrade` with its defaults (parallel workers, the reference
solution graded too, the run's images, containers and build cache cleaned up at the end).

Both run with a warm build cache (an untimed warm-up grades the class first) so that the ratio measures the
grading, not who ran first; both must give every student the same score, or the benchmark fails.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STAGEWISE = str(Path(sys.executable).parent / "stagewise")
# Never in the benchmark: a misspelt stage makes an online engine try a registry.
SKIP_WRONG = {"misspelt-stage"}


def make_class(exercise: str, students: int, dest: Path) -> list[str]:
    wrong = sorted(p for p in (REPO / "exercises" / exercise / "wrong").glob("*.Dockerfile")
                   if p.stem not in SKIP_WRONG)
    pool = [REPO / "solutions" / exercise / "Dockerfile", *wrong]
    names = []
    for i in range(students):
        # about a third hand in a correct answer, the rest one of the typical mistakes
        src = pool[0] if i % 3 == 0 else pool[1 + (i // 3 * 2 + i % 3) % (len(pool) - 1)]
        name = f"student-{i + 1:02d}"
        (dest / name).mkdir(parents=True)
        body = src.read_text()
        (dest / name / "Dockerfile").write_text(f"# {name}: exercise {exercise}\n{body}")
        names.append(name)
    return names


def run_naive(exercise: str, klass: Path, names: list[str], out: Path) -> tuple[float, dict[str, float]]:
    out.mkdir(parents=True)
    scores = {}
    t0 = time.monotonic()
    for name in names:
        target = out / f"{name}.json"
        subprocess.run([STAGEWISE, "check", str(klass / name / "Dockerfile"), "--exercise", exercise, "--no-reuse",
                        "--format", "json", "-o", str(target)], capture_output=True, text=True, timeout=1800,
                       check=False)
        scores[name] = float(json.loads(target.read_text())["score"])
    return time.monotonic() - t0, scores


def run_grade(exercise: str, klass: Path, out: Path, jobs: int | None,
              extra: list[str]) -> tuple[float, dict[str, float]]:
    args = [STAGEWISE, "grade", str(klass), "--exercise", exercise, "--out", str(out), *extra]
    if jobs:
        args += ["--jobs", str(jobs)]
    t0 = time.monotonic()
    proc = subprocess.run(args, capture_output=True, text=True, timeout=3600, check=False)
    seconds = time.monotonic() - t0
    if proc.returncode != 0:
        raise SystemExit(f"stagewise grade failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    with (out / "gradebook.csv").open() as f:
        return seconds, {r["student"]: float(r["score"]) for r in csv.DictReader(f)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.grade_bench", description=__doc__.splitlines()[0])
    ap.add_argument("--exercise", default="node-nginx")
    ap.add_argument("--students", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=None, help="stagewise grade --jobs (default: its own default)")
    ap.add_argument("--json", type=Path, help="also write the numbers to this file")
    ap.add_argument("--goal", type=float, default=1.6, help="the speed-up the benchmark expects (exit 1 below)")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="stagewise-grade-bench-"))
    try:
        klass = work / "class"
        names = make_class(args.exercise, args.students, klass)
        print(f"grade_bench: {len(names)} submissions of {args.exercise}, {os.cpu_count()} CPUs", flush=True)
        t_warm, _ = run_grade(args.exercise, klass, work / "warm", args.jobs, ["--keep-cache"])
        print(f"  warm-up (untimed in the ratio): stagewise grade {t_warm:.1f} s", flush=True)
        t_naive, naive = run_naive(args.exercise, klass, names, work / "naive")
        print(f"  naive loop of `stagewise check`: {t_naive:.1f} s ({t_naive / len(names):.1f} s a submission)",
              flush=True)
        t_grade, graded = run_grade(args.exercise, klass, work / "grade", args.jobs, ["--regrade"])
        print(f"  stagewise grade:                 {t_grade:.1f} s ({t_grade / len(names):.1f} s a submission)",
              flush=True)
        differ = {n: (naive[n], graded.get(n)) for n in names if graded.get(n) != naive[n]}
        ratio = t_naive / t_grade
        print(f"  speed-up: {ratio:.2f}x (goal {args.goal:g}x) · same scores for every student: "
              f"{'yes' if not differ else 'NO ' + str(differ)}")
        if args.json:
            args.json.write_text(json.dumps({"exercise": args.exercise, "students": len(names),
                                             "cpus": os.cpu_count(), "jobs": args.jobs, "naive_s": round(t_naive, 1),
                                             "grade_s": round(t_grade, 1), "ratio": round(ratio, 2),
                                             "same_scores": not differ}, indent=2) + "\n")
        return 0 if ratio >= args.goal and not differ else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
