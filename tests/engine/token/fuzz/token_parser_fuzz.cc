// Fuzz target: the token parser. Inputs starting with '{' go straight to the strict JSON readers
// (header and claims), so the fuzzer need not learn base64url first; anything else is a whole
// token for TokenVerifier::Verify (split, base64url, header, claims, key lookup, signature).
#include <cstdint>
#include <memory>
#include <string>

#include "clearance/token.h"
#include "internal/claims.h"
#include "internal/jws.h"
#include "simdjson.h"

namespace {

class FixedClock final : public clearance::TokenClock {
 public:
  absl::Time Now() const override { return absl::FromUnixSeconds(1700000100); }
};

const clearance::TokenVerifier& Verifier() {
  static const FixedClock clock;
  static const clearance::TokenVerifier* const verifier = [] {
    clearance::TokenVerifierOptions o;
    clearance::IssuerConfig i;
    i.issuer = "https://idp.example.test";
    i.audiences = {"clearance-api"};
    i.allowed_algorithms = clearance::JwsAlgorithmSet::All();
    // RFC 7515 A.1's HMAC key and RFC 7517 A.1's P-256 key cannot share an issuer; HMAC it is.
    i.jwks_json =
        R"({"keys":[{"kty":"oct","kid":"k1","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}]})";
    o.issuers = {i};
    o.clock = &clock;
    o.cache_capacity = 64;
    auto v = clearance::TokenVerifier::Create(o);
    if (!v.ok()) __builtin_trap();
    return v->release();
  }();
  return *verifier;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (!input.empty() && input[0] == '{') {
    std::string padded(input);
    padded.append(simdjson::SIMDJSON_PADDING, '\0');
    simdjson::ondemand::parser parser;
    clearance::token_internal::JwsHeader header;
    (void)clearance::token_internal::ParseJwsHeader(parser, padded.data(), size, 16, &header);
    clearance::token_internal::RegisteredClaims claims;
    (void)clearance::token_internal::ReadRegisteredClaims(parser, padded.data(), size, 16, 1024,
                                                          &claims);
    return 0;
  }
  std::shared_ptr<const clearance::VerifiedToken> out;
  const clearance::TokenError e = Verifier().Verify(input, &out);
  if ((e == clearance::TokenError::kOk) != (out != nullptr)) __builtin_trap();
  return 0;
}
