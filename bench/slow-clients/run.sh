#!/usr/bin/env bash
# Health and registration latency of the reference cloud with and without 1,000 slow uploads.
#
#   bench/slow-clients/run.sh       (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package)
#
# Starts the packaged cloud on 127.0.0.1 and a free port with a fresh data directory and its default limits
# (body timeout 10s, 256 connections and 100 new ones a second per address), then SlowClientsBench.java
# measures health and registration latency unloaded ("probe"), opens SLOW TLS connections from ADDRESSES
# loopback addresses (127.0.0.2...) in a second process at nice 19 ("fleet", standing for other machines),
# each sending `POST /api/v1/devices/register` with `Content-Length: 10000` and then a byte every 10 s
# (reopened when the server ends them), and measures again while they are held.
# Stops the server it started (by its PID), writes bench/out/slow-clients.md and replaces the
# "slow-clients" section of bench/RESULTS.md. Target: p99 of a registration under load below twice its
# unloaded value, no failed probe. Environment: SLOW (1000), ADDRESSES (10), PROBES (300), HOLD (600: the
# longest the slow connections stay; they are closed as soon as the loaded probes are done).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=${JAR:-cloud/target/edgeflow-cloud.jar}
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
SLOW=${SLOW:-1000}
ADDRESSES=${ADDRESSES:-10}
PROBES=${PROBES:-300}
HOLD=${HOLD:-600}
need=$((SLOW + 500))
. bench/lib.sh
need_descriptors "$need" "$SLOW slow connections"
bench_work slow-bench
bench_kit

start_cloud "$JAR"
echo "cloud at $url (pid $server_pid), ulimit -n $(ulimit -n)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
now_ms() { date +%s%3N; }
# the server's CPU over a phase, in % of one core (USER_HZ 100)
cpu_share() { echo $(( ($3 - $1) * 10 * 100 / ($4 - $2 > 0 ? $4 - $2 : 1) )); }
status=0
c0=$(cpu_ticks); t0=$(now_ms)
timeout 900 java -Xmx256m -cp "$kit" bench/slow-clients/SlowClientsBench.java probe --url "$url" --ca-file "$work/data/ca.pem" \
  --token-file "$work/data/admin-token" --phase unloaded --probes "$PROBES" | tee "$work/bench.log" || status=$?
cpu_unloaded=$(cpu_share "$c0" "$t0" "$(cpu_ticks)" "$(now_ms)")
nice -n 19 timeout $((HOLD + 120)) java -Xmx512m -Xss256k -cp "$kit" bench/slow-clients/SlowClientsBench.java fleet \
  --url "$url" --ca-file "$work/data/ca.pem" --slow "$SLOW" --addresses "$ADDRESSES" --hold "$HOLD" \
  --stop-file "$work/stop" >"$work/fleet.log" 2>&1 &
fleet_pid=$!
for _ in $(seq 1 $((HOLD * 2))); do
  grep -q '^FLEET-OPEN' "$work/fleet.log" && break
  kill -0 "$fleet_pid" 2>/dev/null || break
  sleep 0.5
done
grep '^FLEET-OPEN' "$work/fleet.log" || { echo "the slow connections did not open" >&2; cat "$work/fleet.log" >&2; status=1; }
c0=$(cpu_ticks); t0=$(now_ms)
timeout 900 java -Xmx256m -cp "$kit" bench/slow-clients/SlowClientsBench.java probe --url "$url" --ca-file "$work/data/ca.pem" \
  --token-file "$work/data/admin-token" --phase loaded --probes "$PROBES" | tee -a "$work/bench.log" || status=$?
cpu_loaded=$(cpu_share "$c0" "$t0" "$(cpu_ticks)" "$(now_ms)")
# the fleet held its connections through the loaded probes unless it is gone already
held=$(kill -0 "$fleet_pid" 2>/dev/null && echo yes || echo no)
touch "$work/stop"
wait "$fleet_pid" || status=$?
cat "$work/fleet.log" | tee -a "$work/bench.log"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
server_hwm=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$server_pid/status)
server_threads=$(awk '/Threads/ {print $2}' /proc/$server_pid/status)
warn_lines=$(grep -c ' WARN ' "$work/server.log" || true)
error_lines=$(grep -c ' ERROR ' "$work/server.log" || true)
trace_lines=$(grep -c '^\s*at \|^Caused by' "$work/server.log" || true)
grep ' WARN ' "$work/server.log" | sed 's/^/    /' | head -8 >"$work/warn-sample" || true

