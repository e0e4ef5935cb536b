#!/usr/bin/env bash
# Migration benchmark: KEYS keys of 64-byte values (default 1M) move from group 1 to group 2 through the
# API, once alone and once under a redis-benchmark load (GET/SET, 50 clients, P=1) through the nodes.
# Prints keys/s for both, the load's p50/p99 without and during the migration, and the longest MIGRATE
# block on the source. Runs the three-node demo (its own Redis servers); installs nothing: needs
# redis-benchmark and redis-cli (Debian: apt-get install redis-tools) and curl.
#
#   deploy/bench/migration.sh
#   KEYS=200000 deploy/bench/migration.sh
#   LOGS=/tmp/mig-logs deploy/bench/migration.sh   (keeps the nodes' logs)
#   RESP_PORT=19100 HTTP_PORT=11180 CLUSTER_PORT=2651 deploy/bench/migration.sh   (beside another demo)
#   DEMO_OPTS="-D rekko.migration.mover.batch-keys=500" deploy/bench/migration.sh    (node settings)
set -euo pipefail
cd "$(dirname "$0")/../.."

KEYS=${KEYS:-1000000}
# Ports of node 0 (node i uses +i), so that it can run beside another demo.
RESP_PORT=${RESP_PORT:-19000}
HTTP_PORT=${HTTP_PORT:-11080}
CLUSTER_PORT=${CLUSTER_PORT:-2551}
JAR=proxy-node/target/rekko-node.jar
API=http://127.0.0.1:$HTTP_PORT
WORK=$(mktemp -d)
DEMO_PID=

cleanup() {
  # LOGS=dir keeps the nodes' logs (the demo deletes its folder when it stops).
  if [ -n "${LOGS:-}" ]; then
    mkdir -p "$LOGS"
    DIR=$(sed -nE 's/.*output in (.*)\/node-0\.log.*/\1/p' "$WORK/demo.log" | head -1)
    cp "$WORK"/demo.log "$DIR"/node-*.log "$LOGS"/ 2>/dev/null || true
  fi
  [ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null && wait "$DEMO_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for tool in redis-benchmark redis-cli curl; do
  if ! command -v $tool >/dev/null; then
    echo "$tool not found: install it (Debian: apt-get install redis-tools curl) to run this benchmark." >&2
    exit 2
  fi
done
[ -f "$JAR" ] || ./mvnw -q -B -DskipTests package

java -XX:+UseParallelGC -jar "$JAR" demo --nodes 3 --groups 2 --replicas 0 --base-port "$RESP_PORT" \
  --admin-base-port "$HTTP_PORT" --cluster-base-port "$CLUSTER_PORT" ${DEMO_OPTS:-} > "$WORK/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 240); do grep -q '^READY' "$WORK/demo.log" && break; sleep 1; done
grep -q '^READY' "$WORK/demo.log" || { echo "demo did not get ready:"; tail -20 "$WORK/demo.log"; exit 1; }
READY=$(grep '^READY' "$WORK/demo.log")
G1=$(echo "$READY" | sed -E 's/.*redis=1=([^,;]+).*/\1/')
G2=$(echo "$READY" | sed -E 's/.*;2=([^,; ]+).*/\1/')
echo "group 1 master $G1, group 2 master $G2"

api() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$API$1" > /dev/null; }
wait_done() {
  while true; do
    M=$(curl -sf "$API/api/migrations")
    A=$(echo "$M" | sed -E 's/.*"active":([0-9]+).*/\1/'); P=$(echo "$M" | sed -E 's/.*"pending":([0-9]+).*/\1/')
    [ "$A" = 0 ] && [ "$P" = 0 ] && break
    sleep 0.2
  done
}
# Everything on group 1, then fill it.
api /api/slots/migrate '{"from":512,"to":1023,"group":1}'; wait_done
load() {
  redis-cli -h "${G1%:*}" -p "${G1#*:}" flushall > /dev/null
  redis-benchmark -h "${G1%:*}" -p "${G1#*:}" -t set -n "$KEYS" -r 100000000 -d 64 -P 64 -c 20 -q > /dev/null
  redis-cli -h "${G1%:*}" -p "${G1#*:}" dbsize
}
migrate() {   # $1: target group; prints seconds
  local start end
  start=$(date +%s.%N)
  api /api/slots/migrate "{\"from\":0,\"to\":1023,\"group\":$1}"
  wait_done
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}
p99() { redis-benchmark -p "$RESP_PORT" -t get,set -n "$1" -c 50 --csv 2>/dev/null | awk -F'"' '/^"(SET|GET)"/ {print $2": p50 "$10" ms p99 "$14" ms, "$4" ops/s"}'; }

N=$(load)
T=$(migrate 2)
echo "alone:      $N keys in $T s = $(echo "$N / $T" | bc) keys/s"
echo "load without migration:"; p99 200000

api /api/slots/migrate '{"from":0,"to":1023,"group":1}'; wait_done
redis-cli -h "${G2%:*}" -p "${G2#*:}" flushall > /dev/null
N=$(load)
p99 2000000 > "$WORK/load.txt" &
LOAD=$!
sleep 2
T=$(migrate 2)
echo "under load: $N keys in $T s = $(echo "$N / $T" | bc) keys/s"
wait $LOAD
echo "load during the migration (the whole run of the load, which started 2 s before it):"; cat "$WORK/load.txt"
curl -sf "$API/api/migrations" | sed -E 's/.*"longestBlockMs":([0-9]+).*/longest MIGRATE block on the source: \1 ms/'
