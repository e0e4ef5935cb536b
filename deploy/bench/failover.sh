#!/usr/bin/env bash
# Failover benchmark: KILLS times, SIGKILL the master of a group of the three-node demo (a replica per group)
# and time from the kill to the first write the nodes accept again for a key of that group. After each
# failover the killed server is started again on its port (empty): Rekko makes it a replica of the new
# master, and the next kill hits the other group (or this one's new master). Then the cost of durable
# writes (rekko.ha.durable-writes): SET through a node with them off and on, at pipeline depth 1 and 16.
#
#   deploy/bench/failover.sh
#   KILLS=10 deploy/bench/failover.sh
#   RESP_PORT=19100 HTTP_PORT=11180 CLUSTER_PORT=2651 deploy/bench/failover.sh   (beside another demo)
#
# Installs nothing: needs redis-cli and redis-benchmark (Debian: apt-get install redis-tools) and curl.
set -euo pipefail
cd "$(dirname "$0")/../.."

. deploy/bench/common.sh

KILLS=${KILLS:-5}
REQUESTS=${REQUESTS:-100000}
API=http://127.0.0.1:$HTTP_PORT

need_tools ": install it (Debian: apt-get install redis-tools curl) to run this benchmark." \
  redis-benchmark redis-cli curl gzip od
need_jar

run_demo() {   # $@: more demo arguments
  start_demo "$WORK/demo.log" "-XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError" --nodes 3 --groups 2 --replicas 1 \
    --base-port "$RESP_PORT" --admin-base-port "$HTTP_PORT" --cluster-base-port "$CLUSTER_PORT" "$@"
  wait_ready "$WORK/demo.log" 240 || { echo "demo did not get ready:"; tail -20 "$WORK/demo.log"; exit 1; }
}

# Rekko's slot of a key: CRC32 mod 1024 (gzip's trailer carries the CRC32 of its input).
slot_of() { printf %s "$1" | gzip -c | tail -c8 | head -c4 | od -An -tu4 | awk '{print $1 % 1024}'; }
# A key of group $1: the first key-N whose slot the topology gives to that group.
key_of_group() {
  local slots n=0 s
  slots=$(curl -sf "$API/api/slots" | tr '{' '\n' | sed -nE "s/.*\"id\":([0-9]+).*\"group\":$1[,}].*/\1/p" | tr '\n' ' ')
  while true; do
    s=$(slot_of "key-$n")
    case " $slots " in *" $s "*) echo "key-$n"; return;; esac
    n=$((n + 1))
  done
}
master_of() {   # the group's master as the topology names it
  curl -sf "$API/api/groups/$1" | tr '{' '\n' | sed -nE 's/.*"addr":"([^"]+)".*"role":"MASTER".*/\1/p' | head -1
}
now_ms() { date +%s%3N; }

run_demo
echo "failover: $KILLS kills of a master under the three-node demo (2 groups, 1 replica each)"
printf '%-5s %-6s %-22s %-22s %s\n' kill group killed "new master" "kill → first accepted write (ms)"
for i in $(seq 1 "$KILLS"); do
  G=$(( (i - 1) % 2 + 1 ))
  KEY=$(key_of_group "$G")
  M=$(master_of "$G")
  PID=$(redis-cli -h "${M%:*}" -p "${M#*:}" info server | sed -nE 's/^process_id:([0-9]+).*/\1/p' | tr -d '\r')
  # Redis rewrites its process title, so the restart uses its binary and port (it comes back empty).
  EXE=$(readlink "/proc/$PID/exe")
  T0=$(now_ms)
  kill -9 "$PID"
  until [ "$(redis-cli -p "$RESP_PORT" set "$KEY" "$i" 2>/dev/null)" = OK ]; do sleep 0.01; done
  T1=$(now_ms)
  NEW=$(master_of "$G")
  printf '%-5s %-6s %-22s %-22s %s\n' "$i" "$G" "$M" "$NEW" "$((T1 - T0))"
  # The old master returns; wait until Rekko made it a replica of the new master with its link up.
  (cd "$WORK" && exec "$EXE" --port "${M#*:}" --bind 127.0.0.1 --save "" --appendonly no \
    --protected-mode no > /dev/null 2>&1) &
  echo $! >> "$SERVERS"; disown $!
  for _ in $(seq 1 300); do
    R=$(redis-cli -h "${M%:*}" -p "${M#*:}" info replication 2>/dev/null | tr -d '\r' || true)
    echo "$R" | grep -q '^master_link_status:up' && echo "$R" | grep -q "^master_port:${NEW#*:}$" && break
    sleep 0.1
  done
done
stop_demo

bench() {   # $1 pipeline depth: prints ops/s p50 p99
  redis-benchmark -p "$RESP_PORT" -t set -n "$2" -P "$1" -c 50 -r 1000000 --csv 2>/dev/null \
    | awk -F'"' '/^"SET"/ {printf "%8d %7s %7s", $4, $10, $14}'
}
echo
echo "durable writes (SET through node 0, 50 clients): ops/s p50 p99 (ms)"
run_demo
OFF1=$(bench 1 "$REQUESTS"); OFF16=$(bench 16 $((REQUESTS * 8)))
stop_demo
run_demo -D rekko.ha.durable-writes=on
ON1=$(bench 1 "$REQUESTS"); ON16=$(bench 16 $((REQUESTS * 8)))
stop_demo
printf 'P=1   off %s | on %s | on/off %.2f\n' "$OFF1" "$ON1" "$(echo "$ON1 $OFF1" | awk '{print $1 / $4}')"
printf 'P=16  off %s | on %s | on/off %.2f\n' "$OFF16" "$ON16" "$(echo "$ON16 $OFF16" | awk '{print $1 / $4}')"
