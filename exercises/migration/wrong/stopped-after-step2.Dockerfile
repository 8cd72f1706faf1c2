# expect-fail: hardening,runtime
# Steps 1 and 2 done, step 4 skipped: root user, no HEALTHCHECK, no ENV defaults, CMD only.
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B package

FROM eclipse-temurin:21-jre-alpine
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
EXPOSE 8080
CMD ["java","-jar","app.jar","--profile=prod"]
