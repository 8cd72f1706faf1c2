# expect-fail: artifact-copies
# The whole target/ folder is copied instead of the jar: compiled test classes, Surefire
# reports and Maven's bookkeeping ship next to app.jar.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target /app/target
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/target/app.jar"]
