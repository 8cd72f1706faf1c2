"""Snapshots of the checker's reports, to prove a refactoring changed no verdict and no word.

    python -m benchmarks.report_snapshots write OUT [NAME...]   # check the catalogue, write OUT/<case>.{txt,json}
    python -m benchmarks.report_snapshots compare BEFORE AFTER  # how many are identical, and which are not

The catalogue: every wrong submission (exercises/*/wrong/*.Dockerfile) and every solution against its exercise,
each starter, each solution --static-only, and a few checks without an exercise. Each is checked afresh (no
stored result) and rendered as the verbose text report and as JSON. What varies from run to run is normalised:
times, sizes, image tags and ids, dates in the logs an image prints, loopback ports, BuildKit's ref ids; in the
text report also the line wrapping those change ("identical but for wrapping" in the comparison).
Costs real builds: about 10 minutes on 2 shared cores, 2 checks at a time (NAME... keeps the cases whose name
contains one of them). Not part of `python -m benchmarks`.
"""

from __future__ import annotations

import json
import re
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

Case = tuple[str, Path, str | None, bool]  # name, path, exercise, static only

NOISE = [
    (re.compile(r"\d+\.\d+ ?s\b"), "N.N s"),
    (re.compile(r"\d+(\.\d+)? MB"), "N MB"),
    (re.compile(r"stagewise-check/[\w.-]+:[0-9a-f]{12}-[0-9a-f]{8}"), "TAG"),
    (re.compile(r"\b[0-9a-f]{12,64}\b"), "HEX"),
    (re.compile(r"Docker \d+[\w.+-]*"), "Docker V"),
    (re.compile(r"\"(build_seconds|size_mb|seconds)\": [\d.]+"), r'"\1": N'),
    (re.compile(r"127\.0\.0\.1:\d+"), "127.0.0.1:PORT"),
    (re.compile(r"\d{4}/\d\d/\d\d \d\d:\d\d:\d\d"), "DATE"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d[_:]\d\d[_:]\d\d[_.:]\d+Z"), "ISO-DATE"),
    (re.compile(r"\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d"), "CLF-DATE"),
    (re.compile(r"worker process \d+"), "worker process PID"),
    (re.compile(r"::[a-z0-9]{25}\b"), "::REF"),
    (re.compile(r" +│$", re.M), " │"),
]


def normalise(text: str) -> str:
    for rx, sub in NOISE:
        text = rx.sub(sub, text)
    return text


def cases() -> list[Case]:
    out: list[Case] = []
    for ex in sorted(p.parent.name for p in (REPO / "exercises").glob("*/exercise.yaml")):
        for df in sorted((REPO / "exercises" / ex / "wrong").glob("*.Dockerfile")):
            out.append((f"wrong-{ex}-{df.stem}", df, ex, False))
        for df in sorted((REPO / "solutions" / ex).glob("*Dockerfile*")):
            if not df.name.endswith(".dockerignore"):
                out.append((f"solution-{ex}-{df.name}", df, ex, False))
        out.append((f"starter-{ex}", REPO / "exercises" / ex / "Dockerfile", ex, False))
        out.append((f"static-{ex}", REPO / "solutions" / ex / "Dockerfile", ex, True))
    # no exercise: the default smoke run, no size budget, no expected artifacts
    out.append(("nospec-go-scratch-starter", REPO / "exercises" / "go-scratch" / "Dockerfile", None, False))
    out.append(("nospec-hello-go", REPO / "examples" / "hello-go", None, False))
    out.append(("nospec-static-hello-go", REPO / "examples" / "hello-go", None, True))
    return out


def write(out: Path, only: list[str]) -> None:
    from checker.check import CheckOptions, check, resolve
    from checker.render.json import render_json
    from checker.render.text import render_text

    out.mkdir(parents=True, exist_ok=True)

    def one(case: Case) -> str:
        name, path, exercise, static_only = case
        try:
            report = check(resolve(path, exercise), CheckOptions(reuse=False, static_only=static_only))
        except Exception as exc:
            (out / f"{name}.crash").write_text(repr(exc))
            return f"{name}: CRASH {exc!r}"
        (out / f"{name}.txt").write_text(normalise(render_text(report, verbose=True)))
        (out / f"{name}.json").write_text(normalise(json.dumps(json.loads(render_json(report)), indent=1,
                                                               sort_keys=True)))
        return f"{name}: ok"

    todo = [c for c in cases() if not only or any(o in c[0] for o in only)]
    with ThreadPoolExecutor(2) as pool:  # the engine is shared: two checks at a time
        for line in pool.map(one, todo):
            print(line, flush=True)


def _unwrapped(text: str) -> str:
    return re.sub(r"[│╭╮╰╯─\s]", "", text)


def compare(before: Path, after: Path) -> int:
    names = sorted({p.name for p in before.iterdir()} & {p.name for p in after.iterdir()})
    one_side = sorted({p.name for p in before.iterdir()} ^ {p.name for p in after.iterdir()})
    identical = wrapped = 0
    different: list[str] = []
    for name in names:
        a, b = normalise((before / name).read_text()), normalise((after / name).read_text())
        if a == b:
            identical += 1
        elif name.endswith(".txt") and _unwrapped(a) == _unwrapped(b):
            wrapped += 1
            print(f"identical but for wrapping: {name}")
        else:
            different.append(name)
            print(f"different: {name}")
    for name in one_side:
        print(f"in one side only: {name}")
    print(f"{len(names)} compared: {identical} identical, {wrapped} identical but for wrapping, "
          f"{len(different)} different; {len(one_side)} in one side only")
    return 1 if different or one_side else 0


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "write":
        write(Path(argv[1]), argv[2:])
        return 0
    if len(argv) == 3 and argv[0] == "compare":
        return compare(Path(argv[1]), Path(argv[2]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
