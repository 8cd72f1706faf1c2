"""SW201 context-copy-in-final: the final stage should copy artifacts, not the build context."""

from __future__ import annotations

import posixpath

from checker.analysis import COMPILED_EXT, COMPILED_MANIFESTS, Context
from checker.report import Concern
from checker.rules.base import Kind, Rule, RuleDoc, Verdict, failed, passed, q, warned

_INTERPRETERS = frozenset({"node", "python", "python3", "ruby", "php", "php-fpm", "bundle", "rails", "npm", "yarn",
                           "pnpm", "bun", "deno", "gunicorn", "uvicorn", "uwsgi", "flask", "django-admin", "celery",
                           "apache2-foreground", "puma", "perl"})  # fmt: skip


_TEST_NAMES = frozenset({"tests", "test", "spec", "__tests__", "testdata", "pytest.ini", "conftest.py", "tox.ini",
                         "jest.config.js", "jest.config.ts", "phpunit.xml", ".rspec"})  # fmt: skip


def _interpreted(ctx: Context) -> bool:
    """The final image runs its code through an interpreter (Node, Python, Ruby, PHP): its own code directories
    are what it runs, not sources left over from a build."""
    if ctx.final_image.language in ("node", "python", "ruby", "php"):
        return True
    for kw in ("ENTRYPOINT", "CMD"):
        ins = ctx.last(kw)
        if ins is not None and ins.args:
            first = ins.args[0].split()[0] if ins.args[0].split() else ""
            if first.rsplit("/", 1)[-1] in _INTERPRETERS:
                return True
    return False


def check(ctx: Context) -> list[Verdict]:
    out: list[Verdict] = []
    shipped = {st.index for st in ctx.final_chain()}
    builders = [
        s
        for s in ctx.reachable_stages()
        if s.index not in shipped and any(h.severity == "fail" for h in ctx.facts(s).build_hits)
    ]
    builder = builders[0].name or str(builders[0].index) if builders else None
    interpreted = _interpreted(ctx)
    # Everything the final stage is built FROM ships too: a `COPY . .` in a `base` stage reaches production.
    for cc in (c for st in ctx.final_chain() for c in ctx.facts(st).context_copies):
        ins = cc.instr
        verb = "ADD" if ins.copy and ins.copy.is_add else "COPY"
        for src, kind in cc.sources:
            ext = posixpath.splitext(src.lower())[1]
            base = src.rstrip("/").rsplit("/", 1)[-1].lower()
            if kind == "broad":
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} copies the whole build context into the final stage: sources, "
                        "tests, build files, and anything .dockerignore lets through (.git, node_modules, .env).",
                        ins.line,
                        ins.snippet,
                        hint=(
                            f"Copy only what runs: `COPY --from={builder} <artifact> <dest>`."
                            if builder
                            else f"Copy only the files the app needs at run time (`{verb} app/ ./app/`)."
                        ),
                    )
                )
                break
            if base in _TEST_NAMES:
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} copies the test suite (`{src}`) into the final stage: tests "
                        "run in CI or a test stage, the image that ships only runs the app.",
                        ins.line,
                        ins.snippet,
                        hint="Drop this COPY (run the tests in a `test` stage built FROM the builder).",
                    )
                )
                break
            if kind == "source" and (ext in COMPILED_EXT or (builder and not interpreted)):
                out.append(
                    failed(
                        f"Line {ins.line}: {q(ins)} copies source code (`{src}`) into the final stage"
                        + (f", although {builders[0].label} builds the app" if builder else "")
                        + ". The image should hold the build output, not the sources.",
                        ins.line,
                        ins.snippet,
                        hint=f"Copy the artifact from the builder instead: `COPY --from={builder or 'build'} "
                        "<artifact> <dest>`.",
                    )
                )
                break
            if kind == "manifest" and base in COMPILED_MANIFESTS:
                out.append(
                    warned(
                        f"Line {ins.line}: {q(ins)} copies `{src}` into the final stage; it is only needed to build.",
                        ins.line,
                        ins.snippet,
                    )
                )
                break
    if not out:
        out.append(passed("The final stage copies no sources from the build context.", ctx.final.line))
    return out


RULE = Rule(
    id="SW201",
    name="context-copy-in-final",
    concern=Concern.ARTIFACT_COPIES,
    title="Don't copy the build context into the final stage",
    rationale="`COPY . .` in the final stage ships sources, tests and build files next to the artifact.",
    fix="Copy only the artifact from the builder (`COPY --from=build /app/target/app.jar app.jar`).",
    lesson="lessons/04-build-cache/#build-only-vs-runtime-files",
    kind=Kind.STATIC,
    weight=2.0,
    doc=RuleDoc(
        what="Fails `COPY . .`/`ADD . .` (any broad context copy) in the final stage, and copies of source "
        "files or directories (`src/`, `*.go`, `*.java`, `*.ts`...) when another stage builds the app or the "
        "files need compiling. Build manifests such as `pom.xml` or `go.mod` in the final stage are a warning. "
        "Interpreted apps without a build step may copy their code directories.",
        why="The sources are already compiled into the artifact; shipping them grows the image and leaks code "
        "and whatever else sits in the context (pitfall 5, pitfall 24).",
        example="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY . .\nCOPY --from=build /out/app /app\n"
        'ENTRYPOINT ["/app"]\n',
        use_instead="FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
        "FROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\n"
        'ENTRYPOINT ["/app"]\n',
    ),
    check=check,
)
