// Shared helpers of the token tests: files, an injected clock, hex, the minted-token fixture, and
// an independent JWS signer (OpenSSL EVP with private keys) for crafting tokens whose signature
// is valid, so that a refusal can only come from the rule under test.
#ifndef CLEARANCE_TESTS_ENGINE_TOKEN_TEST_UTIL_H_
#define CLEARANCE_TESTS_ENGINE_TOKEN_TEST_UTIL_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/time.h"
#include "clearance/token.h"
#include "simdjson.h"

namespace clearance::token_test {

std::string VectorsDir();   // tests/testdata
std::string TestdataDir();  // tests/engine/token/testdata
std::string ReadFileOrDie(const std::string& path);
std::string HexDecode(std::string_view hex);

// DOM access for vector files: the element, or a test abort when it is missing.
simdjson::dom::element El(simdjson::simdjson_result<simdjson::dom::element> r);
// The string at `r`, or "" when missing or not a string.
std::string Str(simdjson::simdjson_result<simdjson::dom::element> r);

class FakeClock final : public TokenClock {
 public:
  explicit FakeClock(int64_t unix_seconds) : now_(absl::FromUnixSeconds(unix_seconds)) {}
  absl::Time Now() const override { return now_; }
  void Set(int64_t unix_seconds) { now_ = absl::FromUnixSeconds(unix_seconds); }
  void Advance(absl::Duration d) { now_ += d; }

 private:
  absl::Time now_;
};

struct MintedToken {
  std::string alg, shape, token, claims;
};

// tests/engine/token/testdata/minted_tokens.json (made by mint_tokens.py with PyJWT).
struct MintedFixture {
  std::string issuer, hmac_issuer, audience;
  int64_t now = 0;
  std::string jwks_json, hmac_jwks_json;
  std::map<std::string, std::string> private_keys_pem;  // "rsa", "ES256", ..., "ed25519"
  std::string hmac_secret;
  std::vector<MintedToken> tokens;
};
const MintedFixture& Minted();

// How SignJws encodes an ECDSA signature.
enum class EcdsaEncoding { kRaw, kDer };

// Signs header_json.payload_json with OpenSSL. `key` is a PEM private key, or the raw secret for
// HS*. `alg` names the JWS algorithm (also "PS256" etc.). Returns the compact token.
std::string SignJws(std::string_view alg, std::string_view key, std::string_view header_json,
                    std::string_view payload_json, EcdsaEncoding ecdsa = EcdsaEncoding::kRaw);

// The signature bytes alone (raw), for tests that assemble tokens by hand.
std::string SignBytes(std::string_view alg, std::string_view key, std::string_view input,
                      EcdsaEncoding ecdsa = EcdsaEncoding::kRaw);

// Verifier options trusting the fixture's two issuers with every algorithm.
TokenVerifierOptions MintedOptions(const TokenClock* clock);

}  // namespace clearance::token_test

#endif  // CLEARANCE_TESTS_ENGINE_TOKEN_TEST_UTIL_H_
