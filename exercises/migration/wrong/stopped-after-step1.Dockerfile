# expect-fail: cache-ordering,hardening,runtime
# Step 1 only: two stages, but the build stage still copies everything before Maven runs
# (no dependency layer to reuse), and the runtime runs as root with no health check.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY . .
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:21-jre-alpine
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
EXPOSE 8080
CMD ["java","-jar","app.jar","--profile=prod"]
