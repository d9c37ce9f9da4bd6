#!/usr/bin/env bash
# Provisioning benchmark: time from agent start (a provisioning code in its env file, the reference cloud
# on loopback) to GET /api/v1/saas/status answering "provisioned" (or already "connecting"/"online": the
# tunnel bundle opens its tunnel as soon as the credentials are confirmed).
#
#   bench/provisioning/run.sh [RUNS]     (default 5; needs `mvn -B -DskipTests package` first)
#   AGENT=<start script of another build> bench/provisioning/run.sh   measures that build instead
#
# Each run starts the agent with the shipped start script (launcher/target/edgeflow) on a new, empty data
# directory, so it really provisions: a new code each time. One unmeasured run first warms the cloud (a
# real cloud has served registrations before; its first one pays for its JIT). Also reported: start to the
# local API's first answer, and the agent's own time from "Registering" to "is provisioned" (from its log).
# Writes bench/out/provisioning.md and replaces the "provisioning" section of bench/RESULTS.md.
set -euo pipefail
# BENCH_PRIORITY=high (as root): the run goes into a session of its own whose scheduling group (Linux autogroup) is
# raised to nice -20, so that other work on a shared machine takes little CPU from it; the results say so.
if [ "${BENCH_PRIORITY:-}" = high ] && [ -z "${EDGEFLOW_BENCH_RAISED:-}" ]; then
  exec env EDGEFLOW_BENCH_RAISED=1 setsid -w bash "$0" "$@"
fi
PRIORITY_NOTE="normal priority"
if [ -n "${EDGEFLOW_BENCH_RAISED:-}" ]; then
  echo -20 > /proc/self/autogroup || { echo "BENCH_PRIORITY=high needs root and autogroup scheduling" >&2; exit 1; }
  PRIORITY_NOTE="raised priority (BENCH_PRIORITY=high: autogroup nice -20)"
fi
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
AGENT=${AGENT:-launcher/target/edgeflow} # AGENT=<start script of another build> to compare
CLOUD=cloud/target/edgeflow-cloud.jar
[ -x "$AGENT" ] && [ -f "$CLOUD" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 1; }

work=$(mktemp -d /tmp/edgeflow-bench-prov.XXXXXX)
cloud_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill -TERM "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null || true
  [ -n "$cloud_pid" ] && kill -TERM "$cloud_pid" 2>/dev/null && wait "$cloud_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p bench/out

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
# milliseconds between the first log lines containing two texts
log_gap() {
  python3 - "$1" "$2" "$3" <<'PY'
import sys, datetime
log, a, b = sys.argv[1:4]
def at(text):
    for line in open(log, encoding="utf-8", errors="replace"):
        if text in line:
            return datetime.datetime.fromisoformat(line.split(" ", 1)[0].replace("Z", "+00:00"))
    return None
x, y = at(a), at(b)
print(int((y - x).total_seconds() * 1000) if x and y else -1)
PY
}

java -jar "$CLOUD" serve --port 0 --data-dir "$work/cloud" >"$work/cloud.log" 2>&1 &
cloud_pid=$!
until grep -q "Listening on" "$work/cloud.log"; do
  kill -0 "$cloud_pid" 2>/dev/null || { cat "$work/cloud.log" >&2; exit 1; }
  sleep 0.1
done
cloud_url=$(sed -n 's/^Listening on https:\/\/\([^ ]*\).*/\1/p' "$work/cloud.log")

