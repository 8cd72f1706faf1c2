"""The base-image catalogue: toolchain vs runtime, default users, shells, pinning."""

from __future__ import annotations

import pytest

from checker.image_roles import classify, looks_like_image, parse_ref


@pytest.mark.parametrize(
    ("ref", "category"),
    [
        ("golang:1.23", "toolchain"),
        ("golang:1.23-alpine", "toolchain"),
        ("maven:3.9-eclipse-temurin-21", "toolchain"),
        ("gradle:8.10-jdk21", "toolchain"),
        ("eclipse-temurin:21-jdk-alpine", "toolchain"),
        ("eclipse-temurin:21", "toolchain"),
        ("openjdk:17", "toolchain"),
        ("amazoncorretto:21", "toolchain"),
        ("rust:1.81", "toolchain"),
        ("rust:1.81-slim", "toolchain"),
        ("node:22", "toolchain"),
        ("node:22-alpine", "toolchain"),
        ("python:3.12", "toolchain"),
        ("gcc:14", "toolchain"),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "toolchain"),
        ("cgr.dev/chainguard/go:latest-dev", "toolchain"),
        ("nvidia/cuda:12.4.1-devel-ubuntu22.04", "toolchain"),
        ("eclipse-temurin:21-jre-alpine", "runtime"),
        ("openjdk:17-jre-slim", "runtime"),
        ("node:22-slim", "runtime"),
        ("python:3.12-slim", "runtime"),
        ("python:3.12-alpine", "runtime"),
        ("nginx:1.27-alpine", "runtime"),
        ("nginxinc/nginx-unprivileged:1.27-alpine", "runtime"),
        ("alpine:3.20", "runtime"),
        ("busybox:1.36", "runtime"),
        ("debian:bookworm-slim", "runtime"),
        ("mcr.microsoft.com/dotnet/aspnet:8.0", "runtime"),
        ("scratch", "minimal"),
        ("gcr.io/distroless/static-debian12:nonroot", "minimal"),
        ("gcr.io/distroless/java21-debian12", "minimal"),
        ("cgr.dev/chainguard/static:latest", "minimal"),
        ("ubuntu:24.04", "os"),
        ("example.com/team/thing:1.0", "unknown"),
    ],
)
def test_category(ref: str, category: str) -> None:
    info = classify(ref)
    assert info.category == category, info.reason
    assert info.reason


@pytest.mark.parametrize(
    ("ref", "uid", "shell"),
    [
        ("scratch", 0, False),
        ("gcr.io/distroless/static-debian12:nonroot", 65532, False),
        ("gcr.io/distroless/static-debian12", 0, False),
        ("gcr.io/distroless/base-debian12:debug-nonroot", 65532, True),
        ("node:22-slim", 0, True),
        ("nginx:1.27", 0, True),
        ("nginxinc/nginx-unprivileged:1.27", 101, True),
        ("cgr.dev/chainguard/static:latest", 65532, False),
        ("alpine:3.20", 0, True),
    ],
)
def test_default_user_and_shell(ref: str, uid: int, shell: bool) -> None:
    info = classify(ref)
    assert info.default_uid == uid
    assert info.has_shell is shell


def test_users_and_tools() -> None:
    assert "node" in classify("node:22-slim").users
    assert classify("scratch").has_passwd is False
    assert classify("alpine:3.20").has_curl is False and classify("alpine:3.20").has_wget is True
    assert classify("eclipse-temurin:21-jre-alpine").has_curl is False
    assert classify("gcr.io/distroless/java21-debian12").entrypoint == ("java", "-jar")
    assert classify("golang:1.23").workdir == "/go"


@pytest.mark.parametrize(
    ("ref", "pinning"),
    [
        ("nginx", "unpinned"),
        ("nginx:latest", "unpinned"),
        ("node:lts-alpine", "floating"),
        ("nginx:alpine", "floating"),
        ("nginx:1.27-alpine", "pinned"),
        ("nginx@sha256:" + "a" * 64, "pinned"),
        ("scratch", "pinned"),
        ("gcr.io/distroless/static-debian12:nonroot", "pinned"),
        ("localhost:5000/app", "unpinned"),
        ("localhost:5000/app:2.1", "pinned"),
    ],
)
def test_pinning(ref: str, pinning: str) -> None:
    assert classify(ref).pinning == pinning


def test_parse_ref() -> None:
    r = parse_ref("docker.io/library/node:22-alpine")
    assert (r.registry, r.path, r.tag) == (None, "node", "22-alpine")
    r = parse_ref("localhost:5000/team/app:1.0@sha256:abc")
    assert (r.registry, r.path, r.tag, r.digest) == ("localhost:5000", "team/app", "1.0", "sha256:abc")
    assert looks_like_image("alpine:3.20") and looks_like_image("ghcr.io/x/y") and not looks_like_image("build")
