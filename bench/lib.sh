#!/usr/bin/env bash
# Shared by the benchmark scripts that run the packaged reference cloud (bench/cloud, bench/slow-clients,
# bench/tunnel). Source it from the repository root:
#
#   bench_work NAME          a fresh directory $work (/tmp/edgeflow-NAME.XXXXXX) and bench/out; on exit the
#                            cloud started below is stopped (by its PID only) and $work removed
#   start_cloud JAR [JVM options ...] [-- serve options ...]
#                            starts JAR's `serve` on 127.0.0.1 and a free port with the data directory
#                            $work/data (ca.pem, admin-token), its output in $work/server.log, and waits for
#                            its "Listening on" line (60 s at most): sets server_pid and url, or prints the
#                            log and exits 1
#   need_descriptors N WHAT  raises `ulimit -n` to N for WHAT (a message), or exits 1 saying why
#   update_results NAME      puts bench/out/NAME.md (between its <!-- NAME:begin/end --> lines) into
#                            bench/RESULTS.md in place of the section of that name, or at its end
#   bench_kit                compiles bench/lib/BenchKit.java (what the benchmarks' Java shares) into $kit;
#                            run a benchmark with it: java -cp "$kit" bench/.../SomeBench.java
server_pid=
work=
url=
kit=

bench_cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
  fi
  if [ -n "$work" ]; then rm -rf "$work"; fi
}

bench_work() {
  work=$(mktemp -d "/tmp/edgeflow-$1.XXXXXX")
  trap bench_cleanup EXIT
  mkdir -p bench/out
}

start_cloud() {
  local jar=$1
  shift
  local jvm=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do jvm+=("$1"); shift; done
  if [ $# -gt 0 ]; then shift; fi
  java ${jvm[@]+"${jvm[@]}"} -jar "$jar" serve --port 0 --data-dir "$work/data" "$@" >"$work/server.log" 2>&1 &
  server_pid=$!
  url=
  for _ in $(seq 1 120); do
    url=$(sed -n 's/^Listening on \(https:[^ ]*\).*/\1/p' "$work/server.log" | head -1)
    if [ -n "$url" ]; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
    sleep 0.5
  done
  echo "the server did not start" >&2
  cat "$work/server.log" >&2
  exit 1
}

bench_kit() {
  kit="$work/kit"
  javac -d "$kit" bench/lib/BenchKit.java
}

need_descriptors() {
  if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$1" ]; then
    ulimit -n "$1" 2>/dev/null || { echo "ulimit -n is $(ulimit -n); $2 need about $1 descriptors per process" >&2; exit 1; }
  fi
}

update_results() {
  local results=bench/RESULTS.md
  [ -f "$results" ] || printf '# EdgeFlow benchmark results\n\nEach section is written by the script it names; rerun it to refresh.\n' >"$results"
  python3 - "$results" "bench/out/$1.md" "$1" <<'PY'
import re, sys
path, section, name = sys.argv[1], open(sys.argv[2]).read().strip() + "\n", sys.argv[3]
text = open(path).read()
pattern = re.compile(r"<!-- " + re.escape(name) + r":begin -->.*?<!-- " + re.escape(name) + r":end -->\n?", re.S)
text = pattern.sub(lambda m: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
open(path, "w").write(text)
PY
  echo "updated $results"
}
