#!/usr/bin/env bash
# Start-up of the agent on its own launcher (issue 12) against the fixed yardstick of issue 2: the bare
# Felix + SCR + Config Admin + HTTP Jetty stack of bench/bare-stack on bnd's launcher, with the same JVM flags
# and class data sharing. The variants are started in turn, round after round, so that a slow spell of the
# machine weighs on all alike.
#
#   bench/startup-launcher.sh [RUNS]     (default 9; needs `mvn -B -DskipTests package` first)
#
# Start = a new JVM from the shipped start script (or java -jar for the bare stack) until the first HTTP 200
# of the local API (/api/v1/saas/status) or the bare servlet, framework storage and archives of an earlier run
# kept, as after a reboot. CPU = user + system time of the JVM at that first answer. RSS = VmRSS 10 s after it.
# Java 25 rows run where /usr/lib/jvm/temurin-25-jdk-amd64 exists (JAVA25=... to choose another).
# BASELINE=<dir> adds a row for another build's start script and edgeflow.jar (a copy of launcher/target from before a
# change), started in turn with the others: how each change was measured against the one before it. BASELINE_NAME
# names that row.
# VARIANTS="bare-17 agent-17 ..." runs only those rows (the bare stack must be one of them).
# Writes bench/out/startup-launcher.md and (without VARIANTS) replaces the "startup-launcher" section of
# bench/RESULTS.md.
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
cd "$(dirname "$0")/.."
RUNS=${1:-9}
SETTLE=${SETTLE:-10}
SCRIPT=launcher/target/edgeflow
BARE=bench/bare-stack/target/bare.jar
JAVA17=${JAVA17:-$(readlink -f "$(command -v java)")}
JAVA25=${JAVA25:-/usr/lib/jvm/temurin-25-jdk-amd64/bin/java}
[ -f "$SCRIPT" ] && [ -f "$BARE" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
SHIPPED="-Xmx32m -Xmn6m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData"
TICK=$(getconf CLK_TCK)
work=$(mktemp -d /tmp/edgeflow-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p bench/out

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
cpu_ms() { awk -v t="$TICK" '{print int(($14 + $15) * 1000 / t)}' "/proc/$1/stat"; }

# one_run VARIANT PORT -> prints "ms cpu_ms rss_kb"
one_run() {
  local v=$1 port=$2 url pid t0 t1 cpu rss
  local storage="$work/$v"
  t0=$(now_ms)
  case "$v" in
    agent-17|agent-25|baseline-17)
      local jvm=$JAVA17 script=$SCRIPT; [ "$v" = agent-25 ] && jvm=$JAVA25; [ "$v" = baseline-17 ] && script=$BASELINE/edgeflow
      url="http://127.0.0.1:$port/api/v1/saas/status"
      JAVA="$jvm" EDGEFLOW_DATA_DIR="$storage" EDGEFLOW_ENV_FILE="$work/none.env" EDGEFLOW_HTTP_PORT=$port \
        EDGEFLOW_CDS_ARCHIVE="$work/$v.jsa" "$script" >"$work/$v.log" 2>&1 &
      ;;
    agent-25-aot)
      # the JDK's ahead-of-time cache (JEP 483/514/515) instead of the start script's class data archive: the first
      # start is the training run and writes the cache when it stops
      local aot="-XX:AOTCacheOutput=$work/agent.aot"
      [ -s "$work/agent.aot" ] && aot="-XX:AOTCache=$work/agent.aot"
      url="http://127.0.0.1:$port/api/v1/saas/status"
      JAVA="$JAVA25" EDGEFLOW_DATA_DIR="$storage" EDGEFLOW_ENV_FILE="$work/none.env" EDGEFLOW_HTTP_PORT=$port \
        EDGEFLOW_CDS_ARCHIVE=off EDGEFLOW_JAVA_OPTS="$aot -Xlog:aot*=off -Xlog:cds*=off" "$SCRIPT" >"$work/$v.log" 2>&1 &
      ;;
    bare-17)
      local cds
      if [ -s "$work/bare.jsa" ]; then cds="-XX:SharedArchiveFile=$work/bare.jsa"; else cds="-XX:ArchiveClassesAtExit=$work/bare.jsa"; fi
      url="http://127.0.0.1:$port/hello"
      MALLOC_ARENA_MAX=2 "$JAVA17" $SHIPPED $cds -Xlog:cds*=off -Dlaunch.storage.dir="$storage" \
        -Dorg.osgi.service.http.port=$port -jar "$BARE" >"$work/$v.log" 2>&1 &
      ;;
  esac
  pid=$!
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$url" 2>/dev/null)" = 200 ]; do
    kill -0 $pid 2>/dev/null || { echo "$v exited early:" >&2; cat "$work/$v.log" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(now_ms)
  cpu=$(cpu_ms $pid)
  sleep "$SETTLE"
  curl -s -o /dev/null "$url"
  rss=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  kill -TERM $pid; wait $pid 2>/dev/null || true
  echo "$((t1 - t0)) $cpu $rss"
}

