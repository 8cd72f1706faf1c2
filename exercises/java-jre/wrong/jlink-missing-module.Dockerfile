# expect-fail: runtime
# A custom runtime made with jlink, but only java.base: the service uses the JDK's HTTP
# server (module jdk.httpserver), so it dies at start with
# NoClassDefFoundError: com/sun/net/httpserver/HttpHandler (pitfall 39).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jdk-alpine AS jre
RUN jlink --add-modules java.base --strip-debug --no-man-pages --no-header-files --output /opt/jre

FROM alpine:3.20 AS runtime
COPY --from=jre /opt/jre /opt/jre
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar /app/app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
ENTRYPOINT ["/opt/jre/bin/java", "-jar", "/app/app.jar"]
