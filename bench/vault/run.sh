#!/usr/bin/env bash
# Store and load latency of the credential vault (issue 4): median, p90, p99 and max over ITERATIONS
# calls of each, after a warm-up, plus the first call in a new JVM ("cold"). Two JVM flag sets: the
# ones the agent ships with (launcher/src/main/dist/edgeflow) and the JVM's defaults.
#
#   bench/vault/run.sh [ITERATIONS]     (default 2000; needs the classes: mvn -B -DskipTests package)
#
# The vault directory is bench/out/vault-data (override with VAULT_BENCH_DIR, for example a directory
# on the device's real data partition): every store fsyncs the file and the directory, so the numbers
# are mostly those of the disk under it.
# Writes bench/out/vault.md and replaces the "vault" section of bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
ITERATIONS=${1:-2000}
CLASSES=bundles/credential-vault/target/classes:bundles/api/target/classes
[ -d bundles/credential-vault/target/classes/io ] && [ -d bundles/api/target/classes/io ] \
  || { echo "build first: mvn -B -DskipTests package" >&2; exit 1; }
DIR=${VAULT_BENCH_DIR:-bench/out/vault-data}
mkdir -p bench/out
SHIPPED="-Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k -XX:ReservedCodeCacheSize=16m -XX:MaxMetaspaceSize=64m -XX:-UsePerfData"

run() { # LABEL FLAGS
  local data="$DIR/$(echo "$1" | tr -c 'a-z0-9\n' '-')"
  rm -rf "$data"
  # shellcheck disable=SC2086
  java $2 -cp "$CLASSES" bench/vault/VaultBench.java "$data" "$ITERATIONS" "$1"
  rm -rf "$data"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$DIR"
fs=$(df --output=fstype "$DIR" | tail -1)
rows=$(run "shipped flags" "$SHIPPED"; run "JVM defaults" "")
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

{
  echo "<!-- vault:begin -->"
  echo "## Credential vault: store and load latency (issue 4)"
  echo
  echo "\`bench/vault/run.sh $ITERATIONS\` on $(date -u +%Y-%m-%d), $(nproc) cores, $(java -version 2>&1 | head -1),"
  echo "vault directory on $fs. Each row: $ITERATIONS timed calls after 200 warm-up pairs; \"cold\" is the first"
  echo "call in a new JVM (one sample: class loading, SecureRandom seeding, and for the store creating the key file)."
  echo "A store reads the key file and /etc/machine-id, derives the keys (HKDF), reads and decrypts the current vault,"
  echo "encrypts (AES-256-GCM), writes a temp file, fsyncs it, renames it and fsyncs the directory; a load reads the"
  echo "key file, machine identity and vault, and decrypts. Times in ms."
  echo
  echo "The machine is shared with other builds (load average $load_before before, $load_after after), so the"
  echo "tails are noisy; the fsyncs make a store cost what the disk makes it cost."
  echo
  echo "| JVM | operation | calls | median | p90 | p99 | max | cold |"
  echo "|---|---|---|---|---|---|---|---|"
  echo "$rows"
  echo
  echo "<!-- vault:end -->"
} | tee bench/out/vault.md

touch bench/RESULTS.md
python3 - <<'PY'
import re, pathlib
results = pathlib.Path("bench/RESULTS.md")
section = pathlib.Path("bench/out/vault.md").read_text()
text = results.read_text() if results.exists() else ""
if not text.strip():
    text = "# EdgeFlow benchmark results\n\nEach section is written by the script it names; rerun it to refresh.\n\n"
pattern = re.compile(r"<!-- vault:begin -->.*?<!-- vault:end -->\n?", re.S)
text = pattern.sub(section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
results.write_text(text)
PY
