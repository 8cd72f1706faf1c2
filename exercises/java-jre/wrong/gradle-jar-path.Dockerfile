# expect-fail: build
# The jar path comes from a Gradle tutorial (build/libs/); Maven writes target/:
# "/app/build/libs/app.jar": not found (pitfall 2).
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src ./src
RUN mvn -B -q package

FROM eclipse-temurin:21-jre-alpine AS runtime
RUN addgroup -S app && adduser -S -G app app
WORKDIR /app
COPY --from=build /app/build/libs/app.jar /app/app.jar
ENV HOST=0.0.0.0 PORT=8080
USER app:app
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/app.jar"]
