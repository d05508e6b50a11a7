// Fuzz target: the JWKS loader and the single-JWK parser.
#include <cstdint>
#include <string_view>

#include "internal/jwk.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto ring = clearance::token_internal::IssuerKeys::Parse(input);
  if (ring.ok()) {
    // Every loaded key must be usable for at least one algorithm, and lookups must be safe.
    (void)(*ring)->Find(false, "");
    (void)(*ring)->Find(true, "k1");
  }
  auto key = clearance::token_internal::ParseJwk(input);
  if (key.ok() && (*key)->algorithms.empty()) __builtin_trap();
  return 0;
}
