# Migration step 2: cache-friendly build stage (course text 6.3).
# expect-reached: Step 2: cache
# The pom and the dependency step come before the sources, so a code change reuses the
# dependency layer. (Add a .dockerignore too: see Dockerfile.dockerignore.)

FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app

# Dependencies first
COPY pom.xml .
RUN mvn -q -B dependency:go-offline

# Then source; `package` now also runs the unit tests (they need no downloads)
COPY src ./src
RUN mvn -q -B package

FROM eclipse-temurin:21-jre-alpine
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
EXPOSE 8080
CMD ["java","-jar","app.jar"]
