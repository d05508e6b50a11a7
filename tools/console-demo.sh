#!/usr/bin/env bash
# The Identity console on a store of your own: starts `clearance serve` in OIDC mode on
# 127.0.0.1:8080 (PORT=... to change) over ./clearance-console-data (CLEARANCE_CONSOLE_DB=... to
# change), trusting a stand-in identity provider whose keys live beside the store, and prints the
# console's address and an access token for admin-client (in role admin, valid 8 hours) to paste
# at sign-in. Run tools/run.sh (or build) first. Ctrl-C stops the server; the store stays, and a
# second run reuses it with a fresh token.
#   tools/console-demo.sh [path/to/clearance]     (default build/tools/clearance)
set -euo pipefail
clearance=$(realpath "${1:-$(dirname "$0")/../build/tools/clearance}")
if [ ! -x "$clearance" ]; then
  echo "console-demo: no clearance binary at $clearance; run tools/run.sh or pass its path" >&2
  exit 1
fi
idp=$(dirname "$(realpath "$0")")/demo_idp.py
db=$(realpath -m "${CLEARANCE_CONSOLE_DB:-./clearance-console-data}")
port=${PORT:-8080}
issuer=https://idp.example.com/realms/camunda
audience=orchestration-api
keys="$db.idp"  # beside the store: init wants an empty or missing store folder

if [ ! -d "$db" ]; then
  mkdir -p "$keys"
  /usr/bin/python3 "$idp" "$keys" keys
  echo '{"defaultRoles": {"admin": {"clients": ["admin-client"]}}}' > "$keys/seed.json"
  "$clearance" --db "$db" init --client-id-claim azp --issuer "$issuer" \
    --jwks-file "$keys/jwks.json" --audiences "$audience" --algorithms RS256 \
    --seed "$keys/seed.json"
fi
token=$(/usr/bin/python3 "$idp" "$keys" token "$issuer" "$audience" admin-client "" 28800)
cat <<MSG

  The Identity console: http://127.0.0.1:$port/identity/
  Sign in by pasting this access token (admin-client, role admin, valid 8 hours):

$token

  Then: Authorizations -> Create authorization -> Owner type Client, Owner ID your client's id,
  a resource type, Resource ID (* for all), its permissions. Ctrl-C stops the server.

MSG
exec "$clearance" --db "$db" serve --listen "127.0.0.1:$port"
