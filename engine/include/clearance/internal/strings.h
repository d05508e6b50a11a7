// String concatenation and joining over std::string_view.
//
// Debian's Abseil is built with its own absl::string_view (absl/base/options.h pins
// ABSL_OPTION_USE_STD_STRING_VIEW to 0), so absl::StrCat and absl::StrJoin do not accept
// std::string_view. These few helpers do, and keep error-message code readable.
//
// Thread-safety: pure functions.
#ifndef CLEARANCE_INTERNAL_STRINGS_H_
#define CLEARANCE_INTERNAL_STRINGS_H_

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace clearance::strings_internal {

inline void AppendOne(std::string* out, std::string_view s) { out->append(s); }
inline void AppendOne(std::string* out, const char* s) { out->append(s); }
inline void AppendOne(std::string* out, const std::string& s) { out->append(s); }
#if !defined(ABSL_USES_STD_STRING_VIEW)
// absl::Status::message() returns Abseil's own string_view in this build.
inline void AppendOne(std::string* out, absl::string_view s) { out->append(s.data(), s.size()); }
#endif
inline void AppendOne(std::string* out, char c) { out->push_back(c); }
template <std::integral T>
requires(!std::same_as<T, char> && !std::same_as<T, bool>) void AppendOne(std::string* out, T v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, end);
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (AppendOne(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  StrAppend(&out, args...);
  return out;
}

template <typename Range>
std::string StrJoin(const Range& items, std::string_view separator) {
  std::string out;
  bool first = true;
  for (const auto& item : items) {
    if (!first) out.append(separator);
    first = false;
    AppendOne(&out, item);
  }
  return out;
}

// Appends `s` as a JSON string literal: quoted, with '"', '\\' and control characters escaped
// (control characters as \u00XX). Bytes >= 0x80 pass through unchanged.
inline void AppendJsonQuoted(std::string* out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (u < 0x20) {
      out->append("\\u00");
      out->push_back(kHex[u >> 4]);
      out->push_back(kHex[u & 15]);
    } else {
      out->push_back(c);
    }
  }
  out->push_back('"');
}

inline std::string JsonQuoted(std::string_view s) {
  std::string out;
  AppendJsonQuoted(&out, s);
  return out;
}

}  // namespace clearance::strings_internal

#endif  // CLEARANCE_INTERNAL_STRINGS_H_
