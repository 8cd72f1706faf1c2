"""`stagewise-pre-commit FILE...`: the static rules on each Dockerfile a git hook manager passes (pre-commit's
`.pre-commit-hooks.yaml` at the repository's root names it). No engine, no build: what `stagewise check
--static-only FILE` judges, one line per finding that fails or warns, `FILE:LINE: RULE message`, as compilers
and hadolint print them. Exit status 1 when one file does not pass, 2 when one cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path

from checker.report import Status, lesson_url

SHOWN = (Status.ERROR, Status.FAIL, Status.WARN)


def main(argv: list[str] | None = None) -> int:
    from checker.check import CheckOptions, UsageError, check, resolve

    files = sys.argv[1:] if argv is None else argv
    worst = 0
    for name in files:
        try:
            report = check(resolve(Path(name), None), CheckOptions(static_only=True, reuse=False))
        except UsageError as exc:
            print(f"{name}: {exc}", file=sys.stderr)
            worst = 2
            continue
        if report.error and not report.findings:
            print(f"{name}: {report.error}")
            worst = 2
            continue
        for f in sorted((f for f in report.findings if f.status in SHOWN), key=lambda f: (f.line or 0, f.rule)):
            fix = f" Fix: {f.hint}" if f.hint else ""
            url = f.docs_url or lesson_url(f.lesson)
            print(f"{name}:{f.line or 1}: {f.rule} {f.status.value}: {f.message}{fix}" + (f" ({url})" if url else ""))
        if not report.passed:
            worst = max(worst, 1)
    return worst


if __name__ == "__main__":
    sys.exit(main())
