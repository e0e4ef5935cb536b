#!/usr/bin/env bash
# Data-path benchmark: Redis direct vs Rekko (both client transports: `nio` and `streams`, see
# rekko.proxy.transport) vs twemproxy (nutcracker), side by side in one run, with redis-benchmark
# (50 clients; SET, GET, MGET of 10 keys; pipeline depth 1 and 16). Prints ops/s, p50/p99 and the
# ratios. Installs nothing: it says what is missing and skips it. Each transport runs in its own demo
# (one node, one Redis without replicas); "direct" is the first demo's Redis. While one target is
# measured the others sit idle.
#
#   deploy/bench/data-path.sh                 # defaults
#   ROUNDS=3 REQUESTS=300000 deploy/bench/data-path.sh
#
# Environment: ROUNDS (runs per cell; the median is reported, default 1), REQUESTS (per P=1 run,
# default 200000; P=16 runs do 8x), CLIENTS (default 50), RESP_PORT (19000), HTTP_PORT (11080),
# TWEM_PORT (22121), CLUSTER_PORT (2551; the streams demo uses +100, its RESP and HTTP ports +1),
# TRANSPORTS (default "nio streams"), TLS (default 1 when redis-benchmark has --tls: the first transport's
# demo also serves TLS, `demo --tls`, and its TLS port is a column of its own: the cost of client TLS), TESTS (default "SET GET MGET"), PIPELINES (default "1 16"), JAVA_OPTS (for the demo JVM; default -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError; ParallelGC measured
# better here than G1 for the node's short-lived garbage: P=16 +15-25%, lower p99), DEMO_ARGS (more
# arguments for `demo`, e.g. "-D pekko.actor.default-dispatcher.throughput=20"; these reach the node
# JVM, which is a child of the demo's: JAVA_OPTS only reaches the demo's own JVM).
set -euo pipefail
cd "$(dirname "$0")/../.."

. deploy/bench/common.sh

ROUNDS=${ROUNDS:-1}
REQUESTS=${REQUESTS:-200000}
CLIENTS=${CLIENTS:-50}
TWEM_PORT=${TWEM_PORT:-22121}
TRANSPORTS=${TRANSPORTS:-nio streams}
TLS=${TLS:-$(redis-benchmark --help 2>&1 | grep -q -- '--tls' && echo 1 || echo 0)}
FIRST_TRANSPORT=${TRANSPORTS%% *}
TESTS=${TESTS:-SET GET MGET}
PIPELINES=${PIPELINES:-1 16}

need_tools ": install it (Debian: apt-get install redis-tools) to run this benchmark." redis-benchmark
TWEM=1
if ! command -v nutcracker >/dev/null; then
  echo "nutcracker not found: the twemproxy column is skipped (Debian: apt-get install nutcracker)." >&2
  TWEM=0
fi
[ -f "$JAR" ] || echo "building $JAR ..." >&2
need_jar

# One Redis group without replicas, one node, per transport: the same kind of Redis behind every target.
start_transport() { # TRANSPORT OFFSET
  start_demo "$WORK/demo-$1.log" "${JAVA_OPTS--XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError}" \
    --nodes 1 --groups 1 --replicas 0 \
    --base-port $((RESP_PORT + $2)) --admin-base-port $((HTTP_PORT + $2)) --cluster-base-port $((CLUSTER_PORT + 100 * $2)) \
    $([ "$TLS" = 1 ] && [ "$1" = "$FIRST_TRANSPORT" ] && echo --tls) \
    -D rekko.proxy.transport="$1" ${DEMO_ARGS:-}
}
await_demo() { # TRANSPORT -> prints the READY line
  local log="$WORK/demo-$1.log"
  wait_ready "$log" 60 || { echo "the Rekko demo ($1) did not become ready:" >&2; cat "$log" >&2; exit 1; }
  ready_line "$log"
}
TARGETS=()
i=0
for tr in $TRANSPORTS; do start_transport "$tr" "$i"; i=$((i + 1)); done
i=0
for tr in $TRANSPORTS; do
  R=$(await_demo "$tr") || exit 1
  [ "$i" = 0 ] && READY=$R
  TARGETS+=("$tr:$((RESP_PORT + i))")
  i=$((i + 1))
