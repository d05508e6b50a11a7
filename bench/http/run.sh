#!/usr/bin/env bash
# The HTTP figures of `clearance serve`, in one run over loopback with wrk (bench/RESULTS.md,
# "HTTP"):
#   1. POST /clearance/v1/check throughput (OIDC, a bearer token per caller) against hello_server,
#      the same HTTP stack answering a constant document, sent the same requests: goal >= 50 %.
#   2. p99 latency of the check at about half the maximum rate, paced (wrk's delay(), whole ms
#      per connection), with 100 identity writes a second beside it (paced_writer.py): goal
#      <= 1 ms. wrk times each request from when it is sent (no coordinated-omission correction).
#   3. the check against bench/http/node_peer.mjs (node's http server, the JS bitmask evaluator,
#      node:crypto token verification with a cache), one process and --workers 2, the same
#      requests: goal >= 5x.
#   4. group commit: synced POST /v2/groups from 16 connections vs 1, with --blocking-threads 4
#      and with 16 (the server's default): goal >= 10x writes/s. One client and sixteen alternate
#      in GC_ROUNDS rounds of GC_DURATION each, so drifting load on a shared machine hits both.
# Each server is checked against the engine's decisions (validate.py) before it is timed.
# Prints the markdown for bench/RESULTS.md; raw JSON lines go to $WORK_DIR/results.jsonl.
#
#   bench/http/run.sh --all         everything above (a few minutes)
#   bench/http/run.sh throughput|latency|node|group-commit   one part (throughput is always
#                                   measured first when latency needs the maximum rate)
#
# The workload is clearance-workload's small one (1 100 principals, 5 000 authorizations, 20 000
# shuffled queries); make_requests.py turns it into decision-API bodies with freshly minted RS256
# tokens, one per caller (1 092), so consecutive requests come from different callers and each
# token is verified once, then served from the verified-token cache.
# Env: BUILD_DIR (default build-bench, configured here with CLEARANCE_BUILD_BENCHMARKS=ON when
# new), WORK_DIR (/tmp/clearance-http), THROUGHPUT_ROUNDS (3) and ROUND_DURATION (5s) for 1 and 3,
# DURATION (10s) for 2, GC_ROUNDS (3) and GC_DURATION (4s) for 4, CONNECTIONS (64), THREADS (2),
# WRITE_RATE (100), PORT_BASE (18081: hello, +1 and +3 node, +2 clearance).
# Never run in CI. On a small machine wrk shares the cores with the server: compare servers
# within one run, not across machines; the load average is printed with the results.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/http
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
WORK_DIR=${WORK_DIR:-/tmp/clearance-http}
DURATION=${DURATION:-10s}
THROUGHPUT_ROUNDS=${THROUGHPUT_ROUNDS:-3}
ROUND_DURATION=${ROUND_DURATION:-5s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WRITE_RATE=${WRITE_RATE:-100}
GC_ROUNDS=${GC_ROUNDS:-3}
GC_DURATION=${GC_DURATION:-4s}
PORT_BASE=${PORT_BASE:-18081}
HELLO_PORT=$PORT_BASE
NODE_PORT=$((PORT_BASE + 1))
SERVE_PORT=$((PORT_BASE + 2))
PY=/usr/bin/python3  # Debian's, with python3-jwt and python3-cryptography

PARTS=()
case "${1:-}" in
  --all) PARTS=(throughput latency node group-commit) ;;
  throughput|node|group-commit) PARTS=("$1") ;;
  latency) PARTS=(throughput latency) ;;
  *) echo "usage: $0 --all | throughput | latency | node | group-commit" >&2; exit 2 ;;
esac
has() { [[ " ${PARTS[*]} " == *" $1 "* ]]; }

for tool in wrk node curl "$PY"; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done
"$PY" -c 'import jwt, cryptography' 2>/dev/null ||
  { echo "error: $PY lacks jwt or cryptography (apt install python3-jwt)" >&2; exit 1; }

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCLEARANCE_BUILD_BENCHMARKS=ON >&2 || exit 1
fi
if grep -q '^CLEARANCE_BUILD_BENCHMARKS:BOOL=OFF' "$BUILD_DIR/CMakeCache.txt"; then
  echo "error: $BUILD_DIR is configured with CLEARANCE_BUILD_BENCHMARKS=OFF; hello_server and" \
       "clearance-workload need it ON (or point BUILD_DIR at another build)" >&2
  exit 1
