#!/usr/bin/env bash
# Issue 12, Atomos: is a bundle loaded from the class path through Apache Felix Atomos 1.0.0 (OSGi Connect, Felix 7.0.5)
# still updatable at run time from a jar? Builds two tiny bundles (probe 1.0.1 on the class path, user importing its
# package) and probe 1.0.2 as a jar, then runs AtomosUpdateCheck twice on one storage. Output: bench/RESULTS.md.
#   bench/atomos-update/run.sh    (needs javac, jar, and Felix 7.0.5 and Atomos 1.0.0 in ~/.m2; fetches Atomos once)
set -euo pipefail
cd "$(dirname "$0")"
repo=${MAVEN_REPO:-$HOME/.m2/repository}
felix=$repo/org/apache/felix/org.apache.felix.framework/7.0.5/org.apache.felix.framework-7.0.5.jar
atomos=$repo/org/apache/felix/org.apache.felix.atomos/1.0.0/org.apache.felix.atomos-1.0.0.jar
[ -f "$atomos" ] || mvn -B -q dependency:get -Dartifact=org.apache.felix:org.apache.felix.atomos:1.0.0
work=$(mktemp -d /tmp/edgeflow-atomos.XXXXXX)
trap 'rm -rf "$work"' EXIT
for v in 1 2; do
  mkdir -p "$work/probe$v/probe"
  echo "version $v" > "$work/probe$v/probe/version.txt"
  printf 'package probe;\npublic class Version { public static String v() { return "class of 1.0.%s"; } }\n' "$v" \
    > "$work/Version.java"
  javac -d "$work/probe$v" "$work/Version.java"
  printf 'Bundle-ManifestVersion: 2\nBundle-SymbolicName: probe\nBundle-Version: 1.0.%s\nExport-Package: probe\n' "$v" \
    > "$work/probe$v.mf"
  jar cfm "$work/probe-1.0.$v.jar" "$work/probe$v.mf" -C "$work/probe$v" probe
done
mkdir -p "$work/user"
printf 'package user;\npublic class User { public static String call() { return probe.Version.v(); } }\n' > "$work/User.java"
javac -cp "$work/probe1" -d "$work/user" "$work/User.java"
printf 'Bundle-ManifestVersion: 2\nBundle-SymbolicName: user\nBundle-Version: 1.0.0\nImport-Package: probe\n' > "$work/user.mf"
jar cfm "$work/user.jar" "$work/user.mf" -C "$work/user" user
javac -d "$work/classes" -cp "$felix:$atomos" AtomosUpdateCheck.java
cp="$work/classes:$felix:$atomos:$work/probe-1.0.1.jar:$work/user.jar"
echo "== first start: probe 1.0.1 and user from the class path; probe updated from probe-1.0.2.jar"
java -cp "$cp" AtomosUpdateCheck "$work/storage" "$work/probe-1.0.2.jar"
echo "== second start on the same storage"
java -cp "$cp" AtomosUpdateCheck "$work/storage"
