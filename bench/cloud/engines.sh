#!/usr/bin/env bash
# Registrations per second on the cloud's two store engines, side by side in one run (issue 16).
#
#   bench/cloud/engines.sh            (needs cloud/target/edgeflow-cloud.jar: mvn -B -DskipTests package,
#                                      and Debian's postgresql package: apt-get install postgresql)
#
# Starts a PostgreSQL server of its own (the newest /usr/lib/postgresql/N/bin, as the postgres user when run
# as root, in a temporary directory, on 127.0.0.1 and a free port, default durability: fsync and
# synchronous_commit on), then the packaged cloud twice on 127.0.0.1 with a fresh data directory: on SQLite
# (serve without database settings) and on that PostgreSQL (serve --database). Each gets the same
# RegistrationBench.java run: CLIENTS concurrent clients on kept-alive TLS connections. Stops what it started
# (the clouds by PID, PostgreSQL by its data directory), writes bench/out/cloud-engines.md and replaces the
# "cloud-engines" section of bench/RESULTS.md. Environment: CLIENTS (50), COUNT (15000), WARMUP (2000).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=cloud/target/edgeflow-cloud.jar
[ -f "$JAR" ] || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/pg_ctl" ] || { echo "no PostgreSQL under /usr/lib/postgresql: apt-get install postgresql" >&2; exit 1; }
CLIENTS=${CLIENTS:-50}
COUNT=${COUNT:-15000}
WARMUP=${WARMUP:-2000}
. bench/lib.sh
bench_work cloud-engines
bench_kit

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
# a directory of its own: $work is root's 0700, which the postgres user cannot enter
pg_dir=$(mktemp -d /tmp/edgeflow-pg.XXXXXX)
pg_started=
pg_stop() {
  if [ -n "$pg_started" ]; then as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null || true; fi
  rm -rf "$pg_dir"
}
trap 'pg_stop; bench_cleanup' EXIT
pg_password=$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s' "$pg_password" >"$pg_dir/pw"
[ "$(id -u)" -ne 0 ] || chown -R postgres:postgres "$pg_dir"
as_postgres "$PG_BIN/initdb" -D "$pg_dir/data" -U edgeflow --pwfile="$pg_dir/pw" --auth-local=trust \
  --auth-host=scram-sha-256 -E UTF8 >"$work/initdb.log"
rm -f "$pg_dir/pw"
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_postgres "$PG_BIN/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=100" start >/dev/null
pg_started=1
as_postgres "$PG_BIN/psql" -h "$pg_dir" -p "$pg_port" -U edgeflow -d postgres -qc "CREATE DATABASE edgeflow" 
pg_version=$(as_postgres "$PG_BIN/postgres" --version)
postmaster=$(head -1 "$pg_dir/data/postmaster.pid")

# CPU time (clock ticks) of the PostgreSQL server: the postmaster and every backend it has now
pg_ticks() {
  local total=0 p
  for p in "$postmaster" $(pgrep -P "$postmaster"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

results=()
run_engine() { # LABEL [serve options ...]
  local label=$1
  shift
  rm -rf "$work/data"
  # every client comes from 127.0.0.1: no per-address connection rate, and a brute-force limit (which also
  # caps the codes one address has evaluated at once) far above the run's count
  start_cloud "$JAR" -- --max-connection-rate-per-address 0 --max-failed-attempts 1000000 "$@"
  echo "$label: cloud at $url (pid $server_pid); $(grep '^Database: ' "$work/server.log")"
  grep '^Database: ' "$work/server.log" >>"$work/databases.log"
  local before after
  before=$(pg_ticks)
  java -Xmx512m -cp "$kit" bench/cloud/RegistrationBench.java --url "$url" --ca-file "$work/data/ca.pem" \
    --token-file "$work/data/admin-token" --clients "$CLIENTS" --server-pid "$server_pid" \
    --count "$COUNT" --warmup "$WARMUP" --connections keepalive | tee -a "$work/bench.log"
  after=$(pg_ticks)
  # per request that commits a transaction over the whole bench run: the COUNT + WARMUP codes it creates
  # first through the admin API, then as many registrations (the PostgreSQL server is idle otherwise)
  echo "$label $(( (after - before) * 10000 / (2 * (COUNT + WARMUP)) ))" >>"$work/pg-cpu.log"
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}
run_engine sqlite
run_engine postgresql --database "postgresql://edgeflow:$pg_password@127.0.0.1:$pg_port/edgeflow"
grep -q "$pg_password" "$work/bench.log" "$work/databases.log" && { echo "the password was printed" >&2; exit 1; }

row() { # RESULT line, label, engine -> table row
  local pg_cpu
  pg_cpu=$(awk -v e="$3" '$1 == e {printf "%.2f", $2 / 1000}' "$work/pg-cpu.log")
  [ "$3" = postgresql ] || pg_cpu="-"
  sed -n 's/^RESULT //p' "$work/bench.log" | sed -n "${1}p" | tr ' ' '\n' | awk -F= -v label="$2" -v pg="$pg_cpu" '
    {v[$1]=$2} END {printf "| %s | %s | %s | %s/s | %s..%s/s | %s | %s | %s | %s | %s | %s | %s |\n", label, v["clients"], v["count"], v["rate"], v["window_min"], v["window_max"], v["p50"], v["p90"], v["p99"], v["max"], v["server_cpu_ms"], pg, v["failures"]}'
}
{
  echo "<!-- cloud-engines:begin -->"
  echo "## Cloud: registrations per second on SQLite and on PostgreSQL (issue 16)"
  echo
  echo "\`bench/cloud/engines.sh\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1), $pg_version."
  echo "One run, the two engines one after the other, the same load: $CLIENTS clients on kept-alive TLS connections,"
  echo "each registration its own code (\`POST /api/v1/devices/register\`, committed with its audit event before the"
  echo "answer). The cloud, the load generator and PostgreSQL share this machine's cores (and the machine is shared"
  echo "with other builds): the rates are a floor and move from run to run; latencies in ms."
  echo
  echo "| engine | clients | measured | rate | 5 s windows | p50 | p90 | p99 | max | cloud CPU ms each | PostgreSQL CPU ms per request | failures |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  row 1 "SQLite (default: WAL, synchronous=FULL, group commit)" sqlite
  row 2 "PostgreSQL (pool of 16, SERIALIZABLE, fsync on)" postgresql
  echo
  echo "The cloud's start lines:"
  echo
  sed 's/^/    /' "$work/databases.log"
  echo
  echo "How to read it:"
  echo "- \"cloud CPU ms each\" is the cloud process's CPU time per registration in the measured phase."
  echo "  \"PostgreSQL CPU ms per request\" is the PostgreSQL server's (all its processes) over the whole bench"
  echo "  run divided by its requests that commit a transaction: the $((COUNT + WARMUP)) codes created first"
  echo "  (admin API) and the $((COUNT + WARMUP)) registrations. With PostgreSQL on the same two cores, its"
  echo "  share comes on top of the cloud's."
  echo "- On SQLite one connection runs the units of work one at a time and commits those that queued meanwhile"
  echo "  together (one fsync). On PostgreSQL they run side by side on the pool; a serialization failure runs"
  echo "  the unit again; PostgreSQL groups the WAL flushes of concurrent commits itself."
  echo
  echo "Load average when the run ended: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine)."
  echo "<!-- cloud-engines:end -->"
} >bench/out/cloud-engines.md
cat bench/out/cloud-engines.md

update_results cloud-engines
