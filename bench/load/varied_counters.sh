#!/usr/bin/env bash
# Instructions, cache misses and branch misses per decision on the varied workload, per path:
#   bench/load/varied_counters.sh [SIZE] [PATH...]   (default: small, every path)
# Runs `clearance_varied_bench --loop=PATH:N` twice, with N1 and N2 decisions, and divides the
# difference of the counts by N2 - N1, so the setup (generation, engine, cross-check) cancels.
# Counts come from `perf stat` when the machine has hardware counters, else from valgrind's
# cachegrind (simulated caches: I1/D1 and the last level, and a simulated branch predictor;
# say which in any figure you quote). BUILD_DIR defaults to build; QUERIES to 100000.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
BIN=$BUILD_DIR/bench/load/clearance_varied_bench
SIZE=${1:-small}
shift || true
PATHS=("$@")
[ ${#PATHS[@]} -eq 0 ] && PATHS=(check_handle check_batch_mixed check_claims check_claims_min baseline_handle baseline_claims_min)
QUERIES=${QUERIES:-100000}
N1=${N1:-100000}
N2=${N2:-300000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
probe=$(perf stat -e instructions true 2>&1 || true)
if [[ "$probe" == *"not supported"* || "$probe" != *instructions* ]]; then
  TOOL=cachegrind
else
  TOOL=perf
fi
counts() {  # PATH N -> "instructions d1_misses ll_misses branch_misses" (perf: ll = cache-misses)
  local path=$1 n=$2
  if [ "$TOOL" = perf ]; then
    perf stat -x, -e instructions,L1-dcache-load-misses,cache-misses,branch-misses \
      "$BIN" --sizes="$SIZE" --queries="$QUERIES" --loop="$path:$n" 2>"$tmp/perf" >/dev/null
    awk -F, '{v[NR]=$1} END {print v[1], v[2], v[3], v[4]}' "$tmp/perf"
  else
    valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
      --cachegrind-out-file="$tmp/cg.$path.$n" \
      "$BIN" --sizes="$SIZE" --queries="$QUERIES" --loop="$path:$n" >/dev/null 2>"$tmp/log"
    # events: Ir I1mr ILmr Dr D1mr DLmr Dw D1mw DLmw Bc Bcm Bi Bim
    awk '/^summary:/ {print $2, $6+$9, $4+$7+$10, $12+$14}' "$tmp/cg.$path.$n"
  fi
}
echo "| path | size | instructions | L1 misses (D) | last-level misses | branch misses | tool |"
echo "|---|---|---:|---:|---:|---:|---|"
for path in "${PATHS[@]}"; do
  read -r i1 d1 l1 b1 < <(counts "$path" "$N1")
  read -r i2 d2 l2 b2 < <(counts "$path" "$N2")
  awk -v p="$path" -v s="$SIZE" -v t="$TOOL" -v n=$((N2 - N1)) \
      -v i="$((i2 - i1))" -v d="$((d2 - d1))" -v l="$((l2 - l1))" -v b="$((b2 - b1))" \
      'BEGIN {printf "| %s | %s | %.0f | %.2f | %.2f | %.2f | %s |\n", p, s, i/n, d/n, l/n, b/n, t}'
done
