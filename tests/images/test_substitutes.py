"""The offline substitutes behave like the upstream images for everything the course uses.

Needs the engine: the session fixture `prepared` builds (or keeps) every catalogue image once.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
import urllib.request
from pathlib import Path

import pytest

from checker.engine import Engine
from checker.images import SUBSTITUTES, PrepareResult, collect_references, kit, list_images, manifest, prepare
from checker.images.catalogue import recipe_hash

from ._helpers import build, free_port, run, sh

pytestmark = pytest.mark.engine


def _config(engine: Engine, ref: str) -> dict[str, object]:
    out = engine.docker("image", "inspect", "--format", "{{json .Config}}", ref).stdout
    config: dict[str, object] = json.loads(out)
    return config


def _file_from_image(engine: Engine, image: str, path: str) -> bytes:
    """Read one file from an image without running it (create, get_archive, remove)."""
    container = engine.client.containers.create(image, command=["/nonexistent"], entrypoint=[],
                                                network_mode="none")
    try:
        stream, _ = container.get_archive(path)
        data = b"".join(stream)
    finally:
        container.remove(force=True)
    with tarfile.open(fileobj=io.BytesIO(data)) as tf:
        member = tf.next()
        assert member is not None
        f = tf.extractfile(member)
        assert f is not None
        return f.read()


# --- labels, idempotence, listing ---------------------------------------------------------------------


def test_every_tag_carries_the_substitute_labels(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    for sub in SUBSTITUTES:
        for tag in sub.tags:
            labels = _config(engine, tag)["Labels"]
            assert isinstance(labels, dict), tag
            upstream = sub.upstream_of(tag)
            assert labels[kit.LABEL_SUBSTITUTE] == "true", tag
            assert labels[kit.LABEL_UPSTREAM] == upstream, tag
            assert labels[kit.LABEL_RECIPE] == sub.id, tag
            assert labels[kit.LABEL_HASH] == recipe_hash(sub.id), tag
            assert labels[kit.LABEL_DESCRIPTION] == kit.description(upstream, own=sub.own), tag
            assert labels[kit.LABEL_DESCRIPTION].startswith(
                f"STAGEWISE KIT IMAGE {upstream}" if sub.own else f"OFFLINE SUBSTITUTE for {upstream}, built locally "
                "from Debian/PyPI/npm packages; not the upstream image"), tag


def test_second_prepare_keeps_everything_quickly(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    t0 = time.monotonic()
    again = prepare(engine, names=manifest(), log=lambda _: None)
    seconds = time.monotonic() - t0
    assert {r.action for r in again} == {"kept"}, [(r.name, r.action, r.note) for r in again]
    assert seconds < 5, seconds
    # the full run (scanning the course's Dockerfiles) builds nothing either
    t0 = time.monotonic()
    full = prepare(engine, log=lambda _: None)
    assert not [r for r in full if r.action in ("built", "pulled")], full
    assert time.monotonic() - t0 < 5


def test_prepare_reports_sizes_and_every_tag(prepared: dict[str, PrepareResult]) -> None:
    for sub in SUBSTITUTES:
        result = prepared[sub.upstream]
        assert result.recipe == sub.id and result.action in ("built", "kept")
        assert result.size_mb and result.size_mb > 0.5
        assert set(result.tags) == set(sub.tags)


def test_list_images_describes_substitutes(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    rows = {r.ref: r for r in list_images(engine)}
    for tag, upstream in (("node:22", "node:22-alpine"), ("gcr.io/distroless/static:nonroot",
                                                          "gcr.io/distroless/static-debian12:nonroot")):
        row = rows[tag]
        assert row.substitute and row.current and row.upstream == upstream
        assert row.description.startswith(f"OFFLINE SUBSTITUTE for {upstream}: ")


def test_course_references_resolve_to_local_images(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    local = {r.ref for r in list_images(engine)}
    for ref in collect_references():
        assert ref.normalized.removeprefix("docker.io/library/") in local, ref.where()


# --- alpine, busybox ------------------------------------------------------------------------------------


def test_alpine_adduser_addgroup_give_alpine_ids(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = sh(engine, "alpine:3.20", "addgroup -S app && adduser -S app -G app && id app && grep '^app:' "
             "/etc/group && grep '^app:' /etc/passwd && stat -c '%a %U' /home/app && adduser -S svc && id svc "
             "&& adduser -D -u 1001 bob && addgroup -g 2000 devs && addgroup bob devs && id bob "
             "&& deluser --remove-home bob && ! id bob 2>/dev/null && delgroup devs && echo done")
    lines = out.splitlines()
    assert lines[0] == "uid=100(app) gid=101(app) groups=101(app)"
    assert lines[1] == "app:x:101:app"
    assert lines[2] == "app:x:100:101:Linux User,,,:/home/app:/sbin/nologin"
    assert lines[3] == "2755 app"
    assert lines[4] == "uid=101(svc) gid=65533(nogroup) groups=65533(nogroup)"
    assert lines[5] == "uid=1001(bob) gid=1001(bob) groups=1001(bob),2000(devs)"
    assert lines[-1] == "done"


def test_alpine_apk_shim(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = sh(engine, "alpine:3.20", "apk update >/dev/null && apk add --no-cache ca-certificates tzdata "
             "&& apk add --no-cache --virtual .build-deps tzdata=2024a-r0 && apk del .build-deps && echo ok")
    assert out.strip().endswith("ok")
    failed = run(engine, "alpine:3.20", "apk", "add", "--no-cache", "git", check=False)
    assert failed.returncode != 0
    assert "git (no such package)" in failed.stderr and "OFFLINE SUBSTITUTE" in failed.stderr


def test_alpine_has_wget_certs_tzdata_and_glibc(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = sh(engine, "alpine:3.20", "wget --help 2>&1 | head -1; test -s /etc/ssl/certs/ca-certificates.crt "
             "&& echo certs; TZ=Europe/Berlin date +%Z; cat /etc/alpine-release; command -v apk; command -v adduser")
    assert "BusyBox" in out and "certs" in out and ("CET" in out or "CEST" in out)
    assert "3.20" in out and "/sbin/apk" in out and "/usr/sbin/adduser" in out
    bundle = _file_from_image(engine, "alpine:3.20", "/etc/ssl/certs/ca-certificates.crt")
    assert bundle.count(b"BEGIN CERTIFICATE") > 100


def test_busybox(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = run(engine, "busybox:1.36", "sh", "-c", "wget --help 2>&1 | head -1; ls /bin | wc -l; id").stdout
    assert "BusyBox" in out and int(out.splitlines()[1]) > 200 and "uid=0(root)" in out
    assert _config(engine, "busybox:latest")["Cmd"] == ["sh"]


# --- toolchains -----------------------------------------------------------------------------------------


def test_go_builds_hello_world_into_scratch(engine: Engine, prepared: dict[str, PrepareResult], tmp_path: Path,
                                           tags: list[str]) -> None:
    (tmp_path / "go.mod").write_text("module example.com/hello\n\ngo 1.23\n")
    (tmp_path / "go.sum").write_text("")
    (tmp_path / "main.go").write_text('package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello go") }\n')
    (tmp_path / "Dockerfile").write_text(
        "FROM golang:1.23-alpine AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
        "COPY main.go ./\nRUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/hello .\n"
        "FROM scratch\nCOPY --from=build /out/hello /hello\nUSER 65532:65532\nENTRYPOINT [\"/hello\"]\n")
    tags.append("stagewise-test/kit-go:1")
    build(engine, tmp_path, "stagewise-test/kit-go:1")
    assert run(engine, "stagewise-test/kit-go:1").stdout.strip() == "hello go"
    cfg = _config(engine, "golang:1.23-alpine")
    assert cfg["WorkingDir"] == "/go" and "GOTOOLCHAIN=local" in cfg["Env"]  # type: ignore[operator]


def test_node_npm_ci_of_a_zero_dependency_lockfile(engine: Engine, prepared: dict[str, PrepareResult],
                                                   tmp_path: Path, tags: list[str]) -> None:
    (tmp_path / "package.json").write_text(json.dumps(
        {"name": "site", "version": "1.0.0", "private": True, "scripts": {"build": "node build.mjs"}}))
    (tmp_path / "package-lock.json").write_text(json.dumps(
        {"name": "site", "version": "1.0.0", "lockfileVersion": 3, "requires": True,
         "packages": {"": {"name": "site", "version": "1.0.0"}}}))
    (tmp_path / "build.mjs").write_text(
        "import { mkdirSync, writeFileSync } from 'node:fs';\nmkdirSync('dist', { recursive: true });\n"
        "writeFileSync('dist/index.html', 'built by node ' + process.version + '\\n');\n")
    (tmp_path / "Dockerfile").write_text(
        "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package.json package-lock.json ./\n"
        "RUN npm ci --no-audit --no-fund\nCOPY build.mjs ./\nRUN npm run build\n"
        "FROM busybox:1.36\nCOPY --from=build /app/dist /site\nCMD [\"cat\", \"/site/index.html\"]\n")
    tags.append("stagewise-test/kit-node:1")
    build(engine, tmp_path, "stagewise-test/kit-node:1", timeout=300)
    assert run(engine, "stagewise-test/kit-node:1").stdout.strip() == "built by node v22.20.0"
    out = sh(engine, "node:22-alpine", "id node; npm --version; yarn --version; npx --version")
    assert out.splitlines()[0] == "uid=1000(node) gid=1000(node) groups=1000(node)"
    cfg = _config(engine, "node:22-alpine")
    assert cfg["Entrypoint"] == ["docker-entrypoint.sh"] and cfg["Cmd"] == ["node"]
    # the entrypoint runs node for arguments that are not commands, as upstream's does
    assert run(engine, "node:22-alpine", "-e", "console.log(6*7)").stdout.strip() == "42"


POM = """\
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>app</artifactId>
  <version>1.0</version>
  <packaging>jar</packaging>
  <properties>
    <maven.compiler.release>21</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <build>
    <finalName>app</finalName>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-jar-plugin</artifactId>
        <configuration>
          <archive><manifest><mainClass>com.example.App</mainClass></manifest></archive>
        </configuration>
      </plugin>
    </plugins>
  </build>
