#!/usr/bin/env bash
# Instructions per request of `clearance serve` (or hello_server) under callgrind, for where the
# time of bench/http/run.sh's figures goes (perf is not available on the project's VM).
#
#   bench/http/callgrind.sh check|hello|write [N]
#
# check  N (default 20000) decision checks of run.sh's requests, over one keep-alive connection
# hello  the same requests sent to hello_server (the transport alone)
# write  N (default 1000) synced POST /v2/groups from one client, on a fresh copy of the store
# Each first sends a warm-up pass (every token verified once, caches filled), zeroes the
# counters, then measures; prints the total and the inclusive top of callgrind_annotate, and
# leaves the profile in $WORK_DIR/callgrind-MODE.out. Needs a finished run.sh (its WORK_DIR).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/bench/http
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
WORK_DIR=${WORK_DIR:-/tmp/clearance-http}
PORT=${PORT:-18095}
PY=/usr/bin/python3
mode=${1:-}
case "$mode" in
  check|hello) count=${2:-20000} ;;
  write) count=${2:-1000} ;;
  *) echo "usage: $0 check|hello|write [N]" >&2; exit 2 ;;
esac
[ -f "$WORK_DIR/requests/bodies.ndjson" ] ||
  { echo "error: no $WORK_DIR/requests; run bench/http/run.sh first" >&2; exit 1; }
out=$WORK_DIR/callgrind-$mode.out
rm -f "$out" "$out".*

if [ "$mode" = hello ]; then
  target=("$BUILD_DIR/bench/http/hello_server" --listen "127.0.0.1:$PORT" --io-threads 2)
else
  # A fresh store: run.sh's group-commit part leaves many thousands of groups in its own.
  store=$WORK_DIR/callgrind-store
  rm -rf "$store"
  "$BUILD_DIR/tools/clearance" --db "$store" --no-sync snapshot import \
    --in "$WORK_DIR/small/state.ndjson" >/dev/null
  while IFS=$'\t' read -r issuer audience; do
    "$BUILD_DIR/tools/clearance" --db "$store" --no-sync config set --issuer "$issuer" \
      --jwks-file "$WORK_DIR/requests/jwks.json" --audiences "$audience" --algorithms RS256 >/dev/null
  done < "$WORK_DIR/requests/issuers.tsv"
  "$BUILD_DIR/tools/clearance" --db "$store" --no-sync authorization create --owner-type CLIENT \
    --owner-id bench-admin --resource-type GROUP --resource-id '*' \
    --permissions CREATE,READ,UPDATE,DELETE >/dev/null
  target=("$BUILD_DIR/tools/clearance" --db "$store" serve --listen "127.0.0.1:$PORT" --io-threads 2)
fi
valgrind --tool=callgrind --callgrind-out-file="$out" "${target[@]}" > "$WORK_DIR/callgrind.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 120); do
  curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$PORT/" && break
  sleep 0.5
done

# send PASS N: N requests of the mode over one connection.
send() {
  "$PY" - "$mode" "$PORT" "$WORK_DIR/requests" "$1" "$2" <<'PY'
import http.client, json, sys
mode, port, requests, tag, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
if mode == "write":
    token = open(f"{requests}/admin-token.txt").read().strip()
    for i in range(count):
        group = f"cg-{tag}-{i}"
        conn.request("POST", "/v2/groups", body=json.dumps({"groupId": group, "name": group}),
                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
        r = conn.getresponse(); r.read()
        if r.status != 201: sys.exit(f"error: write {i}: HTTP {r.status}; expected 201")
else:
    bodies = open(f"{requests}/bodies.ndjson").read().split("\n")
    tokens = open(f"{requests}/tokens.txt").read().split("\n")
    for i in range(count):
        j = i % (len(bodies) - 1)
        conn.request("POST", "/clearance/v1/check", body=bodies[j],
                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + tokens[j]})
        r = conn.getresponse(); r.read()
        if r.status != 200: sys.exit(f"error: request {i}: HTTP {r.status}; expected 200")
PY
}
send warm "$count"
callgrind_control -z "$pid" >/dev/null
send measured "$count"
callgrind_control -d "$pid" >/dev/null
kill "$pid"; wait "$pid" 2>/dev/null || true
trap - EXIT
profile=$(ls -t "$out".* | head -1)  # the dump taken after the measured pass
total=$(callgrind_annotate "$profile" | grep 'PROGRAM TOTALS' | awk '{gsub(",", "", $1); print $1}')
echo "$mode: $total instructions for $count requests: $((total / count)) per request ($profile)"
callgrind_annotate --inclusive=yes "$profile" | sed -n '/^Ir/,$p' | head -60 | cut -c1-200
