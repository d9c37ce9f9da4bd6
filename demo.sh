#!/usr/bin/env bash
# EdgeFlow on one machine: starts the reference cloud, creates a provisioning code, starts the agent with
# it, and shows the device provisioning, opening its tunnel and its status step by step; the cloud then
# reads the device's facts through the tunnel. Then a restart (no second registration) and the local
# provision API with a second code. Everything it started is stopped on exit.
#
#   ./demo.sh                 (builds the jars first if they are missing)
#
# Files go to $DEMO_DIR (default ./data/demo, emptied at the start). Ports are free ones on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")"
AGENT=launcher/target/edgeflow
CLOUD_JAR=cloud/target/edgeflow-cloud.jar
DEMO_DIR=${DEMO_DIR:-$PWD/data/demo}

bold() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
show() { printf '$ %s\n' "$*"; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

cloud_pid=""
agent_pid=""
stop_agent() {
  if [ -n "$agent_pid" ] && kill -0 "$agent_pid" 2>/dev/null; then
    kill -TERM "$agent_pid"
    wait "$agent_pid" 2>/dev/null || true
  fi
  agent_pid=""
}
cleanup() {
  stop_agent
  if [ -n "$cloud_pid" ] && kill -0 "$cloud_pid" 2>/dev/null; then
    kill -TERM "$cloud_pid"
    wait "$cloud_pid" 2>/dev/null || true
    echo "(stopped the agent and the cloud; their files stay in $DEMO_DIR)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

for tool in java curl; do
  command -v "$tool" >/dev/null || { echo "demo.sh needs $tool" >&2; exit 1; }
done
if [ ! -x "$AGENT" ] || [ ! -f "$CLOUD_JAR" ]; then
  bold "Building the agent and the reference cloud (mvn -B -DskipTests package)"
  mvn -B -q -DskipTests package
fi

rm -rf "$DEMO_DIR"
mkdir -p "$DEMO_DIR"
cloud_port=$(free_port)
api_port=$(free_port)
cloud_url="127.0.0.1:$cloud_port"
api="http://127.0.0.1:$api_port"
cloud_cli() { java -jar "$CLOUD_JAR" "$@" --url "https://$cloud_url" --data-dir "$DEMO_DIR/cloud"; }

bold "1. Start the reference cloud (HTTPS, its own local CA)"
show "java -jar $CLOUD_JAR serve --port $cloud_port --data-dir $DEMO_DIR/cloud"
java -jar "$CLOUD_JAR" serve --port "$cloud_port" --data-dir "$DEMO_DIR/cloud" >"$DEMO_DIR/cloud.log" 2>&1 &
cloud_pid=$!
until grep -q "Listening on" "$DEMO_DIR/cloud.log"; do
  kill -0 "$cloud_pid" 2>/dev/null || { cat "$DEMO_DIR/cloud.log" >&2; exit 1; }
  sleep 0.1
done
sed 's/^/  /' "$DEMO_DIR/cloud.log"

bold "2. Create a one-time provisioning code (what the dashboard's Devices -> Add Device does)"
show "java -jar $CLOUD_JAR code create --ttl 1h --label demo"
code=$(cloud_cli code create --ttl 1h --label demo 2>"$DEMO_DIR/code.txt")
echo "$code"
sed 's/^/  /' "$DEMO_DIR/code.txt"

bold "3. Configure the device: the documentation's env file, plus the reference cloud's CA"
cat >"$DEMO_DIR/edgeflow.env" <<EOF
# /etc/edgeflow/.env
EDGEFLOW_SAAS_ENABLED=true
EDGEFLOW_SAAS_URL=$cloud_url
EDGEFLOW_PROVISIONING_CODE=$code
EDGEFLOW_SAAS_CA_FILE=$DEMO_DIR/cloud/ca.pem
EOF
cat "$DEMO_DIR/edgeflow.env"

start_agent() { # LOG
  EDGEFLOW_ENV_FILE="$DEMO_DIR/edgeflow.env" EDGEFLOW_DATA_DIR="$DEMO_DIR/agent" EDGEFLOW_HTTP_PORT=$api_port \
    "$AGENT" >"$1" 2>&1 &
  agent_pid=$!
}

# Prints the agent's log lines as they come and each change of its status, until the status is $1 (a regex).
watch_log=""
watch_shown=0
watch_until() {
  local want=$1 log=$2 last="" status lines
  if [ "$log" != "$watch_log" ]; then watch_log=$log; watch_shown=0; fi
  for _ in $(seq 600); do
    kill -0 "$agent_pid" 2>/dev/null || { echo "the agent exited:" >&2; cat "$log" >&2; exit 1; }
    lines=$(wc -l <"$log")
    if [ "$lines" -gt "$watch_shown" ]; then
      sed -n "$((watch_shown + 1)),${lines}p" "$log" | grep -E "Provisioning|Registering|Registered|provisioned|Cloud endpoint|confirmed|Removed|agent ready|vault|Tunnel" \
        | sed -E 's/^[0-9T:.-]+Z /  log  /' || true
      watch_shown=$lines
    fi
    status=$(curl -s "$api/api/v1/saas/status" 2>/dev/null | sed -n 's/.*"status" *: *"\([a-z]*\)".*/\1/p' || true)
    if [ -n "$status" ] && [ "$status" != "$last" ]; then
      echo "  status -> $status"
      last=$status
    fi
    [[ "$status" =~ ^($want)$ ]] && return 0
    sleep 0.1
  done
  echo "the status did not become $want within 60 s" >&2
  exit 1
}

bold "4. Start the agent and watch it provision, then open its tunnel to the cloud"
show "EDGEFLOW_ENV_FILE=$DEMO_DIR/edgeflow.env EDGEFLOW_DATA_DIR=$DEMO_DIR/agent EDGEFLOW_HTTP_PORT=$api_port $AGENT"
started=$(date +%s%3N)
start_agent "$DEMO_DIR/agent-1.log"
watch_until "provisioned|connecting|online" "$DEMO_DIR/agent-1.log"
echo "  (provisioned $(( $(date +%s%3N) - started )) ms after the agent started)"
watch_until online "$DEMO_DIR/agent-1.log"
echo "  (online $(( $(date +%s%3N) - started )) ms after the agent started)"

bold "5. The device's status, from its local API"
show "curl $api/api/v1/saas/status"
curl -s "$api/api/v1/saas/status"

bold "6. The cloud's view: the device online, and the audit trail (codes masked)"
show "java -jar $CLOUD_JAR devices list"
cloud_cli devices list
show "java -jar $CLOUD_JAR audit"
cloud_cli audit

bold "7. The cloud reaches the device's local API through the tunnel"
device=$(curl -s "$api/api/v1/saas/status" | sed -n 's/.*"device_id" *: *"\([a-z0-9_]*\)".*/\1/p')
show "java -jar $CLOUD_JAR devices call $device GET /api/v1/device/facts"
cloud_cli devices call "$device" GET /api/v1/device/facts

bold "8. Restart the agent: the used code still sits in the env file, and is ignored"
stop_agent
start_agent "$DEMO_DIR/agent-2.log"
watch_until online "$DEMO_DIR/agent-2.log"
show "java -jar $CLOUD_JAR audit --limit 3"
cloud_cli audit --limit 3

bold "9. Provision again through the local API with a second code (the key is shown this once)"
code2=$(cloud_cli code create --ttl 1h --label demo-api 2>/dev/null)
show "curl -X POST $api/api/v1/saas/provision -H \"Content-Type: application/json\" -d '{\"provisioning_code\": \"$code2\"}'"
curl -s -X POST "$api/api/v1/saas/provision" -H "Content-Type: application/json" \
  -d "{\"provisioning_code\": \"$code2\"}"
echo "  (the tunnel reconnects with the new credentials)"
watch_until online "$DEMO_DIR/agent-2.log"
show "curl $api/api/v1/saas/status"
curl -s "$api/api/v1/saas/status"

bold "Done"
echo "Agent log: $DEMO_DIR/agent-1.log, $DEMO_DIR/agent-2.log; cloud: $DEMO_DIR/cloud.log"
if [ -t 0 ]; then
  read -r -p "Press Enter to stop the agent ($api) and the cloud (https://$cloud_url)... " _
fi
