#include "internal/base64url.h"

#include <array>
#include <cstdint>

namespace clearance::token_internal {
namespace {

constexpr uint8_t kInvalid = 0xff;

constexpr std::array<uint8_t, 256> MakeDecodeTable() {
  std::array<uint8_t, 256> t{};
  for (auto& v : t) v = kInvalid;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<uint8_t>(kAlphabet[i])] = i;
  return t;
}
constexpr std::array<uint8_t, 256> kDecode = MakeDecodeTable();
constexpr char kEncode[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

}  // namespace

size_t Base64UrlDecodedSize(size_t encoded_len) {
  if (encoded_len % 4 == 1) return SIZE_MAX;
  return encoded_len / 4 * 3 + (encoded_len % 4 == 0 ? 0 : encoded_len % 4 - 1);
}

bool Base64UrlDecode(std::string_view in, uint8_t* out, size_t out_capacity, size_t* out_len) {
  const size_t need = Base64UrlDecodedSize(in.size());
  if (need == SIZE_MAX || need > out_capacity) return false;
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  const size_t full = in.size() / 4 * 4;
  size_t o = 0;
  for (size_t i = 0; i < full; i += 4) {
    const uint32_t a = kDecode[p[i]], b = kDecode[p[i + 1]], c = kDecode[p[i + 2]],
                   d = kDecode[p[i + 3]];
    // OR-ing the four lookups tests all of them for kInvalid with one branch.
    if ((a | b | c | d) & 0xc0) return false;
    const uint32_t v = a << 18 | b << 12 | c << 6 | d;
    out[o++] = static_cast<uint8_t>(v >> 16);
    out[o++] = static_cast<uint8_t>(v >> 8);
    out[o++] = static_cast<uint8_t>(v);
  }
  const size_t rest = in.size() - full;
  if (rest == 2) {
    const uint32_t a = kDecode[p[full]], b = kDecode[p[full + 1]];
    // The low 4 bits of the last character carry no data; a canonical encoding has them zero.
    if ((a | b) & 0xc0 || (b & 0x0f) != 0) return false;
    out[o++] = static_cast<uint8_t>(a << 2 | b >> 4);
  } else if (rest == 3) {
    const uint32_t a = kDecode[p[full]], b = kDecode[p[full + 1]], c = kDecode[p[full + 2]];
    if ((a | b | c) & 0xc0 || (c & 0x03) != 0) return false;
    const uint32_t v = a << 10 | b << 4 | c >> 2;
    out[o++] = static_cast<uint8_t>(v >> 8);
    out[o++] = static_cast<uint8_t>(v);
  }
  *out_len = o;
  return true;
}

bool Base64UrlDecode(std::string_view in, std::string* out) {
  const size_t need = Base64UrlDecodedSize(in.size());
  if (need == SIZE_MAX) return false;
  out->resize(need);
  size_t len = 0;
  if (!Base64UrlDecode(in, reinterpret_cast<uint8_t*>(out->data()), need, &len)) return false;
  out->resize(len);
  return true;
}

std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  const auto* p = reinterpret_cast<const uint8_t*>(in.data());
  size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = p[i] << 16 | p[i + 1] << 8 | p[i + 2];
    out += kEncode[v >> 18 & 63];
    out += kEncode[v >> 12 & 63];
    out += kEncode[v >> 6 & 63];
    out += kEncode[v & 63];
  }
  if (in.size() - i == 1) {
    const uint32_t v = p[i] << 16;
    out += kEncode[v >> 18 & 63];
    out += kEncode[v >> 12 & 63];
  } else if (in.size() - i == 2) {
    const uint32_t v = p[i] << 16 | p[i + 1] << 8;
    out += kEncode[v >> 18 & 63];
    out += kEncode[v >> 12 & 63];
    out += kEncode[v >> 6 & 63];
  }
  return out;
}

}  // namespace clearance::token_internal
