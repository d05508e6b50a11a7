#!/usr/bin/env bash
# The peer comparison in one run (results in bench/RESULTS-peers.md):
#   bench/peers/run.sh [SIZE...]        default: small medium large
# Builds clearance-workload and clearance-load (RelWithDebInfo, in $BUILD_DIR, default
# build-bench), installs the npm packages from the lockfile if missing, then for each size:
# generates the workload into $WORK_DIR/SIZE (timed), measures our engine and the reference
# evaluator (clearance-load --corpus-bench), then each JavaScript peer in its own node process
# (decisions checked against ours first; a disagreement fails the run). A peer that fails or
# exceeds $PEER_TIMEOUT seconds at one size is not run at larger sizes. The token peers run once,
# on the first size's corpus. PEERS (default "bitmask cedar casbin") picks the peers. Prints the
# markdown tables on stdout; raw JSON lines in $WORK_DIR/results.jsonl.
# Never run in CI: it takes minutes and needs node.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build-bench}
WORK_DIR=${WORK_DIR:-/tmp/clearance-peers}
PEER_TIMEOUT=${PEER_TIMEOUT:-300}
QUERIES=${QUERIES:-20000}
TOKENS=${TOKENS:-1500}
PEERS=${PEERS:-bitmask cedar casbin}
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(small medium large)

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEARANCE_BUILD_BENCHMARKS=ON >&2 || exit 1
fi
cmake --build "$BUILD_DIR" -j2 --target clearance-workload clearance-load >&2 || exit 1
if [ ! -d "$ROOT/bench/peers/node_modules" ]; then
  (cd "$ROOT/bench/peers" && npm ci --no-audit --no-fund >&2) || exit 1
fi
mkdir -p "$WORK_DIR"
RESULTS=$WORK_DIR/results.jsonl
: > "$RESULTS"
LOAD=$BUILD_DIR/bench/load
declare -A FAILED=()
echo "{\"machine\":\"$(nproc) cores, $(uname -sr), node $(node --version), $(date -u +%FT%TZ)\"}" >> "$RESULTS"
for size in "${SIZES[@]}"; do
  out=$WORK_DIR/$size
  rm -rf "$out"
  start=$(date +%s.%N)
  "$LOAD/clearance-workload" --size "$size" --out "$out" --queries "$QUERIES" --tokens "$TOKENS" >&2 || exit 1
  echo "{\"engine\":\"generator\",\"size\":\"$size\",\"seconds\":$(printf %.3f "$(echo "$(date +%s.%N) - $start" | bc)")}" >> "$RESULTS"
  echo "== $size: ours" >&2
  "$LOAD/clearance-load" --size "$size" --corpus-bench --queries "$QUERIES" --tokens "$TOKENS" \
    | grep '^{' | sed "s/\"alg\"/\"size\":\"$size\",\"alg\"/" >> "$RESULTS" || exit 1
  for peer in $PEERS; do
    if [ -n "${FAILED[$peer]:-}" ]; then
      echo "{\"engine\":\"$peer\",\"size\":\"$size\",\"not_run\":\"${FAILED[$peer]}\"}" >> "$RESULTS"
      continue
    fi
    echo "== $size: $peer" >&2
    # Cedar and casbin take seconds per decision at large: verify and time fewer queries there.
    # The bitmask peer is fast enough to be checked on every query.
    min_queries=50
    [ "$size" = large ] && [ "$peer" != bitmask ] && min_queries=${LARGE_MIN_QUERIES:-10}
    line=$(cd "$ROOT/bench/peers" && timeout "$PEER_TIMEOUT" node --max-old-space-size=6144 run.mjs \
             --peer "$peer" --dir "$out" --size "$size" --time-budget 20 --min-queries "$min_queries" \
             $([ "$peer" = bitmask ] && echo --sample 1000000))
    rc=$?
    if [ $rc -eq 0 ]; then
      echo "$line" >> "$RESULTS"
      if [ "$peer" = bitmask ]; then
        # Like for like with our CheckClaims, which reads claims from bytes: parse them per
        # decision.
        (cd "$ROOT/bench/peers" && timeout "$PEER_TIMEOUT" node --max-old-space-size=6144 run.mjs \
           --peer bitmask --dir "$out" --size "$size" --time-budget 20 --parse-claims 1 \
           --sample 1000000) >> "$RESULTS"
      fi
    elif [ $rc -eq 124 ]; then
      FAILED[$peer]="timed out at $size"
      echo "{\"engine\":\"$peer\",\"size\":\"$size\",\"timeout_s\":$PEER_TIMEOUT}" >> "$RESULTS"
    else
      echo "error: $peer failed at $size (exit $rc)" >&2
      [ $rc -eq 3 ] && exit 1   # a disagreement with our engine fails the run
      FAILED[$peer]="failed at $size (exit $rc)"
      echo "{\"engine\":\"$peer\",\"size\":\"$size\",\"failed_exit\":$rc}" >> "$RESULTS"
    fi
  done
  if [ "$size" = "${SIZES[0]}" ]; then
    echo "== $size: token peers" >&2
    (cd "$ROOT/bench/peers" && node tokens.mjs --dir "$out" --size "$size") >> "$RESULTS" || exit 1
  fi
done
node "$ROOT/bench/peers/report.mjs" "$RESULTS"
