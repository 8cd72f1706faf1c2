# expect-fail: build
# `-o` added to the package step "because go-offline already downloaded everything". It did not:
# go-offline skips plugins the lifecycle binds and dependencies declared on plugins, so Maven stops
# with "Cannot access central (...) in offline mode and the artifact ... has not been downloaded
# from it before" (pitfall 25).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B -o package

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
CMD ["--profile=prod"]
