"""Each static rule on a failing and a passing Dockerfile: status, reported line and concern verdict."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.report import Status
from checker.spec import RuleWeight, SmokeTest, Spec

from ._helpers import of, run, statuses, verdicts

GO_BUILD = (
    "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\n"
    "RUN CGO_ENABLED=0 go build -o /out/app .\n"
)
GOOD_GO = (
    GO_BUILD + "\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\n"
    'ENTRYPOINT ["/app"]\n'
)
NODE_BUILD = (
    "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\nRUN npm run build\n"
)
GOOD_NGINX = NODE_BUILD + "\nFROM nginx:1.27-alpine\nCOPY --from=build /app/dist /usr/share/nginx/html\n"


def first(findings: list, rule: str, status: Status):  # type: ignore[no-untyped-def]
    hit = [f for f in of(findings, rule) if f.status is status]
    assert hit, [(f.status, f.message) for f in of(findings, rule)]
    return hit[0]


# (rule, dockerfile, status, line, concern-verdict)
CASES = [
    ("SW002", GOOD_GO.replace("--from=build", "--from=bulid"), Status.FAIL, 9, ("build", "fail")),
    ("SW002", GOOD_GO, Status.PASS, None, ("build", "pass")),
    ("SW003", "FROM alpine:3.20 AS a\nCOPY --from=a /x /y\n", Status.FAIL, 2, ("build", "fail")),
    ("SW004", "FROM alpine:3.20 AS a\nCOPY --from=b /x /y\nFROM alpine:3.20 AS b\n", Status.WARN, 2, ("build", "pass")),
    ("SW004", "FROM later AS a\nFROM alpine:3.20 AS later\n", Status.FAIL, 1, ("build", "fail")),
    ("SW006", "FROM alpine:3.20 AS x\nFROM alpine:3.20 AS X\n", Status.FAIL, 2, ("build", "fail")),
    ("SW007", GO_BUILD + "FROM scratch\nCOPY --from=build /out/app /app\nRUN chmod +x /app\n", Status.FAIL, 9, None),
    (
        "SW008",
        "FROM node:22-alpine AS build\nENV NODE_ENV=production\nCOPY package*.json ./\nRUN npm ci\n"
        "COPY . .\nRUN npm run build\n",
        Status.WARN,
        4,
        None,
    ),
    ("SW009", "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY package.json ./\nRUN npm ci\n", Status.FAIL, 4, None),
    ("SW009", NODE_BUILD, Status.PASS, 4, None),
    ("SW010", "FROM alpine:3.20\nUSER app\nRUN adduser -D app\n", Status.FAIL, 2, ("build", "fail")),
    ("SW101", "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n", Status.FAIL, 1, ("stage-separation", "fail")),
    ("SW101", "FROM golang:1.23 AS build\nRUN go version\nFROM alpine:3.20\nRUN echo\n", Status.FAIL, 3, None),
    ("SW101", GOOD_GO, Status.PASS, 8, ("stage-separation", "pass")),
    (
        "SW102",
        GO_BUILD + "FROM golang:1.23\nCOPY --from=build /out/app /app\n",
        Status.FAIL,
        7,
        ("stage-separation", "fail"),
    ),
    (
        "SW102",
        "ARG IMG=maven:3.9\nFROM alpine:3.20 AS b\nRUN echo\nFROM ${IMG}\nCOPY --from=b /x /x\n",
        Status.FAIL,
        4,
        None,
    ),
    ("SW103", NODE_BUILD + 'FROM build AS runtime\nCMD ["node", "dist/server.js"]\n', Status.FAIL, 7, None),
    (
        "SW103",
        "FROM node:22-slim AS base\nWORKDIR /app\nFROM node:22-alpine AS build\nRUN npm ci\n"
        "FROM base\nCOPY --from=build /app/dist ./dist\n",
        Status.PASS,
        5,
        None,
    ),
    ("SW104", GO_BUILD + "FROM alpine:3.20\nRUN apk add --no-cache build-base\n", Status.FAIL, 8, None),
    ("SW104", GO_BUILD + "FROM node:22-slim\nCOPY --from=build /x /x\nRUN npm ci --omit=dev\n", Status.PASS, 7, None),
    (
        "SW104",
        GO_BUILD + "FROM python:3.12-slim\nCOPY --from=build /x /x\nRUN pip install -r requirements.txt\n",
        Status.WARN,
        9,
        None,
    ),
    ("SW201", GO_BUILD + "FROM scratch\nCOPY . .\n", Status.FAIL, 8, ("artifact-copies", "fail")),
    ("SW201", GO_BUILD + "FROM scratch\nCOPY main.go /main.go\n", Status.FAIL, 8, None),
    ("SW201", "FROM python:3.12-slim\nWORKDIR /app\nCOPY app/ ./app/\n", Status.PASS, 1, None),
    ("SW202", GO_BUILD + "FROM alpine:3.20\nCOPY --from=build / /\n", Status.FAIL, 8, None),
    ("SW202", "FROM scratch AS export\nCOPY x /x\nFROM alpine:3.20\nCOPY --from=export / /\n", Status.PASS, 3, None),
    (
        "SW203",
        NODE_BUILD + "FROM nginx:1.27-alpine\nCOPY --from=build /app /usr/share/nginx/html\n",
        Status.FAIL,
        8,
        None,
    ),
    ("SW203", GOOD_NGINX, Status.PASS, 8, None),
    (
        "SW204",
        "FROM maven:3.9 AS build\nWORKDIR /app\nRUN mvn package\nFROM eclipse-temurin:21-jre\n"
        "COPY --from=build /app/target /app\n",
        Status.FAIL,
        5,
        None,
    ),
    (
        "SW204",
        "FROM gradle:8.10 AS build\nWORKDIR /app\nRUN gradle bootJar\nFROM eclipse-temurin:21-jre\n"
        "COPY --from=build /app/build /app\n",
        Status.FAIL,
        5,
        None,
    ),
    (
        "SW204",
        NODE_BUILD + "FROM nginx:1.27-alpine\nCOPY --from=build /app/build /usr/share/nginx/html\n",
        Status.PASS,
        7,
        None,
    ),
    (
        "SW205",
        NODE_BUILD + "FROM node:22-slim\nCOPY --from=build /app/node_modules ./node_modules\n",
        Status.FAIL,
        8,
        None,
    ),
    (
        "SW205",
        NODE_BUILD.replace("RUN npm run build", "RUN npm run build && npm prune --omit=dev")
        + "FROM node:22-slim\nCOPY --from=build /app/node_modules ./node_modules\n",
        Status.PASS,
        7,
        None,
    ),
    (
        "SW206",
        NODE_BUILD + "FROM nginx:1.27-alpine\nCOPY --from=build dist /usr/share/nginx/html\n",
        Status.FAIL,
        8,
        None,
    ),
    (
        "SW207",
        "FROM gradle:8.10 AS b\nRUN gradle bootJar\nFROM eclipse-temurin:21-jre\n"
        "COPY --from=b /home/gradle/build/libs/*.jar app.jar\n",
        Status.WARN,
        4,
        None,
    ),
    (
        "SW301",
        "FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
        Status.FAIL,
        3,
        ("cache-ordering", "fail"),
    ),
    ("SW301", "FROM maven:3.9 AS b\nCOPY pom.xml .\nCOPY src ./src\nRUN mvn -B package\n", Status.FAIL, 3, None),
    (
        "SW301",
        "FROM golang:1.23 AS b\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build .\n",
        Status.WARN,
        2,
        None,
    ),
    (
        "SW301",
        "FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
        Status.PASS,
        3,
        ("cache-ordering", "pass"),
    ),
    (
        "SW301",
        "FROM rust:1.81 AS b\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo 'fn main(){}' > src/main.rs"
        " && cargo build --release\nCOPY src ./src\nRUN cargo build --release\n",
        Status.PASS,
        3,
        None,
    ),
    ("SW301", "FROM gradle:8.10 AS b\nCOPY . .\nRUN gradle build --no-daemon\n", Status.FAIL, 2, None),
    (
        "SW301",
        "FROM node:22 AS deps\nCOPY package*.json ./\nRUN yarn install\nFROM deps AS build\nCOPY . .\nRUN yarn build\n",
        Status.PASS,
        3,
        None,
    ),
    ("SW401", GO_BUILD + "FROM alpine:3.20\nCOPY --from=build /out/app /app\n", Status.FAIL, 7, ("hardening", "fail")),
    ("SW401", GO_BUILD + "FROM alpine:3.20\nUSER 10001\nUSER root\n", Status.FAIL, 9, None),
    ("SW401", GOOD_GO, Status.PASS, 8, None),
    ("SW401", "FROM nginx:1.27\nUSER nginx\nEXPOSE 80\n", Status.WARN, 3, None),
    ("SW402", GOOD_GO.replace('ENTRYPOINT ["/app"]', "ENTRYPOINT /app"), Status.FAIL, 10, ("hardening", "fail")),
    ("SW402", "FROM alpine:3.20\nUSER 1\nCMD echo hi\n", Status.FAIL, 3, None),
    ("SW402", GOOD_GO, Status.PASS, 10, None),
    ("SW403", "FROM gcr.io/distroless/static-debian12:nonroot\nHEALTHCHECK CMD /app health\n", Status.FAIL, 2, None),
    ("SW403", "FROM alpine:3.20\nUSER 1\nHEALTHCHECK CMD curl -f http://localhost/ || exit 1\n", Status.WARN, 3, None),
    (
        "SW403",
        "FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 1\nHEALTHCHECK CMD curl -f http://localhost/\n",
        Status.PASS,
        4,
        None,
    ),
    ("SW403", 'FROM alpine:3.20\nHEALTHCHECK CMD ["wget", "-q", "http://127.0.0.1:${PORT}/"]\n', Status.WARN, 2, None),
    ("SW404", GO_BUILD + "FROM alpine\nCOPY --from=build /out/app /app\n", Status.FAIL, 7, ("hardening", "fail")),
    ("SW404", "ARG V=3.20\nFROM alpine:${V}\n", Status.PASS, 2, None),
    ("SW404", "ARG V\nFROM alpine:${V}\n", Status.FAIL, 2, None),
    ("SW404", "FROM alpine:3.20\nCOPY --from=busybox /bin/busybox /bin/\n", Status.WARN, 2, None),
    ("SW404", "FROM node:lts-alpine\n", Status.WARN, 1, None),
    ("SW405", "FROM scratch\nUSER nobody\n", Status.FAIL, 2, None),
    ("SW405", "FROM alpine:3.20\nCOPY --chown=app:app x /x\n", Status.FAIL, 2, None),
    ("SW405", "FROM alpine:3.20\nRUN adduser -D app\nCOPY --chown=app:app x /x\nUSER app\n", Status.PASS, 1, None),
    ("SW405", "FROM gcr.io/distroless/static-debian12\nUSER nonroot\n", Status.WARN, 2, None),
    ("SW406", "FROM alpine:3.20\nENV API_TOKEN=abc\n", Status.FAIL, 2, None),
    ("SW406", "FROM alpine:3.20 AS b\nARG NPM_TOKEN\nFROM alpine:3.20\nCOPY --from=b /x /x\n", Status.WARN, 2, None),
    ("SW406", "FROM alpine:3.20\nENV TOKEN_URL=https://x PUBLIC_KEY_PATH=/k\n", Status.PASS, 1, None),
    (
        "SW501",
        'FROM gcr.io/distroless/java21-debian12\nCOPY a.jar /a.jar\nCMD ["java", "-jar", "/a.jar"]\n',
        Status.FAIL,
        3,
        ("runtime", "fail"),
    ),
    ("SW501", 'FROM gcr.io/distroless/java21-debian12\nCOPY a.jar /a.jar\nCMD ["/a.jar"]\n', Status.PASS, 3, None),
    ("SW601", "FROM alpine:3.20\nCOPY app /app\nRUN chown -R 1000 /app\n", Status.FAIL, 3, ("size", "fail")),
    ("SW601", "FROM alpine:3.20\nCOPY app /app\nRUN rm -rf /app/tests\n", Status.WARN, 3, None),
    ("SW601", "FROM alpine:3.20\nRUN mkdir /data && chown -R 1000 /data\n", Status.PASS, 1, None),
    ("SW701", "FROM golang:1.23\nRUN go build\nFROM scratch\nCOPY --from=0 /a /a\n", Status.WARN, 4, ("lint", "pass")),
    ("SW702", "ARG V=1\nFROM alpine:3.20\nRUN echo $V\n", Status.WARN, 3, None),
    ("SW702", "ARG V=1\nFROM alpine:3.20\nARG V\nRUN echo $V\n", Status.PASS, 2, None),
    ("SW702", "FROM alpine:3.20\nRUN echo $TARGETARCH\n", Status.WARN, 2, None),
    ("SW702", "FROM alpine:3.20\nARG MODE=x\nCMD echo $MODE\n", Status.WARN, 3, None),
    ("SW702", "FROM alpine:3.20 AS a\nENV X=1\nFROM alpine:3.20\nRUN echo $X\n", Status.WARN, 4, None),
    # issue 13: the families found on real Dockerfiles
    ("SW101", "FROM scratch\nCOPY app /\nENTRYPOINT [\"/app\"]\n", Status.PASS, 1, ("stage-separation", "pass")),
    ("SW101", "FROM alpine:3.20\nRUN apk add --no-cache ca-certificates\nCOPY dist/app /usr/bin/\n", Status.PASS, 1,
     None),
    ("SW101", "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n", Status.FAIL, 1, ("stage-separation", "fail")),
    ("SW104", "FROM python:3.12-alpine\nRUN apk add --virtual .b gcc musl-dev && pip install uwsgi && apk del .b\n",
     Status.WARN, 2, ("stage-separation", "pass")),  # gcc is gone after the RUN: only pip's advice is left
    ("SW104", "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y build-essential\n", Status.FAIL, 2,
     None),
    ("SW201", "FROM rust:1.81 AS b\nRUN cargo build\nFROM debian:12-slim\nCOPY --from=b /t/app /app\n"
     "COPY configuration configuration\nCOPY docker-entrypoint.sh /\n", Status.PASS, None, None),
    ("SW201", "FROM node:22-slim AS base\nCOPY . .\nFROM base\nCMD [\"node\", \"server.js\"]\n", Status.FAIL, 2,
     ("artifact-copies", "fail")),
    ("SW301", "FROM oven/bun:1 AS b\nCOPY package.json bun.lock ./\nRUN bun install --frozen-lockfile\nCOPY . .\n",
     Status.PASS, 3, ("cache-ordering", "pass")),
    ("SW301", "FROM oven/bun:1 AS b\nCOPY . .\nRUN bun install\n", Status.FAIL, 2, ("cache-ordering", "fail")),
    ("SW301", "FROM php:8.3-fpm\nCOPY . .\nRUN composer install --no-dev\n", Status.FAIL, 2, None),
    ("SW301", "FROM ruby:3.3-slim\nCOPY Gemfile Gemfile.lock .ruby-version ./\nRUN bundle install\nCOPY . .\n",
     Status.PASS, 3, None),
    ("SW301", "FROM lukemathwalker/cargo-chef:latest AS b\nCOPY recipe.json .\nRUN cargo chef cook --release\n"
     "COPY . .\nRUN cargo build --release\n", Status.PASS, 3, None),
    ("SW301", "FROM golang:1.23 AS b\nCOPY . .\nRUN make build\n", Status.FAIL, 2, ("cache-ordering", "fail")),
    ("SW301", "FROM python:3.12-slim\nRUN pip install poetry\nCOPY . .\nRUN poetry install\n", Status.FAIL, 3,
     None),
    ("SW301", "FROM node:22 AS b\nCOPY . .\nRUN --mount=type=cache,target=/root/.npm npm ci\n", Status.FAIL, 2,
     None),
    # a build script run in the only stage is build work, whatever it runs (the grading class's single stage)
    ("SW101", "FROM busybox:1.36\nWORKDIR /app\nCOPY . .\nRUN sh build.sh && cp /out/a /app/a\n", Status.FAIL, 1,
     ("stage-separation", "fail")),
    ("SW101", "FROM alpine:3.20\nCOPY . /app\nRUN ./scripts/build-linux.sh\n", Status.FAIL, 1, None),
    ("SW101", "FROM alpine:3.20\nCOPY entrypoint.sh /\nRUN sh /entrypoint.sh --check\n", Status.PASS, None, None),
]


@pytest.mark.parametrize(
    ("rule", "text", "status", "line", "concern"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_rule_case(rule: str, text: str, status: Status, line: int | None, concern: tuple[str, str] | None) -> None:
    findings = run(text)
    f = first(findings, rule, status)
    if line is not None:
        assert f.line == line, f.message
    if status is not Status.PASS:
        assert f"Line {f.line}" in f.message or f.rule in ("SW005", "SW302"), f.message
        assert f.hint, "non-passing findings carry a hint"
    assert f.lesson and f.lesson.startswith("lessons/")
    if concern is not None:
        assert verdicts(findings)[concern[0]] == concern[1]


def test_messages_quote_the_learners_line() -> None:
    findings = run(GOOD_GO.replace("--from=build", "--from=bulid"))
    f = first(findings, "SW002", Status.FAIL)
    assert "`COPY --from=bulid /out/app /app`" in f.message
    assert "Did you mean `build`?" in f.message
    assert "pull access denied for bulid" in f.message


def test_unknown_target(tmp_path: Path) -> None:
    findings = run(GOOD_GO, target="runtime")
    f = first(findings, "SW005", Status.FAIL)
    assert 'target stage "runtime" could not be found' in f.message
    assert verdicts(findings)["build"] == "fail"
    ok = run(GOOD_GO, target="BUILD")
    assert statuses(ok, "SW005") == {Status.PASS}
    # only the build stage is the target: the distroless stage is not judged
    assert statuses(ok, "SW102") == {Status.FAIL}


def test_builder_stages_are_never_blamed_for_hardening() -> None:
    text = (
        "FROM golang:1.23 AS build\nUSER root\nCMD go run .\nENV SECRET_PASSWORD=x\nCOPY . .\n"
        "RUN CGO_ENABLED=0 go build -o /out/app .\n\nFROM gcr.io/distroless/static-debian12:nonroot\n"
        'COPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n'
    )
    findings = run(text)
    for rule in ("SW401", "SW402", "SW404", "SW405"):
        assert Status.FAIL not in statuses(findings, rule), rule
    assert statuses(findings, "SW406") == {Status.WARN}  # a secret in a builder is a warning only
    assert verdicts(findings)["hardening"] == "pass"


def test_healthcheck_required_by_spec() -> None:
    spec = Spec(id="x", title="x", require_healthcheck=True)
    findings = run(GOOD_GO, spec=spec)
    f = first(findings, "SW403", Status.FAIL)
    assert f.line == 8
    assert statuses(run(GOOD_GO), "SW403") == {Status.SKIP}
    spec2 = Spec(id="x", title="x", smoke=SmokeTest(expect_healthy=True))
    assert statuses(run(GOOD_GO, spec=spec2), "SW403") == {Status.FAIL}


def test_non_root_not_required_is_a_warning() -> None:
    spec = Spec(id="x", title="x", require_non_root=False)
    findings = run("FROM nginx:1.27-alpine\nCOPY index.html /usr/share/nginx/html/\n", spec=spec)
    assert statuses(findings, "SW401") == {Status.WARN}


def test_dockerignore(tmp_path: Path) -> None:
    (tmp_path / "node_modules").mkdir()
    (tmp_path / ".git").mkdir()
    assert statuses(run(GOOD_NGINX), "SW302") == {Status.SKIP}
    f = first(run(GOOD_NGINX, context_dir=tmp_path), "SW302", Status.FAIL)
    assert f.line == 5 and "`node_modules/`" in f.message
    (tmp_path / ".dockerignore").write_text("# deps\nnode_modules/\n")
    f = first(run(GOOD_NGINX, context_dir=tmp_path), "SW302", Status.FAIL)
    assert "`.git/`" in f.message and "node_modules" not in f.message.split("exclude")[1].split("which")[0]
    (tmp_path / ".dockerignore").write_text("**/node_modules\n/.git\n")
    assert statuses(run(GOOD_NGINX, context_dir=tmp_path), "SW302") == {Status.PASS}
    (tmp_path / ".dockerignore").write_text("*\n!src\n")
    assert statuses(run(GOOD_NGINX, context_dir=tmp_path), "SW302") == {Status.PASS}
    (tmp_path / ".dockerignore").write_text("node_modules\n.git\n!.git\n")
    assert statuses(run(GOOD_NGINX, context_dir=tmp_path), "SW302") == {Status.FAIL}


def test_npm_ci_without_lockfile_in_context(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    f = first(run(NODE_BUILD, context_dir=tmp_path), "SW009", Status.FAIL)
    assert "build context has none" in f.message
    (tmp_path / "package-lock.json").write_text("{}")
    assert statuses(run(NODE_BUILD, context_dir=tmp_path), "SW009") == {Status.PASS}


def test_go_without_go_sum_needs_no_module_cache(tmp_path: Path) -> None:
    (tmp_path / "go.mod").write_text("module x\n")
    text = "FROM golang:1.23 AS b\nCOPY . .\nRUN go build -o /app .\n"
    assert statuses(run(text), "SW301") == {Status.FAIL}
    assert statuses(run(text, context_dir=tmp_path), "SW301") == {Status.PASS}


def test_spec_weights_override_defaults() -> None:
    text = "FROM golang:1.23\nCOPY . .\nRUN go build -o /app .\n"
    spec = Spec(
        id="x", title="x", rules={"SW101": RuleWeight(points=10), "SW102": RuleWeight(points=4, required=False)}
    )
    findings = run(text, spec=spec)
    sw101 = of(findings, "SW101")[0]
    assert (sw101.points, sw101.max_points) == (0.0, 10.0)
    sw102 = of(findings, "SW102")[0]
    assert sw102.status is Status.FAIL and sw102.max_points == 0.0  # not required: advisory
    assert of(findings, "SW104")[0].max_points == 0.0  # not listed in a non-empty spec.rules: advisory
    default = run(text)
    assert of(default, "SW101")[0].max_points == 3.0


def test_weight_is_shared_between_findings_of_one_rule() -> None:
    text = (
        "FROM node:22-alpine AS a\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
        "FROM golang:1.23 AS b\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /x .\n"
        "FROM alpine:3.20\nCOPY --from=a /app/dist /d\nCOPY --from=b /x /x\n"
    )
    found = of(run(text), "SW301")
    assert sorted(f.status.value for f in found) == ["fail", "pass"]
    assert sum(f.max_points for f in found) == pytest.approx(3.0)
    assert sum(f.points for f in found) == pytest.approx(1.5)
