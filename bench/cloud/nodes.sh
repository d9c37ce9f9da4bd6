#!/usr/bin/env bash
# Several nodes of one cloud on one PostgreSQL store, side by side in one run (issue 16).
#
#   bench/cloud/nodes.sh            (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package,
#                                    and Debian's postgresql package: apt-get install postgresql)
#
# Starts a PostgreSQL server of its own as bench/cloud/engines.sh does (a temporary directory, 127.0.0.1, a
# free port, as the postgres user when run as root, fsync on), makes a certificate for 127.0.0.1 (the local
# CA of a cloud started once on SQLite and stopped), then measures, each on a fresh database:
#   1. registrations/s with one node and with two nodes (serve --node-url --node-id --node-secret-file
#      --cert --key --database ...; the second node gets the first's code-hash.key): RegistrationBench.java,
#      CLIENTS clients on kept-alive TLS connections, spread over the nodes' ports;
#   2. and 3. on the two nodes: TunnelBench.java twice at once, TUNNELS simulated devices tunnelled to each
#      node, held HOLD seconds (memory of each node before and after), then the admin's remote-access round
#      trip GET /api/v1/admin/devices/{id}/local/api/v1/saas/status sent to the other node (carried
#      across) and to the node that holds the tunnel.
# Stops what it started (the nodes by PID, PostgreSQL by its data directory), writes bench/out/cloud-nodes.md
# and replaces the "cloud-nodes" section of bench/RESULTS.md.
# Environment: CLIENTS (50), COUNT (10000), WARMUP (2000), TUNNELS (1000 per node), HOLD (30), RTT (1000),
# NODE_HEAP (1g).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/pg_ctl" ] || { echo "no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql" >&2; exit 1; }
CLIENTS=${CLIENTS:-50}
COUNT=${COUNT:-10000}
WARMUP=${WARMUP:-2000}
TUNNELS=${TUNNELS:-1000}
HOLD=${HOLD:-30}
RTT=${RTT:-1000}
NODE_HEAP=${NODE_HEAP:-1g}
. bench/lib.sh
need_descriptors $((TUNNELS + 400)) "$TUNNELS tunnels per node"
bench_work cloud-nodes
bench_kit

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# a directory of its own: $work is root's 0700, which the postgres user cannot enter
pg_dir=$(mktemp -d /tmp/edgeflow-pg.XXXXXX)
pg_started=
node_pids=()
stop_nodes() {
  local p
  for p in ${node_pids[@]+"${node_pids[@]}"}; do
    if kill -0 "$p" 2>/dev/null; then kill "$p"; wait "$p" 2>/dev/null || true; fi
  done
  node_pids=()
}
pg_stop() {
  if [ -n "$pg_started" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$pg_dir"
}
trap 'stop_nodes; pg_stop; bench_cleanup' EXIT
pg_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "$pg_password" >"$pg_dir/pw"
[ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$pg_dir"
as_postgres "$PG_BIN/initdb" -D "$pg_dir/data" -U edgeflow --pwfile="$pg_dir/pw" --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 >"$work/initdb.log"
rm -f "$pg_dir/pw"
pg_port=$(free_port)
# two nodes with a pool of 16 each, and the tunnel part's presence writes: 100 connections are enough
as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
pg_started=1
for db in one two; do
  as_postgres "$PG_BIN/psql" -h "$pg_dir" -p "$pg_port" -U edgeflow -d postgres -qc "CREATE DATABASE edgeflow_$db"
done
pg_version=$(as_postgres "$PG_BIN/postgres" --version)

# the certificate every node serves (and pins when it calls another): the local CA's, made once
start_cloud "$JAR" -- --bind 127.0.0.1
kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
server_pid=
cert="$work/data/server.pem"
cert_key="$work/data/server-key.pem"
ca="$work/data/ca.pem"
head -c 32 /dev/urandom | base64 >"$work/node-secret"
chmod 600 "$work/node-secret"

node_url=()
# start_node NAME DATABASE: a node on 127.0.0.1 and a free port, data directory $work/NAME; the first node
# of a database makes the admin token and code-hash key, a later one gets the first's key
start_node() {
  local name=$1 db=$2 port dir
  port=$(free_port)
  dir="$work/$name"
  mkdir -p "$dir"
  chmod 700 "$dir"
  if [ ${#node_pids[@]} -gt 0 ]; then cp "$first_dir/code-hash.key" "$dir/"; else first_dir=$dir; fi
  java -Xmx"$NODE_HEAP" -jar "$JAR" serve --bind 127.0.0.1 --port "$port" --data-dir "$dir" \
    --cert "$cert" --key "$cert_key" \
    --database "postgresql://edgeflow:$pg_password@127.0.0.1:$pg_port/edgeflow_$db" \
    --node-url "https://127.0.0.1:$port" --node-id "$name" --node-secret-file "$work/node-secret" \
    --max-connection-rate-per-address 0 --max-failed-attempts 1000000 >"$work/$name.log" 2>&1 &
  node_pids+=($!)
  for _ in $(seq 1 120); do
    if grep -q '^Listening on ' "$work/$name.log"; then
      node_url+=("https://127.0.0.1:$port")
      echo "$name at https://127.0.0.1:$port (pid ${node_pids[-1]})"
      return 0
    fi
    kill -0 "${node_pids[-1]}" 2>/dev/null || { cat "$work/$name.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "node $name did not start" >&2
  cat "$work/$name.log" >&2
  exit 1
}
register() { # LABEL: RegistrationBench over every node started
  local urls pids
  urls=$(IFS=,; echo "${node_url[*]}")
  pids=$(IFS=,; echo "${node_pids[*]}")
  echo "$1: $urls"
  java -Xmx512m -cp "$kit" bench/cloud/RegistrationBench.java --url "$urls" --ca-file "$ca" \
    --token-file "$first_dir/admin-token" --clients "$CLIENTS" --server-pid "$pids" \
    --count "$COUNT" --warmup "$WARMUP" --connections keepalive | tee -a "$work/bench.log"
}

# 1. registrations: one node, then two (a fresh database each)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
start_node node-a one
grep -h '^Database: \|^Node ' "$work/node-a.log" | sed "s/$pg_password/***/g" >"$work/start-lines.log"
register "one node"
stop_nodes
node_url=()
start_node node-a two
start_node node-b two
grep -h '^Node ' "$work/node-b.log" >>"$work/start-lines.log"
register "two nodes"

# 2. and 3. tunnels on both nodes at once; round trips from the other node first, then from the holder
load_tunnels=$(cut -d' ' -f1-3 /proc/loadavg)
tunnel_bench() { # HOLDER OTHER: indexes into the nodes started
  java -Xmx1g -cp "$kit:$JAR" bench/tunnel/TunnelBench.java --url "${node_url[$1]}" --ca-file "$ca" \
    --token-file "$first_dir/admin-token" --server-pid "${node_pids[$1]}" --steps "$TUNNELS" --heartbeat 30 \
    --hold "$HOLD" --rtt "$RTT" --rtt-urls "${node_url[$2]},${node_url[$1]}" --rtt-path /api/v1/saas/status \
    >"$work/tunnel-$1.log" 2>"$work/tunnel-$1.err"
}
tunnel_bench 1 0 &
tb_b=$!
tunnel_bench 0 1 &
tb_a=$!
wait "$tb_b" || { cat "$work/tunnel-1.err" >&2; exit 1; }
wait "$tb_a" || { cat "$work/tunnel-0.err" >&2; exit 1; }
cat "$work/tunnel-0.log" "$work/tunnel-1.log"
hwm_a=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/${node_pids[0]}/status")
hwm_b=$(awk '/VmHWM/ {print int($2/1024)}' "/proc/${node_pids[1]}/status")
load_end=$(cut -d' ' -f1-3 /proc/loadavg)
warnings=$(cat "$work"/node-*.log | grep -c ' WARN \| ERROR ' || true)
forward_errors=$(cat "$work"/node-*.log | grep -c 'node_unreachable' || true)
# the kinds of those lines, ids and numbers left out, the most frequent first
cat "$work"/node-*.log | grep ' WARN \| ERROR ' | sed -E 's/^.*(WARN|ERROR) /\1 /; s/dev_[0-9a-z]+/dev_*/g;
  s/[0-9]+/N/g' | cut -c1-200 | sort | uniq -c | sort -rn | head -8 >"$work/warning-kinds" || true
stop_nodes
cat "$work"/*.log "$work"/*.err 2>/dev/null | grep -q "$pg_password" && { echo "the password was printed" >&2; exit 1; }

python3 - "$work" "$CLIENTS" "$TUNNELS" "$HOLD" "$RTT" "$NODE_HEAP" "$(nproc)" "$(java -version 2>&1 | head -1)" \
  "$pg_version" "$load_start" "$load_tunnels" "$load_end" "$hwm_a" "$hwm_b" "$warnings" "$forward_errors" \
  "$work/warning-kinds" \
  >bench/out/cloud-nodes.md <<'PY'
import sys, datetime
(work, clients, tunnels, hold, rtt, heap, cores, java, pg, load_start, load_tunnels, load_end, hwm_a, hwm_b,
 warnings, forward_errors, kinds) = sys.argv[1:]
def results(path):
    return [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in open(path) if line.startswith("RESULT ")]
reg = results(f"{work}/bench.log")
tb = {node: results(f"{work}/tunnel-{i}.log") for i, node in enumerate(["node-a", "node-b"])}
out = ["<!-- cloud-nodes:begin -->",
       "## Cloud: several nodes on one PostgreSQL store (issue 16)", "",
       f"`bench/cloud/nodes.sh` on {datetime.date.today()}, {cores} cores, {java}, {pg}. Every node is the packaged",
       f"cloud (`-Xmx{heap}`) started as a node (`serve --node-url --node-id --node-secret-file --cert --key",
       "--database postgresql://...`, the second with the first's `code-hash.key`), on 127.0.0.1 with its own port.",
       "The nodes, PostgreSQL and the load generators share this machine's two cores, and the machine is shared",
       "with other engineers' builds: the numbers are a floor and move from run to run; times in ms.",
       f"Load average: {load_start} at the start, {load_tunnels} before the tunnels, {load_end} at the end.", "",
       "### Registrations per second", "",
       f"RegistrationBench.java, {clients} clients on kept-alive TLS connections, each registration its own code;",
       "with two nodes client c registers on node c mod 2 (the codes were created on the first). A fresh",
       "database for each row.", "",
       "| nodes | clients | measured | rate | 5 s windows | p50 | p90 | p99 | max | nodes' CPU ms each | failures |",
       "|---|---|---|---|---|---|---|---|---|---|---|"]
for label, r in zip(["one node", "two nodes"], reg):
    out.append(f"| {label} | {r['clients']} | {r['count']} | {r['rate']}/s | {r['window_min']}..{r['window_max']}/s | "
               f"{r['p50']} | {r['p90']} | {r['p99']} | {r['max']} | {r['server_cpu_ms']} | {r['failures']} |")
out += ["", "### Tunnels held across two nodes, memory per tunnel", "",
        f"TunnelBench.java twice at once: {tunnels} simulated devices provisioned through each node and tunnelled",
        f"to it ({int(tunnels) * 2} tunnels in all; the issue's 20,000 did not fit the time this run had), a",
        f"heartbeat every 30 s, held {hold} s. Memory: the node's heap after a full GC and its resident set, before",
        "the first tunnel (after provisioning) and with all of them open; per tunnel = growth / tunnels.", "",
        "| node | tunnels | online | failed | time to open | heap before | heap after | per tunnel (heap) | RSS before | RSS after | per tunnel (RSS) | online after the hold | closed | node CPU while holding | peak RSS |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
for node, hwm in (("node-a", hwm_a), ("node-b", hwm_b)):
    rs = tb[node]
    base = next(r for r in rs if r["phase"] == "baseline")
    step = next(r for r in rs if r["phase"] == "step")
    held = next(r for r in rs if r["phase"] == "hold")
    n = int(step["tunnels"])
    per = lambda k: (int(step[k]) - int(base[k])) / n
    out.append(f"| {node} | {n} | {step['online']} | {step['failures']} | {float(step['connect_s']):.1f} s | "
               f"{int(base['heap_kib'])/1024:.1f} MiB | {int(step['heap_kib'])/1024:.1f} MiB | {per('heap_kib'):.1f} KiB | "
               f"{int(base['rss_kib'])/1024:.0f} MiB | {int(step['rss_kib'])/1024:.0f} MiB | {per('rss_kib'):.1f} KiB | "
               f"{held['online']} | {held['closed']} | {held['server_cpu_pct']}% of a core | {hwm} MiB |")
out += ["", "### Remote access: across nodes against the same node", "",
        "`GET /api/v1/admin/devices/{id}/local/api/v1/saas/status` (HTTPS, kept-alive connection), a random",
        "device among those its TunnelBench holds; the simulated device answers at once (a 600-byte JSON body).",
        "\"across\": sent to the other node, which carries it to the holder (`POST /api/v1/nodes/forward`);",
        "\"same node\": sent to the node that holds the tunnel. Both TunnelBench runs measure at the same time",
        "(across first, then same node), so each node serves its own callers and the other's forwards.", "",
        "| tunnels on | sent to | concurrent callers | measured | p50 | p90 | p99 | max | requests/s | errors (warm-up included) | errors by status |",
        "|---|---|---|---|---|---|---|---|---|---|---|"]
for node, other in (("node-a", "node-b"), ("node-b", "node-a")):
    for r in (r for r in tb[node] if r["phase"] == "rtt"):
        sent = f"{other} (across)" if r["via"] == "0" else f"{node} (same node)"
        out.append(f"| {node} | {sent} | {r['concurrency']} | {r['count']} | {r['p50_ms']} | {r['p90_ms']} | "
                   f"{r['p99_ms']} | {r['max_ms']} | {r['rate']} | {r['errors']} | {r['error_kinds']} |")
out += ["", f"WARN or ERROR lines in the nodes' logs: {warnings}; `node_unreachable` among them: {forward_errors}."]
lines = [l.rstrip() for l in open(kinds) if l.strip()]
if lines:
    out += ["The most frequent (ids and numbers as N):", ""] + ["    " + l.strip() for l in lines]
out += ["",
        "How to read it:",
        "- The registration rate with two nodes is what one machine's two cores give two JVMs and PostgreSQL:",
        "  the nodes add no cores here, so the row shows what a second node costs (its CPU per registration,",
        "  contention on the same store), not the scaling that nodes on their own machines would give.",
        "- \"nodes' CPU ms each\": the CPU time of every node started (one or both, together) over the measured",
        "  phase, divided by the registrations.",
        "- A call carried across nodes costs a read of the device's presence from the store on the node called",
        "  and one more HTTPS exchange between the nodes (kept-alive, the body as base64 JSON) on top of the",
        "  same-node path: the difference of the p50s is that, on loopback and a loaded machine.",
        "- Memory per tunnel is measured per node while the other node holds its own tunnels; the presence",
        "  of every tunnel is a row in the store (`device_presence`), not memory of the other node.",
        "<!-- cloud-nodes:end -->"]
print("\n".join(out))
PY
cat bench/out/cloud-nodes.md

update_results cloud-nodes
