"""The rules that name section 1 of issue 12's pitfalls: each on a Dockerfile with the mistake (the finding,
its line and what the message says) and on the fixed one. Each case fails when its rule is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.report import Status
from checker.spec import HttpProbe, SmokeTest, Spec

from ._helpers import of, run

GO = "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/app .\n\n"
NODE = "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n\n"

# (rule, dockerfile, status, line, words the message must contain)
CASES = [
    # pitfall 4: a deps stage inserted above: index 0 is now the deps stage, the binary is in `build`
    ("SW701", "FROM golang:1.23-alpine AS deps\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\n"
     "FROM deps AS build\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /out/server .\n"
     'FROM scratch\nCOPY --from=0 /out/server /server\nENTRYPOINT ["/server"]\n',
     Status.WARN, 9, ["stage #0 `deps`", "`build`", "line 7", "--from=build"]),
    # pitfall 6
    ("SW208", NODE + "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist/* /usr/share/nginx/html/\n",
     Status.WARN, 9, ["*contents*", "/usr/share/nginx/html/assets/app.js", "/app/dist/"]),
    ("SW208", NODE + "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist/ /usr/share/nginx/html/\n",
     Status.PASS, None, []),
    # pitfall 10
    ("SW502", "FROM maven:3.9 AS build\nENV JAVA_OPTS=-Xmx256m\nRUN mvn -B package\n"
     'FROM eclipse-temurin:21-jre\nCOPY --from=build /target/app.jar /app.jar\nCMD ["java", "-jar", "/app.jar"]\n',
     Status.WARN, 2, ["`JAVA_OPTS`", "does not inherit", "empty"]),
    ("SW502", "FROM golang:1.23 AS build\nENV CGO_ENABLED=0\nRUN go build -o /app .\n"
     "FROM scratch\nCOPY --from=build /app /app\n", Status.PASS, None, []),  # a build setting: not blamed
    ("SW502", "FROM maven:3.9 AS build\nENV APP_MODE=prod\nRUN mvn -B package -Dmode=$APP_MODE\n"
     "FROM eclipse-temurin:21-jre\nCOPY --from=build /target/app.jar /app.jar\n", Status.PASS, None, []),
    # pitfall 12
    ("SW503", GO + 'FROM scratch\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n',
     Status.WARN, 6, ["x509: certificate signed by unknown authority", "--from=build"]),
    ("SW503", GO + "FROM scratch\nCOPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
     Status.PASS, None, []),
    # pitfall 13
    ("SW504", GO + "FROM scratch\nENV TZ=Europe/Berlin\nCOPY --from=build /out/app /app\n",
     Status.WARN, 7, ["unknown time zone Europe/Berlin", "-tags timetzdata"]),
    ("SW504", GO.replace("go build", "go build -tags timetzdata") + "FROM scratch\nENV TZ=Europe/Berlin\n"
     "COPY --from=build /out/app /app\n",
     Status.PASS, None, []),
    ("SW504", GO + "FROM alpine:3.20\nENV TZ=Europe/Madrid\nCOPY --from=build /out/app /app\n",
     Status.WARN, 7, ["apk add --no-cache tzdata"]),
    # pitfall 17
    ("SW209", GO.replace("CGO_ENABLED=0 ", "") + 'FROM scratch\nCOPY --from=build /out/app /app\n',
     Status.WARN, 7, ["CGO_ENABLED=0", "glibc", "no such file or directory"]),
    ("SW209", GO.replace("golang:1.23", "golang:1.23-alpine").replace("CGO_ENABLED=0 ", "")
     + "FROM scratch\nCOPY --from=build /out/app /app\n", Status.PASS, None, []),  # no gcc there: static
    ("SW209", GO.replace("golang:1.23", "golang:1.23-alpine").replace("CGO_ENABLED=0 ", "")
     .replace("WORKDIR", "RUN apk add --no-cache gcc musl-dev\nWORKDIR")
     + "FROM scratch\nCOPY --from=build /out/app /bin/\n",
     Status.WARN, 8, ["linked against musl", "`exec /bin/app: no such file", "an Alpine image"]),
    # pitfall 18
    ("SW210", "FROM eclipse-temurin:21-jdk AS jre\nRUN jlink --add-modules java.base --output /opt/jre\n"
     "FROM alpine:3.20\nCOPY --from=jre /opt/jre /opt/jre\n",
     Status.WARN, 4, ["glibc", "musl", "ld-musl-x86_64.so.1", "line 2"]),
    ("SW210", "FROM eclipse-temurin:21-jdk-alpine AS jre\nRUN jlink --add-modules java.base --output /opt/jre\n"
     "FROM alpine:3.20\nCOPY --from=jre /opt/jre /opt/jre\n", Status.PASS, None, []),
    ("SW210", "FROM node:22 AS b\nRUN npm run build\nFROM nginx:1.27-alpine\n"
     "COPY --from=b /dist /usr/share/nginx/html\n",
     Status.PASS, None, []),  # plain files cross libc families freely
    # pitfall 19
    ("SW211", "FROM node:22 AS deps\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci --omit=dev\n"
     "FROM node:22-alpine\nWORKDIR /app\nCOPY --from=deps /app/node_modules ./node_modules\n",
     Status.WARN, 7, ["glibc", "musl", "symbol not found"]),
    ("SW211", "FROM node:20-alpine AS deps\nRUN npm ci\nFROM node:22-alpine\n"
     "COPY --from=deps /node_modules /node_modules\n",
     Status.WARN, 4, ["Node 20", "Node 22", "NODE_MODULE_VERSION"]),
    ("SW211", "FROM node:22-alpine AS deps\nRUN npm ci\nFROM node:22-alpine\n"
     "COPY --from=deps /node_modules /node_modules\n",
     Status.PASS, None, []),
    # pitfall 27
    ("SW011", NODE + "FROM build AS test\nRUN npm test\n\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /html\n",
     Status.WARN, 9, ["never run", "--target test", "COPY --from=test"]),
    ("SW011", NODE + "FROM build AS test\nRUN npm test && touch /ok\n\nFROM nginx:1.27-alpine\n"
     "COPY --from=test /ok /\n",
     Status.SKIP, None, []),
    # pitfall 25
    ("SW305", "FROM maven:3.9 AS b\nCOPY pom.xml .\nRUN mvn -B dependency:go-offline\nCOPY src src\n"
     "RUN mvn -B -o package\n",
     Status.WARN, 5, ["go-offline", "in offline mode", "MDEP-82"]),
    ("SW305", "FROM maven:3.9 AS b\nCOPY pom.xml .\nRUN mvn -B dependency:go-offline\nCOPY src src\n"
     "RUN mvn -B package\n",
     Status.PASS, None, []),
    # pitfall 31
    ("SW407", "FROM node:22-slim\nWORKDIR /app\nCOPY . .\nUSER node\nRUN mkdir logs\n",
     Status.WARN, 5, ["/app", "root", "Permission denied", "chown node"]),
    ("SW407", "FROM node:22-slim\nWORKDIR /app\nRUN mkdir /app/uploads\nUSER node\n",
     Status.WARN, 4, ["/app/uploads", "chown node /app/uploads"]),
    ("SW407", "FROM node:22-slim\nWORKDIR /app\nRUN mkdir /app/uploads && chown node /app/uploads\nUSER node\n",
     Status.PASS, None, []),
    # pitfall 33
    ("SW408", "FROM nginx:1.27-alpine\nCOPY dist/ /usr/share/nginx/html/\nUSER nginx\n",
     Status.WARN, 3, ["/var/cache/nginx", "/var/run/nginx.pid", "client_temp", "nginx-unprivileged"]),
    ("SW408", "FROM nginx:1.27-alpine\nRUN chown -R nginx /var/cache/nginx /etc/nginx/conf.d && touch "
     "/var/run/nginx.pid && chown nginx /var/run/nginx.pid\nUSER nginx\n", Status.PASS, None, []),
    # pitfall 37
    ("SW505", "FROM node:22-slim\nENV PORT=8080\nEXPOSE 3000\n"
     "", Status.WARN, 3, ["8080", "`PORT=8080`", "EXPOSE 8080"]),
    ("SW505", NODE + "FROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\nEXPOSE 3000\n",
     Status.WARN, 10, ["listens on 80"]),
    ("SW505", "FROM node:22-slim\nENV PORT=8080\nEXPOSE 8080/tcp\n", Status.PASS, None, []),
    # pitfall 40
    ("SW212", "FROM gcr.io/distroless/static-debian12\nCOPY --from=node:22 /usr/local/bin/node /usr/local/bin/node\n",
     Status.WARN, 2, ["`node:22`", "shared libraries", "no such file or directory", "ldd"]),
    ("SW212", "FROM scratch\nCOPY --from=busybox:1.36 /bin/busybox /busybox\n", Status.PASS, None, []),
    ("SW212", "FROM scratch\nCOPY --from=alpine:3.20 /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/\n",
     Status.PASS, None, []),
    # no network in builds
    ("SW012", "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n"
     "RUN wget -O /x https://get.example.invalid/x\n",
     Status.WARN, 3, ["https://get.example.invalid/x", "no network"]),
    ("SW012", "FROM alpine:3.20\nADD https://get.example.invalid/x.tgz /x.tgz\n", Status.WARN, 2, ["no network"]),
    ("SW012", "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\n", Status.PASS, None, []),
]


@pytest.mark.parametrize(("rule", "text", "status", "line", "words"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_pitfall_rule(rule: str, text: str, status: Status, line: int | None, words: list[str]) -> None:
    mine = of(run(text), rule)
    hit = [f for f in mine if f.status is status]
    assert hit, [(f.status, f.message) for f in mine]
    f = hit[0]
    if line is not None:
        assert f.line == line, f.message
        assert f"Line {line}" in f.message
    said = f.message + " " + (f.hint or "")
    for w in words:
        assert w in said, (w, said)
    if status is Status.WARN:
        assert f.hint and f.lesson.startswith("lessons/")


def test_sw701_does_not_suggest_the_name_of_the_wrong_stage() -> None:
    text = CASES[0][1]
    f = of(run(text), "SW701")[0]
    assert "--from=deps" not in (f.hint or "")


def test_sw005_target_typo_suggests_the_closest_stage_not_a_rename() -> None:
    text = "FROM golang:1.23 AS build\nRUN go version\nFROM alpine:3.20 AS runtime\n"
    f = of(run(text, target="runtme"), "SW005")[0]
    assert f.status is Status.FAIL and "--target runtime" in (f.hint or "") and "AS runtme" not in (f.hint or "")
    # the exercise's own target: the learner's stage is the one to rename
    spec = Spec(id="x", title="x", target="runtime")
    g = of(run(text.replace("AS runtime", "AS runtim"), spec=spec), "SW005")[0]
    assert "rename your stage `AS runtim` (line 3) to `AS runtime`" in (g.hint or "")


def test_sw405_user_and_group_of_one_name_is_one_finding() -> None:
    found = [f for f in of(run("FROM alpine:3.20\nUSER app:app\n"), "SW405") if f.status is Status.FAIL]
    assert len(found) == 1


def test_sw207_says_buildkit_copies_both_jars() -> None:
    text = ("FROM gradle:8.10 AS b\nRUN gradle bootJar\nFROM eclipse-temurin:21-jre\n"
            "COPY --from=b /home/gradle/build/libs/*.jar app.jar\n")
    f = of(run(text), "SW207")[0]
    assert "silently wins" in f.message and "the build fails" not in f.message


def test_sw505_knows_the_exercises_port_variable() -> None:
    spec = Spec(id="x", title="x", smoke=SmokeTest(http=HttpProbe(port_env="LISTEN")))
    f = of(run("FROM alpine:3.20\nENV LISTEN=9000\nEXPOSE 8080\n", spec=spec), "SW505")[0]
    assert f.status is Status.WARN and "9000" in f.message and "this exercise's app reads" in f.message


def test_sw502_names_the_exercises_port_variable_even_if_it_looks_like_a_build_setting() -> None:
    spec = Spec(id="x", title="x", smoke=SmokeTest(http=HttpProbe(port_env="PORT")))
    text = "FROM node:22 AS b\nENV PORT=8080\nRUN npm run build\nFROM node:22-slim\nCOPY --from=b /dist /dist\n"
    f = of(run(text, spec=spec), "SW502")[0]
    assert f.status is Status.WARN and "this exercise's app reads" in f.message


def _context(tmp_path: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def test_sw304_names_the_file_and_the_pattern(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {".dockerignore": "# keep it small\n*.json\n!package.json\n", "package.json": "{}",
                              "package-lock.json": "{}"})
    text = "FROM node:22-alpine\nWORKDIR /app\nCOPY package.json package-lock.json ./\nRUN npm ci\n"
    f = [x for x in of(run(text, context_dir=ctx), "SW304") if x.status is Status.FAIL]
    assert len(f) == 1 and "`package-lock.json`" in f[0].message
    assert "line 2 of .dockerignore (`*.json`)" in f[0].message
    (tmp_path / ".dockerignore").write_text("*.json\n!package*.json\n")
    assert {x.status for x in of(run(text, context_dir=ctx), "SW304")} == {Status.PASS}


def test_sw303_finds_ignore_files_the_build_never_reads(tmp_path: Path) -> None:
    ctx = _context(tmp_path, {"docker/.dockerignore": "node_modules\n", "dockerignore": ".git\n"})
    found = {f.evidence[0]: f for f in of(run("FROM alpine:3.20\nCOPY . /app\n", context_dir=ctx), "SW303")}
    assert set(found) == {"docker/.dockerignore", "dockerignore"}
    assert "docker/Dockerfile.dockerignore" in (found["docker/.dockerignore"].hint or "")
    assert "Rename it to `.dockerignore`" in (found["dockerignore"].hint or "")
    (tmp_path / "dockerignore").rename(tmp_path / ".dockerignore")
    (tmp_path / "docker" / ".dockerignore").unlink()
    assert {f.status for f in of(run("FROM alpine:3.20\nCOPY . /app\n", context_dir=ctx), "SW303")} == {Status.PASS}


def test_sw302_reads_the_one_ignore_file_buildkit_reads(tmp_path: Path) -> None:
    """`Dockerfile.dockerignore` beside the Dockerfile wins over `.dockerignore`: its patterns alone count."""
    ctx = _context(tmp_path, {".dockerignore": "node_modules\n.git\n", "Dockerfile.dockerignore": "*.log\n"})
    (tmp_path / "node_modules").mkdir()
    text = "FROM node:22-alpine\nWORKDIR /app\nCOPY . .\n"
    f = [x for x in of(run(text, context_dir=ctx), "SW302") if x.status is Status.FAIL]
    assert f and "Dockerfile.dockerignore does not exclude `node_modules/`" in f[0].message
    (tmp_path / "Dockerfile.dockerignore").unlink()
    assert {x.status for x in of(run(text, context_dir=ctx), "SW302")} == {Status.PASS}
