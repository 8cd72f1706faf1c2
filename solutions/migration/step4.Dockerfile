# Migration step 4: harden the runtime stage (course text 6.5), on top of step 2's builder.
# expect-reached: Step 4: hardened runtime
# This is the end state: ./Dockerfile has the same instructions.

# ---- build stage (step 2) ----
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /app
COPY pom.xml .
RUN mvn -q -B dependency:go-offline
COPY src ./src
RUN mvn -q -B package

# ---- runtime stage ----
FROM eclipse-temurin:21-jre-alpine AS runtime

# Create a non-root system user (uid 100 on Alpine), no password, no login shell
RUN addgroup -S app && adduser -S -G app app

WORKDIR /app
COPY --from=build /app/target/app.jar app.jar

# Runtime configuration defaults (override with -e)
ENV HOST=0.0.0.0 \
    PORT=8080

USER app:app
EXPOSE 8080

# Alpine has BusyBox wget, not curl; the shell form expands $PORT at check time
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD wget -q -O /dev/null "http://127.0.0.1:${PORT}/healthz" || exit 1

# The program (exec form, the JVM is PID 1) and its default arguments (replaceable at `docker run`)
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "app.jar"]
CMD ["--profile=prod"]
