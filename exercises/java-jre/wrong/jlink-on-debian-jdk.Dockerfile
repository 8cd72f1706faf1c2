# expect-fail: none
# expect-finding: SW210
# A small custom runtime with jlink, made in the Debian-based JDK image (the tag without -alpine)
# and copied onto Alpine. That JRE is linked against glibc; on a real Alpine (musl) it dies at
# start with "Error relocating /opt/jre/lib/libjli.so: __strdup: symbol not found" or
# "exec /opt/jre/bin/java: no such file or directory" (pitfall 18). The offline alpine image used
# here is glibc, not musl, so this image does run here: the mismatch is judged from the
# Dockerfile (SW210, a warning), not shown by the smoke run.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jdk AS jre
RUN jlink --add-modules java.base,jdk.httpserver --strip-debug --no-man-pages --no-header-files \
      --output /opt/jre

FROM alpine:3.20 AS runtime
COPY --from=jre /opt/jre /opt/jre
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar /app/app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
