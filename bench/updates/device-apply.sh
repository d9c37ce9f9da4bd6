#!/usr/bin/env bash
# The device's own apply time (issue 14): from receiving a deployment to 'succeeded', split into download, verify,
# apply and health check, on one executable agent and the packaged reference cloud.
#
#   bench/updates/device-apply.sh     (needs launcher/target/edgeflow and cloud/target/edgeflow-cloud.jar:
#                                      mvn -B -DskipTests package)
#
# Starts the cloud on 127.0.0.1 (a fresh data directory), provisions one device, starts the agent as users do
# (launcher/target/edgeflow: its shipped JVM options, -Xmx32m and the serial collector) trusting the cloud's release
# key, uploads two versions of the hardware facts bundle padded to SIZE bytes, signed with the release key, and
# deploys them one after the other (2 warm-up runs, then RUNS measured). The times are the agent's own: its log's
# "accepted" line and the updated_at of each state in its journal (DeviceApplyBench.java). Stops what it started
# (by PID), writes bench/out/updates-device.md and replaces the "updates-device" section of bench/RESULTS.md.
# Environment: RUNS (10), SIZE (102400).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
AGENT=launcher/target/edgeflow
for f in "$JAR" "$AGENT"; do [ -f "$f" ] || { echo "build first: mvn -B -DskipTests package ($f)" >&2; exit 1; }; done
RUNS=${RUNS:-10}
SIZE=${SIZE:-102400}
. bench/lib.sh
bench_work updates-device
bench_kit
start_cloud "$JAR" -Xmx256m
echo "cloud at $url (pid $server_pid)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
javac -cp "$kit" -d "$kit" bench/updates/DeviceApplyBench.java
java -cp "$kit" DeviceApplyBench --url "$url" --ca-file "$work/data/ca.pem" --token-file "$work/data/admin-token" \
  --work "$work" --agent "$AGENT" --agent-jar launcher/target/edgeflow.jar --runs "$RUNS" --size "$SIZE" \
  | tee "$work/bench.log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
python3 - "$work/bench.log" "$load_before" "$load_after" "$(nproc)" "$(java -version 2>&1 | head -1)" "$SIZE" \
  >bench/out/updates-device.md <<'PY'
import sys, datetime, statistics
log, load_before, load_after, cores, java, size = sys.argv[1:]
runs = []
for line in open(log):
    if line.startswith("RESULT "):
        r = dict(kv.split("=", 1) for kv in line.split()[1:])
        if r["warmup"] == "false":
            runs.append(r)
def med(key):
    return statistics.median(float(r[key]) for r in runs)
def rng(key):
    v = sorted(float(r[key]) for r in runs)
    return f"{v[0]:.0f}-{v[-1]:.0f}"
missed = sum(1 for r in runs if r["missed"] != "-")
rows = [("download (accepted -> verifying)", "download_ms"), ("verify, save the current set (-> applying)", "verify_ms"),
        ("apply, refresh (-> checking)", "apply_ms"), ("start, health check, commit (-> succeeded)", "check_ms"),
        ("**device: accepted -> succeeded**", "device_ms"), ("cloud: deployment created -> completed", "cloud_ms")]
out = ["<!-- updates-device:begin -->", "## Remote updates: the device's own apply time (issue 14)", "",
       f"`bench/updates/device-apply.sh` on {datetime.date.today()}, {cores} cores, {java}. One executable agent",
       "(`launcher/target/edgeflow`, its shipped options: `-Xmx32m`, serial GC) and the packaged reference cloud on",
       f"the same machine, over loopback and TLS; the hardware facts bundle updated to a {int(size)//1024} KiB build",
       "(two versions alternating, signed with the release key), one deployment after the other. Times are the agent's",
       "own: its log's `accepted` line and the `updated_at` of each state in its journal (read every millisecond).",
       f"Median of {len(runs)} runs after 2 warm-up runs (min-max beside it). Load average {load_before} before,",
       f"{load_after} after.", "",
       "| phase | median | min-max (ms) |", "|---|---|---|"]
for label, key in rows:
    out.append(f"| {label} | {med(key):.0f} ms | {rng(key)} |")
out += ["", f"Runs where a short state was not seen in the journal (its time counted in the next phase): {missed}.",
        "<!-- updates-device:end -->"]
print("\n".join(out))
PY
cat bench/out/updates-device.md
update_results updates-device