fi
cmake --build "$BUILD_DIR" -j2 --target clearance hello_server clearance-workload >&2 || exit 1
CLEARANCE=$BUILD_DIR/tools/clearance

# ---- workload, requests, store -------------------------------------------------------------
WORKLOAD_DIR=$WORK_DIR/small
REQUESTS=$WORK_DIR/requests
STORE=$WORK_DIR/store
if [ ! -f "$WORKLOAD_DIR/queries.ndjson" ]; then
  "$BUILD_DIR/bench/load/clearance-workload" --size small --out "$WORKLOAD_DIR" \
    --queries 20000 >&2 || exit 1
fi
# Fresh tokens every run (they live a day) and a fresh store trusting their key.
"$PY" "$HERE/make_requests.py" --workload "$WORKLOAD_DIR" --out "$REQUESTS" >&2 || exit 1
rm -rf "$STORE"
"$CLEARANCE" --db "$STORE" --no-sync snapshot import --in "$WORKLOAD_DIR/state.ndjson" >&2 || exit 1
while IFS=$'\t' read -r issuer audience; do
  "$CLEARANCE" --db "$STORE" --no-sync config set --issuer "$issuer" \
    --jwks-file "$REQUESTS/jwks.json" --audiences "$audience" --algorithms RS256 >/dev/null || exit 1
done < "$REQUESTS/issuers.tsv"
# The writer's client: the group permissions an administrator has, and nothing it does not need.
"$CLEARANCE" --db "$STORE" --no-sync authorization create --owner-type CLIENT \
  --owner-id bench-admin --resource-type GROUP --resource-id '*' \
  --permissions CREATE,READ,UPDATE,DELETE >&2 || exit 1
ADMIN_TOKEN_FILE=$REQUESTS/admin-token.txt

RESULTS=$WORK_DIR/results.jsonl
: > "$RESULTS"
COMMIT=$(git -C "$ROOT" rev-parse --short HEAD)
DIRTY=$(git -C "$ROOT" status --porcelain --untracked-files=no | grep -q . && echo "+changes")
echo "{\"kind\":\"run\",\"date\":\"$(date -u '+%Y-%m-%d %H:%M')\",\"commit\":\"$COMMIT$DIRTY\",\"machine\":\"$(nproc) cores, $(uname -r), node $(node --version), $(wrk --version 2>&1 | head -1 | cut -d' ' -f2)\",\"load_before\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}" >> "$RESULTS"

# ---- process helpers -------------------------------------------------------------------------
# Servers this script started: SERVER_PID is the one a helper acts on; ALL_PIDS are stopped at exit.
SERVER_PID=""
ALL_PIDS=()
stop_pid() {
  kill "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    stop_pid "$SERVER_PID"
    SERVER_PID=""
  fi
}
stop_all() {
  local pid
  for pid in "${ALL_PIDS[@]}"; do stop_pid "$pid"; done
  ALL_PIDS=()
  SERVER_PID=""
}
trap stop_all EXIT

# Waits until URL answers (any HTTP status); fails after ~20 s.
wait_ready() {
  for _ in $(seq 200); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "error: the server exited" >&2; return 1; }
    sleep 0.1
  done
  echo "error: nothing answers at $1" >&2
  return 1
}

