"""Finding the base images the course's Dockerfiles use (no engine needed)."""

from __future__ import annotations

from pathlib import Path

from checker.images import collect_references, dockerfiles, references_in


def _write(tmp_path: Path, rel: str, text: str) -> Path:
    path = tmp_path / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _refs(path: Path) -> list[tuple[str, int, str]]:
    return [(r.ref, r.line, r.instruction) for r in references_in(path)]


def test_from_with_arg_defaults_and_stages(tmp_path: Path) -> None:
    path = _write(tmp_path, "Dockerfile", """\
# syntax is not used here
ARG GO_VERSION=1.23
ARG BASE=alpine:3.20
ARG RUNTIME
FROM golang:${GO_VERSION}-alpine AS build
RUN go version
FROM build AS test
FROM ${RUNTIME:-gcr.io/distroless/static-debian12:nonroot} AS runtime
FROM $BASE
FROM scratch
COPY --from=build /out /out
""")
    assert _refs(path) == [
        ("golang:1.23-alpine", 5, "FROM"),
        ("gcr.io/distroless/static-debian12:nonroot", 8, "FROM"),
        ("alpine:3.20", 9, "FROM"),
    ]


def test_copy_from_and_mount_from_external_images(tmp_path: Path) -> None:
    path = _write(tmp_path, "app/Dockerfile.prod", """\
FROM node:22-alpine AS build
RUN --mount=type=cache,target=/root/.npm \\
    --mount=type=bind,from=busybox:1.36,source=/bin/busybox,target=/bb \\
    npm ci
FROM nginx:1.25-alpine
COPY --from=build /app/dist /usr/share/nginx/html
COPY --from=0 /x /x
COPY --from=alpine /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
COPY --link --from=gcr.io/distroless/static-debian12 /etc/passwd /etc/passwd
COPY --from=biuld /app/dist /typo
""")
    assert _refs(path) == [
        ("node:22-alpine", 1, "FROM"),
        ("busybox:1.36", 2, "RUN --mount"),
        ("nginx:1.25-alpine", 5, "FROM"),
        ("alpine", 8, "COPY --from"),
        ("gcr.io/distroless/static-debian12", 9, "COPY --from"),
    ]
    assert [r.normalized for r in references_in(path)][-2:] == ["alpine:latest",
                                                               "gcr.io/distroless/static-debian12:latest"]


def test_heredoc_bodies_and_continuations_are_not_instructions(tmp_path: Path) -> None:
    path = _write(tmp_path, "x.Dockerfile", """\
FROM alpine:3.20 \\
  AS base
RUN <<EOF
FROM python:3.12
COPY --from=ruby:3 / /
EOF
RUN <<-'END' cat > /x
\tFROM golang:1.22
\tEND
# a comment
FROM \\
  busybox:1.36
""")
    assert _refs(path) == [("alpine:3.20", 1, "FROM"), ("busybox:1.36", 11, "FROM")]


def test_stage_arg_in_copy_from(tmp_path: Path) -> None:
    path = _write(tmp_path, "Dockerfile", """\
ARG TOOLS=busybox:1.36
FROM alpine:3.20
ARG TOOLS
COPY --from=${TOOLS} /bin/busybox /busybox
""")
    assert _refs(path)[-1] == ("busybox:1.36", 4, "COPY --from")


def test_dockerfile_names_and_scanned_folders(tmp_path: Path) -> None:
    for rel in ("lessons/a/Dockerfile", "exercises/b/wrong/c.Dockerfile", "solutions/d/Dockerfile.single",
                "tests/e/Dockerfile", "examples/f/Dockerfile", "benchmarks/g/Dockerfile",
                "exercises/node_modules/pkg/Dockerfile", "docs/Dockerfile", "lessons/a/notes.md",
                "tests/corpus/public/Dockerfile"):
        _write(tmp_path, rel, "FROM alpine:3.20\n")
    _write(tmp_path, "tests/corpus/.stagewise-not-built", "read only, never built\n")
    found = sorted(str(p.relative_to(tmp_path)) for p in dockerfiles(tmp_path))
    assert found == ["benchmarks/g/Dockerfile", "examples/f/Dockerfile", "exercises/b/wrong/c.Dockerfile",
                     "lessons/a/Dockerfile", "solutions/d/Dockerfile.single", "tests/e/Dockerfile"]
    refs = collect_references(tmp_path)
    assert len(refs) == 6 and {r.ref for r in refs} == {"alpine:3.20"}
    assert refs[0].where(tmp_path) == "benchmarks/g/Dockerfile:1"


def test_the_repository_uses_only_catalogue_images() -> None:
    """Every image the course's Dockerfiles reference has an offline recipe (else `prepare` fails offline)."""
    from checker.images import find

    missing = [f"{r.where()} {r.ref}" for r in collect_references() if find(r.ref) is None]
    assert not missing, "no offline recipe for:\n" + "\n".join(missing)
