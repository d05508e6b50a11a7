#!/usr/bin/python3
"""Mints minted_tokens.json: keys and tokens signed by an independent library (PyJWT on top of
pyca/cryptography), for every algorithm the verifier supports, in the claim shapes of Keycloak,
Microsoft Entra ID and Okta.

Run with Debian's interpreter, which has python3-jwt and python3-cryptography:
    /usr/bin/python3 tests/engine/token/testdata/mint_tokens.py > tests/engine/token/testdata/minted_tokens.json
The keys are generated fresh on every run and are test-only. Timestamps are fixed, so tests use an
injected clock (NOW below) and never the wall clock.
"""
import json
import secrets

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

ISSUER = "https://idp.example.test/realms/clearance"
HMAC_ISSUER = "https://hmac.example.test"
AUDIENCE = "clearance-api"
IAT = 1700000000
NOW = IAT + 100
EXP = IAT + 3600


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def public_jwk(algorithm, key, kid):
    jwk = json.loads(algorithm.to_jwk(key.public_key()))
    jwk["kid"] = kid
    jwk["use"] = "sig"
    return jwk


rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ec_keys = {"ES256": ec.generate_private_key(ec.SECP256R1()),
           "ES384": ec.generate_private_key(ec.SECP384R1()),
           "ES512": ec.generate_private_key(ec.SECP521R1())}
ed_key = ed25519.Ed25519PrivateKey.generate()
hmac_secret = secrets.token_bytes(64)

jwks = {"keys": [public_jwk(RSAAlgorithm, rsa_key, "rsa-1")] +
        [public_jwk(ECAlgorithm, k, "ec-" + alg) for alg, k in ec_keys.items()] +
        [public_jwk(OKPAlgorithm, ed_key, "ed-1")]}
hmac_jwks = {"keys": [{"kty": "oct", "kid": "hmac-1",
                       "k": jwt.utils.base64url_encode(hmac_secret).decode()}]}

signers = {}
for alg in ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"):
    signers[alg] = (rsa_key, "rsa-1")
for alg, k in ec_keys.items():
    signers[alg] = (k, "ec-" + alg)
signers["EdDSA"] = (ed_key, "ed-1")
for alg in ("HS256", "HS384", "HS512"):
    signers[alg] = (hmac_secret, "hmac-1")


def shapes(iss):
    return {
        "keycloak": {
            "exp": EXP, "iat": IAT, "jti": "6f1c2a", "iss": iss, "aud": [AUDIENCE, "account"],
            "sub": "f3a1c0de-0000-4000-8000-000000000001", "typ": "Bearer", "azp": "orders-app",
            "preferred_username": "alice", "realm_access": {"roles": ["admin", "offline_access"]},
            "resource_access": {"account": {"roles": ["manage-account"]}},
            "groups": ["/engineering", "/engineering/platform"], "scope": "openid profile email",
        },
        "entra": {
            "aud": AUDIENCE, "iss": iss, "iat": IAT, "nbf": IAT, "exp": EXP,
            "azp": "5e3f1d2c-1111-4222-8333-444455556666",
            "appid": "5e3f1d2c-1111-4222-8333-444455556666", "roles": ["Orders.Read", "Orders.Write"],
            "groups": ["0b1c2d3e-aaaa-4bbb-8ccc-dddddddddddd"],
            "oid": "11111111-2222-4333-8444-555555555555",
            "tid": "99999999-8888-4777-8666-555555555555", "sub": "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ",
            "ver": "2.0",
        },
        "okta": {
            "ver": 1, "jti": "AT.abc", "iss": iss, "aud": AUDIENCE, "iat": IAT, "exp": EXP,
            "cid": "0oa1b2c3d4", "uid": "00u1a2b3c4", "scp": ["openid", "orders:read"],
            "sub": "bob@example.com", "groups": ["Everyone", "Orders"],
        },
    }


tokens = []
for alg, (key, kid) in signers.items():
    iss = HMAC_ISSUER if alg.startswith("HS") else ISSUER
    for shape, claims in shapes(iss).items():
        token = jwt.encode(claims, key, algorithm=alg, headers={"kid": kid, "typ": "JWT"})
        tokens.append({"alg": alg, "shape": shape, "token": token,
                       "claims": json.dumps(claims, separators=(",", ":"))})

print(json.dumps({
    "generator": "PyJWT " + jwt.__version__,
    "issuer": ISSUER, "hmac_issuer": HMAC_ISSUER, "audience": AUDIENCE, "now": NOW,
    "jwks": jwks, "hmac_jwks": hmac_jwks,
    "private_keys": {"rsa": pem(rsa_key), "ES256": pem(ec_keys["ES256"]),
                     "ES384": pem(ec_keys["ES384"]), "ES512": pem(ec_keys["ES512"]),
                     "ed25519": pem(ed_key)},
    "hmac_secret_hex": hmac_secret.hex(),
    "tokens": tokens,
}, indent=1))
