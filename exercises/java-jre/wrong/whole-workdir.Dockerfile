# expect-fail: artifact-copies
# COPY --from copies the builder's whole /app: pom.xml, src/ (sources and tests) and target/
# all ship; only target/app.jar is needed.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
COPY --from=build /app /app
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/target/app.jar"]
