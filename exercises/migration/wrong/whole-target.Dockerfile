# expect-fail: artifact-copies
# target/ is copied whole: test classes, Surefire reports and Maven's bookkeeping ship
# next to the jar.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target ./target
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "target/app.jar"]
CMD ["--profile=prod"]
