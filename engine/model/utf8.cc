#include "model/utf8.h"

#include "clearance/internal/strings.h"

namespace clearance::model_internal {
namespace {

constexpr char kHex[] = "0123456789abcdef";

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

}  // namespace

size_t Utf8SequenceLength(std::string_view text, size_t at) {
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  const size_t left = text.size() - at;
  // RFC 3629 table 3.9: the second byte's range depends on the first (it excludes overlong
  // forms, the surrogates D800-DFFF and everything above U+10FFFF).
  if (b0 >= 0xC2 && b0 <= 0xDF) return left >= 2 && IsContinuation(byte(1)) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (left < 3) return 0;
    const unsigned char b1 = byte(1);
    const unsigned char lo = b0 == 0xE0 ? 0xA0 : 0x80;
    const unsigned char hi = b0 == 0xED ? 0x9F : 0xBF;
    return b1 >= lo && b1 <= hi && IsContinuation(byte(2)) ? 3 : 0;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (left < 4) return 0;
    const unsigned char b1 = byte(1);
    const unsigned char lo = b0 == 0xF0 ? 0x90 : 0x80;
    const unsigned char hi = b0 == 0xF4 ? 0x8F : 0xBF;
    return b1 >= lo && b1 <= hi && IsContinuation(byte(2)) && IsContinuation(byte(3)) ? 4 : 0;
  }
  return 0;
}

size_t FirstInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const size_t n = Utf8SequenceLength(text, i);
    if (n == 0) return i;
    i += n;
  }
  return std::string_view::npos;
}

absl::Status CheckUtf8(std::string_view field, std::string_view text) {
  const size_t bad = FirstInvalidUtf8(text);
  if (bad == std::string_view::npos) return absl::OkStatus();
  const unsigned char b = static_cast<unsigned char>(text[bad]);
  return absl::InvalidArgumentError(
      strings_internal::StrCat(field, ": is not valid UTF-8 (byte 0x", kHex[b >> 4], kHex[b & 15],
                               " at offset ", bad, "); expected UTF-8 text"));
}

std::string Quoted(std::string_view value) {
  std::string out = "'";
  size_t i = 0;
  while (i < value.size()) {
    const unsigned char c = static_cast<unsigned char>(value[i]);
    const size_t n = Utf8SequenceLength(value, i);
    if (n > 1) {
      out.append(value.substr(i, n));
      i += n;
      continue;
    }
    if (n == 1 && c >= 0x20 && c != 0x7F && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else if (c == '\\') {
      out.append("\\\\");
    } else {
      out.append("\\x");
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
    ++i;
  }
  out.push_back('\'');
  return out;
}

}  // namespace clearance::model_internal
