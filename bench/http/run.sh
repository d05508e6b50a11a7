#!/usr/bin/env bash
# The HTTP load runs: wrk -t2 -c64 -d10s against
#   1. hello_server          HttpServer answering a constant JSON (GET, then varied POST bodies):
#                            the transport's ceiling on this machine
#   2. node_peer.mjs         node's http server with the bench/peers bitmask evaluator (GET
#                            /hello, POST /check with the query corpus)
#   3. clearance serve       when --clearance is given: the corpus POSTed to its decision URL
# and prints requests/s and latency percentiles as a markdown table (raw JSON lines in
# $WORK_DIR/results.jsonl).
#
#   bench/http/run.sh [--clearance "COMMAND" --clearance-url URL] [--bodies FILE] [--tokens FILE]
#
# COMMAND runs the clearance server in the foreground, listening where URL points; it runs
# through `bash -c` with WORKLOAD_DIR exported (state.ndjson, tokens-meta.json are there), and
# is stopped with SIGTERM at the end. URL is the endpoint the bodies are POSTed to.
# --bodies FILE   request bodies, one per line, for the clearance run (default: the workload's
#                 queries.ndjson, the body node_peer.mjs takes)
# --tokens FILE   bearer tokens, one per line, sent as Authorization in the clearance run
# Env: BUILD_DIR (default build-bench), WORK_DIR (/tmp/clearance-http), SIZE (small),
# QUERIES (20000), DURATION (10s), CONNECTIONS (64), THREADS (2), NODE_WORKERS (1),
# HELLO_PORT (18081), NODE_PORT (18082).
# Never run in CI: it takes a minute or more and needs wrk and node. On a small machine wrk and
# the server share the cores: compare servers within one run, not across machines.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
WORK_DIR=${WORK_DIR:-/tmp/clearance-http}
SIZE=${SIZE:-small}
QUERIES=${QUERIES:-20000}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
NODE_WORKERS=${NODE_WORKERS:-1}
HELLO_PORT=${HELLO_PORT:-18081}
NODE_PORT=${NODE_PORT:-18082}
CLEARANCE_CMD=""
CLEARANCE_URL=""
BODIES=""
TOKENS=""
while [ $# -gt 0 ]; do
  case "$1" in
    --clearance) CLEARANCE_CMD=$2; shift 2 ;;
    --clearance-url) CLEARANCE_URL=$2; shift 2 ;;
    --bodies) BODIES=$2; shift 2 ;;
    --tokens) TOKENS=$2; shift 2 ;;
    *) echo "error: unknown argument '$1'; see the comment at the top of $0" >&2; exit 2 ;;
  esac
done
if [ -n "$CLEARANCE_CMD" ] && [ -z "$CLEARANCE_URL" ]; then
  echo "error: --clearance needs --clearance-url (the decision endpoint to POST to)" >&2
  exit 2
fi
for tool in wrk node curl; do
  command -v "$tool" >/dev/null || { echo "error: $tool is not installed" >&2; exit 1; }
done

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCLEARANCE_BUILD_BENCHMARKS=ON >&2 || exit 1
fi
cmake --build "$BUILD_DIR" -j2 --target hello_server clearance-workload >&2 || exit 1

WORKLOAD_DIR=$WORK_DIR/$SIZE
export WORKLOAD_DIR
if [ ! -f "$WORKLOAD_DIR/queries.ndjson" ]; then
  mkdir -p "$WORK_DIR"
  "$BUILD_DIR/bench/load/clearance-workload" --size "$SIZE" --out "$WORKLOAD_DIR" \
    --queries "$QUERIES" >&2 || exit 1
fi
[ -n "$BODIES" ] || BODIES=$WORKLOAD_DIR/queries.ndjson

RESULTS=$WORK_DIR/results.jsonl
: > "$RESULTS"
echo "{\"machine\":\"$(nproc) cores, $(uname -sr), node $(node --version), $(date -u +%FT%TZ)\",\"wrk\":\"-t$THREADS -c$CONNECTIONS -d$DURATION\"}" >> "$RESULTS"

PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done; wait 2>/dev/null; }
trap cleanup EXIT

# Waits until URL answers (any HTTP status); fails after ~20 s.
wait_ready() {
  for _ in $(seq 200); do
    curl -s -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.1
  done
  echo "error: nothing answers at $1" >&2
  return 1
}

# run NAME ROUTE URL [post]: one wrk run; appends its JSON line with the name and route.
run() {
  local name=$1 route=$2 url=$3 mode=${4:-get} line
  echo "== $name $route" >&2
  if [ "$mode" = post ]; then
    line=$(WRK_BODIES=$BODIES WRK_TOKENS=${5:-} wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" \
             -s "$ROOT/bench/http/post_bodies.lua" "$url" | grep '^{')
  else
    line=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$ROOT/bench/http/report.lua" \
             "$url" | grep '^{')
  fi
  [ -n "$line" ] || { echo "error: wrk gave no result for $name $route" >&2; return 1; }
  echo "{\"server\":\"$name\",\"route\":\"$route\",${line#\{}" >> "$RESULTS"
}

"$BUILD_DIR/bench/http/hello_server" --listen "127.0.0.1:$HELLO_PORT" >&2 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$HELLO_PORT/hello" || exit 1
run hello_server "GET /hello" "http://127.0.0.1:$HELLO_PORT/hello" || exit 1
run hello_server "POST corpus" "http://127.0.0.1:$HELLO_PORT/check" post || exit 1
kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null

node "$ROOT/bench/http/node_peer.mjs" --dir "$WORKLOAD_DIR" --port "$NODE_PORT" \
  --workers "$NODE_WORKERS" >&2 &
PIDS+=($!)
wait_ready "http://127.0.0.1:$NODE_PORT/hello" || exit 1
run "node peer" "GET /hello" "http://127.0.0.1:$NODE_PORT/hello" || exit 1
run "node peer" "POST /check" "http://127.0.0.1:$NODE_PORT/check" post || exit 1
kill "${PIDS[-1]}"; wait "${PIDS[-1]}"
rc=$?
# 3: the peer's decisions disagreed with our engine's (the corpus's "expect").
[ $rc -eq 3 ] && { echo "error: the node peer disagrees with clearance's decisions" >&2; exit 1; }

if [ -n "$CLEARANCE_CMD" ]; then
  bash -c "$CLEARANCE_CMD" >&2 &
  PIDS+=($!)
  wait_ready "$CLEARANCE_URL" || exit 1
  run "clearance serve" "POST $(echo "$CLEARANCE_URL" | sed 's|^[a-z]*://[^/]*||')" \
    "$CLEARANCE_URL" post "$TOKENS" || exit 1
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}" 2>/dev/null
fi

node -e '
const fs = require("fs");
const lines = fs.readFileSync(process.argv[1], "utf8").trim().split("\n").map(JSON.parse);
console.log(`HTTP load, ${lines[0].machine}, wrk ${lines[0].wrk}\n`);
console.log("| server | route | requests/s | p50 ms | p90 ms | p99 ms | p99.9 ms | non-2xx | socket errors |");
console.log("|---|---|---:|---:|---:|---:|---:|---:|---:|");
for (const r of lines.slice(1)) {
  console.log(`| ${r.server} | ${r.route} | ${r.requests_per_s} | ${r.p50_ms} | ${r.p90_ms} | ${r.p99_ms} | ${r.p999_ms} | ${r.non_2xx} | ${r.socket_errors} |`);
}' "$RESULTS"
