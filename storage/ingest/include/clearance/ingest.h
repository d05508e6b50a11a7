// Record-stream ingestion: identity records in the JSON form of Zeebe protocol records, applied
// to a Store with their log positions (README "Record-stream ingestion").
//
// A broker replicates identity changes through its own log. Each record is one JSON object:
//   {"position": 42, "valueType": "GROUP", "intent": "ENTITY_ADDED", "recordType": "EVENT",
//    "value": {"groupId": "ops", "entityId": "alice", "entityType": "USER", ...}}
// Members other than the ones read here (key, timestamp, partitionId, brokerVersion, ...) are
// ignored, as are unknown members of `value`. What is read:
//   position                 required, unsigned integer of at most kMaxLogPosition; honoured
//                            as Store::Apply's log position, so replaying a stream (or a
//                            resumed one) converges
//   valueType                AUTHORIZATION, MAPPING_RULE, GROUP, ROLE, TENANT, USER; any other
//                            value type is skipped and counted (its position is not recorded)
//   intent                   CREATED, UPDATED, DELETED; ENTITY_ADDED / ENTITY_REMOVED for
//                            GROUP, ROLE, TENANT. The command intents (CREATE, UPDATE,
//                            DELETE, ADD_ENTITY, REMOVE_ENTITY), and ENTITY_* on other value
//                            types, are skipped and counted. Any other intent is malformed:
//                            Zeebe writes intents as upper-case enum names, so "created" is
//                            not one and is refused rather than silently skipped.
//   recordType               optional; only EVENT records change state (COMMAND and
//                            COMMAND_REJECTION records are skipped and counted)
//   value                    required object:
//     AUTHORIZATION  authorizationKey, ownerId, ownerType, resourceType, resourceMatcher
//                    (ANY | ID | PROPERTY), resourceId, resourcePropertyName, permissionTypes
//     MAPPING_RULE   mappingRuleId, claimName, claimValue, name
//     GROUP          groupId, name, description; entityId, entityType for ENTITY_*
//     ROLE           roleId, name, description; entityId, entityType for ENTITY_*
//     TENANT         tenantId, name, description; entityId, entityType for ENTITY_*
//     USER           username, name, email, password (the stored bcrypt hash)
//
// Authorization keys: UPDATED and DELETED name the authorization by authorizationKey. The
// engine assigns its own keys (a counter from 1) when it applies CREATED. A broker's keys carry
// the partition id above bit 51, so a key of 2^51 or more that the store does not hold is a
// broker key: the record's owner, resource type and resource scope find the authorization
// instead (UPDATED must then keep the scope). A record that names nothing is refused by the
// planner (NOT_FOUND) like any command.
//
// A record the store's planner refuses (a duplicate, a missing member, ...) is not an error of
// ingestion: the broker already decided it. It is counted, and its position is recorded.
// A malformed record (not JSON, a missing or mistyped field, an unknown enum name or intent, a
// position above kMaxLogPosition, a line longer than IngestOptions::max_line_bytes) is an error
// that names the line and the position, and changes nothing.
//
// Thread-safety: RecordIngestor is a single-threaded object and, like Store::Apply, must not run
// concurrently with other writers of its store. DecodeRecord is a pure function of its inputs.
#ifndef CLEARANCE_INGEST_H_
#define CLEARANCE_INGEST_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/commands.h"
#include "clearance/serving_store.h"
#include "clearance/state.h"
#include "clearance/store.h"

namespace clearance {

// The largest log position a record may carry. Zeebe positions are Java longs (at most
// 2^63 - 1), and a record at the largest value could never be followed: every later record would
// be skipped as already applied. So positions stop one below it.
inline constexpr uint64_t kMaxLogPosition = (uint64_t{1} << 63) - 2;

struct IngestOptions {
  // Longest record line IngestStream() and IngestBuffer() accept, in bytes without the newline;
  // reading stops there, so an endless line (/dev/zero) costs at most this much memory.
  // Default 1 MiB (identity records are a few hundred bytes).
  size_t max_line_bytes = size_t{1} << 20;
};

// One decoded record.
struct DecodedRecord {
  enum class Kind : uint8_t {
    kCommand,           // `command` carries it out
    kUnknownValueType,  // a value type this engine does not hold: skip
    kIgnored,           // a known value type with an intent or record type that changes nothing
  };
  Kind kind = Kind::kIgnored;
  uint64_t position = 0;
  std::string value_type;  // as written in the record
  std::string intent;
  Command command;  // kCommand only
};

// Decodes one record. `state` is consulted only to find an authorization named by a key the
// store does not know (see above). INVALID_ARGUMENT naming the position (when it could be read),
// the field and what was expected.
[[nodiscard]] absl::StatusOr<DecodedRecord> DecodeRecord(std::string_view json,
                                                         const IdentityState& state);

struct IngestStats {
  uint64_t records = 0;             // records read (every non-empty line)
  uint64_t applied = 0;             // planned and persisted
  uint64_t refused = 0;             // refused by the planner; position recorded
  uint64_t skipped_position = 0;    // at or below the store's applied position
  uint64_t skipped_value_type = 0;  // value types this engine does not hold
  uint64_t skipped_intent = 0;      // intents / record types that change nothing
  std::string first_refusal;        // the first refusal's message, for reports
};

class RecordIngestor {
 public:
  // Called with every applied ChangeSet (e.g. to keep an Engine in step with the store). A
  // non-OK status stops the ingest there: the record stays committed in the store, and
  // IngestRecord / IngestBuffer return that status, so no later record is applied past it.
  using AppliedCallback = std::function<absl::Status(const ChangeSet&)>;

  // `store` is not owned and must outlive the ingestor.
  explicit RecordIngestor(Store* store, AppliedCallback on_applied = nullptr,
                          IngestOptions options = {});
  // Applies the records through a serving store's writer (inside ServingStore::Write), which
  // keeps its engine in step; an engine failure stops the ingest with the writer's error.
  // `writer` is not owned and must outlive the ingestor.
  explicit RecordIngestor(ServingStore::Writer* writer, IngestOptions options = {});

  // Applies one record (one JSON object; surrounding whitespace allowed). `line` (1-based, 0
  // when unknown) is named in errors. Errors: INVALID_ARGUMENT for a malformed record (nothing
  // changed); Store::Apply's storage errors.
  [[nodiscard]] absl::Status IngestRecord(std::string_view json, uint64_t line = 0);

  // Applies a newline-delimited stream of records, stopping at the first error. Blank lines are
  // skipped. Errors as IngestRecord, prefixed with the line number.
  [[nodiscard]] absl::Status IngestStream(std::istream* in);
  // The same for a stream held in memory.
  [[nodiscard]] absl::Status IngestBuffer(std::string_view ndjson);

  const IngestStats& stats() const { return stats_; }

 private:
  // A line longer than options_.max_line_bytes: INVALID_ARGUMENT naming the line and the limit.
  absl::Status LineTooLong() const;

  Store* store_ = nullptr;                  // or
  ServingStore::Writer* writer_ = nullptr;  // exactly one of the two is set
  AppliedCallback on_applied_;
  IngestOptions options_;
  IngestStats stats_;
  uint64_t line_ = 0;
};

}  // namespace clearance

#endif  // CLEARANCE_INGEST_H_
