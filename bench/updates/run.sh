#!/usr/bin/env bash
# A rollout of one artifact to many simulated devices on one reference cloud (issue 14).
#
#   bench/updates/run.sh           (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package)
#
# Starts the packaged cloud on 127.0.0.1 and a free port with a fresh data directory (-Xmx512m), provisions
# DEVICES devices through its API, opens their tunnels (the JDK's WebSocket, as the agent), uploads a SIZE-byte
# bundle signed with the cloud's release key, then measures: a deployment to one device (created -> succeeded),
# and a deployment to all of them in WAVES (created -> completed), with the server's CPU time and memory. The
# simulated devices answer 202, download the artifact, check its SHA-256 and report their states; their own
# apply takes no time (the device's apply time is the device side's benchmark). Stops the server it started (by
# its PID), writes bench/out/updates.md and replaces the "updates" section of bench/RESULTS.md.
# Environment: DEVICES (1000), SIZE (102400), WAVES ([1, "10%", "100%"]), SERVER_HEAP (512m).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
DEVICES=${DEVICES:-1000}
SIZE=${SIZE:-102400}
WAVES=${WAVES:-'[1, "10%", "100%"]'}
SERVER_HEAP=${SERVER_HEAP:-512m}
. bench/lib.sh
need_descriptors $((DEVICES * 2 + 200)) "$DEVICES devices"
bench_work updates-bench
bench_kit
start_cloud "$JAR" -Xmx"$SERVER_HEAP" -- --max-connection-rate-per-address 0 --max-connections-per-address 0 \
  --tunnel-idle-timeout 30m
echo "cloud at $url (pid $server_pid)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# compiled, not run as a source file: the source launcher hides the stack of an exception from another thread
javac -cp "$kit" -d "$kit" bench/updates/UpdateBench.java
java -Xmx1g -cp "$kit" UpdateBench --url "$url" --ca-file "$work/data/ca.pem" \
  --token-file "$work/data/admin-token" --server-pid "$server_pid" --devices "$DEVICES" --size "$SIZE" \
  --waves "$WAVES" | tee "$work/bench.log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
warnings=$(grep -c 'WARN\|ERROR' "$work/server.log" || true)
python3 - "$work/bench.log" "$load_before" "$load_after" "$(nproc)" "$(java -version 2>&1 | head -1)" \
  "$SERVER_HEAP" "$warnings" >bench/out/updates.md <<'PY'
import sys, datetime
log, load_before, load_after, cores, java, heap, warnings = sys.argv[1:]
rows = {}
for line in open(log):
    if line.startswith("RESULT "):
        r = dict(kv.split("=", 1) for kv in line.split()[1:])
        rows[r["phase"]] = r
one, al = rows["one"], rows["all"]
out = ["<!-- updates:begin -->", "## Remote updates: a rollout to many devices on one cloud (issue 14)", "",
       f"`bench/updates/run.sh` on {datetime.date.today()}, {cores} cores, {java}. One packaged reference cloud",
       f"(`-Xmx{heap}`) and the simulated devices on the same machine, over loopback and TLS. Each device holds a",
       "tunnel (the JDK's WebSocket), answers the deployment request with 202, downloads the artifact with its key,",
       "checks its SHA-256 and reports `verifying`, `applying`, `checking`, `succeeded` over HTTPS; its own apply",
       "takes no time, so this is the cloud's share (the device's apply and health check: the device side's",
       f"benchmark). The load generator shares the two cores with the server. Load average {load_before} before,",
       f"{load_after} after.", "",
       "| rollout | devices | artifact | created -> end | state | succeeded | server CPU | server RSS after (peak) |",
       "|---|---|---|---|---|---|---|---|",
       f"| one device | 1 | {int(one['size'])//1024} KiB | {int(one['ms'])} ms | completed | 1 | - | - |",
       f"| all, waves {al['waves']} | {al['devices']} | {int(al['size'])//1024} KiB | {int(al['ms'])/1000:.1f} s | "
       f"{al['state']} | {al['succeeded']} | {int(al['server_cpu_ms'])/1000:.1f} s | "
       f"{int(al['rss_kib'])//1024} MiB ({int(al['hwm_kib'])//1024} MiB) |", "",
       f"Download failures {al['download_failures']}, report failures {al['report_failures']}; WARN/ERROR lines in "
       f"the server's log: {warnings}.", "<!-- updates:end -->"]
print("\n".join(out))
PY
cat bench/out/updates.md
update_results updates
