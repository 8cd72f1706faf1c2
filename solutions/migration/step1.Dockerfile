# Migration step 1: build and runtime stages (course text 6.2).
# expect-reached: Step 1: stages
# Only the runtime stage ships: a JRE and the jar. Maven and the JDK stay in `build`.

# Stage 1: build
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY . .
RUN mvn -q -B package -DskipTests

# Stage 2: runtime
FROM eclipse-temurin:21-jre-alpine
WORKDIR /app
COPY --from=build /app/target/app.jar app.jar
EXPOSE 8080
CMD ["java","-jar","app.jar"]
