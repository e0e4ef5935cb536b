#!/usr/bin/env bash
# Memory and start-up benchmark: heap per idle and per active client connection, and the time from a
# node's start to serving on a stored topology. Prints one summary table.
#
#   deploy/bench/memory.sh
#   IDLE=10000 ACTIVE=1000 deploy/bench/memory.sh
#
# How: a one-node demo (one Redis, no replica). The node's live heap is read with `jcmd <pid>
# GC.class_histogram` (a full GC, then the bytes of the objects that survived it): before any client, with IDLE
# idle connections open (`redis-benchmark -I`), and with ACTIVE connections running GET at pipeline depth 16.
# Per-connection figures are the difference divided by the count. The start-up figure starts a second,
# stand-alone node twice on one data folder over the demo's Redis: the first start seeds the topology,
# the second (measured: process start to `/api/ready` 200) loads it from disk, and so does a third that
# loads its classes from the class-data archive the first wrote (what bin/rekko-node does unless REKKO_CDS=off).
#
# Environment: IDLE (default 10000), ACTIVE (default 1000), RESP_PORT (19000), HTTP_PORT (11080),
# CLUSTER_PORT (2551), JAR, JAVA_OPTS (the demo's JVM; the demo gives its node -Xmx256m).
set -euo pipefail
cd "$(dirname "$0")/../.."

. deploy/bench/common.sh

IDLE=${IDLE:-10000}
ACTIVE=${ACTIVE:-1000}

need_tools " (redis-benchmark: apt-get install redis-tools)" redis-benchmark jcmd ss curl
need=$((IDLE + ACTIVE + 1000))
if [ "$(ulimit -n)" -lt "$need" ]; then
  ulimit -n "$need" 2>/dev/null || { echo "needs ulimit -n >= $need (now $(ulimit -n))" >&2; exit 2; }
fi
need_jar

start_demo "$WORK/demo.log" "${JAVA_OPTS--XX:+UseParallelGC}" --nodes 1 --groups 1 --replicas 0 \
  --base-port "$RESP_PORT" --admin-base-port "$HTTP_PORT" --cluster-base-port "$CLUSTER_PORT" \
  -D rekko.proxy.max-clients=$((IDLE + ACTIVE + 100))
wait_ready "$WORK/demo.log" 120 || { cat "$WORK/demo.log" >&2; exit 1; }
READY=$(ready_line "$WORK/demo.log")
REDIS_ADDR=$(group_master "$READY" 1)
NODE_PID=$(ss -ltnpH "sport = :$RESP_PORT" | sed -E 's/.*pid=([0-9]+).*/\1/' | head -n 1)
API=http://127.0.0.1:$HTTP_PORT

# live heap in bytes: the class histogram forces a full GC and counts what survived it (a heap reading
# taken after a separate GC would also count what the running clients allocated meanwhile)
heap() {
  jcmd "$NODE_PID" GC.class_histogram | awk '/^Total/ {print $3}'
}
sessions() { curl -sf "$API/api/stats" | sed -E 's/.*"alive":([0-9]+).*/\1/'; }
await_sessions() { # N
  for _ in $(seq 1 600); do [ "$(sessions)" -ge "$1" ] && return 0; sleep 0.2; done
  echo "only $(sessions) of $1 client connections came up" >&2; exit 1
}

redis-benchmark -p "$RESP_PORT" -n 20000 -t get -q >/dev/null 2>&1 # warm the JIT and the pools
base=$(heap)

redis-benchmark -p "$RESP_PORT" -I -c "$IDLE" >/dev/null 2>&1 &
IDLE_PID=$!
PIDS+=($IDLE_PID)
await_sessions "$IDLE"
idle_heap=$(heap)
kill "$IDLE_PID" 2>/dev/null || true
wait "$IDLE_PID" 2>/dev/null || true
for _ in $(seq 1 300); do [ "$(sessions)" -le 1 ] && break; sleep 0.2; done
base2=$(heap)

redis-benchmark -p "$RESP_PORT" -c "$ACTIVE" -P 16 -n 100000000 -t get -q >/dev/null 2>&1 &
ACTIVE_PID=$!
PIDS+=($ACTIVE_PID)
await_sessions "$ACTIVE"
sleep 3
active_heap=$(heap)
kill "$ACTIVE_PID" 2>/dev/null || true
wait "$ACTIVE_PID" 2>/dev/null || true

# Start-up on a stored topology: a stand-alone node over the demo's Redis, started twice on one folder.
start_node() { # LOG [JVM option]
  java ${2:-} -XX:+UseParallelGC -Xmx256m --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
    -jar "$JAR" node --new-cluster -D rekko.data-dir="$WORK/node" -D rekko.proxy.port=$((RESP_PORT + 50)) \
    -D rekko.admin.port=$((HTTP_PORT + 50)) -D rekko.cluster.port=$((CLUSTER_PORT + 50)) \
    -D rekko.cluster.seed-nodes="[\"127.0.0.1:$((CLUSTER_PORT + 50))\"]" \
    -D rekko.bootstrap.groups="1=$REDIS_ADDR" >"$1" 2>&1 &
  echo $!
}
# The node runs in start_node's subshell, not as a child of this shell: `wait` cannot wait for it. The
# next start needs its ports, and the first one's exit writes the archive.
stop_node() { # PID
  kill -TERM "$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.1; done
}
await_ready() { # -> milliseconds waited
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq 1 1200); do
    curl -sf "http://127.0.0.1:$((HTTP_PORT + 50))/api/ready" >/dev/null 2>&1 && break
    sleep 0.05
  done
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
# The first start also writes the class-data archive bin/rekko-node keeps by default (as the JVM
# exits); the third start loads its classes from it.
p=$(start_node "$WORK/node-1.log" -XX:ArchiveClassesAtExit="$WORK/rekko-node.jsa"); PIDS+=("$p")
t0=$(date +%s%N); await_ready >/dev/null
first_ms=$((($(date +%s%N) - t0) / 1000000))
stop_node "$p"
t0=$(date +%s%N)
p=$(start_node "$WORK/node-2.log"); PIDS+=("$p")
await_ready >/dev/null
stored_ms=$((($(date +%s%N) - t0) / 1000000))
stop_node "$p"
t0=$(date +%s%N)
p=$(start_node "$WORK/node-3.log" -XX:SharedArchiveFile="$WORK/rekko-node.jsa"); PIDS+=("$p")
await_ready >/dev/null
cds_ms=$((($(date +%s%N) - t0) / 1000000))
stop_node "$p"

kib() { awk -v d="$1" -v n="$2" 'BEGIN { printf "%.1f", d / n / 1024 }'; }
echo
echo "date: $(date -u +%F) machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(java -version 2>&1 | head -n 1)"
echo
echo "| figure | value | goal |"
echo "| --- | --- | --- |"
echo "| live heap, no client | $((base / 1024)) KiB | |"
echo "| heap per idle connection ($IDLE open) | $(kib $((idle_heap - base)) "$IDLE") KiB | <= 16 KiB |"
echo "| heap per active connection ($ACTIVE, GET, P=16) | $(kib $((active_heap - base2)) "$ACTIVE") KiB | <= 64 KiB |"
echo "| node start to serving, first start (forms the cluster, seeds) | $first_ms ms | |"
echo "| node start to serving, stored topology | $stored_ms ms | <= 5000 ms |"
echo "| the same with the class-data archive (REKKO_CDS, on by default) | $cds_ms ms | <= 5000 ms |"
