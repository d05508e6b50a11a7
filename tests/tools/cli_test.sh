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

# ---- tokens: issuers in the configuration, check --token -------------------------------------
# Tokens are minted by Debian's python3-jwt (the python3 first on PATH may lack it).
cat > mint.py <<'PY'
import json, sys, time
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
cmd = sys.argv[1]
if cmd == "keys":
    for name in ("good", "other"):
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        open(name + ".key", "w").write(jwt.utils.force_bytes(key.private_bytes(
            encoding=__import__("cryptography.hazmat.primitives.serialization").hazmat.primitives.serialization.Encoding.PEM,
            format=__import__("cryptography.hazmat.primitives.serialization").hazmat.primitives.serialization.PrivateFormat.PKCS8,
            encryption_algorithm=__import__("cryptography.hazmat.primitives.serialization").hazmat.primitives.serialization.NoEncryption())).decode())
        if name == "good":
            jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
            jwk.update({"kid": "k1", "alg": "RS256", "use": "sig"})
            json.dump({"keys": [jwk]}, open("jwks.json", "w"))
    sys.exit(0)
key_file, iss, exp_offset = sys.argv[2], sys.argv[3], int(sys.argv[4])
now = int(time.time())
claims = {"iss": iss, "aud": "orders-api", "sub": "svc", "azp": "my-client",
          "iat": now - 10, "exp": now + exp_offset}
print(jwt.encode(claims, open(key_file).read(), algorithm="RS256", headers={"kid": "k1"}))
PY
mint() { /usr/bin/python3 mint.py token "$@"; }
/usr/bin/python3 mint.py keys || fail "minting keys"
export CLEARANCE_DB="$WORK/db"
ISS=https://idp.example.com/
tok_check() {  # tok_check RC TOKEN-OR-DASH PERMISSION
  expect "$1" check --token "$2" --resource-type PROCESS_DEFINITION --permission "$3" \
    --resource-id order-process
}
GOOD=$(mint good.key "$ISS" 600)
tok_check 3 "$GOOD" CREATE_PROCESS_INSTANCE
contains "$ERR" "no token issuer is configured" "check --token without issuers"
refused 3 "--audiences is required" config set --issuer "$ISS" --jwks-file jwks.json --algorithms RS256
refused 3 "--jwks-file or --jwks-uri is required" config set --issuer "$ISS" --audiences orders-api \
  --algorithms RS256
refused 3 "'none' is not a supported algorithm (unsigned tokens are never accepted)" config set \
  --issuer "$ISS" --jwks-file jwks.json --audiences orders-api --algorithms none
refused 3 "'XS256' is not a supported algorithm" config set \
  --issuer "$ISS" --jwks-file jwks.json --audiences orders-api --algorithms RS256,XS256
refused 3 "--jwks-file: cannot read 'missing.json'" config set \
  --issuer "$ISS" --jwks-file missing.json --audiences orders-api --algorithms RS256
refused 3 "not an https:// URL" config set \
  --issuer "$ISS" --jwks-uri http://idp.example.com/keys --audiences orders-api --algorithms RS256
refused 3 "holds an empty audience" config set \
  --issuer "$ISS" --jwks-file jwks.json --audiences orders-api, --algorithms RS256
refused 3 "--audiences needs --issuer" config set --audiences orders-api
refused 3 "exactly one key source" config set --issuer "$ISS" --jwks-file jwks.json \
  --jwks-uri https://idp.example.com/keys --audiences orders-api --algorithms RS256
echo '{"keys": [{"kty": "RSA"}]}' > bad-jwks.json
refused 3 "$ISS" config set --issuer "$ISS" --jwks-file bad-jwks.json --audiences orders-api \
  --algorithms RS256
refused 3 "is not a configured issuer" config set --remove-issuer https://nobody.example.com/
expect 0 config set --issuer "$ISS" --jwks-file jwks.json --audiences orders-api,console \
  --algorithms rs256,ES256
