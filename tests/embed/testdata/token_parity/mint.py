#!/usr/bin/python3
"""Mints the token cases the C++, C and Java authentication tests share (cases.tsv) and the two
issuers' public key sets (kc.jwks.json, entra.jwks.json).

Run with Debian's interpreter, which has python3-jwt and python3-cryptography:
    cd tests/embed/testdata/token_parity && /usr/bin/python3 mint.py
The keys are generated fresh on every run, are test-only, and their private halves are discarded.
Timestamps are fixed: the tests fix the verifier's clock at NOW and never read the wall clock.

cases.tsv, tab-separated, '#' lines are comments:
    now       <unix seconds>
    audience  <aud every issuer requires>
    issuer    <iss> <jwks file> <algorithms, comma-joined> <username claim> <client id claim>
              <groups claim or -> <prefer username: true|false>
    case      <name> <token> <reason> <principal type or -> <principal id or -> <groups> <issuer or -> <exp or ->
groups is - when no groups claim applies to the issuer, else [g1,g2,...] in token order ([] when
empty). The configuration's own claims (outside any issuer) are left at their defaults.
"""
import base64
import json

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

NOW = 1700000100
AUD = "api"
KC = "https://kc.example.test/realms/camunda"
ENTRA = "https://login.example.test/tenant/v2.0"

kc_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
entra_key = ec.generate_private_key(ec.SECP256R1())
impostor_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(algorithm, key, kid, alg):
    jwk = json.loads(algorithm.to_jwk(key.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": alg})
    return {"keys": [jwk]}


with open("kc.jwks.json", "w") as f:
    json.dump(jwks(RSAAlgorithm, kc_key, "kc-rsa", "RS256"), f, indent=1)
    f.write("\n")
with open("entra.jwks.json", "w") as f:
    json.dump(jwks(ECAlgorithm, entra_key, "entra-ec", "ES256"), f, indent=1)
    f.write("\n")


def kc(claims, exp=NOW + 600, key=kc_key):
    body = {"iss": KC, "aud": [AUD, "account"], "iat": NOW - 60, "exp": exp, **claims}
    return jwt.encode(body, key, algorithm="RS256", headers={"kid": "kc-rsa"})


def entra(claims):
    body = {"iss": ENTRA, "aud": AUD, "iat": NOW - 60, "nbf": NOW - 60, "exp": NOW + 600, **claims}
    return jwt.encode(body, entra_key, algorithm="ES256", headers={"kid": "entra-ec"})


def b64(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).rstrip(
        b"=").decode()


APPID = "5e3f1d2c-1111-4222-8333-444455556666"
cases = [
    # name, token, reason, type, id, groups, issuer, exp
    ("kc_user_rs256", kc({"preferred_username": "alice", "azp": "orders-app",
                           "groups": ["/eng", "/ops", "/eng"]}),
     "ok", "USER", "alice", "[/eng,/ops]", KC, str(NOW + 600)),
    ("kc_client_rs256", kc({"azp": "orders-app", "groups": []}),
     "ok", "CLIENT", "orders-app", "[]", KC, str(NOW + 600)),
    ("entra_client_es256", entra({"appid": APPID, "azp": "ignored-for-entra",
                                  "groups": ["0b1c2d3e"]}),
     "ok", "CLIENT", APPID, "-", ENTRA, str(NOW + 600)),
    ("entra_user_es256", entra({"upn": "bob@example.test"}),
     "ok", "USER", "bob@example.test", "-", ENTRA, str(NOW + 600)),
    ("kc_missing_principal", kc({"upn": "bob@example.test", "appid": APPID}),
     "no_principal", "-", "-", "-", "-", "-"),
    ("kc_principal_wrong_type", kc({"azp": 5}),
     "claim_wrong_type", "-", "-", "-", "-", "-"),
    ("kc_expired", kc({"azp": "orders-app"}, exp=NOW - 3600),
     "expired", "-", "-", "-", "-", "-"),
    ("kc_wrong_key", kc({"azp": "orders-app"}, key=impostor_key),
     "bad_signature", "-", "-", "-", "-", "-"),
    ("alg_none", b64({"alg": "none", "typ": "JWT"}) + "." +
     b64({"iss": KC, "aud": AUD, "exp": NOW + 600, "azp": "orders-app"}) + ".",
     "algorithm_not_allowed", "-", "-", "-", "-", "-"),
    ("garbage", "not-a-token", "malformed", "-", "-", "-", "-", "-"),
]

with open("cases.tsv", "w") as f:
    f.write("# Minted by mint.py (PyJWT %s); test keys only. Format: see mint.py.\n" % jwt.__version__)
    f.write("now\t%d\n" % NOW)
    f.write("audience\t%s\n" % AUD)
    f.write("issuer\t%s\tkc.jwks.json\tRS256\tpreferred_username\tazp\tgroups\ttrue\n" % KC)
    f.write("issuer\t%s\tentra.jwks.json\tES256\tupn\tappid\t-\tfalse\n" % ENTRA)
    for c in cases:
        assert all("\t" not in v and "\n" not in v for v in c)
        f.write("case\t" + "\t".join(c) + "\n")
