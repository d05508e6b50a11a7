#!/usr/bin/env bash
# Instructions per operation on the hot path, counted by callgrind (stable on a noisy machine).
#   bench/load/callgrind.sh [BUILD_DIR] [SIZE...]     default: build-bench, small large
# Only the Hot* loops of clearance-hotpath are counted (--toggle-collect), warm-up calls included:
# the figure is total Ir / (iterations + 50 warm-up calls).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD_DIR=${1:-$ROOT/build-bench}
shift || true
SIZES=("$@")
[ ${#SIZES[@]} -eq 0 ] && SIZES=(small large)
cmake --build "$BUILD_DIR" -j2 --target clearance-hotpath >&2
BIN=$BUILD_DIR/bench/load/clearance-hotpath
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
echo "| size | case | instructions / operation |"
echo "|---|---|---|"
for size in "${SIZES[@]}"; do
  for c in handle batch claims claims-parse token-hit ids token-rs256 token-es256 token-eddsa; do
    n=2000
    case $c in token-rs256|token-es256|token-eddsa) n=200 ;; esac
    valgrind --tool=callgrind --toggle-collect='Hot*' --callgrind-out-file="$OUT/$c" \
      "$BIN" --case "$c" --size "$size" --iterations "$n" > /dev/null 2>&1
    total=$(grep -E '^(summary|totals):' "$OUT/$c" | head -1 | awk '{print $2}')
    echo "| $size | $c | $(( total / (n + 50) )) |"
  done
done
