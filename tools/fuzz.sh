#!/usr/bin/env bash
# Builds every libFuzzer target with clang (build-fuzz/: ASan+UBSan, -Werror, -Wthread-safety),
# then runs each for FUZZ_SECONDS (default 30) starting from its corpus in the repository.
# Inputs the fuzzer finds go to a scratch directory, never into the repository's corpora.
# Prints one line per target; fails when any target crashes, leaks, times out or breaks a
# sanitizer rule, leaving the failing input in build-fuzz/artifacts/.
#   FUZZ_SECONDS=600 tools/fuzz.sh              longer runs
#   FUZZ_TARGETS="seed_fuzzer" tools/fuzz.sh    a subset (names as in build-fuzz/fuzzers.txt)
#   FUZZ_JOBS=1 tools/fuzz.sh                   one target at a time (default: one per core)
set -euo pipefail
cd "$(dirname "$0")/.."
CLEARANCE_SETUP_FUZZ=1 tools/setup-deps.sh
seconds=${FUZZ_SECONDS:-30}
jobs=${FUZZ_JOBS:-$(nproc)}
build=${BUILD_DIR:-build-fuzz}
# -O1 with line tables, as the other sanitizer builds: quick to compile, readable reports.
CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug \
  "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1" -DCLEARANCE_SANITIZE=address -DCLEARANCE_BUILD_FUZZERS=ON \
  -DCLEARANCE_BUILD_TESTS=ON -DCLEARANCE_BUILD_BENCHMARKS=OFF -DCLEARANCE_WERROR=ON >/dev/null

# "NAME BINARY CORPUS" per line, written by clearance_fuzz_target (tests/CMakeLists.txt).
declare -a names binaries corpora
while read -r name binary corpus; do
  [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]] && continue
  names+=("$name")
  binaries+=("$binary")
  corpora+=("$corpus")
done <"$build/fuzzers.txt"
if [ ${#names[@]} -eq 0 ]; then
  echo "fuzz: no target matches FUZZ_TARGETS='${FUZZ_TARGETS:-}'" >&2
  exit 1
fi
targets=()
for n in "${names[@]}"; do targets+=(--target "$n"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}"

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
artifacts="$PWD/$build/artifacts"
mkdir -p "$artifacts"
export ASAN_OPTIONS="detect_stack_use_after_return=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:${UBSAN_OPTIONS:-}"

# Runs target $1 and writes its summary line to $scratch/$1.summary; the log stays beside it.
run_one() {
  local i=$1 name=${names[$1]}
  local log="$scratch/$name.log" found="$scratch/$name.corpus"
  mkdir -p "$found"
  local start=$SECONDS rc=0
  # A dictionary beside the corpus (CORPUS.dict) gives the fuzzer the format's words.
  local dict=()
  [ -f "${corpora[$i]}.dict" ] && dict=(-dict="${corpora[$i]}.dict")
  # The first directory receives new inputs; the repository's corpus is only read.
  "${binaries[$i]}" -max_total_time="$seconds" -timeout=25 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$artifacts/$name-" "$found" "${corpora[$i]}" >"$log" 2>&1 || rc=$?
  local runs new
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  new=$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)
  if [ "$rc" -eq 0 ]; then
    echo "fuzz: $name: ok, ${runs:-?} runs in $((SECONDS - start)) s, ${new:-0} new inputs" \
      >"$scratch/$name.summary"
  else
    echo "fuzz: $name: FAILED (exit $rc) after $((SECONDS - start)) s; input in $artifacts" \
      >"$scratch/$name.summary"
    cp "$log" "$artifacts/$name.log"
  fi
}

for i in "${!names[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_one "$i" &
done
wait
failed=0
for name in "${names[@]}"; do
  cat "$scratch/$name.summary"
  if grep -q FAILED "$scratch/$name.summary"; then
    failed=1
    # The report: the sanitizer's or the target's own message, and the reproducing input.
    grep -E -A30 '^==[0-9]+==|^INFO: a leak|deadly signal|runtime error|disagree' \
      "$artifacts/$name.log" | head -60 >&2 || tail -40 "$artifacts/$name.log" >&2
  fi
done
echo "fuzz: ${#names[@]} targets, $seconds s each"
exit "$failed"
