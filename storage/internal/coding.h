// Byte-level encodings shared by keys and values (storage/FORMAT.md "Primitives").
//
// Keys use order-preserving encodings, so that RocksDB's bytewise order equals the order of the
// tuples they encode: strings are escaped (0x00 -> 0x00 0xFF) and terminated by 0x00 0x01;
// integers are fixed-width big-endian. Values use compact encodings: varint lengths and counts.
//
// Decoders consume from the front of a std::string_view and return false on malformed input;
// they never read past the end.
//
// Thread-safety: pure functions.
#ifndef CLEARANCE_STORAGE_INTERNAL_CODING_H_
#define CLEARANCE_STORAGE_INTERNAL_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace clearance::storage_internal {

// --- order-preserving (keys) ---

inline void AppendOrderedString(std::string* out, std::string_view s) {
  for (char c : s) {
    out->push_back(c);
    if (c == '\0') out->push_back('\xFF');
  }
  out->push_back('\0');
  out->push_back('\x01');
}

inline bool ConsumeOrderedString(std::string_view* in, std::string* out) {
  out->clear();
  std::string_view rest = *in;
  // Runs between escapes are copied whole: a store load decodes millions of these.
  for (;;) {
    const size_t zero = rest.find('\0');
    if (zero == std::string_view::npos) return false;  // no terminator
    if (zero + 1 >= rest.size()) return false;
    out->append(rest.data(), zero);
    const char next = rest[zero + 1];
    rest.remove_prefix(zero + 2);
    if (next == '\x01') {
      *in = rest;
      return true;
    }
    if (next != '\xFF') return false;
    out->push_back('\0');
  }
}

inline void AppendBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

inline bool ConsumeBigEndian64(std::string_view* in, uint64_t* v) {
  if (in->size() < 8) return false;
  uint64_t r = 0;
  for (int i = 0; i < 8; ++i) r = (r << 8) | static_cast<uint8_t>((*in)[i]);
  in->remove_prefix(8);
  *v = r;
  return true;
}

inline void AppendByte(std::string* out, uint8_t b) { out->push_back(static_cast<char>(b)); }

inline bool ConsumeByte(std::string_view* in, uint8_t* b) {
  if (in->empty()) return false;
  *b = static_cast<uint8_t>(in->front());
  in->remove_prefix(1);
  return true;
}

// --- compact (values) ---

inline void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline bool ConsumeVarint(std::string_view* in, uint64_t* v) {
  uint64_t r = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    if (shift == 63 && b > 1) return false;  // overflow
    r |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *v = r;
      return true;
    }
  }
  return false;
}

inline void AppendLengthPrefixed(std::string* out, std::string_view s) {
  AppendVarint(out, s.size());
  out->append(s);
}

inline bool ConsumeLengthPrefixed(std::string_view* in, std::string* out) {
  uint64_t n = 0;
  if (!ConsumeVarint(in, &n) || n > in->size()) return false;
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_CODING_H_
