#!/usr/bin/python3
"""Turns clearance-workload's query corpus into decision-API requests for bench/http/run.sh.

  /usr/bin/python3 bench/http/make_requests.py --workload DIR --out DIR [--limit N]

The workload's own tokens (tokens.ndjson) are minted for a fixed instant years ahead, which a
server on the real clock refuses; so this mints fresh ones, valid for a day from now, for every
caller of the corpus: one RS256 token per (principal, claim shape), carrying that principal's
claims from queries.ndjson with iat/exp moved to now. A real caller also reuses its token for
many requests, so the server sees each token verified once and then served from its cache.

Writes to --out:
  bodies.ndjson   one POST /clearance/v1/check body per query (resourceType, permission,
                  resourceIds, tenantId, newResource, userTask), in the corpus's shuffled order
  tokens.txt      the caller's bearer token for the body on the same line
  expect.txt      the engine's decision for that line (the corpus's "expect")
  jwks.json       the public key (kid "bench-rs256") for every issuer
  issuers.tsv     issuer, audience: one line per claim shape, for `clearance config set`
  admin-token.txt a token whose azp is "bench-admin" (Keycloak issuer), for identity writes
Needs Debian's python3-jwt and python3-cryptography.
"""
import argparse
import json
import os
import sys
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

KID = "bench-rs256"
LIFETIME_S = 24 * 3600
ADMIN_CLIENT = "bench-admin"


def body_of(q):
    """The decision-API body asking the corpus query's question about the caller."""
    b = {"resourceType": q["type"], "permission": q["permission"], "resourceIds": q["ids"]}
    if q.get("tenant"):
        b["tenantId"] = q["tenant"]
    if q.get("new"):
        b["newResource"] = True
    if q.get("task") is not None:
        b["userTask"] = q["task"]
    return json.dumps(b, separators=(",", ":"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workload", required=True, help="clearance-workload's output directory")
    parser.add_argument("--out", required=True, help="where the request files go")
    parser.add_argument("--limit", type=int, default=0, help="first N queries only (0: all)")
    args = parser.parse_args()

    with open(os.path.join(args.workload, "tokens-meta.json")) as f:
        meta = json.load(f)
    audience_of = {i["issuer"]: i["audience"] for i in meta["issuers"]}

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    minted = {}

    def token_for(claims):
        iss = claims.get("iss")
        if iss not in audience_of:
            sys.exit(f"error: a query's claims name issuer {iss!r}; expected one of "
                     f"{sorted(audience_of)} from tokens-meta.json")
        fresh = dict(claims)
        fresh["iat"] = now
        fresh["exp"] = now + LIFETIME_S
        fresh.pop("nbf", None)
        if "auth_time" in fresh:
            fresh["auth_time"] = now
        return jwt.encode(fresh, key, algorithm="RS256", headers={"kid": KID})

    os.makedirs(args.out, exist_ok=True)
    count = 0
    with open(os.path.join(args.workload, "queries.ndjson")) as queries, \
         open(os.path.join(args.out, "bodies.ndjson"), "w") as bodies, \
         open(os.path.join(args.out, "tokens.txt"), "w") as tokens, \
         open(os.path.join(args.out, "expect.txt"), "w") as expect:
        for line in queries:
            if not line.strip():
                continue
            q = json.loads(line)
            caller = (q["principal"], q["shape"])
            if caller not in minted:
                minted[caller] = token_for(q["claims"])
            bodies.write(body_of(q) + "\n")
            tokens.write(minted[caller] + "\n")
            expect.write(q["expect"] + "\n")
            count += 1
            if args.limit and count == args.limit:
                break

    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid=KID, alg="RS256", use="sig")
    with open(os.path.join(args.out, "jwks.json"), "w") as f:
        json.dump({"keys": [jwk]}, f)
    with open(os.path.join(args.out, "issuers.tsv"), "w") as f:
        for issuer, audience in audience_of.items():
            f.write(f"{issuer}\t{audience}\n")
    keycloak = next(i for i in meta["issuers"] if i["shape"] == "keycloak")
    admin = jwt.encode({"iss": keycloak["issuer"], "aud": keycloak["audience"],
                        "sub": ADMIN_CLIENT, "azp": ADMIN_CLIENT, "iat": now,
                        "exp": now + LIFETIME_S}, key, algorithm="RS256", headers={"kid": KID})
    with open(os.path.join(args.out, "admin-token.txt"), "w") as f:
        f.write(admin + "\n")
    print(f"make_requests: {count} requests from {len(minted)} callers in {args.out}")


if __name__ == "__main__":
    main()
