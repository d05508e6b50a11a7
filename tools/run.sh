#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, run the seed's two recipes
# end to end against the library (the `clearance` CLI replaces this once it lands).
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEARANCE_BUILD_TESTS=OFF \
  -DCLEARANCE_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target clearance-demo
"$build/tools/clearance-demo"
