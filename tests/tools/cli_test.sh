#!/usr/bin/env bash
# End-to-end tests of the `clearance` binary in temporary stores: the seed's two recipes as an
# operator types them, every refusal path (a snapshot before and after proves nothing changed),
# init seeds, config, check exit codes, who-can / what-can, snapshots and verify.
#
# usage: cli_test.sh /path/to/clearance
set -uo pipefail

CLEARANCE=${1:?usage: cli_test.sh /path/to/clearance}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
export CLEARANCE_DB="$WORK/db"

passed=0
failed=0
fail() {
  echo "FAIL: $*" >&2
  failed=$((failed + 1))
}
ok() { passed=$((passed + 1)); }

# expect RC COMMAND... : runs clearance, checks the exit code; output in $OUT, errors in $ERR.
expect() {
  local want=$1
  shift
  OUT=$("$CLEARANCE" "$@" 2>"$WORK/stderr")
  local rc=$?
  ERR=$(cat "$WORK/stderr")
  if [ "$rc" -ne "$want" ]; then
    fail "clearance $* -> exit $rc, expected $want; stdout: $OUT; stderr: $ERR"
    return 1
  fi
  ok
}

contains() {  # contains HAYSTACK NEEDLE DESCRIPTION
  if [[ "$1" == *"$2"* ]]; then ok; else fail "$3: '$2' not in: $1"; fi
}

snapshot() { "$CLEARANCE" snapshot export --out "$WORK/$1" >/dev/null || fail "snapshot $1"; }

# refused RC NEEDLE COMMAND... : the command fails with RC, names NEEDLE, and changes nothing.
refused() {
  local want=$1 needle=$2
  shift 2
  rm -f "$WORK/before" "$WORK/after"
  snapshot before
  expect "$want" "$@" && contains "$ERR" "$needle" "refusal of: $*"
  snapshot after
  if cmp -s "$WORK/before" "$WORK/after"; then ok; else fail "state changed after refused: $*"; fi
}

pd_check() {  # pd_check RC CLAIMS PERMISSION RESOURCE
  expect "$1" check --claims-json "$2" --resource-type PROCESS_DEFINITION \
    --permission "$3" --resource-id "$4"
}

# ---- recipe 1: SaaS, a client id and a CLIENT authorization ----------------------------------
expect 0 init --client-id-claim azp
contains "$OUT" "46 authorizations" "init creates the default grants"
CLIENT='{"sub":"svc","azp":"my-client"}'
pd_check 1 "$CLIENT" CREATE_PROCESS_INSTANCE order-process
contains "$OUT" "FORBIDDEN" "a client with no authorization"
expect 0 authorization create --owner-type CLIENT --owner-id my-client \
  --resource-type PROCESS_DEFINITION --resource-id order-process \
  --permissions CREATE_PROCESS_INSTANCE,READ_PROCESS_INSTANCE
