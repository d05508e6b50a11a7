// Value encodings of the store's rows (storage/FORMAT.md "Values").
//
// Values repeat the identity their key carries (the store checks that the two agree, which turns
// a misplaced or corrupted row into DATA_LOSS instead of a wrong answer). Strings are varint
// length-prefixed; enums are one byte; integers are varints. Decoders return false on anything
// malformed: truncation, trailing bytes, out-of-range enums.
//
// Thread-safety: pure functions.
#ifndef CLEARANCE_STORAGE_INTERNAL_ROWS_H_
#define CLEARANCE_STORAGE_INTERNAL_ROWS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "clearance/config.h"
#include "clearance/model.h"

namespace clearance::storage_internal {

std::string EncodeUser(const User& u);
bool DecodeUser(std::string_view in, User* u);

// Groups, roles and tenants share one shape: id, name, description.
std::string EncodeNamed(const std::string& id, const std::string& name,
                        const std::string& description);
template <typename T>
std::string EncodeNamed(const T& e) {
  return EncodeNamed(e.id, e.name, e.description);
}
bool DecodeNamed(std::string_view in, std::string* id, std::string* name, std::string* description);
template <typename T>
bool DecodeNamed(std::string_view in, T* e) {
  return DecodeNamed(in, &e->id, &e->name, &e->description);
}

// The compiled path is not stored; the loader compiles claim_name again.
std::string EncodeMappingRule(const MappingRule& r);
bool DecodeMappingRule(std::string_view in, MappingRule* r);

std::string EncodeAuthorization(const Authorization& a);
bool DecodeAuthorization(std::string_view in, Authorization* a);

std::string EncodeConfiguration(const Configuration& c);
bool DecodeConfiguration(std::string_view in, Configuration* c);

// Meta integers: 8 bytes big-endian.
std::string EncodeFixed64(uint64_t v);
bool DecodeFixed64(std::string_view in, uint64_t* v);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_ROWS_H_
