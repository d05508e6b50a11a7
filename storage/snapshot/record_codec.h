// One snapshot record <-> one JSON line. Internal to the snapshot codec.
//
// Thread-safety: Encode* are pure functions; a RecordDecoder holds a reusable parser and is
// single-threaded.
#ifndef CLEARANCE_STORAGE_SNAPSHOT_RECORD_CODEC_H_
#define CLEARANCE_STORAGE_SNAPSHOT_RECORD_CODEC_H_

#include <string>
#include <string_view>
#include <variant>

#include "absl/status/statusor.h"
#include "clearance/snapshot.h"
#include "simdjson.h"

namespace clearance::snapshot_internal {

struct Trailer {
  uint64_t records = 0;
  std::string sha256_hex;
};

using Record = std::variant<SnapshotHeader, Row, Trailer>;

// The record's JSON, without the trailing newline. Canonical: fixed member order, minimal
// escaping (", \, control characters as \u00XX), so equal records give equal bytes.
std::string EncodeHeader(const SnapshotHeader& header);
std::string EncodeRow(const Row& row);
std::string EncodeTrailer(const Trailer& trailer);
std::string EncodeConfiguration(const Configuration& configuration);
// A JSON string literal, quoted and escaped as the records write it.
void AppendJsonString(std::string* out, std::string_view s);

// The rank of a row kind in canonical order (tenants 0 ... authorizations 6).
int KindRank(const Row& row);
// The record kind as it appears in "type".
std::string_view KindName(const Row& row);
// True when `a` must come strictly before `b` in canonical order.
bool CanonicallyBefore(const Row& a, const Row& b);

class RecordDecoder {
 public:
  // Decodes one line. INVALID_ARGUMENT naming the record kind and field and what was expected
  // (the caller prefixes the line number).
  absl::StatusOr<Record> Decode(std::string_view line);

 private:
  simdjson::dom::parser parser_;
};

}  // namespace clearance::snapshot_internal

#endif  // CLEARANCE_STORAGE_SNAPSHOT_RECORD_CODEC_H_