# CPU seconds (user + system) used so far by SERVER_PID and its children (node's cluster workers).
server_cpu() {
  local ticks=0 pid
  for pid in $SERVER_PID $(pgrep -P "$SERVER_PID"); do
    [ -r "/proc/$pid/stat" ] || continue
    # Fields 14 and 15 after the command name, which may hold spaces: cut after its ')'.
    ticks=$((ticks + $(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

start_clearance() {  # extra serve flags...
  "$CLEARANCE" --db "$STORE" serve --listen "127.0.0.1:$SERVE_PORT" "$@" \
    > "$WORK_DIR/serve.log" 2>&1 &
  SERVER_PID=$!
  ALL_PIDS+=("$SERVER_PID")
  wait_ready "http://127.0.0.1:$SERVE_PORT/v2/status"
}

# wrk_json KIND NAME [json fields] -- wrk args...: one wrk run with the server's CPU time around
# it; appends {"kind","name",...wrk's JSON, "server_cpu_s"} to RESULTS and echoes it.
wrk_json() {
  local kind=$1 name=$2 extra=$3
  shift 4
  local cpu0 cpu1 line
  cpu0=$(server_cpu)
  line=$(wrk "$@" | grep '^{')
  cpu1=$(server_cpu)
  [ -n "$line" ] || { echo "error: wrk gave no result for $name" >&2; return 1; }
  line="{\"kind\":\"$kind\",\"name\":\"$name\",$extra${extra:+,}${line#\{}"
  line="${line%\}},\"server_cpu_s\":$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')}"
  echo "$line" >> "$RESULTS"
  echo "$line"
}

post_check() {  # KIND NAME URL [wrk flags...]
  local kind=$1 name=$2 url=$3
  shift 3
  WRK_BODIES=$REQUESTS/bodies.ndjson WRK_TOKENS=$REQUESTS/tokens.txt \
    wrk_json "$kind" "$name" "" -- "$@" -s "$HERE/post_bodies.lua" "$url"
}

CHECK_PATH=/clearance/v1/check
validate() { "$PY" "$HERE/validate.py" --requests "$REQUESTS" --url "$1" --count 5000 >&2; }

# ---- 1 and 3: throughput -------------------------------------------------------------------
# Every server runs at once (an idle one costs nothing) and wrk visits them in turn, THROUGHPUT_
# ROUNDS times ROUND_DURATION each, so load that drifts on a shared machine hits all of them.
if has throughput || has node; then
  declare -A PID_OF URL_OF
  "$BUILD_DIR/bench/http/hello_server" --listen "127.0.0.1:$HELLO_PORT" >&2 &
  SERVER_PID=$!; ALL_PIDS+=("$SERVER_PID"); PID_OF[hello_server]=$SERVER_PID
  wait_ready "http://127.0.0.1:$HELLO_PORT/hello" || exit 1
  URL_OF[hello_server]=http://127.0.0.1:$HELLO_PORT$CHECK_PATH
  start_clearance || exit 1
  PID_OF["clearance serve"]=$SERVER_PID
  URL_OF["clearance serve"]=http://127.0.0.1:$SERVE_PORT$CHECK_PATH
  SERVERS=(hello_server "clearance serve")
  if has node; then
    for workers in 1 2; do
      name="node peer, $workers process$([ "$workers" -gt 1 ] && echo "es")"
      port=$((NODE_PORT + 2 * (workers - 1)))  # 18082 and 18084 by default
      node "$HERE/node_peer.mjs" --dir "$WORKLOAD_DIR" --requests "$REQUESTS" \
        --port "$port" --workers "$workers" >&2 &
      SERVER_PID=$!; ALL_PIDS+=("$SERVER_PID"); PID_OF[$name]=$SERVER_PID
      wait_ready "http://127.0.0.1:$port/hello" || exit 1
      URL_OF[$name]=http://127.0.0.1:$port$CHECK_PATH
      SERVERS+=("$name")
    done
  fi
  for name in "${SERVERS[@]}"; do
    [ "$name" = hello_server ] || validate "${URL_OF[$name]}" || exit 1
  done
  echo "== throughput: $THROUGHPUT_ROUNDS rounds of wrk -t$THREADS -c$CONNECTIONS -d$ROUND_DURATION" >&2
  "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m0"
  for round in $(seq "$THROUGHPUT_ROUNDS"); do
    for name in "${SERVERS[@]}"; do
      SERVER_PID=${PID_OF[$name]}
      WRK_BODIES=$REQUESTS/bodies.ndjson WRK_TOKENS=$REQUESTS/tokens.txt \
        wrk_json throughput "$name" "\"round\":$round" -- -t"$THREADS" -c"$CONNECTIONS" \
        -d"$ROUND_DURATION" -s "$HERE/post_bodies.lua" "${URL_OF[$name]}" >&2 || exit 1
    done
  done
  "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m1"
  echo "{\"kind\":\"server\",\"name\":\"clearance serve, throughput\",$("$PY" "$HERE/metrics.py" delta "$WORK_DIR/m0" "$WORK_DIR/m1" "$CHECK_PATH" | cut -c2-)" >> "$RESULTS"
  for pid in "${ALL_PIDS[@]}"; do
    stop_pid "$pid"
    # 3: a node peer's decisions disagreed with the expected ones.
    [ $? -ne 3 ] || { echo "error: a node peer disagrees with clearance's decisions" >&2; exit 1; }
  done
  ALL_PIDS=()
  SERVER_PID=""
fi

# ---- 2: p99 at half the maximum rate, with identity writes beside it -------------------------
if has latency; then
  max_rate=$("$PY" "$HERE/report.py" --rate "$RESULTS" "clearance serve")
  target=$((max_rate / 2))
  start_clearance || exit 1
  # wrk paces per connection: 1 ms delay before each request. Two short calibration runs find how
  # many requests a paced connection sends at this load, then the count that gives the target.
  paced=8
  for _ in 1 2; do
    calib=$(WRK_DELAY_MS=1 WRK_BODIES=$REQUESTS/bodies.ndjson WRK_TOKENS=$REQUESTS/tokens.txt \
      wrk -t"$THREADS" -c"$paced" -d3s -s "$HERE/post_bodies.lua" \
      "http://127.0.0.1:$SERVE_PORT$CHECK_PATH" | grep -o '"requests_per_s":[0-9]*' | cut -d: -f2)
    echo "== latency: $paced paced connections send $calib requests/s (target $target)" >&2
    paced=$(( (target * paced + calib / 2) / calib ))
    [ "$paced" -ge "$THREADS" ] || paced=$THREADS
  done
  echo "== latency: $paced connections, 1 ms delay, writer at $WRITE_RATE/s" >&2
  seconds=${DURATION%s}
  "$PY" "$HERE/paced_writer.py" --url "http://127.0.0.1:$SERVE_PORT" --token-file "$ADMIN_TOKEN_FILE" \
    --rate "$WRITE_RATE" --seconds $((seconds + 2)) --tag "paced$$" > "$WORK_DIR/writer.json" &
  writer=$!
  sleep 1
  "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m0"
  WRK_DELAY_MS=1 post_check latency "clearance serve, paced" \
    "http://127.0.0.1:$SERVE_PORT$CHECK_PATH" -t"$THREADS" -c"$paced" -d"$DURATION" >&2 || exit 1
  "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m1"
  wait "$writer" || { echo "error: the paced writer failed" >&2; exit 1; }
  echo "{\"kind\":\"writer\",\"name\":\"paced writer\",\"target_rps\":$target,\"connections\":$paced,$(cut -c2- "$WORK_DIR/writer.json")" >> "$RESULTS"
  echo "{\"kind\":\"server\",\"name\":\"clearance serve, paced\",$("$PY" "$HERE/metrics.py" delta "$WORK_DIR/m0" "$WORK_DIR/m1" "$CHECK_PATH" | cut -c2-)" >> "$RESULTS"
  stop_server
fi

# ---- 4: group commit -------------------------------------------------------------------------
if has group-commit; then
  for blocking in 4 16; do
    start_clearance --blocking-threads "$blocking" || exit 1
    for round in $(seq "$GC_ROUNDS"); do
      for clients in 1 16; do
        echo "== group commit: --blocking-threads $blocking, $clients clients, round $round" >&2
        threads=$([ "$clients" -gt 1 ] && echo "$THREADS" || echo 1)
        name="blocking $blocking, clients $clients, round $round"
        "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m0"
        WRK_TOKEN=$(cat "$ADMIN_TOKEN_FILE") WRK_RUN="b$blocking-c$clients-r$round-$$" \
          wrk_json group-commit "$name" \
          "\"blocking_threads\":$blocking,\"clients\":$clients,\"round\":$round" -- \
          -t"$threads" -c"$clients" -d"$GC_DURATION" -s "$HERE/create_groups.lua" \
          "http://127.0.0.1:$SERVE_PORT/v2/groups" >&2 || exit 1
        "$PY" "$HERE/metrics.py" scrape "http://127.0.0.1:$SERVE_PORT/metrics" > "$WORK_DIR/m1"
        echo "{\"kind\":\"server\",\"name\":\"$name\",$("$PY" "$HERE/metrics.py" delta "$WORK_DIR/m0" "$WORK_DIR/m1" /v2/groups | cut -c2-)" >> "$RESULTS"
      done
    done
    stop_server
  done
fi

sed -i "1s|}\$|,\"load_after\":\"$(cut -d' ' -f1-3 /proc/loadavg)\"}|" "$RESULTS"
"$PY" "$HERE/report.py" "$RESULTS" "bench/http/run.sh $*" \
  "THROUGHPUT_ROUNDS=$THROUGHPUT_ROUNDS ROUND_DURATION=$ROUND_DURATION DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS GC_ROUNDS=$GC_ROUNDS GC_DURATION=$GC_DURATION"
