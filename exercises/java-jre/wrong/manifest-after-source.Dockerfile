# expect-fail: cache-ordering
# Two good stages, but the build stage copies everything before resolving: every source
# edit re-runs the dependency step (and, on a real project, re-downloads the internet).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY . .
RUN mvn -B -q dependency:go-offline
RUN mvn -B -q package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar /app/app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
