// Strict base64url (RFC 4648 §5) as JWS requires it (RFC 7515 §2): no padding, no whitespace,
// no characters outside the URL-safe alphabet, and the unused low bits of the last character
// zero, so every byte string has exactly one accepted encoding.
//
// Thread-safety: pure functions.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_BASE64URL_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_BASE64URL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace clearance::token_internal {

// Decoded size of a valid encoding of length `encoded_len`; SIZE_MAX when no valid encoding has
// that length (len % 4 == 1).
size_t Base64UrlDecodedSize(size_t encoded_len);

// Decodes `in` into `out` (capacity `out_capacity`). Returns false, leaving *out_len unspecified,
// on any non-canonical input or when the output would not fit. Never allocates.
[[nodiscard]] bool Base64UrlDecode(std::string_view in, uint8_t* out, size_t out_capacity,
                                   size_t* out_len);

// Convenience for tests and cold paths. Returns false on invalid input.
[[nodiscard]] bool Base64UrlDecode(std::string_view in, std::string* out);

// Unpadded base64url encoding (used for tests, benchmarks and fuzz seeds).
std::string Base64UrlEncode(std::string_view in);

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_BASE64URL_H_
