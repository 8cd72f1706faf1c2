#!/bin/sh
# The maven image's entrypoint (offline substitute): copy files from /usr/share/maven/ref into
# ${MAVEN_CONFIG:-$HOME/.m2} the first time, then run the command.
set -e
ref=/usr/share/maven/ref
dest=${MAVEN_CONFIG:-${HOME:-/root}/.m2}
if [ -d "$ref" ] && [ -n "$(ls -A "$ref" 2>/dev/null)" ]; then
  mkdir -p "$dest"
  cp -rn "$ref/." "$dest/" 2>/dev/null || true
fi
exec "$@"