KEY=${OUT##* }
pd_check 0 "$CLIENT" CREATE_PROCESS_INSTANCE order-process
pd_check 0 "$CLIENT" READ_PROCESS_INSTANCE order-process
pd_check 1 "$CLIENT" CANCEL_PROCESS_INSTANCE order-process
pd_check 1 "$CLIENT" CREATE_PROCESS_INSTANCE invoice-process
expect 0 check --claims-json "$CLIENT" --resource-type PROCESS_DEFINITION \
  --permission CREATE_PROCESS_INSTANCE --resource-id order-process --explain
contains "$OUT" "CLIENT:my-client [authorization $KEY]" "explain names the owner and key"
expect 0 authorization get --key "$KEY" --output json
contains "$OUT" '"owner_id":"my-client"' "get by key"

# ---- recipe 2: self-managed, mapping rules through a group and a role -------------------------
expect 0 mapping-rule create --id orders-scope --claim-name scope --claim-value orders --name Orders
expect 0 authorization create --owner-type MAPPING_RULE --owner-id orders-scope \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions READ_PROCESS_DEFINITION
expect 0 mapping-rule create --id ops-rule --claim-name '$.groups[*]' --claim-value ops --name Ops
expect 0 group create --id operators --name Operators
expect 0 role create --id incident-handler --name "Incident handler"
expect 0 group add-member --id operators --member-type mapping-rule --member-id ops-rule
expect 0 role add-member --id incident-handler --member-type GROUP --member-id operators
expect 0 authorization create --owner-type ROLE --owner-id incident-handler \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions UPDATE_PROCESS_INSTANCE
NEWCOMER='{"azp":"brand-new","scope":"orders","groups":["ops"]}'
pd_check 0 "$NEWCOMER" READ_PROCESS_DEFINITION any-process
pd_check 0 "$NEWCOMER" UPDATE_PROCESS_INSTANCE any-process
pd_check 1 '{"azp":"other","scope":"billing","groups":["dev"]}' READ_PROCESS_DEFINITION any-process
expect 0 check --claims-json "$NEWCOMER" --resource-type PROCESS_DEFINITION \
  --permission UPDATE_PROCESS_INSTANCE --resource-id p --explain
contains "$OUT" "MAPPING_RULE:ops-rule -> GROUP:operators -> ROLE:incident-handler" "explain chain"
echo "$NEWCOMER" > claims.json
expect 0 check --claims claims.json --resource-type PROCESS_DEFINITION \
  --permission READ_PROCESS_DEFINITION --resource-id p
expect 0 check --claims - --resource-type PROCESS_DEFINITION --permission READ_PROCESS_DEFINITION \
  --resource-id p < claims.json

expect 3 check --claims-json "$CLIENT" --resource-type PROCESS_DEFINITION --permission READ \
  --resource-id p
contains "$ERR" "READ is not a permission of PROCESS_DEFINITION" "check names a foreign permission"
expect 3 who-can --resource-type NOPE --permission READ
contains "$ERR" "unknown resource type 'NOPE'" "who-can names an unknown resource type"

# ---- unauthenticated and reverse questions ------------------------------------------------------
pd_check 2 '{"scope":"orders"}' READ_PROCESS_DEFINITION p
pd_check 2 '{"azp":7}' READ_PROCESS_DEFINITION p
pd_check 2 'not json' READ_PROCESS_DEFINITION p
expect 0 who-can --resource-type PROCESS_DEFINITION --resource-id p --permission UPDATE_PROCESS_INSTANCE
contains "$OUT" "MAPPING_RULE  ops-rule" "who-can reaches the rule through group and role"
contains "$OUT" "ROLE:incident-handler <- GROUP:operators" "who-can shows the path"
expect 0 what-can --claims-json "$CLIENT"
contains "$OUT" "order-process" "what-can lists the client's resource"

# ---- refusals change nothing ------------------------------------------------------------------
refused 3 "TENANT" authorization create --owner-type TENANT --owner-id t \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions READ_PROCESS_DEFINITION
refused 3 "not supported by resource type MESSAGE" authorization create --owner-type CLIENT \
  --owner-id c --resource-type MESSAGE --resource-id '*' --permissions CREATE,EVALUATE
refused 3 "already holds" authorization create --owner-type CLIENT --owner-id my-client \
  --resource-type PROCESS_DEFINITION --resource-id order-process --permissions READ_PROCESS_INSTANCE
refused 3 "resourceId" authorization create --owner-type CLIENT --owner-id c \
  --resource-type PROCESS_DEFINITION --resource-id 'abc*' --permissions READ_PROCESS_DEFINITION
refused 3 "protected default role" role delete --id admin
refused 3 "protected default role" authorization delete --key 1
refused 3 "does not exist" group add-member --id operators --member-type MAPPING_RULE --member-id nope
refused 3 "already a member" group add-member --id operators --member-type MAPPING_RULE --member-id ops-rule
refused 3 "not a member" group remove-member --id operators --member-type USER --member-id nobody
refused 3 "cannot hold a ROLE" group add-member --id operators --member-type ROLE --member-id admin
refused 3 "basic-auth mode" user create --username u --password p
refused 3 "must be unique" mapping-rule create --id x --claim-name scope --claim-value orders --name X
refused 3 "already initialized" init
refused 3 "unknown flag --colour" group create --id g --name G --colour red
refused 3 "groupId: 'bad id'" group create --id 'bad id' --name G
refused 3 "expected 1-31 characters" tenant create --id "$(printf 't%.0s' {1..40})" --name T
refused 3 "does not exist" authorization delete --key 999999
refused 3 "READ not supported by resource type PROCESS_DEFINITION" authorization create --owner-type CLIENT --owner-id c \
  --resource-type PROCESS_DEFINITION --resource-id '*' --permissions READ

# ---- cascade: deleting the group removes its memberships --------------------------------------
expect 0 group delete --id operators
expect 0 role members --id incident-handler
if [[ "$OUT" == *operators* ]]; then fail "group membership survived the group's deletion"; else ok; fi
pd_check 1 "$NEWCOMER" UPDATE_PROCESS_INSTANCE any-process

# ---- config: authorizations disabled lets a valid principal through ----------------------------
expect 0 config set --authorizations false
pd_check 0 '{"azp":"anyone"}' CANCEL_PROCESS_INSTANCE p
pd_check 2 '{"nobody":"here"}' CANCEL_PROCESS_INSTANCE p
refused 3 "expected true or false" config set --authorizations maybe
expect 0 config set --authorizations true
pd_check 1 '{"azp":"anyone"}' CANCEL_PROCESS_INSTANCE p

# ---- lists and paging -------------------------------------------------------------------------
expect 0 authorization list --resource-type process-definition --limit 2 --output json
FIRST_PAGE=$OUT
/usr/bin/python3 -c 'import json,sys; assert len(json.loads(sys.argv[1])) == 2' "$OUT" && ok ||
  fail "list --limit 2 gave: $OUT"
LAST=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(sys.argv[1])[-1]["key"])' "$FIRST_PAGE")
expect 0 authorization list --resource-type PROCESS_DEFINITION --limit 2 --after "$LAST" --output json
/usr/bin/python3 -c '
import json,sys
a=json.loads(sys.argv[1]); b=json.loads(sys.argv[2])
assert all(x["key"] > a[-1]["key"] for x in b) and b, (a, b)' "$FIRST_PAGE" "$OUT" && ok ||
  fail "second page does not continue the first"

