"""A full `stagewise check` of a solution against a bare `docker build` of the same Dockerfile, cold and
warm, in one run, as ratios. Goals: <= 1.25x a cold build; <= 3 s for a warm check.

`--repeat N` measures each target N times, bare and check alternating, and prints the medians (a build of two
seconds moves by a fifth from one run to the next on a shared machine). It prunes the whole build cache: run it
only when nothing else uses the engine."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from checker.build import build
from checker.check import CheckOptions, check, resolve
from checker.engine import engine_up

REPO = Path(__file__).resolve().parents[1]
DEFAULT_TARGETS = ["examples/hello-go", "solutions/go-scratch", "solutions/node-nginx", "solutions/java-jre"]


def bench_one(path: Path) -> dict[str, float]:
    engine = engine_up(lambda _m: None)
    exercise = path.name if (REPO / "exercises" / path.name / "exercise.yaml").is_file() and \
        path.parent.name == "solutions" else None
    tgt = resolve(path / "Dockerfile" if exercise else path, exercise)
    tag = "stagewise-bench/bare:latest"
    # cold: an empty build cache (base images stay local). BuildKit's --no-cache would re-resolve base
    # images against a registry, so the cache is pruned instead.
    engine.docker("builder", "prune", "-af", check=False)
    t = time.perf_counter()
    bare_cold = build(engine, tgt.context, dockerfile=tgt.dockerfile, tag=tag)
    bare_cold_s = time.perf_counter() - t
    assert bare_cold.ok, bare_cold.error
    engine.docker("rmi", "-f", tag, check=False)
    engine.docker("builder", "prune", "-af", check=False)
    t = time.perf_counter()
    report = check(tgt, CheckOptions(reuse=False), engine=engine)
    check_cold_s = time.perf_counter() - t
    # warm: everything cached; an unchanged re-check reuses the stored result
    t = time.perf_counter()
    build(engine, tgt.context, dockerfile=tgt.dockerfile, tag=tag)
    bare_warm_s = time.perf_counter() - t
    check(tgt, CheckOptions(reuse=True), engine=engine)  # store
    t = time.perf_counter()
    check(tgt, CheckOptions(reuse=True), engine=engine)
    recheck_s = time.perf_counter() - t
    t = time.perf_counter()
    check(tgt, CheckOptions(reuse=False), engine=engine)
    check_warm_s = time.perf_counter() - t
    engine.docker("rmi", "-f", tag, check=False)
    return {"bare_cold": bare_cold_s, "check_cold": check_cold_s, "bare_warm": bare_warm_s,
            "check_warm": check_warm_s, "recheck": recheck_s, "passed": float(report.passed)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("targets", nargs="*")
    parser.add_argument("--repeat", type=int, default=1, help="runs per target; medians are printed")
    args = parser.parse_args(argv)
    repeat = max(1, args.repeat)
    rows = []
    for rel in args.targets or DEFAULT_TARGETS:
        path = REPO / rel
        if not path.exists():
            print(f"  (skipping {rel}: not found)")
            continue
        runs = [bench_one(path) for _ in range(repeat)]
        rows.append((rel, {k: statistics.median(r[k] for r in runs) for k in runs[0]},
                     [r["check_cold"] / r["bare_cold"] for r in runs]))
    print(f"full check vs bare docker build (same Dockerfile, same run; seconds, median of {repeat})")
    print(f"  {'target':26} {'bare cold':>9} {'check cold':>10} {'ratio':>6}   {'bare warm':>9} "
          f"{'check warm':>10} {'re-check':>8}   ratios of each run")
    for rel, r, ratios in rows:
        print(f"  {rel:26} {r['bare_cold']:9.1f} {r['check_cold']:10.1f} {r['check_cold'] / r['bare_cold']:5.2f}x"
              f"   {r['bare_warm']:9.1f} {r['check_warm']:10.1f} {r['recheck']:8.2f}   "
              + " ".join(f"{x:.2f}x" for x in ratios))
    print("  goals: cold ratio <= 1.25x; warm check <= 3 s")


if __name__ == "__main__":
    main()
