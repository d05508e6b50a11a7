"""A stand-in identity provider for the demos: one RS256 key pair and tokens signed with it.

  demo_idp.py DIR keys                                   writes DIR/key.pem and DIR/jwks.json
  demo_idp.py DIR token ISSUER AUDIENCE CLIENT_ID [SCOPE] [LIFETIME_S]   prints a token

Tokens name the client in azp (and sub), expire after LIFETIME_S seconds (default 600) and carry
SCOPE when given. Run with Debian's /usr/bin/python3 (python3-jwt, python3-cryptography).
"""
import json
import sys
import time

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

work, command = sys.argv[1], sys.argv[2]
if command == "keys":
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    open(f"{work}/key.pem", "wb").write(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update(kid="demo-key", alg="RS256", use="sig")
    json.dump({"keys": [jwk]}, open(f"{work}/jwks.json", "w"))
elif command == "token":
    issuer, audience, client = sys.argv[3:6]
    scope = sys.argv[6] if len(sys.argv) > 6 else ""
    lifetime = int(sys.argv[7]) if len(sys.argv) > 7 else 600
    now = int(time.time())
    claims = {"iss": issuer, "aud": audience, "sub": client, "azp": client,
              "iat": now, "exp": now + lifetime}
    if scope:
        claims["scope"] = scope
    print(jwt.encode(claims, open(f"{work}/key.pem").read(), algorithm="RS256",
                     headers={"kid": "demo-key"}))
else:
    sys.exit(f"demo_idp.py: unknown command '{command}'; expected keys or token")