contains "$OUT" "token-issuer $ISS: keys jwks-file $WORK/jwks.json; audiences orders-api,console; algorithms RS256,ES256" \
  "config set prints the issuer, the file made absolute and the algorithms canonical"
contains "$OUT" "token-key $ISS keys[0] kid k1: used" "config set reports the keys it loaded"
/usr/bin/python3 - <<'PY' || fail "writing JWKS variants"
import json
good = json.load(open("jwks.json"))["keys"][0]
odd = dict(good, kid="k2", alg="ES521")
json.dump({"keys": [good, odd]}, open("jwks-extra.json", "w"))
json.dump({"keys": [odd]}, open("jwks-unusable.json", "w"))
PY
expect 0 config set --issuer "$ISS" --jwks-file jwks-extra.json
contains "$OUT" "token-key $ISS keys[1] kid k2: skipped: \"alg\" \"ES521\" is not a JWS algorithm" \
  "a key with a mistyped alg is reported as skipped, with the reason"
refused 3 "no key can verify signatures: keys[0] (kid \"k2\")" config set --issuer "$ISS" \
  --jwks-file jwks-unusable.json
expect 0 config set --issuer "$ISS" --jwks-file jwks.json
expect 0 config get --output json
contains "$OUT" '"token_issuers":[{"issuer":"https://idp.example.com/","jwks_file":"'"$WORK"'/jwks.json","jwks_uri":"","audiences":["orders-api","console"],"algorithms":["RS256","ES256"]}]' \
  "config get --output json shows the issuer"
contains "$OUT" '"token_keys":[{"issuer":"https://idp.example.com/","source":"jwks_file '"$WORK"'/jwks.json","keys":[{"index":0,"kid":"k1","used":true}]}]' \
  "config get --output json shows the keys in use"
tok_check 0 "$GOOD" CREATE_PROCESS_INSTANCE
contains "$OUT" "ALLOW" "a valid token is allowed"
tok_check 1 "$GOOD" CANCEL_PROCESS_INSTANCE
contains "$OUT" "FORBIDDEN" "a valid token still needs the permission"
# Per-issuer claim rules: this issuer names its clients by appid, which the token lacks.
expect 0 config set --issuer "$ISS" --client-id-claim appid --leeway 30
contains "$OUT" "algorithms RS256,ES256; client-id-claim appid; leeway 30s" \
  "config set shows the issuer's overrides"
expect 1 check --token "$GOOD" --resource-type PROCESS_DEFINITION \
  --permission CREATE_PROCESS_INSTANCE --resource-id order-process --explain
contains "$OUT" "USER:svc" "the issuer's client-id claim replaces the global one: sub names a user"
expect 0 config get --output json
contains "$OUT" '"client_id_claim":"azp"' "an issuer's override leaves the global claim as it was"
contains "$OUT" '"overrides":{"client_id_claim":"appid","leeway_seconds":30}' \
  "config get --output json shows the overrides"
refused 3 "token_issuers[0].username_claim: is empty" config set --issuer "$ISS" --username-claim ''
refused 3 "--reset-overrides: 'leewy' is not an override" config set --issuer "$ISS" \
  --reset-overrides leewy
expect 0 config set --issuer "$ISS" --reset-overrides all
tok_check 0 "$GOOD" CREATE_PROCESS_INSTANCE
contains "$OUT" "ALLOW" "without overrides the global claims apply again"
expect 0 check --token - --resource-type PROCESS_DEFINITION --permission CREATE_PROCESS_INSTANCE \
  --resource-id order-process --explain <<< "$GOOD"
