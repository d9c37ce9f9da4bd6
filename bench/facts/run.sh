#!/bin/sh
# Benchmark: collecting all device facts once (hardware + network), on this machine.
# Build first (mvn -B -o verify, or -pl bundles/hardware-facts,bundles/network-facts -am package).
# Runs FactsBench in RUNS fresh JVMs and prints the median first-call and warm times across them.
#
# usage: bench/facts/run.sh [sysroot] [runs] [cold|jdk-warm]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=${1:-/}
runs=${2:-7}
mode=${3:-cold}
out="$repo/bench/out/facts"
mkdir -p "$out/classes"

cp=""
for jar in "$repo"/bundles/api/target/io.edgeflow.api-*.jar \
           "$repo"/bundles/hardware-facts/target/io.edgeflow.facts.hardware-*.jar \
           "$repo"/bundles/network-facts/target/io.edgeflow.facts.network-*.jar; do
  [ -f "$jar" ] || { echo "missing $jar: build the bundles first" >&2; exit 1; }
  cp="$cp:$jar"
done
# the components log through SLF4J; without a binding it stays silent (the harness needs only its API)
slf4j="${M2_REPO:-$HOME/.m2/repository}/org/slf4j/slf4j-api/2.0.17/slf4j-api-2.0.17.jar"
[ -f "$slf4j" ] || { echo "missing $slf4j: build once with Maven" >&2; exit 1; }
cp="$cp:$slf4j"
javac -d "$out/classes" "$here/FactsBench.java"

: > "$out/runs.txt"
i=0
while [ "$i" -lt "$runs" ]; do
  line=$(java -XX:+UseSerialGC -cp "$out/classes$cp" FactsBench "$root" 500 "$mode" 2>/dev/null | grep '^first_ms=') \
    || { echo "FactsBench failed" >&2; exit 1; }
  echo "$line" | tee -a "$out/runs.txt"
  i=$((i + 1))
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
first=$(sed 's/.*first_ms=\([0-9.]*\).*/\1/' "$out/runs.txt" | median)
firstcpu=$(sed 's/.*first_cpu_ms=\([0-9.]*\).*/\1/' "$out/runs.txt" | median)
warm=$(sed 's/.*warm_median_ms=\([0-9.]*\).*/\1/' "$out/runs.txt" | median)
echo "median over $runs JVMs: first call ${first} ms (CPU time of the calling thread ${firstcpu} ms), warm ${warm} ms (sysroot $root, $mode JVM, load average: $(cut -d' ' -f1-3 /proc/loadavg))"
