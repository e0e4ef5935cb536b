#!/usr/bin/env bash
# Migration benchmark: KEYS keys of 64-byte values (default 1M) move from group 1 to group 2 through the
# API, once alone and once under a redis-benchmark load (GET/SET, 50 clients, P=1) through the nodes.
# Prints keys/s for both, the load's p50/p99 without and during the migration, the longest MIGRATE
# block on the source, and first the fixed cost: moving all 1024 slots while they hold no key (the demo's
# first two moves, the median of EMPTY_PAIRS more pairs, and the median of the last 10 of WARM_PAIRS pairs
# after those, once the JIT has compiled most of the control plane). Ends with
# one summary table of these figures. The load runs in windows of LOAD_N SETs + LOAD_N GETs (about a second each), so
# that only windows wholly within the migration count as "during" it. Runs the three-node demo (its own Redis servers); installs nothing: needs
# redis-benchmark and redis-cli (Debian: apt-get install redis-tools) and curl.
#
#   deploy/bench/migration.sh
#   KEYS=200000 deploy/bench/migration.sh
#   LOGS=/tmp/mig-logs deploy/bench/migration.sh   (keeps the nodes' logs)
#   RESP_PORT=19100 HTTP_PORT=11180 CLUSTER_PORT=2651 deploy/bench/migration.sh   (beside another demo)
#   DEMO_OPTS="-D rekko.migration.mover.batch-keys=500" deploy/bench/migration.sh    (node settings)
set -euo pipefail
cd "$(dirname "$0")/../.."

. deploy/bench/common.sh

KEYS=${KEYS:-1000000}
API=http://127.0.0.1:$HTTP_PORT

need_tools ": install it (Debian: apt-get install redis-tools curl) to run this benchmark." redis-benchmark redis-cli curl
need_jar

start_demo "$WORK/demo.log" "-XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError" --nodes 3 --groups 2 --replicas 0 \
  --base-port "$RESP_PORT" --admin-base-port "$HTTP_PORT" --cluster-base-port "$CLUSTER_PORT" ${DEMO_OPTS:-}
wait_ready "$WORK/demo.log" 240 || { echo "demo did not get ready:"; tail -20 "$WORK/demo.log"; exit 1; }
READY=$(ready_line "$WORK/demo.log")
G1=$(group_master "$READY" 1)
G2=$(group_master "$READY" 2)
echo "group 1 master $G1, group 2 master $G2"