contains "$OUT" "CLIENT:my-client [authorization $KEY]" "token on stdin, explained"
tok_check 2 "$(mint good.key "$ISS" -3600)" CREATE_PROCESS_INSTANCE
contains "$OUT" "token refused: expired" "an expired token names the reason"
tok_check 2 "$(mint good.key https://evil.example.com/ 600)" CREATE_PROCESS_INSTANCE
contains "$OUT" "token refused: unknown_issuer" "a foreign issuer names the reason"
tok_check 2 "$(mint other.key "$ISS" 600)" CREATE_PROCESS_INSTANCE
contains "$OUT" "token refused: bad_signature" "a token signed by another key names the reason"
tok_check 2 "${GOOD%.*}.${GOOD##*.}x" CREATE_PROCESS_INSTANCE
contains "$OUT" "token refused:" "a damaged signature is refused"
expect 2 --output json check --token "$(mint good.key "$ISS" -3600)" \
  --resource-type PROCESS_DEFINITION --permission CREATE_PROCESS_INSTANCE --resource-id p
contains "$OUT" '"token_error":"expired"' "json output names the token error"
refused 3 "give exactly one of --token" check --token "$GOOD" --claims-json '{}' \
  --resource-type PROCESS_DEFINITION --permission CREATE_PROCESS_INSTANCE --resource-id p
# The issuer survives export and import with the rest of the state.
expect 0 snapshot export --out with-issuer.ndjson
expect 0 --db "$WORK/issuer-copy" snapshot import --in with-issuer.ndjson
expect 0 --db "$WORK/issuer-copy" check --token "$GOOD" --resource-type PROCESS_DEFINITION \
  --permission CREATE_PROCESS_INSTANCE --resource-id order-process
expect 0 config set --remove-issuer "$ISS"
contains "$OUT" "token-issuers: none" "an issuer can be removed"
tok_check 3 "$GOOD" CREATE_PROCESS_INSTANCE

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

# ---- hostile input: linear-time patterns, limits on every input, UTF-8 ------------------------
export CLEARANCE_DB="$WORK/hostile"
expect 0 init
expect 0 config set --id-pattern '^(a|aa)*$'
refused 3 "does not match" group create --id "$(printf 'a%.0s' {1..40})b" --name G
expect 0 group create --id "$(printf 'a%.0s' {1..40})" --name G
refused 3 "is refused by RE2: missing )" config set --id-pattern '^(a$'
refused 3 "is refused by RE2: invalid escape sequence" config set --id-pattern '^(a)\1$'
refused 3 "id_pattern: is empty" config set --id-pattern ''
expect 0 config set --id-pattern '^[a-zA-Z0-9_~@.+-]+$'

# A 600-byte alias bomb: nine levels of nine aliases each would stand for 9^9 scalars.
{
  echo 'a0: &a0 [x, x, x, x, x, x, x, x, x]'
  for i in 1 2 3 4 5 6 7 8; do
    p=$((i - 1))
    echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
  done
  echo 'groups: *a8'
} > bomb.yaml
export CLEARANCE_DB="$WORK/bomb"
expect 3 init --seed bomb.yaml
contains "$ERR" "anchors and aliases are not accepted" "an alias bomb is refused by name"
expect 3 init --seed /dev/zero
contains "$ERR" "--seed: '/dev/zero' holds more than 16777216 bytes, the limit; raise it with --max-seed-bytes" \
  "an endless seed is refused at the byte limit"
expect 3 init --seed seed.yaml --max-seed-bytes 100
contains "$ERR" "--max-seed-bytes" "the seed byte limit is a flag"
python3 -c 'print("groups: " + "[" * 100 + "]" * 100)' > deep.yaml
expect 3 init --seed deep.yaml
contains "$ERR" "nests deeper than 64 levels, the limit; raise it with --max-seed-depth" "a deep seed"
expect 3 init --seed seed.yaml --max-seed-nodes 10
contains "$ERR" "more than 10 YAML nodes" "the seed node limit is a flag"
expect 3 init --seed seed.yaml --max-seed-nodes zero
contains "$ERR" "--max-seed-nodes: 'zero'; expected a positive integer" "a limit flag is a number"
[ ! -e "$WORK/bomb" ] && ok || fail "a refused seed left a store behind"

