// Logical snapshots: the identity state as newline-delimited JSON (docs/architecture.md
// "Snapshots").
//
// A snapshot is, one JSON object per line:
//   1. a header: format name, version, applied log position, next authorization key, the
//      configuration and the number of records of each kind that follow;
//   2. the rows in canonical order — tenants, groups, roles, mapping rules, users (each by id),
//      memberships (by container type, container id, member type, member id), authorizations
//      (by key) — so the same state always gives the same bytes;
//   3. a trailer: the number of rows and the SHA-256 of every byte before the trailer line.
// The exact record shapes are in storage/FORMAT.md.
//
// Reading is strict: every record must have exactly its fields with the right JSON types, no
// duplicate member names, rows in canonical order with no duplicates, counts and checksum equal,
// nothing after the trailer. Each refusal is INVALID_ARGUMENT (DATA_LOSS for a checksum
// mismatch) and names the line, the record kind and the field.
//
// Thread-safety: SnapshotWriter and SnapshotReader are single-threaded objects; different
// instances may be used concurrently.
#ifndef CLEARANCE_SNAPSHOT_H_
#define CLEARANCE_SNAPSHOT_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/bulk_loader.h"
#include "clearance/config.h"
#include "clearance/state.h"
#include "clearance/store.h"

namespace clearance {

inline constexpr std::string_view kSnapshotFormat = "clearance-snapshot";
// Version 2 added the configuration's token_issuers; version 1 snapshots still import (with no
// issuers). Export always writes kSnapshotVersion.
inline constexpr uint32_t kSnapshotVersion = 2;

struct SnapshotCounts {
  uint64_t tenants = 0;
  uint64_t groups = 0;
  uint64_t roles = 0;
  uint64_t mapping_rules = 0;
  uint64_t users = 0;
  uint64_t memberships = 0;
  uint64_t authorizations = 0;

  uint64_t total() const {
    return tenants + groups + roles + mapping_rules + users + memberships + authorizations;
  }
  bool operator==(const SnapshotCounts&) const = default;
};

struct SnapshotHeader {
  std::optional<uint64_t> applied_position;
  AuthorizationKey next_authorization_key = 1;
  Configuration configuration;
  SnapshotCounts counts;
  bool operator==(const SnapshotHeader&) const = default;
};

// The JSON object of one row or of a configuration, exactly as a snapshot writes it (one line,
// canonical member order). Tools use it for --output json.
std::string RowToJson(const Row& row);
std::string ConfigurationToJson(const Configuration& configuration);

// The counts of a state, for its header.
SnapshotCounts CountsOf(const IdentityState& state);

// Streams a snapshot to `out`: WriteHeader once, WriteRow for every row in canonical order,
// then Finish. The writer does not check the order; ExportSnapshot() produces it.
class SnapshotWriter {
 public:
  explicit SnapshotWriter(std::ostream* out);
  ~SnapshotWriter();

  void WriteHeader(const SnapshotHeader& header);
  void WriteRow(const Row& row);
  // Writes the trailer and flushes. UNAVAILABLE when the stream failed at any point.
  [[nodiscard]] absl::Status Finish();

 private:
  void Emit(const std::string& line);