python3 - "$work/bench.log" "$SLOW" "$ADDRESSES" "$PROBES" "$held" "$load_before" "$load_after" "$server_hwm" \
  "$(nproc)" "$(java -version 2>&1 | head -1)" "$warn_lines" "$error_lines" "$trace_lines" "$work/warn-sample" \
  "$server_threads" "$cpu_unloaded" "$cpu_loaded" >bench/out/slow-clients.md <<'PY'
import sys, datetime
(log, slow, addresses, probes, held, load_before, load_after, hwm, cores, java, warns, errors, traces,
 sample, threads, cpu_unloaded, cpu_loaded) = sys.argv[1:]
rows = {}
verdict = {}
fleet = {}
for line in open(log):
    if not line.startswith("RESULT "):
        continue
    kv = dict(p.split("=", 1) for p in line.split()[1:])
    if kv["kind"] == "probe":
        rows[(kv["phase"], kv["request"])] = kv
    elif kv["kind"] == "slow":
        fleet = kv
names = {"health": "health, kept-alive connection", "register": "registration, kept-alive connection",
         "health_new_tls": "health on a new TLS connection (full handshake)"}
out = ["<!-- slow-clients:begin -->", "## Cloud: latency under 1,000 slow uploads (issue 10)", "",
       f"`bench/slow-clients/run.sh` on {datetime.date.today()}, {cores} cores, {java}. The packaged cloud with its",
       "default limits (body timeout 10 s; per address 256 open connections, 100 new ones a second). Load: "
       f"{slow} TLS connections from {addresses} loopback addresses (127.0.0.2 ...), each sending",
       "`POST /api/v1/devices/register` with `Content-Length: 10000` and then one byte every 10 s (the attack",
       "of issue 10), opened again as soon as the server ends one, from a separate process at nice 19 (the attackers",
       "stand for other machines). Probes: 4 threads from 127.0.0.1, "
       f"{probes} rounds per phase", "of the three requests below; latencies in ms; a failure is any other answer"
       " than 200/201 or no answer within 30 s.", "",
       "| request | unloaded p50 | p99 | max | under load p50 | p99 | max | failures (unloaded / loaded) |",
       "|---|---|---|---|---|---|---|---|"]
for k in ("register", "health", "health_new_tls"):
    u = rows.get(("unloaded", k), {})
    l = rows.get(("loaded", k), {})
    out.append(f"| {names[k]} | {u.get('p50','?')} | {u.get('p99','?')} | {u.get('max','?')} | {l.get('p50','?')} | "
               f"{l.get('p99','?')} | {l.get('max','?')} | {u.get('failures','?')} / {l.get('failures','?')} |")
u99 = float(rows.get(("unloaded", "register"), {}).get("p99", "nan"))
l99 = float(rows.get(("loaded", "register"), {}).get("p99", "nan"))
ratio = l99 / u99 if u99 > 0 else float("nan")
fails = sum(int(r.get("failures", "0")) for r in rows.values()) if len(rows) == 6 else -1
out += ["", f"Registration p99 under load / unloaded: **{ratio:.2f}** (target below 2); failed probes: **{fails}** "
        f"(target 0): {'met' if ratio < 2 and fails == 0 else 'NOT met'}.", "",
        f"Slow connections: at most {fleet.get('max_open','?')} open at once (target {slow}); "
        f"{fleet.get('opened','?')} opened in all during the run, {fleet.get('answered_408','?')} answered "
        f"`408 request_timeout` by the server after its body timeout, {fleet.get('closed','?')} closed otherwise, "
        f"{fleet.get('refused','?')} refused at connect or handshake; still held when the loaded probes ended: {held}.", "",
        f"Server log over the whole run: {warns} WARN lines, {errors} ERROR lines, {traces} stack-trace lines. "
        "The WARN lines (one per kind a minute, the next one counting those left out):", ""]
out += [l.rstrip("\n") for l in open(sample)]
out += ["", f"Server CPU while the probes ran: {cpu_unloaded}% of one core unloaded, {cpu_loaded}% under load. "
        f"Server: {threads} JVM threads at the end (its HTTP pool has at most 64), peak RSS {hwm} MiB. Load average before {load_before}, after "
        f"{load_after}: the machine is shared with other builds, and the probes and the fleet run on it too (the "
        "fleet at nice 19), so the figures move from run to run.",
        "<!-- slow-clients:end -->"]
print("\n".join(out))
PY
cat bench/out/slow-clients.md

update_results slow-clients
exit "$status"
