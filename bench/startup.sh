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
SCRIPT=launcher/target/edgeflow
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
  if [ "$kind" = script ]; then
    # the start script as shipped: its JVM flags and its class data sharing archive (made at the end of the
    # first run, here in the scratch directory so that every benchmark starts without one)
    url="http://127.0.0.1:$port/api/v1/saas/status"
    t0=$(now_ms)
    EDGEFLOW_DATA_DIR="$storage" EDGEFLOW_ENV_FILE="$work/none.env" EDGEFLOW_HTTP_PORT=$port \
      EDGEFLOW_CDS_ARCHIVE="$work/agent.jsa" "$SCRIPT" >"$work/out.log" 2>&1 &
  elif [ "$kind" = agent ]; then
    url="http://127.0.0.1:$port/api/v1/saas/status"
    t0=$(now_ms)
    EDGEFLOW_DATA_DIR="$storage" EDGEFLOW_ENV_FILE="$work/none.env" EDGEFLOW_HTTP_PORT=$port \
      MALLOC_ARENA_MAX=${ARENA:-} java $flags -jar "$AGENT" >"$work/out.log" 2>&1 &
  else
    local cds=""
    if [ "$kind" = bare-cds ]; then # the same class data sharing as the start script gives the agent
      if [ -s "$work/bare.jsa" ]; then cds="-XX:SharedArchiveFile=$work/bare.jsa"; else cds="-XX:ArchiveClassesAtExit=$work/bare.jsa"; fi
      cds="$cds -Xlog:cds*=off"
    fi
    url="http://127.0.0.1:$port/hello"
    t0=$(now_ms)
    MALLOC_ARENA_MAX=${ARENA:-} java $flags $cds -Dlaunch.storage.dir="$storage" -Dorg.osgi.service.http.port=$port \
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

row() { # NAME FLAGS FIRST "ms..." "rss..."
  local mms mrss
  mms=$(printf '%s\n' $4 | median)
  mrss=$(printf '%s\n' $5 | median)
  printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$mms" "$4" "$((mrss / 1024))" "$3" \
    "$(echo "$2" | sed 's/^$/(JVM defaults)/')"
}

# pair NAME_A KIND_A NAME_B KIND_B FLAGS [ARENA]: the agent and the bare stack started in turn, run after run,
# so that a slow spell of the machine weighs on both alike
pair() {
  local na=$1 ka=$2 nb=$3 kb=$4 flags=$5 sa="$work/$1" sb="$work/$3" fa fb msa="" rssa="" msb="" rssb="" r pa pb
  ARENA=${6:-}
  pa=$(free_port); pb=$(free_port) # the same settings at every start, as across reboots
  fa=$(one_run "$ka" "$flags" "$sa" "$pa")
  fb=$(one_run "$kb" "$flags" "$sb" "$pb")
  for _ in $(seq "$RUNS"); do
    r=$(one_run "$ka" "$flags" "$sa" "$pa"); msa="$msa${r% *} "; rssa="$rssa${r#* } "
    r=$(one_run "$kb" "$flags" "$sb" "$pb"); msb="$msb${r% *} "; rssb="$rssb${r#* } "
  done
  row "$na" "$flags" "${fa% *}" "$msa" "$rssa"
  row "$nb" "$flags" "${fb% *}" "$msb" "$rssb"
  ARENA=
}

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
{
  echo "<!-- startup:begin -->"
  echo "## Start-up and memory (issue 2)"
  echo
  echo "\`bench/startup.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "Cold start: new JVM to first HTTP 200 (median of $RUNS, storage kept as after a reboot; \"first\" is the"
  echo "very first start on an empty data directory). RSS: VmRSS ${SETTLE} s after the first 200 (median)."
  echo "With class data sharing the very first start also writes the archive (when it stops); the later starts map it."
  echo "The agent and the bare stack of a pair are started in turn. Load average before the first run: $LOAD."
  echo
  echo "| variant | median start (ms) | all starts (ms) | median RSS (MiB) | first start (ms) | JVM flags |"
  echo "|---|---|---|---|---|---|"
  pair "agent, JVM defaults" agent "bare stack, JVM defaults" bare ""
  pair "agent, -Xmx32m SerialGC" agent "bare stack, -Xmx32m SerialGC" bare "$SMALL"
  pair "agent, shipped start script (launcher/target/edgeflow: these flags + class data sharing)" script \
    "bare stack, shipped flags + class data sharing" bare-cds "$SHIPPED" 2
  pair "agent, shipped flags without class data sharing" agent \
    "bare stack, shipped flags without class data sharing" bare "$SHIPPED" 2
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
