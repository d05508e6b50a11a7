#!/usr/bin/env bash
# Builds everything (tests and benchmarks) and runs the whole test suite.
#   CLEARANCE_SANITIZE=address tools/test.sh   runs it under ASan+UBSan (build-asan/)
#   CLEARANCE_SANITIZE=thread  tools/test.sh   runs it under TSan (build-tsan/)
#   CLEARANCE_BUILD_TARGETS="a b" CTEST_ARGS="-R ..." tools/test.sh   builds and runs a subset
#   CLEARANCE_BUILD_TYPE=Release tools/test.sh   another build type (build-release/)
#   CLEARANCE_WERROR=ON tools/test.sh            warnings in our code become errors (CI)
#   CLEARANCE_BUILD_BENCHMARKS=OFF tools/test.sh leaves the benchmarks out
#   CLEARANCE_BUILD_CONSOLE=OFF tools/test.sh    leaves the web console out (default: on with npm)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
# The official Camunda client's test and the console's OIDC test need their pinned npm packages
# (tests/server/client, tests/console).
for client_dir in tests/server/client tests/console; do
  if command -v npm >/dev/null &&
     ! [ "$client_dir/node_modules/.package-lock.json" -nt "$client_dir/package-lock.json" ]; then
    (cd "$client_dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
sanitize=${CLEARANCE_SANITIZE:-}
build_type=${CLEARANCE_BUILD_TYPE:-RelWithDebInfo}
suffix=${sanitize:-}
[ "$build_type" != RelWithDebInfo ] && [ -z "$sanitize" ] && suffix=$(echo "$build_type" | tr '[:upper:]' '[:lower:]')
build=${BUILD_DIR:-build${suffix:+-$suffix}}
build_flags=(-DCMAKE_BUILD_TYPE="$build_type" -DCLEARANCE_BUILD_BENCHMARKS="${CLEARANCE_BUILD_BENCHMARKS:-ON}")
if [ -n "$sanitize" ]; then
  # Sanitizer builds: -O1 with line tables compiles far faster than -O2 -g and still gives
  # readable reports; benchmarks mean nothing under a sanitizer.
  build_flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g1"
    -DCLEARANCE_BUILD_BENCHMARKS=OFF)
fi
if [ "$sanitize" = address ]; then
  # A view of a destroyed temporary is only caught with fake stack frames.
  export ASAN_OPTIONS="detect_stack_use_after_return=1 ${ASAN_OPTIONS:-}"
fi
if [ "$sanitize" = thread ]; then
  # RocksDB's destructors on its background threads are reported through its uninstrumented
  # atomics; tools/tsan.supp says why and what exactly is suppressed.
  export TSAN_OPTIONS="suppressions=$PWD/tools/tsan.supp ${TSAN_OPTIONS:-}"
fi
cmake -S . -B "$build" "${build_flags[@]}" -DCLEARANCE_SANITIZE="$sanitize" \
  -DCLEARANCE_WERROR="${CLEARANCE_WERROR:-OFF}" -DCLEARANCE_BUILD_TESTS=ON \
  ${CLEARANCE_BUILD_CONSOLE:+-DCLEARANCE_BUILD_CONSOLE="$CLEARANCE_BUILD_CONSOLE"} >/dev/null
# CLEARANCE_BUILD_TARGETS (space-separated) builds only those targets; pair it with a CTEST_ARGS
# filter, since the tests of unbuilt executables show up as *_NOT_BUILT.
targets=()
for t in ${CLEARANCE_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake --build "$build" -j"$(nproc)" "${targets[@]}"
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" ${CTEST_ARGS:-}