# ---- snapshots --------------------------------------------------------------------------------
expect 0 snapshot export --out one.ndjson
expect 0 --db "$WORK/copy" snapshot import --in one.ndjson
expect 0 --db "$WORK/copy" snapshot export --out two.ndjson
cmp -s one.ndjson two.ndjson && ok || fail "export -> import -> export changed the bytes"
expect 0 --db "$WORK/copy" verify
head -n 3 one.ndjson > truncated.ndjson
expect 3 --db "$WORK/trunc" snapshot import --in truncated.ndjson
contains "$ERR" "line 4" "truncated import names the line"
[ ! -e "$WORK/trunc" ] && ok || fail "a refused import left a store behind"
sed 's/"name":"Orders"/"name":"Orderz"/' one.ndjson > tampered.ndjson
expect 3 --db "$WORK/tamper" snapshot import --in tampered.ndjson
contains "$ERR" "DATA_LOSS" "a tampered snapshot is data loss"
expect 3 --db "$WORK/copy" snapshot import --in one.ndjson
contains "$ERR" "empty store only" "import refuses a store that exists"
expect 0 snapshot export --format checkpoint --out backup
expect 0 --db "$WORK/from-backup" snapshot import --format checkpoint --in backup
expect 0 --db "$WORK/from-backup" snapshot export --out three.ndjson
cmp -s one.ndjson three.ndjson && ok || fail "checkpoint restore differs from the live store"

# ---- basic mode, seeded from YAML -------------------------------------------------------------
cat > seed.yaml <<'YAML'
camunda:
  security:
    initialization:
      users:
        - username: demo
          password: demo
          name: Demo
          email: demo@example.com
        - username: robot
          password: beep-boop
      groups:
        - groupId: ops
          name: Ops
          users: [robot]
      defaultRoles:
        admin:
          users: [demo]
      authorizations:
        - ownerType: GROUP
          ownerId: ops
          resourceType: PROCESS_DEFINITION
          resourceId: "*"
          permissions: [READ_PROCESS_DEFINITION]
YAML
export CLEARANCE_DB="$WORK/basic"
expect 0 init --mode BASIC --seed seed.yaml
contains "$OUT" "2 users" "seed users"
expect 0 check --basic-user demo --resource-type SYSTEM --permission UPDATE
expect 0 check --basic-user robot --resource-type PROCESS_DEFINITION \
  --permission READ_PROCESS_DEFINITION --resource-id p
expect 1 check --basic-user robot --resource-type PROCESS_DEFINITION \
  --permission CREATE_PROCESS_INSTANCE --resource-id p
expect 2 check --basic-user ghost --resource-type SYSTEM --permission READ
# A machine caller with a client id is still a user in basic mode.
expect 0 check --claims-json '{"sub":"robot","azp":"some-client"}' \
  --resource-type PROCESS_DEFINITION --permission READ_PROCESS_DEFINITION --resource-id p
expect 0 --db "$WORK/basic" config get --output json
/usr/bin/python3 -c 'import json,sys; assert json.loads(sys.argv[1])["mode"] == "BASIC"' "$OUT" &&
  ok || fail "config get --output json: $OUT"
expect 0 user get --username demo
if [[ "$OUT" == *'$2'* ]]; then fail "user get printed the password hash"; else ok; fi

cat > bad-seed.json <<'JSON'
{"groups": [{"groupId": "fine", "name": "Fine"}, {"groupId": "bad id", "name": "Bad"}]}
JSON
export CLEARANCE_DB="$WORK/badseed"
expect 3 init --seed bad-seed.json
contains "$ERR" "groups[1]" "an invalid seed entry is named"
expect 3 group list
contains "$ERR" "no store" "a refused init leaves no store behind"

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
