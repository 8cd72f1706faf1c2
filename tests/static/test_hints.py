"""Build errors of a build without network get a hint that says so plainly, recognised by the tools' own words
(the texts below were printed by real builds of tiny Dockerfiles on this project's offline engine)."""

from __future__ import annotations

import pytest

from checker.hints import build_hint

SEEN = {
    "wget": "#5 0.129 wget: bad address 'files.example.invalid'\n"
    'ERROR: process "/bin/sh -c wget -q -O /tmp/tool.tar.gz http://files.example.invalid/tool.tar.gz" did not '
    "complete successfully: exit code: 1",
    "apk": "#5 0.068 ERROR: unable to select packages:\n#5 0.068   jq (no such package):\n"
    "#5 0.068     required by: world[jq]\n"
    "#5 0.068 ERROR: this is Stagewise's OFFLINE SUBSTITUTE for Alpine: nothing can be downloaded.",
    "apt-get": "#5 7.558 Reading state information...\n#5 7.568 E: Unable to locate package jq\n"
    'ERROR: process "/bin/sh -c apt-get update && apt-get install -y --no-install-recommends jq" did not '
    "complete successfully: exit code: 100",
    "npm": "#6 0.569 npm error code ENOTCACHED\n#6 0.569 npm error request to http://127.0.0.1:9/left-pad "
    "failed: cache mode is 'only-if-cached' but no cached response is available.",
}


@pytest.mark.parametrize("tool", list(SEEN))
def test_no_network_is_said_plainly(tool: str) -> None:
    hint = build_hint(SEEN[tool])
    assert hint is not None and "no network" in hint, hint
    assert "Docker tried to fetch an image" not in hint


def test_maven_offline_after_go_offline() -> None:
    text = ("[ERROR] Plugin org.apache.maven.plugins:maven-surefire-plugin:2.12.4 or one of its dependencies could "
            "not be resolved: Cannot access central (https://repo.example/maven2) in offline mode and the artifact "
            "org.apache.maven.plugins:maven-surefire-plugin:jar:2.12.4 has not been downloaded from it before.")
    hint = build_hint(text)
    assert hint is not None and "go-offline" in hint and "-o" in hint


def test_an_image_pull_is_still_an_image_pull() -> None:
    hint = build_hint("ERROR: pull access denied for bulid, repository does not exist or may require 'docker login'")
    assert hint is not None and "stage" in hint


@pytest.mark.parametrize(("text", "words"), [
    ("#9 0.21 mkdir: can't create directory '/app/logs': Permission denied", ["before USER", "chown"]),
    ('nginx: [emerg] mkdir() "/var/cache/nginx/client_temp" failed (13: Permission denied)',
     ["/var/cache/nginx", "nginx-unprivileged"]),
    ("nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)", ["below 1024", "8080"]),
])
def test_non_root_write_errors_name_the_fix(text: str, words: list[str]) -> None:
    hint = build_hint(text)
    assert hint is not None and all(w in hint for w in words), hint


def test_maven_offline_quotes_mavens_own_line() -> None:
    """The error `mvn -o package` printed after go-offline on the engine (exercises/migration/wrong/)."""
    text = ("#12 9.321 [ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:2.22.3:test "
            "(default-test) on project catalog: Unable to generate classpath: org.apache.maven.artifact.resolver."
            "MultipleArtifactsNotFoundException: Missing:\n#12 9.321 [ERROR] ----------\n")
    hint = build_hint(text)
    assert hint is not None and "maven-surefire-plugin:2.22.3:test" in hint and "go-offline" in hint


def test_nginx_template_not_rendered_for_a_non_root_user() -> None:
    text = ("20-envsubst-on-templates.sh: ERROR: /etc/nginx/templates exists, but /etc/nginx/conf.d is not writable\n"
            "nginx: [emerg] bind() to 0.0.0.0:80 failed (13: Permission denied)\n")
    hint = build_hint(text)
    assert hint is not None and "not rendered" in hint and "chown" in hint
