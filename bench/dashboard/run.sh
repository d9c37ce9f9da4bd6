#!/usr/bin/env bash
# Time to first paint of the dashboard's Devices page, measured in the browser, with 50 and with 10,000 devices.
#
#   bench/dashboard/run.sh            (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package;
#                                      Debian's chromium and chromium-driver, as the itests)
#
# Starts the packaged cloud on 127.0.0.1 and a free port with a fresh data directory, registers and confirms 50
# devices through the API (bench/cloud/RegistrationBench.java), measures the Devices page in headless Chromium
# (DashboardPaintBench.java: Navigation and Paint Timing of each load), registers DEVICES - 50 more, measures again,
# stops the server it started (by its PID), writes bench/out/dashboard.md and replaces the "dashboard" section of
# bench/RESULTS.md. Environment: DEVICES (10000), LOADS (15 measured loads per page, after 2 of warm-up).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
DEVICES=${DEVICES:-10000}
LOADS=${LOADS:-15}
. bench/lib.sh
bench_work dashboard-bench
bench_kit
selenium="$work/selenium.classpath"
mvn -B -q -f bench/dashboard/pom.xml dependency:build-classpath -Dmdep.outputFile="$selenium" >/dev/null

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# every registration comes from 127.0.0.1, 20 at once: more than the 10 code attempts one address may have evaluated
# at a time by default (the brute-force guard answers the rest 429)
start_cloud "$JAR" -Xmx512m -- --max-connection-rate-per-address 0 --max-failed-attempts 1000
echo "cloud at $url (pid $server_pid)"

populate() {
  java -Xmx512m -cp "$kit" bench/cloud/RegistrationBench.java --url "$url" --ca-file "$work/data/ca.pem" \
    --token-file "$work/data/admin-token" --clients 20 --count "$1" --warmup 0 --connections keepalive --confirm \
    | grep -v '^RESULT' | tee -a "$work/populate.log"
}
paint() {
  java -cp "$(cat "$selenium")" bench/dashboard/DashboardPaintBench.java --url "$url" \
    --token-file "$work/data/admin-token" --label "$1" --loads "$LOADS" | tee -a "$work/bench.log"
}
populate 50
paint "50 devices"
populate $((DEVICES - 50))
paint "$DEVICES devices"
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
server_rss=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$server_pid/status)

{
  echo "<!-- dashboard:begin -->"
  echo "## Dashboard: the Devices page with 10,000 devices, measured in the browser (issue 15)"
  echo
  echo "\`bench/dashboard/run.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1)."
  echo "One packaged reference cloud (\`-Xmx512m\`, SQLite) and headless Chromium ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
  echo "on the same machine, over loopback and TLS, driven by Selenium. Devices registered and confirmed through the"
  echo "API (\`bench/cloud/RegistrationBench.java\`, host name \`bench-device\`). Each page loaded $((LOADS + 2)) times,"
  echo "the first 2 not counted; times in ms from the page's own Navigation Timing and Paint Timing entries:"
  echo "time to first byte (\`responseStart - requestStart\`: the server rendering the page), first contentful paint"
  echo "and DOMContentLoaded (both from the start of the navigation). \`poll\` is what htmx's reload of the table every"
  echo "3 s costs: a fetch of \`/dashboard/devices/table\` timed in the page. Load average $load_before before,"
  echo "$load_after after; server peak RSS ${server_rss} MiB."
  echo
  echo "| devices | page | rows | time to first byte p50 | max | first contentful paint p50 | max | DOMContentLoaded p50 | max |"
  echo "|---|---|---|---|---|---|---|---|---|"
  sed -n 's/^RESULT //p' "$work/bench.log" | awk '{
    delete v
    for (i = 1; i <= NF; i++) { k = substr($i, 1, index($i, "=") - 1); v[k] = substr($i, index($i, "=") + 1) }
    gsub("_", " ", v["label"])
    for (k in v) if (v[k] == "-1") v[k] = "-"
    printf "| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |\n", v["label"], v["page"], v["rows"], v["ttfb_p50"],
      v["ttfb_max"], v["fcp_p50"], v["fcp_max"], v["dcl_p50"], v["dcl_max"] }'
  echo
  echo "How to read it: the page shows 50 devices whatever the fleet's size: the search, the status filter and the"
  echo "page are in the database query (\`LIMIT 50 OFFSET n\` with a \`COUNT(*)\` beside it), so 10,000 devices cost"
  echo "the server a scan of one table, not 10,000 rows sent and drawn. The last page (\`OFFSET 9950\`) and a search"
  echo "that matches every device are the worst cases."
  echo "<!-- dashboard:end -->"
} > bench/out/dashboard.md
cat bench/out/dashboard.md
update_results dashboard