export CLEARANCE_DB="$WORK/hostile"
expect 3 ingest --in /dev/zero
contains "$ERR" "line 1: longer than 1048576 bytes" "an endless ingest line is refused"
expect 3 ingest --in /dev/zero --max-line-bytes 1000
contains "$ERR" "longer than 1000 bytes" "the line limit is a flag"
printf '{"position":18446744073709551615,"valueType":"GROUP","intent":"CREATED","value":{"groupId":"late","name":"L"}}\n' > max.ndjson
expect 3 ingest --in max.ndjson
contains "$ERR" "position: 18446744073709551615 is above 9223372036854775806" "a position that cannot be followed"
printf '{"position":5,"valueType":"GROUP","intent":"created","value":{"groupId":"low","name":"L"}}\n' > lower.ndjson
expect 3 ingest --in lower.ndjson
contains "$ERR" "intent: 'created' is not an intent of GROUP records" "a lower-case intent is refused by name"

expect 3 check --claims - --resource-type SYSTEM --permission READ < /dev/zero
contains "$ERR" "--claims: stdin holds more than 65536 bytes, the limit; raise it with --max-claims-bytes" \
  "endless claims on stdin are refused at the limit"
expect 3 check --token - --resource-type SYSTEM --permission READ < /dev/zero
contains "$ERR" "--token: stdin holds more than 16448 bytes" "an endless token on stdin is refused"
expect 3 check --claims /tmp --resource-type SYSTEM --permission READ
contains "$ERR" "--claims: '/tmp' is a directory" "a directory is an error, not a caller"
claims_case() {  # claims_case FILE NEEDLE
  expect 2 check --claims "$1" --resource-type SYSTEM --permission READ
  contains "$OUT" "$2" "claims problem named: $2"
}
printf '{"sub":"a\xff"}' > c-utf8.json
claims_case c-utf8.json "claims: is not valid UTF-8"
python3 -c 'print("{\"a\":" * 40 + "1" + "}" * 40)' > c-deep.json
claims_case c-deep.json "claims: nests deeper than 32 levels, the limit; raise it with --max-claims-depth"
printf '{"sub":"a"}\0' > c-nul.json
claims_case c-nul.json "claims: holds a NUL byte at offset 11"
printf '["sub"]' > c-array.json
claims_case c-array.json "claims: is an array; expected one JSON object"
printf '{"sub":"a","x":{"k":1,"k":2}}' > c-dup.json
claims_case c-dup.json 'claims: member name "k" appears twice'

# Text that is not UTF-8 never reaches the store, so JSON output and snapshots stay valid.
refused 3 "name: is not valid UTF-8 (byte 0xff at offset 1)" group create --id utf --name $'a\xff'
refused 3 "description: is not valid UTF-8" role create --id utf --name R --description $'\xc3('
expect 0 group create --id utf8 --name $'caf\xc3\xa9 \xe2\x82\xac'
expect 0 group list --output json
/usr/bin/python3 -c 'import json,sys; json.loads(sys.stdin.buffer.read().decode("utf-8"))' <<< "$OUT" &&
  ok || fail "group list --output json is not valid JSON: $OUT"
# A NUL in an id (a seed can carry one) is shown escaped, and the message goes on after it.
printf '{"groups":[{"groupId":"a\\u0000b","name":"N"}]}' > nul-seed.json
expect 3 --db "$WORK/nul" init --seed nul-seed.json
contains "$ERR" "groupId: 'a\\x00b' contains byte 0x00 at position 1" "a NUL in an id is escaped"

expect 0 snapshot export --out /dev/null
contains "$OUT" "records to /dev/null" "export streams to a device"
expect 0 snapshot export --out /dev/stdout
contains "$OUT" '"format":' "export streams to stdout"

echo "cli_test: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
