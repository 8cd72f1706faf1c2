# expect-fail: runtime
# APP_PROFILE=prod is set with ENV in the build stage, next to the Maven step, and the default
# `--profile=prod` argument was dropped: the runtime stage starts from the JRE image, not from the
# build stage, so it inherits nothing and the service runs with the "dev" profile (pitfall 10).
FROM maven:3.9-eclipse-temurin-21 AS build
ENV APP_PROFILE=prod
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
ENV HOST=0.0.0.0 \
    PORT=8080
USER app:app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]
