#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build the `clearance` tool, then
# walk the seed's two recipes (docs/semantics.md §9) against an embedded store, as an operator
# would, then again over HTTP against `clearance serve` (tools/serve-demo.sh); build a realistic store (the load benchmark's small workload) through snapshot import and
# verify it; and finish with a short, bounded load run checked against the reference evaluator.
# The stores are ./clearance-demo-data and ./clearance-demo-workload (recreated on every run;
# your ./clearance-data is never touched). Exits non-zero if any decision differs from
# docs/semantics.md.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/setup-deps.sh
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLEARANCE_BUILD_TESTS=OFF \
  -DCLEARANCE_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" \
  --target clearance clearance-demo clearance-workload clearance-load >/dev/null
clearance="$PWD/$build/tools/clearance"
export CLEARANCE_DB="$PWD/clearance-demo-data"
rm -rf "$CLEARANCE_DB"

step() { printf '\n$ clearance %s\n' "$*"; "$clearance" "$@"; }
expect() {  # expect EXIT_CODE clearance-args...
  local want=$1 rc=0
  shift
  step "$@" || rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "run: expected exit $want, got $rc" >&2
    exit 1
  fi
}

echo "== A store with the defaults of docs/semantics.md §8, clients identified by the azp claim"
expect 0 init --client-id-claim azp

echo; echo "== Recipe 1 (SaaS): a client id and a CLIENT authorization"
CLIENT='{"sub":"svc-1","azp":"my-client"}'
expect 1 check --claims-json "$CLIENT" --resource-type PROCESS_DEFINITION \
  --resource-id order-process --permission CREATE_PROCESS_INSTANCE
expect 0 authorization create --owner-type CLIENT --owner-id my-client \
  --resource-type PROCESS_DEFINITION --resource-id order-process \
  --permissions CREATE_PROCESS_INSTANCE,READ_PROCESS_INSTANCE
expect 0 check --claims-json "$CLIENT" --resource-type PROCESS_DEFINITION \
  --resource-id order-process --permission CREATE_PROCESS_INSTANCE --explain
expect 1 check --claims-json "$CLIENT" --resource-type PROCESS_DEFINITION \
  --resource-id order-process --permission CANCEL_PROCESS_INSTANCE

echo; echo "== Recipe 2 (Self-managed): mapping rules on token claims, through a group and a role"
expect 0 mapping-rule create --id orders-scope --claim-name scope --claim-value orders --name Orders
expect 0 authorization create --owner-type MAPPING_RULE --owner-id orders-scope \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions READ_PROCESS_DEFINITION
expect 0 mapping-rule create --id ops-rule --claim-name '$.groups[*]' --claim-value ops --name Ops
expect 0 group create --id operators --name Operators
expect 0 group add-member --id operators --member-type MAPPING_RULE --member-id ops-rule
expect 0 role create --id incident-handler --name "Incident handler"
expect 0 role add-member --id incident-handler --member-type GROUP --member-id operators
expect 0 authorization create --owner-type ROLE --owner-id incident-handler \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions UPDATE_PROCESS_INSTANCE
NEWCOMER='{"azp":"brand-new-client","scope":"orders","groups":["ops"]}'
expect 0 check --claims-json "$NEWCOMER" --resource-type PROCESS_DEFINITION \
  --resource-id order-process --permission UPDATE_PROCESS_INSTANCE --explain
expect 1 check --claims-json '{"azp":"other-client","scope":"billing"}' \
  --resource-type PROCESS_DEFINITION --resource-id order-process --permission READ_PROCESS_DEFINITION

echo; echo "== Who reaches UPDATE_PROCESS_INSTANCE on order-process, and a consistency check"
expect 0 who-can --resource-type PROCESS_DEFINITION --resource-id order-process \
  --permission UPDATE_PROCESS_INSTANCE
expect 0 verify

echo; echo "== The same recipes over HTTP: clearance serve and Camunda's /v2 API, with curl"
tools/serve-demo.sh "$clearance"

echo; echo "== The same recipes against the library alone"
"$build/tools/clearance-demo"

echo; echo "== A realistic store: the small workload (1 k users, 100 groups, 20 roles, 5 k grants)"
workload="$PWD/clearance-demo-workload"
rm -rf "$workload"
"$build/bench/load/clearance-workload" --size small --out "$workload" --queries 2000 --tokens 300
step --db "$workload/store" snapshot import --in "$workload/state.ndjson"
step --db "$workload/store" verify
step --db "$workload/store" authorization list --limit 5

echo; echo "== A short load run: 2 threads, 5 s, 100 changes/s; first 1 000 answers vs the reference"
"$build/bench/load/clearance-load" --size small --threads 2 --duration 5 \
  --verify-reference 1000 --changes-per-second 100
echo; echo "run: every decision matches docs/semantics.md (stores: $CLEARANCE_DB, $workload/store)"
echo "The Identity console in your browser: tools/console-demo.sh (prints its address and a token)"
