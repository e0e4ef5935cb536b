# Sourced by the benchmarks in this folder from the repository's root (not run on its own): the ports
# and the jar, the work folder and the exit trap, the tool check, the demo's start and its READY line.

# Ports of the demo's node 0 (node i uses +i), so that a benchmark can run beside another demo.
RESP_PORT=${RESP_PORT:-19000}
HTTP_PORT=${HTTP_PORT:-11080}
CLUSTER_PORT=${CLUSTER_PORT:-2551}
JAR=${JAR:-proxy-node/target/rekko-node.jar}
WORK=$(mktemp -d)
PIDS=()    # background processes the exit trap stops
DEMO_PID=  # the demo started last
# Redis servers the benchmark started itself, one pid a line: they are not the demo's children, so
# stop_demo stops them with the demo.
SERVERS=$WORK/servers

# need_tools HINT TOOL...: exits 2 with "TOOL not found" and the HINT for the first missing tool.
need_tools() {
  local hint=$1 tool
  shift
  for tool in "$@"; do
    command -v "$tool" >/dev/null || { echo "$tool not found$hint" >&2; exit 2; }
  done
}

need_jar() { [ -f "$JAR" ] || ./mvnw -q -B -DskipTests package; }

# start_demo LOG "JVM OPTIONS" DEMO ARGUMENT...: `java OPTIONS -jar $JAR demo ARGUMENTS` in the
# background, its output in LOG.
start_demo() {
  local log=$1 jvm=$2
  shift 2
  # The options are words on purpose: they come from one setting such as JAVA_OPTS.
  # shellcheck disable=SC2086
  java $jvm -jar "$JAR" demo "$@" >"$log" 2>&1 &
  DEMO_PID=$!
  PIDS+=("$DEMO_PID")
}

# wait_ready LOG SECONDS: fails when the demo's READY line is not in LOG within SECONDS.
wait_ready() {
  local _
  for _ in $(seq 1 $(($2 * 2))); do
    grep -qs '^READY' "$1" && return 0
    sleep 0.5
  done
  grep -qs '^READY' "$1"
}

ready_line() { grep '^READY' "$1"; }

# group_master READY GROUP: the address of the group's master in the READY line
# (`... redis=1=master,replica;2=master ...`).
group_master() { sed -E "s/.* redis=([^ ]*;)?$2=([^,; ]+).*/\2/" <<<"$1"; }

# Stops the demo started last (its Redis servers stop with it) and the servers in $SERVERS.
stop_demo() {
  local p kept=()
  if [ -n "$DEMO_PID" ]; then
    kill "$DEMO_PID" 2>/dev/null && wait "$DEMO_PID" 2>/dev/null || true
    for p in "${PIDS[@]:-}"; do [ -z "$p" ] || [ "$p" = "$DEMO_PID" ] || kept+=("$p"); done
    PIDS=(${kept[@]+"${kept[@]}"})
    DEMO_PID=
  fi
  for p in $(cat "$SERVERS" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
  rm -f "$SERVERS"
}

# LOGS=dir keeps $WORK/demo.log and its nodes' logs (the demo deletes its folder when it stops).
keep_logs() {
  local dir
  mkdir -p "$LOGS"
  dir=$(sed -nE 's/.*output in (.*)\/node-0\.log.*/\1/p' "$WORK/demo.log" 2>/dev/null | head -1)
  cp "$WORK"/demo.log "$dir"/node-*.log "$LOGS"/ 2>/dev/null || true
}

cleanup() {
  local p
  if [ -n "${LOGS:-}" ]; then keep_logs; fi
  stop_demo
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && wait "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM
