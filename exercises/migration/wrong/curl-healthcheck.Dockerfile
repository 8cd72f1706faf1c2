# expect-fail: runtime
# The course text's step 4 health check, kept as is: Alpine has no curl (and this service has
# no /actuator/health), so every check fails and the container ends up unhealthy (pitfall 34).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -f http://localhost:8080/actuator/health || exit 1
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]
CMD ["--profile=prod"]