variants="bare-17 agent-17"
[ -n "${BASELINE:-}" ] && variants="$variants baseline-17"
[ -x "$JAVA25" ] && variants="$variants agent-25 agent-25-aot"
variants=${VARIANTS:-$variants}
declare -A ms cpu rss port first
for v in $variants; do
  port[$v]=$(free_port)
  r=$(one_run "$v" "${port[$v]}") # the first start: empty storage, writes the class data archive when it stops
  first[$v]=${r%% *}
  ms[$v]=""; cpu[$v]=""; rss[$v]=""
done
for _ in $(seq "$RUNS"); do
  for v in $variants; do
    r=$(one_run "$v" "${port[$v]}")
    read -r a b c <<<"$r"
    ms[$v]="${ms[$v]}$a "; cpu[$v]="${cpu[$v]}$b "; rss[$v]="${rss[$v]}$c "
  done
done

LOAD=$(cut -d' ' -f1-3 /proc/loadavg)
bare_ms=$(printf '%s\n' ${ms[bare-17]} | median)
{
  echo "<!-- startup-launcher:begin -->"
  echo "## Start-up on our own launcher (issue 12)"
  echo
  echo "\`bench/startup-launcher.sh $RUNS\` on $(date -u +%Y-%m-%d), $(nproc) cores. Each row: median of $RUNS starts from the"
  echo "shipped start script (\`launcher/target/edgeflow\`: its JVM flags and its class data sharing archive), the"
  echo "variants started in turn; the bare stack (bench/bare-stack on bnd's launcher, the yardstick of issue 2) with the"
  echo "same flags and class data sharing. Start: new JVM to the first HTTP 200. CPU: user + system time of the JVM at"
  echo "that moment. RSS: VmRSS ${SETTLE} s later. Load average after the runs: $LOAD; $PRIORITY_NOTE."
  echo
  echo "| variant | median start (ms) | vs bare stack | median CPU (ms) | median RSS (MiB) | all starts (ms) | first start (ms) |"
  echo "|---|---|---|---|---|---|---|"
  for v in $variants; do
    m=$(printf '%s\n' ${ms[$v]} | median)
    c=$(printf '%s\n' ${cpu[$v]} | median)
    k=$(printf '%s\n' ${rss[$v]} | median)
    case "$v" in
      bare-17) name="bare stack, Java 17 ($("$JAVA17" -version 2>&1 | head -1 | cut -d'"' -f2))";;
      agent-17) name="agent, Java 17";;
      baseline-17) name="${BASELINE_NAME:-baseline ($BASELINE)}, Java 17";;
      agent-25) name="agent, Java 25 ($("$JAVA25" -version 2>&1 | head -1 | cut -d'"' -f2))";;
      agent-25-aot) name="agent, Java 25, AOT cache instead of the class data archive";;
    esac
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "$name" "$m" "$(awk -v a="$m" -v b="$bare_ms" 'BEGIN {printf "%.2fx", a / b}')" \
      "$c" "$((k / 1024))" "${ms[$v]}" "${first[$v]}"
  done
  echo
  echo "<!-- startup-launcher:end -->"
} | tee bench/out/startup-launcher.md

# a run of chosen rows (VARIANTS) is not the record: bench/RESULTS.md keeps the full run's section
[ -z "${VARIANTS:-}" ] || exit 0
python3 - <<'PY'
import re, pathlib
results = pathlib.Path("bench/RESULTS.md")
section = pathlib.Path("bench/out/startup-launcher.md").read_text()
text = results.read_text()
pattern = re.compile(r"<!-- startup-launcher:begin -->.*?<!-- startup-launcher:end -->\n?", re.S)
if pattern.search(text):
    text = pattern.sub(lambda m: section, text)
else:
    text = text.replace("<!-- startup:end -->\n", "<!-- startup:end -->\n\n" + section, 1)
results.write_text(text)
PY
