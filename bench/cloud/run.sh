#!/usr/bin/env bash
# Registration throughput of the EdgeFlow reference cloud on this machine.
#
#   bench/cloud/run.sh                (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package)
#
# Starts the packaged cloud on 127.0.0.1 and a free port with a fresh data directory, runs
# RegistrationBench.java with 50 concurrent clients in three variants (keep-alive connections,
# keep-alive with confirmation, a fresh TLS connection per registration), stops the server it started
# (by its PID), writes bench/out/cloud-registrations.md and replaces the "cloud-registrations" section
# of bench/RESULTS.md. Environment: CLIENTS (50), COUNT (15000), WARMUP (2000), FRESH_COUNT (5000).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
CLIENTS=${CLIENTS:-50}
COUNT=${COUNT:-15000}
WARMUP=${WARMUP:-2000}
FRESH_COUNT=${FRESH_COUNT:-5000}
. bench/lib.sh
bench_work cloud-bench
bench_kit

# every client of this benchmark comes from 127.0.0.1, opening connections far faster than a device would; and the
# brute-force guard never lets one address have more codes in evaluation than it may still fail, so the bench (one
# address, 50 clients at once) raises that limit as bench/cloud/engines.sh does
start_cloud "$JAR" -- --max-connection-rate-per-address 0 --max-failed-attempts 1000000
echo "cloud at $url (pid $server_pid)"

bench() {
  java -Xmx512m -cp "$kit" bench/cloud/RegistrationBench.java --url "$url" --ca-file "$work/data/ca.pem" \
    --token-file "$work/data/admin-token" --clients "$CLIENTS" --server-pid "$server_pid" "$@" | tee -a "$work/bench.log"
}
bench --count "$COUNT" --warmup "$WARMUP" --connections keepalive
bench --count "$COUNT" --warmup "$WARMUP" --connections keepalive --confirm
bench --count "$FRESH_COUNT" --warmup 500 --connections fresh
server_rss=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$server_pid/status)
db_size=$(du -sm "$work/data" | cut -f1)

row() { # RESULT line -> table row
  sed -n 's/^RESULT //p' "$work/bench.log" | sed -n "${1}p" | tr ' ' '\n' | awk -F= -v label="$2" '
    {v[$1]=$2} END {printf "| %s | %s | %s | %s/s | %s..%s/s | %s | %s | %s | %s | %s | %s |\n", label, v["clients"], v["count"], v["rate"], v["window_min"], v["window_max"], v["p50"], v["p90"], v["p99"], v["max"], v["server_cpu_ms"], v["failures"]}'
}
{
  echo "<!-- cloud-registrations:begin -->"
  echo "## Cloud: device registrations per second (issue 5)"
  echo
  echo "\`bench/cloud/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "Server and load generator share this machine's cores (and the machine is shared with other builds),"
  echo "so the numbers are a floor, and they vary from run to run. Target: at least 500 registrations/s."
  echo "Each registration is one \`POST /api/v1/devices/register\` with its own code, committed to SQLite"
  echo "(WAL, synchronous=FULL: on disk before the answer) with its audit event; latencies in ms."
  echo
  echo "| variant | clients | measured | rate | 5 s windows | p50 | p90 | p99 | max | server CPU ms each | failures |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  row 1 "register, keep-alive TLS connections"
  row 2 "register + confirm, keep-alive (rate = devices fully provisioned)"
  row 3 "register, a new TLS connection and full handshake each"
  echo
  echo "How to read it:"
  echo "- The rate and the latencies move a lot with what else runs on the machine (see the 5 s windows"
  echo "  and the load average below). The server's CPU time per registration (from /proc, measured phase"
  echo "  only) moves much less: 1000 / that figure is what one dedicated core would sustain."
  echo "- With kept-alive connections the cost is the request itself: JSON, the SQLite transaction, the"
  echo "  audit event. Concurrent registrations share one commit (group commit), so the fsync, which took"
  echo "  0.4 to 4 ms on this disk depending on its load, does not cap the rate."
  echo "- A new TLS connection per registration (a fleet of devices each registering once) is dominated by"
  echo "  the handshake: the JDK's pure-Java elliptic-curve arithmetic (ECDSA P-256 signature, X25519 key"
  echo "  exchange) on the server, and the same on the load generator, which shares the two cores. That"
  echo "  variant is far below 500/s here; more cores, or TLS terminated by a native proxy in front of the"
  echo "  cloud, is what scales it."
  echo
  echo "Load average when the run ended: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine)."
  echo "Server peak RSS ${server_rss} MiB; data directory ${db_size} MiB after the run."
  echo "<!-- cloud-registrations:end -->"
} >bench/out/cloud-registrations.md
cat bench/out/cloud-registrations.md

update_results cloud-registrations
