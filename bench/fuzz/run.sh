#!/usr/bin/env bash
# A long run of the cloud's fuzz suite (CloudApiFuzzTest, TunnelFrameFuzzTest): the same properties as
# `mvn -B verify`, with many more tries each.
#
#   bench/fuzz/run.sh            (TRIES per property, default 5000)
#
# Runs in the reactor (`-pl cloud -am`, nothing installed), prints jqwik's report of every property
# (tries, checks, the distribution of answers and actions, the seed) and the suite's own count of
# generated requests and frames, and keeps the whole output in bench/out/cloud-fuzz.log. A failure
# prints the generated input that broke an invariant (shrunk) and its seed; jqwik keeps the failing
# sample in cloud/target/jqwik-database and tries it first on the next run.
set -euo pipefail
cd "$(dirname "$0")/../.."
TRIES=${TRIES:-5000}
mkdir -p bench/out
start=$(date +%s)
status=0
mvn -B -o -pl cloud -am test -Dtest='CloudApiFuzzTest,TunnelFrameFuzzTest' -Dsurefire.failIfNoSpecifiedTests=false \
  -Dfuzz.tries="$TRIES" >bench/out/cloud-fuzz.log 2>&1 || status=$?
end=$(date +%s)
grep -E '^(tries|checks|seed) *=|generated (requests|frames)|Tests run:|FAIL' bench/out/cloud-fuzz.log || true
echo "cloud fuzz: $TRIES tries per property, $((end - start)) s, exit $status (full output: bench/out/cloud-fuzz.log)"
exit $status
