#!/bin/sh
# Prepare Debian's Maven repository for offline builds (Stagewise's maven substitute).
# 1) Relocation POMs: each "groupId artifactId version" line of $1 names a version Maven 3.9 asks for by
#    default; it is relocated to the newest version of that artifact Debian packages.
set -e
repo=/usr/share/maven-repo
grep -v '^#' "$1" | while read -r group artifact version; do
    [ -n "$artifact" ] || continue
    dir="$repo/$(echo "$group" | tr . /)/$artifact"
    if [ ! -d "$dir" ]; then
        echo "relocations: $group:$artifact is not packaged; skipped"
        continue
    fi
    [ -e "$dir/$version" ] && continue
    target=$(for v in "$dir"/*/; do v=${v%/}; v=${v##*/}; [ -f "$dir/$v/$artifact-$v.jar" ] && echo "$v"; done \
             | grep -v '^debian$' | sort -V | tail -n 1)
    if [ -z "$target" ]; then
        echo "relocations: no packaged jar for $group:$artifact; skipped"
        continue
    fi
    mkdir -p "$dir/$version"
    cat > "$dir/$version/$artifact-$version.pom" <<POM
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>$group</groupId>
  <artifactId>$artifact</artifactId>
  <version>$version</version>
  <distributionManagement>
    <relocation>
      <version>$target</version>
      <message>Stagewise offline substitute: relocated to the version Debian packages</message>
    </relocation>
  </distributionManagement>
</project>
POM
    echo "relocations: $group:$artifact:$version -> $target"
done

# SHA-1 files next to every artifact, as a remote repository has them: Maven then verifies each
# "download" from file:///usr/share/maven-repo instead of warning that no checksums are available.
cd "$repo"
find . \( -name '*.jar' -o -name '*.pom' \) -print0 | xargs -0 sha1sum | while read -r sum file; do
    printf '%s' "$sum" > "$file.sha1"
done