  std::ostream* out_;
  struct Digest;
  std::unique_ptr<Digest> digest_;
  uint64_t rows_ = 0;
};

// Called every kProgressEvery rows (and once at the end) with rows done and rows in all.
using SnapshotProgress = std::function<void(uint64_t done, uint64_t total)>;
inline constexpr uint64_t kProgressEvery = 65536;

// Writes the whole state, in canonical order.
[[nodiscard]] absl::Status ExportSnapshot(const IdentityState& state,
                                          std::optional<uint64_t> applied_position,
                                          std::ostream* out,
                                          const SnapshotProgress& progress = nullptr);

// Writes the store's state as of one moment (Store::ScanConsistent: one RocksDB snapshot), in
// canonical order: the same bytes ExportSnapshot(store.state(), ...) would give at that moment.
// Safe while another thread applies commands to `store`; memory does not grow with its size.
// Errors: those of ScanConsistent; UNAVAILABLE when writing `out` fails.
[[nodiscard]] absl::Status ExportSnapshot(const Store& store, std::ostream* out,
                                          const SnapshotProgress& progress = nullptr);

// The same, for the store at `store_path`, without opening it as a Store: nothing is loaded
// into memory, so an export of any size runs in constant memory (Store::ScanConsistent by
// path). Errors: those of that call; FAILED_PRECONDITION when the store is not initialized;
// UNAVAILABLE when writing `out` fails.
[[nodiscard]] absl::Status ExportSnapshot(const std::string& store_path,
                                          const StoreOptions& options, std::ostream* out,
                                          const SnapshotProgress& progress = nullptr);

// The default longest snapshot line: 1 MiB.
inline constexpr size_t kDefaultSnapshotMaxLineBytes = size_t{1} << 20;

// Limits on what a snapshot reader accepts.
struct SnapshotReadOptions {
  // The longest line accepted, in bytes (without its newline). A record is a few hundred bytes;
  // the reader holds one line in memory, so this bounds its memory whatever the input.
  size_t max_line_bytes = kDefaultSnapshotMaxLineBytes;
  // How an error names the setting that raises the limit (a tool names its flag).
  std::string max_line_bytes_name = "SnapshotReadOptions::max_line_bytes";
};

// Reads a snapshot line by line; memory does not grow with the snapshot's size.
class SnapshotReader {
 public:
  // A line longer than options.max_line_bytes is INVALID_ARGUMENT naming the line, the limit
  // and options.max_line_bytes_name.
  explicit SnapshotReader(std::istream* in, SnapshotReadOptions options = {});
  ~SnapshotReader();

  // Reads and checks the header. Call once, first.
  [[nodiscard]] absl::StatusOr<SnapshotHeader> ReadHeader();
  // The next row, or nullopt after the trailer was read and checked (counts, checksum, end of
  // input).
  [[nodiscard]] absl::StatusOr<std::optional<Row>> Next();
  // The line number of the record last returned (1-based).
  uint64_t line() const { return line_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  uint64_t line_ = 0;
};

struct ImportedSnapshot {
  IdentityState state;
  std::optional<uint64_t> applied_position;
};

// Reads a whole snapshot into a fresh IdentityState (memory grows with the snapshot; tools that
// fill a store use ImportSnapshotToStore), validating every row against docs/semantics.md with
// clearance::PlanRestore (so a snapshot can only hold a state the commands could have built).
// Errors name the line: "line 12: authorization: ...".
[[nodiscard]] absl::StatusOr<ImportedSnapshot> ImportSnapshot(
    std::istream* in, const SnapshotProgress& progress = nullptr,
    const SnapshotReadOptions& read_options = {});

struct StoreImport {
  SnapshotCounts counts;
  std::optional<uint64_t> applied_position;
};

// Streams a snapshot into a new store at `path` through the bulk path (clearance/bulk_loader.h):
// every row is validated as ImportSnapshot() validates it, but memory does not grow with the
// rows — the cross-record rules (an owner or container exists, a mapping rule's claim is unique)
// consult a skeleton holding only entity ids and mapping-rule claims; memberships, authorizations
// and every descriptive field go straight to sorted runs on disk. The store is committed only
// after the trailer checked out (counts, checksum, end of input). All or nothing: on any error
// nothing is left at `path`. Errors: as ImportSnapshot(); FAILED_PRECONDITION when `path` holds a
// store; UNAVAILABLE on I/O errors.
[[nodiscard]] absl::StatusOr<StoreImport> ImportSnapshotToStore(
    std::istream* in, const std::string& path, const StoreOptions& options,
    const SnapshotProgress& progress = nullptr, BulkLoaderOptions loader_options = {},
    const SnapshotReadOptions& read_options = {});

}  // namespace clearance

#endif  // CLEARANCE_SNAPSHOT_H_