api() { curl -sf -X POST -H 'Content-Type: application/json' -d "$2" "$API$1" > /dev/null; }
# One process a poll (bash matches the counts itself): on two busy cores each process started costs
# tens of ms, which the moves of empty slots would otherwise include.
wait_done() {
  local m
  while true; do
    m=$(curl -sf "$API/api/migrations")
    [[ $m =~ \"active\":0[,}] && $m =~ \"pending\":0[,}] ]] && break
    sleep 0.05
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
# The load: windows of LOAD_N SETs and LOAD_N GETs (50 clients, P=1, keys spread over all slots), one
# after another until $WORK/stop appears. Each window prints: start end SET-p50 SET-p99 GET-p50 GET-p99.
LOAD_N=${LOAD_N:-20000}
windows() {
  while [ ! -f "$WORK/stop" ]; do
    local s e r
    s=$(date +%s.%N)
    r=$(redis-benchmark -p "$RESP_PORT" -t set,get -n "$LOAD_N" -c 50 -r 100000000 -d 64 --csv 2>/dev/null \
      | awk -F'"' '/^"SET"/ {sp=$10" "$14} /^"GET"/ {gp=$10" "$14} END {print sp" "gp}')
    e=$(date +%s.%N)
    echo "$s $e $r"
  done
}
# Summarises the windows of $1 that lie within [$2, $3] (all of them without bounds).
summary() {
  awk -v from="${2:-0}" -v to="${3:-1e20}" '
    $1 >= from && $2 <= to && NF == 6 { n++; s50[n]=$3; s99[n]=$4; g50[n]=$5; g99[n]=$6 }
    function med(a,   i, j, t, b) { for (i = 1; i <= n; i++) b[i] = a[i]
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (b[j] < b[i]) { t = b[i]; b[i] = b[j]; b[j] = t }
      return b[int((n + 1) / 2)] }
    function max(a,   i, m) { m = a[1]; for (i = 2; i <= n; i++) if (a[i] > m) m = a[i]; return m }
    END { if (n == 0) { print "  no complete window"; exit }
      printf "  %d windows of %d SET + %d GET; SET p50 %s ms, p99 median %s max %s ms; GET p50 %s ms, p99 median %s max %s ms\n",
        n, '"$LOAD_N"', '"$LOAD_N"', med(s50), med(s99), max(s99), med(g50), med(g99), max(g99)
      printf "  p99 of each window in order, SET/GET (ms):"
      for (i = 1; i <= n; i++) printf " %s/%s", s99[i], g99[i]; printf "\n"
      printf "VALUES %d %s %s %s %s\n", n, med(s99), max(s99), med(g99), max(g99) > "/dev/stderr" }' "$1"
}
load_for() {   # $1: seconds of load without a migration
  rm -f "$WORK/stop"; windows > "$WORK/idle.txt" & local pid=$!
  sleep "$1"; touch "$WORK/stop"; wait $pid
  summary "$WORK/idle.txt"
}

# The fixed cost: all 1024 slots there and back with no key anywhere.
redis-cli -h "${G1%:*}" -p "${G1#*:}" flushall > /dev/null
redis-cli -h "${G2%:*}" -p "${G2#*:}" flushall > /dev/null
E1=$(migrate 2)
E2=$(migrate 1)
echo "1024 empty slots: $E1 s to group 2, $E2 s back"
# The first moves of a demo run on code the JIT has not compiled yet; a running cluster's are the later ones.
EMPTY_PAIRS=${EMPTY_PAIRS:-3}
MOVES=()
for _ in $(seq 1 "$EMPTY_PAIRS"); do MOVES+=("$(migrate 2)" "$(migrate 1)"); done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
EMED=$(median "${MOVES[@]}")
echo "then ${#MOVES[@]} more moves: ${MOVES[*]} s; median $EMED s"
# The JIT compiles the control plane's code slowly, because it runs only during moves: about half of
# the nodes' CPU in a move is C2 compiling even after 20 moves. The warm figure is a long-running node's.
WARM_PAIRS=${WARM_PAIRS:-10}
WARM=()
for _ in $(seq 1 "$WARM_PAIRS"); do WARM+=("$(migrate 2)" "$(migrate 1)"); done
LAST=("${WARM[@]: -10}")
WMED=$(median "${LAST[@]}")
echo "then ${#WARM[@]} more moves: ${WARM[*]} s; median of the last ${#LAST[@]} $WMED s"

N=$(load)
# The load just sent the source a million SETs: for a second the mover still sees clients there and
# yields (short rounds, one lane). Alone means no client, so it starts once that has passed.
sleep 2
T=$(migrate 2)
ALONE=$(echo "$N / $T" | bc)
NA=$N
echo "alone:      $N keys in $T s = $ALONE keys/s"
echo "load without a migration:"; load_for 8 2> "$WORK/idle.values"

api /api/slots/migrate '{"from":0,"to":1023,"group":1}'; wait_done
redis-cli -h "${G2%:*}" -p "${G2#*:}" flushall > /dev/null
N=$(load)
rm -f "$WORK/stop"; windows > "$WORK/during.txt" &
LOAD=$!
sleep 2
FROM=$(date +%s.%N)
T=$(migrate 2)
TO=$(date +%s.%N)
touch "$WORK/stop"; wait $LOAD
LOADED=$(echo "$N / $T" | bc)
echo "under load: $N keys in $T s = $LOADED keys/s (keys the load created are not counted)"
echo "load during the migration (windows that lie wholly within it):"
summary "$WORK/during.txt" "$FROM" "$TO" 2> "$WORK/during.values"
BLOCK=$(curl -sf "$API/api/migrations" | sed -E 's/.*"longestBlockMs":([0-9]+).*/\1/')
echo "longest MIGRATE block on the source: $BLOCK ms"

read -r _ IN IS99 IS99MAX IG99 IG99MAX < <(grep VALUES "$WORK/idle.values" || echo "VALUES 0 - - - -")
read -r _ DN DS99 DS99MAX DG99 DG99MAX < <(grep VALUES "$WORK/during.values" || echo "VALUES 0 - - - -")
echo
echo "date: $(date -u +%F) machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); three nodes, two groups, no replica"
echo
echo "| figure | value | goal |"
echo "| --- | --- | --- |"
echo "| 1024 slots with no key, to group 2 / back, a fresh demo's first moves | $E1 s / $E2 s | |"
echo "| the same, median of the ${#MOVES[@]} moves after those | $EMED s | <= 1 s |"
echo "| the same, median of the last ${#LAST[@]} of $((${#MOVES[@]} + 2 + ${#WARM[@]})) moves (JIT warm) | $WMED s | <= 1 s |"
echo "| $NA keys of 64 bytes, alone | $ALONE keys/s | >= 100000 keys/s |"
echo "| the same under load (50 clients, P=1) | $LOADED keys/s | |"
echo "| client p99 without a migration, SET/GET (median of $IN windows) | $IS99 / $IG99 ms | |"
echo "| client p99 during the migration, SET/GET (median of $DN windows) | $DS99 / $DG99 ms | |"
echo "| client p99 during the migration, worst window SET/GET | $DS99MAX / $DG99MAX ms | < 10 ms |"
echo "| longest MIGRATE block on the source | $BLOCK ms | |"
