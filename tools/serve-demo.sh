#!/usr/bin/env bash
# Camunda's two client recipes (docs/semantics.md §9) over HTTP: starts `clearance serve` on a
# temporary store that trusts a token issuer whose keys this script makes, then walks both recipes
# with curl against Camunda's /v2 API, printing every request and answer, and stops the server.
# Tokens are RS256 JWTs minted by Debian's python3-jwt; the client id is the azp claim.
#   tools/serve-demo.sh [path/to/clearance]     (default build/tools/clearance)
# Exits non-zero when an answer's status differs from what the recipe says.
set -euo pipefail
clearance=$(realpath "${1:-$(dirname "$0")/../build/tools/clearance}")
if [ ! -x "$clearance" ]; then
  echo "serve-demo: no clearance binary at $clearance; build it or pass its path" >&2
  exit 1
fi
work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

issuer=https://idp.example.com/realms/camunda
audience=orchestration-api

# ---- an issuer's key pair, its JWKS, and a minting command ----------------------------------
idp=$(dirname "$(realpath "$0")")/demo_idp.py
/usr/bin/python3 "$idp" "$work" keys
mint() { /usr/bin/python3 "$idp" "$work" token "$issuer" "$audience" "$@"; }

# ---- the store and the server ----------------------------------------------------------------
cat > "$work/seed.json" <<'JSON'
{"defaultRoles": {"admin": {"clients": ["admin-client"]}}}
JSON
echo "== A store that trusts $issuer, clients named by the azp claim, admin-client in role admin"
printf '$ clearance init --client-id-claim azp --issuer %s --jwks-file jwks.json --audiences %s --algorithms RS256 --seed seed.json\n' \
  "$issuer" "$audience"
"$clearance" --db "$work/store" init --client-id-claim azp --issuer "$issuer" \
  --jwks-file "$work/jwks.json" --audiences "$audience" --algorithms RS256 --seed "$work/seed.json"

echo "\$ clearance serve --listen 127.0.0.1:0"
"$clearance" --db "$work/store" serve --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
base=""
for _ in $(seq 100); do  # the server prints its address once it accepts connections
  base=$(sed -n 's|.*listening on \(http://[^ ]*\).*|\1|p' "$work/serve.out" | head -n 1)
  [ -n "$base" ] && break
  if ! kill -0 "$server_pid" 2>/dev/null; then
    echo "serve-demo: clearance serve exited: $(cat "$work/serve.err")" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "serve-demo: clearance serve did not say where it listens within 10 s" >&2
  exit 1
fi
base=${base%/}
echo "listening on $base"

# call EXPECTED_STATUS TOKEN METHOD PATH [JSON_BODY]: prints the request and the answer.
call() {
  local want=$1 token=$2 method=$3 path=$4 body=${5:-}
  local args=(-sS -o "$work/answer" -w '%{http_code}' -X "$method" -H "Authorization: Bearer $token")
  [ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data "$body")
  printf '\n$ curl -X %s %s%s\n' "$method" "$path" "${body:+ -d '$body'}"
  status=$(curl "${args[@]}" "$base$path")
  echo "HTTP $status"
  if [ -s "$work/answer" ]; then cat "$work/answer"; echo; fi
  if [ "$status" != "$want" ]; then
    echo "serve-demo: expected HTTP $want, got $status" >&2
    exit 1
  fi
}
answer_field() { /usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
  "$work/answer" "$1"; }

admin=$(mint admin-client)
call 200 "$admin" GET /v2/authentication/me

echo; echo "== Recipe 1: a client id and a CLIENT authorization"
orders=$(mint orders-service)
call 201 "$admin" POST /v2/groups '{"groupId":"orders-team","name":"Orders team"}'
call 403 "$orders" GET /v2/groups/orders-team
call 201 "$admin" POST /v2/authorizations \
  '{"ownerType":"CLIENT","ownerId":"orders-service","resourceType":"GROUP","resourceId":"*","permissionTypes":["READ"]}'
key=$(answer_field authorizationKey)
call 200 "$orders" GET /v2/groups/orders-team
call 200 "$orders" POST /v2/groups/search '{}'
call 403 "$orders" POST /v2/groups '{"groupId":"not-allowed","name":"No"}'
call 204 "$admin" DELETE "/v2/authorizations/$key"
call 403 "$orders" GET /v2/groups/orders-team

echo; echo "== Recipe 2: a mapping rule on the scope claim, owning a grant and in a group with one"
call 201 "$admin" POST /v2/mapping-rules \
  '{"mappingRuleId":"orders-scope","claimName":"scope","claimValue":"orders","name":"Orders"}'
call 201 "$admin" POST /v2/roles '{"roleId":"order-auditors","name":"Order auditors"}'
call 201 "$admin" POST /v2/authorizations \
  '{"ownerType":"MAPPING_RULE","ownerId":"orders-scope","resourceType":"ROLE","resourceId":"*","permissionTypes":["READ"]}'
call 201 "$admin" POST /v2/tenants '{"tenantId":"emea","name":"EMEA"}'
call 201 "$admin" POST /v2/groups '{"groupId":"operators","name":"Operators"}'
call 204 "$admin" PUT /v2/groups/operators/mapping-rules/orders-scope
call 201 "$admin" POST /v2/authorizations \
  '{"ownerType":"GROUP","ownerId":"operators","resourceType":"TENANT","resourceId":"emea","permissionTypes":["READ"]}'
newcomer=$(mint brand-new-client orders)
other=$(mint other-client billing)
echo; echo "-- brand-new-client, never configured, its token carries scope \"orders\""
call 200 "$newcomer" GET /v2/roles/order-auditors
call 200 "$newcomer" GET /v2/tenants/emea
call 200 "$newcomer" GET /v2/authentication/me
echo; echo "-- other-client, scope \"billing\""
call 403 "$other" GET /v2/roles/order-auditors
call 403 "$other" GET /v2/tenants/emea

echo; echo "serve-demo: every answer is what the recipes say"
