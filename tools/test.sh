#!/usr/bin/env bash
# Builds everything (tests and benchmarks) and runs the whole test suite.
#   CLEARANCE_SANITIZE=address tools/test.sh   runs it under ASan+UBSan (build-asan/)
#   CLEARANCE_SANITIZE=thread  tools/test.sh   runs it under TSan (build-tsan/)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
sanitize=${CLEARANCE_SANITIZE:-}
build=${BUILD_DIR:-build${sanitize:+-$sanitize}}
benchmarks=ON
[ -n "$sanitize" ] && benchmarks=OFF
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEARANCE_SANITIZE="$sanitize" \
  -DCLEARANCE_BUILD_TESTS=ON -DCLEARANCE_BUILD_BENCHMARKS="$benchmarks" >/dev/null
cmake --build "$build" -j"$(nproc)"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
