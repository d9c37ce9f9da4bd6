#!/usr/bin/env bash
# Start-up and memory benchmark of the EdgeFlow agent against a bare Felix + SCR + Config Admin +
# HTTP Jetty stack with a one-line servlet (bench/bare-stack).
#
#   bench/startup.sh [RUNS]        (default 7 runs per variant; needs `mvn -B -DskipTests package` first)
#
# Cold start = a new JVM from `java -jar` (or the start script) until the first HTTP 200, with the
# framework storage of an earlier run kept, as after a reboot; the first start on an empty data
# directory is reported apart. RSS = VmRSS of the JVM 10 s after its first 200.
# Writes bench/out/startup.md and replaces the "startup" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-7}
SETTLE=${SETTLE:-10}
AGENT=launcher/target/edgeflow.jar
BARE=bench/bare-stack/target/bare.jar
[ -f "$AGENT" ] && [ -f "$BARE" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

SHIPPED="-Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData"
SMALL="-Xmx32m -XX:+UseSerialGC"
work=$(mktemp -d /tmp/edgeflow-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/out

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)); }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }

# one_run KIND FLAGS STORAGE PORT -> prints "ms rss_kb"
one_run() {
  local kind=$1 flags=$2 storage=$3 port=$4 url pid t0 t1 rss
  if [ "$kind" = agent ]; then
    url="http://127.0.0.1:$port/api/v1/saas/status"
    t0=$(now_ms)
    EDGEFLOW_DATA_DIR="$storage" EDGEFLOW_ENV_FILE="$work/none.env" EDGEFLOW_HTTP_PORT=$port \
      MALLOC_ARENA_MAX=${ARENA:-} java $flags -jar "$AGENT" >"$work/out.log" 2>&1 &
  else
    url="http://127.0.0.1:$port/hello"
    t0=$(now_ms)
    MALLOC_ARENA_MAX=${ARENA:-} java $flags -Dlaunch.storage.dir="$storage" -Dorg.osgi.service.http.port=$port \
      -jar "$BARE" >"$work/out.log" 2>&1 &
  fi
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ]; do
    kill -0 $pid 2>/dev/null || { echo "the $kind exited early:" >&2; cat "$work/out.log" >&2; exit 1; }
    sleep 0.02
  done
  t1=$(now_ms)
  sleep "$SETTLE"
  curl -s -o /dev/null "$url"
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$((t1 - t0)) $rss"
}

variant() { # NAME KIND FLAGS [ARENA]
  local name=$1 kind=$2 flags=$3 storage="$work/$1" first ms=() rss=() r port
  ARENA=${4:-}
  port=$(free_port) # the same settings at every start, as across reboots
  first=$(one_run "$kind" "$flags" "$storage" "$port")
  for _ in $(seq "$RUNS"); do
    r=$(one_run "$kind" "$flags" "$storage" "$port"); ms+=("${r% *}"); rss+=("${r#* }")
  done
  local mms mrss
  mms=$(printf '%s\n' "${ms[@]}" | median)
  mrss=$(printf '%s\n' "${rss[@]}" | median)
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$mms" "$(printf '%s ' "${ms[@]}")" \
    "$((mrss / 1024))" "${first% *}" "$(echo "$flags" | sed 's/^$/(JVM defaults)/')"
  ARENA=
}

{
  echo "<!-- startup:begin -->"
  echo "## Start-up and memory (issue 2)"
  echo
  echo "\`bench/startup.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "Cold start: new JVM to first HTTP 200 (median of $RUNS, storage kept as after a reboot; \"first\" is the"
  echo "very first start on an empty data directory). RSS: VmRSS ${SETTLE} s after the first 200 (median)."
  echo
  echo "| variant | median start (ms) | all starts (ms) | median RSS (MiB) | first start (ms) | JVM flags |"
  echo "|---|---|---|---|---|---|"
  variant "agent, JVM defaults" agent ""
  variant "bare stack, JVM defaults" bare ""
  variant "agent, -Xmx32m SerialGC" agent "$SMALL"
  variant "bare stack, -Xmx32m SerialGC" bare "$SMALL"
  variant "agent, shipped flags (launcher/target/edgeflow)" agent "$SHIPPED" 2
  variant "bare stack, shipped flags" bare "$SHIPPED" 2
  echo
  echo "<!-- startup:end -->"
} | tee bench/out/startup.md

# replace the section in bench/RESULTS.md
touch bench/RESULTS.md
python3 - <<'PY'
import re, pathlib
results = pathlib.Path("bench/RESULTS.md")
section = pathlib.Path("bench/out/startup.md").read_text()
text = results.read_text() if results.exists() else ""
if not text.strip():
    text = "# EdgeFlow benchmark results\n\nEach section is written by the script it names; rerun it to refresh.\n\n"
pattern = re.compile(r"<!-- startup:begin -->.*?<!-- startup:end -->\n?", re.S)
text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
results.write_text(text)
PY
