#include "internal/jws.h"

#include "internal/signature.h"
#include "internal/strict_json.h"

namespace clearance::token_internal {

TokenError SplitCompact(std::string_view token, size_t max_token_bytes, JwsSegments* out) {
  if (token.size() > max_token_bytes) return TokenError::kTooLarge;
  const size_t dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return TokenError::kMalformed;
  const size_t dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos) return TokenError::kMalformed;
  if (token.find('.', dot2 + 1) != std::string_view::npos) return TokenError::kMalformed;
  out->header = token.substr(0, dot1);
  out->payload = token.substr(dot1 + 1, dot2 - dot1 - 1);
  out->signature = token.substr(dot2 + 1);
  out->signing_input = token.substr(0, dot2);
  // An empty header has no alg. An empty signature is kept: it is either alg "none" (RFC 7515
  // A.5), which the header check names as an algorithm attack, or a stripped signature, which
  // the caller refuses once the header is known to be sound.
  if (out->header.empty()) return TokenError::kMalformed;
  return TokenError::kOk;
}

namespace {

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

TokenError ParseJwsHeader(simdjson::ondemand::parser& parser, const char* json, size_t len,
                          int max_depth, JwsHeader* out) {
  // Verdicts on what the members say wait until the whole header has been walked: a header that
  // is not one well-formed object with unique names is refused as such, whatever its first alg
  // says ({"alg":"none","alg":"RS256"} is a duplicate, not an algorithm question).
  bool has_alg = false, alg_is_string = false, unsupported = false;
  std::string_view alg;
  // Headers are tiny; a small member cap keeps a hostile header from costing anything.
  const JsonCaps caps{max_depth, 64};
  TokenError result = WalkStrictObject(
      parser, json, len, caps,
      [&](std::string_view name, simdjson::ondemand::value& value, bool* consumed) {
        if (name == "alg") {
          has_alg = true;
          simdjson::ondemand::json_type type;
          if (value.type().get(type)) return TokenError::kBadJson;
          if (type != simdjson::ondemand::json_type::string) return TokenError::kOk;  // walked
          *consumed = true;
          alg_is_string = true;
          return value.get_string().get(alg) ? TokenError::kBadJson : TokenError::kOk;
        }
        if (name == "kid") {
          *consumed = true;
          out->has_kid = true;
          return value.get_string().get(out->kid) ? TokenError::kBadJson : TokenError::kOk;
        }
        if (name == "typ") {
          *consumed = true;
          out->has_typ = true;
          return value.get_string().get(out->typ) ? TokenError::kBadJson : TokenError::kOk;
        }
        // crit: we understand no extension, so RFC 7515 §4.1.11 obliges us to refuse. b64:false
        // would change the signed bytes (RFC 7797). jwk/jku/x5u/x5c would let the token name its
        // own key; keys come only from configuration.
        if (name == "crit" || name == "b64" || name == "jwk" || name == "jku" || name == "x5u" ||
            name == "x5c") {
          unsupported = true;
        }
        return TokenError::kOk;
      });
  if (result != TokenError::kOk) return result;
  if (!has_alg || !alg_is_string || EqualsIgnoreAsciiCase(alg, "none") ||
      !ParseJwsAlgorithm(alg, &out->alg)) {
    return TokenError::kAlgorithmNotAllowed;
  }
  if (unsupported) return TokenError::kUnsupportedHeader;
  return TokenError::kOk;
}

}  // namespace clearance::token_internal
