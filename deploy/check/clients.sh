#!/usr/bin/env bash
# Clients from other ecosystems against the three-node demo: redis-py (Python) and node-redis (Node.js) do
# what applications do — the connection handshake (CLIENT SETINFO, HELLO 3), pipelines, MGET across
# groups, transactions, pub/sub across nodes, blocking pops, SCAN — and each must get the same answers a
# single Redis gives. Not part of `./mvnw verify`: it downloads the client libraries (pip, npm) into a
# temporary folder, which the test suite may not do.
#
#   deploy/check/clients.sh                 (needs python3 with venv/pip, node with npm, network)
#   RESP_PORT=19100 HTTP_PORT=11180 CLUSTER_PORT=2651 deploy/check/clients.sh   (beside another demo)
set -euo pipefail
cd "$(dirname "$0")/../.."

RESP_PORT=${RESP_PORT:-19000}
HTTP_PORT=${HTTP_PORT:-11080}
CLUSTER_PORT=${CLUSTER_PORT:-2551}
JAR=proxy-node/target/rekko-node.jar
WORK=$(mktemp -d)
DEMO_PID=
HERE=$(pwd)/deploy/check

cleanup() {
  [ -n "$DEMO_PID" ] && kill "$DEMO_PID" 2>/dev/null && wait "$DEMO_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

for tool in python3 node npm; do
  command -v $tool >/dev/null || { echo "$tool not found: this check needs python3 and node with npm" >&2; exit 2; }
done
[ -f "$JAR" ] || ./mvnw -q -B -DskipTests package

echo "== installing redis-py and node-redis into $WORK"
python3 -m venv "$WORK/py" && "$WORK/py/bin/pip" install -q redis
(cd "$WORK" && npm init -y >/dev/null && npm install --silent redis@4 >/dev/null)

echo "== starting the demo (3 nodes, 3 groups)"
java -XX:+UseParallelGC -jar "$JAR" demo --nodes 3 --groups 3 --replicas 0 \
  --base-port "$RESP_PORT" --admin-base-port "$HTTP_PORT" --cluster-base-port "$CLUSTER_PORT" \
  > "$WORK/demo.log" 2>&1 &
DEMO_PID=$!
for _ in $(seq 1 240); do grep -q '^READY' "$WORK/demo.log" && break; sleep 1; done
grep -q '^READY' "$WORK/demo.log" || { echo "demo did not get ready:"; tail -20 "$WORK/demo.log"; exit 1; }

status=0
echo "== redis-py"
"$WORK/py/bin/python" "$HERE/clients.py" "$RESP_PORT" || status=1
echo "== node-redis"
# ES modules resolve packages from the script's own folder: run a copy beside node_modules.
cp "$HERE/clients.mjs" "$WORK/" && (cd "$WORK" && node clients.mjs "$RESP_PORT") || status=1
[ $status -eq 0 ] && echo "ALL CLIENT CHECKS PASSED" || echo "SOME CLIENT CHECKS FAILED"
exit $status