# one_run N -> "start_to_http start_to_provisioned registering_to_provisioned"
one_run() {
  local n=$1 port code dir t0 t_http="" t_prov url status
  port=$(free_port)
  dir="$work/agent-$n"
  mkdir -p "$dir"
  code=$(java -jar "$CLOUD" code create --ttl 1h --url "https://$cloud_url" --data-dir "$work/cloud" 2>/dev/null)
  cat >"$dir/.env" <<ENV
EDGEFLOW_SAAS_ENABLED=true
EDGEFLOW_SAAS_URL=$cloud_url
EDGEFLOW_PROVISIONING_CODE=$code
EDGEFLOW_SAAS_CA_FILE=$work/cloud/ca.pem
ENV
  url="http://127.0.0.1:$port/api/v1/saas/status"
  t0=$(now_ms)
  EDGEFLOW_ENV_FILE="$dir/.env" EDGEFLOW_DATA_DIR="$dir/data" EDGEFLOW_HTTP_PORT=$port \
    "$AGENT" >"$dir/agent.log" 2>&1 &
  agent_pid=$!
  while :; do
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent exited early:" >&2; cat "$dir/agent.log" >&2; exit 1; }
    status=$(curl -s "$url" 2>/dev/null || true)
    if [ -n "$status" ] && [ -z "$t_http" ]; then t_http=$(now_ms); fi
    # provisioned, or already further: the tunnel opens as soon as the credentials are confirmed
    if printf '%s' "$status" | grep -Eq '"status" ?: "(provisioned|connecting|online|offline)"'; then t_prov=$(now_ms); break; fi
    sleep 0.02
  done
  kill -TERM "$agent_pid"; wait "$agent_pid" 2>/dev/null || true
  agent_pid=""
  echo "$((t_http - t0)) $((t_prov - t0)) $(log_gap "$dir/agent.log" "Registering with the cloud" "is provisioned")"
}

one_run 0 >/dev/null # warms the cloud; not counted
http=(); prov=(); inside=()
for i in $(seq "$RUNS"); do
  r=$(one_run "$i")
  set -- $r
  http+=("$1"); prov+=("$2"); inside+=("$3")
  echo "run $i: first answer ${1} ms, provisioned ${2} ms, registering to provisioned ${3} ms" >&2
done
load=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "<!-- provisioning:begin -->"
  echo "## Provisioning: agent start to \`provisioned\` (issue 6)"
  echo
  echo "\`bench/provisioning/run.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "Each run: the shipped start script (\`launcher/target/edgeflow\`, 32 MB heap, C1 only) on an empty data"
  echo "directory with a new provisioning code in its env file; the reference cloud on loopback (TLS, its own CA),"
  echo "warmed by one unmeasured run. Times in ms from the process start, by polling the status API every 20 ms."
  echo "Target: under 1500 ms to \`provisioned\`."
  echo
  echo "| measure | median of $RUNS | all runs |"
  echo "|---|---|---|"
  echo "| start to the local API's first answer | $(printf '%s\n' "${http[@]}" | median) | ${http[*]} |"
  echo "| **start to status \`provisioned\`** | **$(printf '%s\n' "${prov[@]}" | median)** | ${prov[*]} |"
  echo "| inside the agent: \"Registering\" to \"is provisioned\" (log timestamps) | $(printf '%s\n' "${inside[@]}" | median) | ${inside[*]} |"
  echo
  echo "How to read it: provisioning runs while the agent is still starting, and the status can only be read"
  echo "once the local API answers, so start to \`provisioned\` is bounded below by the agent's own cold start"
  echo "(first row; see the start-up section above; here each run starts on a new data directory, so the agent also"
  echo "installs its bundles). The provisioning itself (third row: facts, registration, three vault writes with fsync,"
  echo "confirmation) is the smaller part, most of it the first TLS handshake of a cold JVM running C1 only."
  echo
  echo "Load average after the runs: $load; $PRIORITY_NOTE. The machine is shared with other engineers' builds and tests"
  echo "(2 cores), so these numbers are noisy."
  echo "<!-- provisioning:end -->"
} >bench/out/provisioning.md

python3 - bench/RESULTS.md bench/out/provisioning.md <<'PY'
import re, sys
results, section = sys.argv[1], open(sys.argv[2]).read().rstrip("\n") + "\n"
text = open(results).read()
pattern = re.compile(r"<!-- provisioning:begin -->.*?<!-- provisioning:end -->\n?", re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(results, "w").write(text)
PY
cat bench/out/provisioning.md