done
REDIS_ADDR=$(group_master "$READY" 1)
REDIS_PORT=${REDIS_ADDR##*:}

if [ "$TWEM" = 1 ]; then
  cat >"$WORK/nutcracker.yml" <<YML
bench:
  listen: 127.0.0.1:$TWEM_PORT
  hash: fnv1a_64
  distribution: ketama
  redis: true
  servers:
   - 127.0.0.1:$REDIS_PORT:1
YML
  nutcracker -c "$WORK/nutcracker.yml" -o "$WORK/nutcracker.log" &
  PIDS+=($!)
  sleep 1
fi

TARGETS=("direct:$REDIS_PORT" "${TARGETS[@]}")
[ "$TWEM" = 1 ] && TARGETS+=("twemproxy:$TWEM_PORT")
if [ "$TLS" = 1 ]; then
  # READY … tls=127.0.0.1:PORT ca=PATH: the first node's TLS port and the demo's CA.
  TLS_PORT=$(sed -E 's/.* tls=[^:]+:([0-9]+).*/\1/' <<<"$READY")
  TLS_CA=$(sed -E 's/.* ca=([^ ]+).*/\1/' <<<"$READY")
  TARGETS+=("$FIRST_TRANSPORT+tls:$TLS_PORT")
fi
# redis-benchmark's arguments for a target: TLS ones for the TLS port.
conn_args() { [[ "$1" == *+tls ]] && printf '%s\n' --tls --cacert "$TLS_CA"; true; }

MGET_ARGS=(MGET)
for _ in $(seq 1 10); do MGET_ARGS+=("key:__rand_int__"); done

# run PORT P TEST -> prints "rps p50 p99" (redis-benchmark's CSV: test,rps,avg,min,p50,p95,p99,max)
run() {
  local port=$1 p=$2 test=$3 name=${4:-} n=$REQUESTS
  [ "$p" -gt 1 ] && n=$((REQUESTS * 8))
  local args=(-h 127.0.0.1 -p "$port" -c "$CLIENTS" -n "$n" -P "$p" -r 100000 --csv)
  mapfile -t extra < <(conn_args "$name")
  args+=("${extra[@]}")
  if [ "$test" = MGET ]; then
    redis-benchmark "${args[@]}" "${MGET_ARGS[@]}" 2>/dev/null | tail -n 1
  else
    redis-benchmark "${args[@]}" -t "${test,,}" 2>/dev/null | tail -n 1
  fi | tr -d '"' | awk -F, '{print $2, $5, $7}'
}

median() { sort -n | awk '{a[NR]=$0} END {print a[int((NR+1)/2)]}'; }

# Warm up every target (the JVM's JIT above all) and fill the keys that GET and MGET read.
for t in "${TARGETS[@]}"; do
  mapfile -t extra < <(conn_args "${t%%:*}")
  redis-benchmark -h 127.0.0.1 -p "${t#*:}" "${extra[@]}" -c "$CLIENTS" -n 300000 -P 16 -r 100000 -t set,get -q >/dev/null 2>&1
  redis-benchmark -h 127.0.0.1 -p "${t#*:}" "${extra[@]}" -c "$CLIENTS" -n 100000 -r 100000 -t get -q >/dev/null 2>&1
done

printf '%-5s %-3s' test P
for t in "${TARGETS[@]}"; do printf ' | %-27s' "${t%%:*} ops/s p50 p99 (ms)"; done
printf ' |'
for tr in $TRANSPORTS; do
  printf ' %s/direct' "$tr"
  [ "$TWEM" = 1 ] && printf ' %s/twemproxy' "$tr"
done
for tr in $TRANSPORTS; do printf ' %s+p99' "$tr"; done
printf '\n'
for test in $TESTS; do
  for p in $PIPELINES; do
    declare -A RPS=() P99=()
    printf '%-5s %-3s' "$test" "$p"
    for t in "${TARGETS[@]}"; do
      name=${t%%:*}
      : >"$WORK/cell"
      for _ in $(seq 1 "$ROUNDS"); do run "${t#*:}" "$p" "$test" "$name" >>"$WORK/cell"; done
      read -r rps p50 p99 < <(median <"$WORK/cell")
      RPS[$name]=$rps
      P99[$name]=$p99
      printf ' | %10.0f %7s %7s   ' "$rps" "$p50" "$p99"
    done
    printf ' |'
    for tr in $TRANSPORTS; do
      printf ' %*s' $((${#tr} + 7)) "$(awk -v a="${RPS[$tr]}" -v b="${RPS[direct]}" 'BEGIN {printf "%.2f", a / b}')"
      [ "$TWEM" = 1 ] && printf ' %*s' $((${#tr} + 10)) \
        "$(awk -v a="${RPS[$tr]}" -v b="${RPS[twemproxy]}" 'BEGIN {printf "%.2f", a / b}')"
    done
    # p99 added over direct Redis, in ms
    for tr in $TRANSPORTS; do
      printf ' %*s' $((${#tr} + 4)) "$(awk -v a="${P99[$tr]}" -v b="${P99[direct]}" 'BEGIN {printf "%+.2f", a - b}')"
    done
    [ "$TLS" = 1 ] && printf ' %s+tls/%s %.2f' "$FIRST_TRANSPORT" "$FIRST_TRANSPORT" \
      "$(awk -v a="${RPS[$FIRST_TRANSPORT+tls]}" -v b="${RPS[$FIRST_TRANSPORT]}" 'BEGIN {print a / b}')"
    printf '\n'
    unset RPS P99
  done
done
