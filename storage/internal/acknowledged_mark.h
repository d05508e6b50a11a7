// The acknowledged mark: a small file beside the database (`ACKNOWLEDGED`) recording how far the
// store had got when a writing session last acknowledged a command, so that a write-ahead log
// that lost acknowledged commands is DATA_LOSS at open instead of silence.
//
// RocksDB (7.8) checks a WAL against the MANIFEST only once the WAL is closed by a memtable
// switch (track_and_verify_wals_in_manifest); the live WAL, which holds every command since the
// last flush, is trusted as found, and an empty or shortened one reads as "fewer commands". The
// mark closes that gap: a session writes it after its first acknowledged write and again at
// close, each time after the WAL write it describes, so it never claims more than the WAL held.
// Open() compares it with the generation and applied position it recovered. A session killed
// mid-way leaves the mark of its first write: commands after it are covered by the WAL's record
// checksums only (a cut inside the log, not at its end, is still DATA_LOSS).
#ifndef CLEARANCE_STORAGE_INTERNAL_ACKNOWLEDGED_MARK_H_
#define CLEARANCE_STORAGE_INTERNAL_ACKNOWLEDGED_MARK_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/env.h"

namespace clearance::storage_internal {

inline constexpr char kAcknowledgedMarkFile[] = "ACKNOWLEDGED";

struct AcknowledgedMark {
  uint64_t generation = 0;
  std::optional<uint64_t> applied_position;
};

// nullopt when `dir` has no mark. Errors: DATA_LOSS for a mark that does not parse.
absl::StatusOr<std::optional<AcknowledgedMark>> ReadAcknowledgedMark(rocksdb::Env* env,
                                                                     const std::string& dir);

// Replaces the mark atomically (a temporary file renamed over it); fsyncs it when `sync`.
absl::Status WriteAcknowledgedMark(rocksdb::Env* env, const std::string& dir,
                                   const AcknowledgedMark& mark, bool sync);

// DATA_LOSS when the recovered generation or applied position is behind `mark`.
absl::Status CheckAgainstMark(const std::string& dir, const AcknowledgedMark& mark,
                              uint64_t generation, std::optional<uint64_t> applied_position);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_ACKNOWLEDGED_MARK_H_