</project>
"""

APP = """\
package com.example;

import com.sun.net.httpserver.HttpServer;

public class App {
    public static void main(String[] args) {
        System.out.println("hello from java " + Runtime.version().feature()
            + (HttpServer.class.getName().isEmpty() ? "" : " with jdk.httpserver"));
    }
}
"""


def test_maven_go_offline_and_package_then_run_on_jre_images(engine: Engine, prepared: dict[str, PrepareResult],
                                                             tmp_path: Path, tags: list[str]) -> None:
    (tmp_path / "pom.xml").write_text(POM)
    src = tmp_path / "src/main/java/com/example"
    src.mkdir(parents=True)
    (src / "App.java").write_text(APP)
    (tmp_path / "Dockerfile").write_text(
        "FROM maven:3.9-eclipse-temurin-21 AS build\nWORKDIR /app\nCOPY pom.xml .\n"
        "RUN mvn -q -B dependency:go-offline\nCOPY src ./src\nRUN mvn -B package -DskipTests\n"
        "FROM eclipse-temurin:21-jre-alpine AS jre\nRUN addgroup -S spring && adduser -S spring -G spring\n"
        "USER spring:spring\nCOPY --from=build /app/target/app.jar /app/app.jar\n"
        "CMD [\"java\", \"-jar\", \"/app/app.jar\"]\n"
        "FROM gcr.io/distroless/java21-debian12:nonroot AS distroless\n"
        "COPY --from=build /app/target/app.jar /app/app.jar\nCMD [\"/app/app.jar\"]\n")
    tags += ["stagewise-test/kit-java:jre", "stagewise-test/kit-java:distroless"]
    build(engine, tmp_path, "stagewise-test/kit-java:jre", target="jre", timeout=900)
    build(engine, tmp_path, "stagewise-test/kit-java:distroless", target="distroless", timeout=600)
    assert run(engine, "stagewise-test/kit-java:jre").stdout.strip() == "hello from java 21 with jdk.httpserver"
    assert run(engine, "stagewise-test/kit-java:jre", "id", "-u").stdout.strip() == "100"
    out = run(engine, "stagewise-test/kit-java:distroless").stdout.strip()
    assert out == "hello from java 21 with jdk.httpserver"
    assert _config(engine, "stagewise-test/kit-java:distroless")["User"] == "65532"


def test_maven_settings_mirror_everything_to_the_debian_repository(engine: Engine,
                                                                   prepared: dict[str, PrepareResult]) -> None:
    out = run(engine, "maven:3.9", "sh", "-c", "cat /etc/maven/settings.xml; echo $JAVA_HOME; "
              "test -x /opt/java/openjdk/bin/java && echo jdk-link").stdout
    assert "<mirrorOf>*</mirrorOf>" in out and "file:///usr/share/maven-repo" in out and "jdk-link" in out


def test_jdk_alpine_jlinks_a_runtime_with_jdk_httpserver(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = sh(engine, "eclipse-temurin:21-jdk-alpine",
             "jlink --add-modules java.base,jdk.httpserver --strip-debug --no-man-pages --no-header-files "
             "--output /tmp/rt && /tmp/rt/bin/java --list-modules")
    assert "jdk.httpserver@21" in out and "java.base@21" in out
    jre = run(engine, "eclipse-temurin:21-jre-alpine", "java", "--list-modules").stdout
    assert "jdk.httpserver@21" in jre and "java.compiler" in jre
    assert _config(engine, "eclipse-temurin:21-jre-alpine")["Env"] and "JAVA_HOME=/opt/java/openjdk" in (
        _config(engine, "eclipse-temurin:21-jre-alpine")["Env"])  # type: ignore[operator]
    cacerts = _file_from_image(engine, "eclipse-temurin:21-jre-alpine", "/opt/java/openjdk/lib/security/cacerts")
    assert len(cacerts) > 50_000


# --- nginx ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("image", ["nginx:1.25-alpine", "nginx:1.25"])
def test_nginx_serves_with_envsubst_templates(engine: Engine, prepared: dict[str, PrepareResult], image: str,
                                              tmp_path: Path) -> None:
    cfg = _config(engine, image)
    assert cfg["Entrypoint"] == ["/docker-entrypoint.sh"] and cfg["Cmd"] == ["nginx", "-g", "daemon off;"]
    assert cfg["StopSignal"] == "SIGQUIT" and "80/tcp" in cfg["ExposedPorts"]  # type: ignore[operator]
    assert sh(engine, image, "id nginx").strip() == "uid=101(nginx) gid=101(nginx) groups=101(nginx)"
    templates = tmp_path / "templates"
    html = tmp_path / "html"
    templates.mkdir()
    html.mkdir()
    (templates / "default.conf.template").write_text(
        "server {\n  listen 127.0.0.1:${NGINX_PORT};\n  location / {\n    root /usr/share/nginx/html;\n"
        "    add_header X-Uri $uri;\n  }\n}\n")
    (html / "index.html").write_text(f"hello from {image}\n")
    port = free_port()
    cid = engine.docker("run", "-d", "--pull=never", "--network", "host", "-e", f"NGINX_PORT={port}",
                        "-v", f"{templates}:/etc/nginx/templates:ro", "-v", f"{html}:/usr/share/nginx/html:ro",
                        image).stdout.strip()
    try:
        body, headers = "", {}
        for _ in range(50):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as resp:
                    body, headers = resp.read().decode(), dict(resp.headers)
                break
            except OSError:
                time.sleep(0.2)
        assert body == f"hello from {image}\n", engine.docker("logs", cid, check=False).stderr
        assert headers.get("X-Uri") == "/index.html"  # nginx's own $uri survived envsubst
        procs = engine.docker("top", cid, "-o", "pid,uid,args").stdout
        assert any(line.split()[1] == "101" and "worker" in line for line in procs.splitlines()[1:]), procs
        logs = engine.docker("logs", cid).stdout
        assert "Running envsubst on /etc/nginx/templates/default.conf.template" in logs
    finally:
        engine.docker("rm", "-f", cid, check=False)


def test_nginx_default_page_layout(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    for image in ("nginx:1.25-alpine", "nginx:1.25"):
        out = sh(engine, image, "nginx -T 2>/dev/null | grep -E 'root|include /etc/nginx/conf.d'; "
                 "ls /usr/share/nginx/html; readlink /var/log/nginx/access.log; ls /docker-entrypoint.d")
        assert "/usr/share/nginx/html" in out and "index.html" in out and "50x.html" in out
        assert "/dev/stdout" in out and "20-envsubst-on-templates.sh" in out


# --- distroless, debian ---------------------------------------------------------------------------------


@pytest.mark.parametrize("image,user,workdir", [
    ("gcr.io/distroless/static-debian12", "0", "/"),
    ("gcr.io/distroless/static-debian12:nonroot", "65532", "/home/nonroot"),
    ("gcr.io/distroless/static:nonroot", "65532", "/home/nonroot"),
    ("gcr.io/distroless/base-debian12:nonroot", "65532", "/home/nonroot"),
    ("gcr.io/distroless/java21-debian12:nonroot", "65532", "/home/nonroot"),
])  # fmt: skip
def test_distroless_users(engine: Engine, prepared: dict[str, PrepareResult], image: str, user: str,
                          workdir: str) -> None:
    cfg = _config(engine, image)
    assert cfg["User"] == user and cfg["WorkingDir"] == workdir
    passwd = _file_from_image(engine, image, "/etc/passwd").decode()
    assert "nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin" in passwd
    bundle = _file_from_image(engine, image, "/etc/ssl/certs/ca-certificates.crt")
    assert bundle.count(b"BEGIN CERTIFICATE") > 100


def test_distroless_has_no_shell(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    proc = run(engine, "gcr.io/distroless/base-debian12", "/bin/sh", "-c", "true", check=False)
    assert proc.returncode != 0


def test_debian_slim(engine: Engine, prepared: dict[str, PrepareResult]) -> None:
    out = run(engine, "debian:bookworm-slim", "bash", "-c",
              "cat /etc/debian_version; ls /usr/share/doc | head -1; ls /usr/share/man 2>/dev/null | wc -l; "
              "dpkg -l | grep -c '^ii'; dpkg -s usrmerge >/dev/null 2>&1 || echo no-usrmerge; "
              "command -v curl || echo no-curl; readlink /bin").stdout
    lines = out.splitlines()
    assert lines[0].startswith("12.") and "no-usrmerge" in out and "no-curl" in out and lines[-1] == "usr/bin"
    assert lines[2] == "0"  # man pages excluded, as on upstream slim
    assert prepared["debian:bookworm-slim"].size_mb and prepared["debian:bookworm-slim"].size_mb < 85
    assert _config(engine, "debian:12-slim")["Cmd"] == ["bash"]
