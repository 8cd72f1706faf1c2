# expect-fail: hardening
# Shell-form CMD: /bin/sh is PID 1, the JVM never gets SIGTERM, `docker stop` waits 10 s and
# kills it, and shutdown hooks do not run (pitfall 35).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/target/app.jar /app/app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
CMD java -jar /app/app.jar
