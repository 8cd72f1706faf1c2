#!/bin/sh
# eclipse-temurin's entrypoint (offline substitute): with USE_SYSTEM_CA_CERTS set, import the system CA
# bundle's certificates into the JVM's cacerts; then run the command.
set -e
if [ -n "${USE_SYSTEM_CA_CERTS:-}" ] && [ -f /etc/ssl/certs/ca-certificates.crt ] && command -v keytool >/dev/null 2>&1; then
    store="${JAVA_HOME:-/opt/java/openjdk}/lib/security/cacerts"
    if [ -w "$store" ]; then
        keytool -importcert -noprompt -trustcacerts -storepass changeit -keystore "$store" \
            -alias stagewise-system-bundle -file /etc/ssl/certs/ca-certificates.crt >/dev/null 2>&1 || true
    fi
fi
exec "$@"
