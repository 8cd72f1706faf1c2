"""maven:3.9-eclipse-temurin-21 -> mmdebstrap of Debian trixie (slim excludes) with OpenJDK 21, Maven 3.9 and
Debian's packaged Maven plugins (with the shade plugin) and the libraries lesson 4's Java service depends
on (Jackson, Commons Text and Lang), plus a settings.xml that mirrors every repository to
file:///usr/share/maven-repo, so `mvn -B package` and `mvn -B dependency:go-offline` work with no network.

Maven 3.9's super-POM and lifecycle name plugin versions Debian does not package (dependency 3.7.0,
deploy 3.1.2, site 3.12.1, ...). Relocation POMs for those versions, pointing at the packaged ones, are
added to the repository (Debian itself ships such relocations for older versions), so poms that pin no
plugins resolve everything offline.
"""

from __future__ import annotations

import sys

from checker.images import kit
from checker.images.model import BuildContext, Substitute

SUITE = "trixie"
JAVA_HOME = "/usr/lib/jvm/java-21-openjdk-amd64"
PACKAGES = (
    "openjdk-21-jdk-headless", "binutils", "maven", "ca-certificates",
    "libmaven-compiler-plugin-java", "libmaven-jar-plugin-java", "libmaven-resources-plugin-java",
    "libsurefire-java", "libmaven-install-plugin-java", "libmaven-clean-plugin-java",
    "libmaven-deploy-plugin-java", "libmaven-site-plugin-java", "libmaven-dependency-plugin-java",
    # the lesson app's own dependencies (a real tree: Jackson, Commons Text -> Commons Lang) and the shade
    # plugin that packs them into one runnable jar
    "libjackson2-databind-java", "libmaven-shade-plugin-java",
)
# groupId artifactId version-Maven-asks-for: relocated to the newest packaged version of that plugin.
RELOCATIONS = """\
org.apache.maven.plugins maven-dependency-plugin 3.7.0
org.apache.maven.plugins maven-deploy-plugin 3.1.2
org.apache.maven.plugins maven-site-plugin 3.12.1
org.apache.maven.plugins maven-install-plugin 3.1.2
org.apache.maven.plugins maven-clean-plugin 3.2.0
org.apache.maven.plugins maven-resources-plugin 3.3.1
org.apache.maven.plugins maven-compiler-plugin 3.13.0
org.apache.maven.plugins maven-surefire-plugin 3.2.5
org.apache.maven.plugins maven-jar-plugin 3.4.1
"""

DOCKERFILE = """\
FROM {rootfs}
ENV JAVA_HOME={java_home} MAVEN_HOME=/usr/share/maven MAVEN_CONFIG=/root/.m2 \\
    LANG=C.UTF-8 PATH={java_home}/bin:{path}
COPY relocations.txt seed-repo.sh /usr/share/maven/stagewise/
RUN sh /usr/share/maven/stagewise/seed-repo.sh /usr/share/maven/stagewise/relocations.txt \\
 && java -version && mvn -v
ENTRYPOINT ["/usr/local/bin/mvn-entrypoint.sh"]
CMD ["mvn"]
"""


def build(ctx: BuildContext) -> None:
    tar = ctx.work / "rootfs.tar"
    settings = ctx.file("maven/settings.xml")
    entrypoint = ctx.file("maven/mvn-entrypoint.sh")
    ctx.mmdebstrap(SUITE, tar, variant="minbase", slim=True, include=PACKAGES,
                   # with man pages excluded, openjdk's postinst update-alternatives needs this folder
                   essential_hooks=['mkdir -p "$1"/usr/share/man/man1'],
                   customize_hooks=[
                       f'install -m 644 {settings} "$1"/etc/maven/settings.xml',
                       f'install -m 755 {entrypoint} "$1"/usr/local/bin/mvn-entrypoint.sh',
                       f'mkdir -p "$1"/opt/java && ln -s {JAVA_HOME} "$1"/opt/java/openjdk',
                       'mkdir -p "$1"/usr/share/maven/ref "$1"/root/.m2',
                   ])
    scratch_tag = f"stagewise-kit/maven-rootfs:{ctx.recipe_hash}"
    kit.docker_import(ctx.engine, tar, [scratch_tag], changes=[], labels=ctx.labels())
    tar.unlink()
    context = ctx.work / "context"
    context.mkdir()
    (context / "relocations.txt").write_text(RELOCATIONS)
    kit.copy_file(ctx.file("maven/seed-repo.sh"), context / "seed-repo.sh", 0o755)
    (context / "Dockerfile").write_text(DOCKERFILE.format(rootfs=scratch_tag, java_home=JAVA_HOME,
                                                          path=kit.DEFAULT_PATH))
    try:
        ctx.build_image(context)
    finally:
        ctx.engine.docker("rmi", scratch_tag, check=False)


SUBSTITUTE = Substitute(
    id="maven-temurin",
    upstream="maven:3.9-eclipse-temurin-21",
    aliases=("maven:3.9", "maven:3", "maven:latest", "maven:3.9.9-eclipse-temurin-21",
             "eclipse-temurin:21-jdk", "eclipse-temurin:21"),
    summary="mmdebstrap of Debian trixie (slim) + OpenJDK 21 + Maven 3.9 + Debian's Maven plugins, "
            "settings.xml mirroring everything to file:///usr/share/maven-repo",
    build=build,
    module=sys.modules[__name__],
    versions={"suite": SUITE, "packages": ",".join(PACKAGES), "slim": ",".join(kit.SLIM_DPKG_OPTIONS)},
    files=("maven",),
    deviations=(
        "Debian's OpenJDK 21 (java -version says Debian, not Temurin); JAVA_HOME is "
        f"{JAVA_HOME} (/opt/java/openjdk is a symlink to it)",
        "Maven resolves only what Debian packages: poms that pin plugin versions must use Debian's "
        "(or versions relocated to them); third-party dependencies cannot be downloaded",
        "eclipse-temurin:21-jdk / :21 are aliases of this image (CMD mvn, not jshell)",
    ),
    needs_mmdebstrap=True,
    estimate=60,
)
