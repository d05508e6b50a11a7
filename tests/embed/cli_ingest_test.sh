#!/bin/sh
# `clearance ingest` end to end: a stream applies, a replay is a no-op, a malformed record is
# refused naming its line and position (exit 3), and the granted client is allowed.
# Usage: cli_ingest_test.sh <path to the clearance binary>
set -eu
clearance=$1
dir=$(mktemp -d /tmp/clearance-ingest-XXXXXX)
trap 'rm -rf "$dir"' EXIT
db="$dir/db"
fail() { echo "FAILED: $*" >&2; exit 1; }

"$clearance" --db "$db" --no-sync init --client-id-claim azp >/dev/null
cat >"$dir/records.ndjson" <<'RECORDS'
{"position":1,"valueType":"AUTHORIZATION","recordType":"EVENT","intent":"CREATED","value":{"ownerType":"CLIENT","ownerId":"app","resourceType":"PROCESS_DEFINITION","resourceMatcher":"ANY","resourceId":"*","permissionTypes":["CREATE_PROCESS_INSTANCE"]}}
{"position":2,"valueType":"JOB","intent":"CREATED","value":{}}
{"position":3,"valueType":"GROUP","intent":"CREATED","value":{"groupId":"ops","name":"Ops"}}
RECORDS

out=$("$clearance" --db "$db" --output json ingest --in "$dir/records.ndjson")
echo "$out" | grep -q '"applied":2' || fail "first ingest: $out"
echo "$out" | grep -q '"skipped_value_type":1' || fail "first ingest counts: $out"
out=$("$clearance" --db "$db" --output json ingest <"$dir/records.ndjson")
echo "$out" | grep -q '"applied":0,"refused":0,"skipped_position":2' || fail "replay: $out"

"$clearance" --db "$db" check --claims-json '{"azp":"app"}' --resource-type PROCESS_DEFINITION \
  --resource-id p --permission CREATE_PROCESS_INSTANCE >/dev/null || fail "app not allowed"

printf '%s\n%s\n' \
  '{"position":4,"valueType":"GROUP","intent":"CREATED","value":{"groupId":"g4"}}' \
  '{"position":5,"valueType":"GROUP","intent":"CREATED","value":{}}' >"$dir/bad.ndjson"
set +e
err=$("$clearance" --db "$db" ingest --in "$dir/bad.ndjson" 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 3 ] || fail "malformed record: exit $rc, expected 3"
echo "$err" | grep -q 'line 2: record at position 5: GROUP CREATED: value.groupId: is missing' \
  || fail "malformed message: $err"
"$clearance" --db "$db" ingest --in "$dir/nope" >/dev/null 2>&1 && fail "missing file accepted"
echo OK
