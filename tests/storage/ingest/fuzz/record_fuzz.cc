// Fuzz target: one record-stream line through ingestion's decoder and the planner, as
// RecordIngestor does it (without the store). Against a small state in each mode, the decoder
// must refuse with INVALID_ARGUMENT or decode; a decoded command is planned, the planner answers
// with one of its documented codes, and a planned change set applies to a copy of the state.
// Decoding is a pure function: the same bytes decode the same way twice.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "clearance/ingest.h"
#include "clearance/state.h"

namespace {

using clearance::Command;
using clearance::Execute;
using clearance::IdentityState;

constexpr std::string_view kBcrypt = "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy";

// A state whose entities the corpus's records name: group ops, role r1, tenant t1, mapping rule
// m1, user alice (basic mode only), memberships and authorization 1 (CLIENT app, any process).
IdentityState SmallState(clearance::AuthMode mode) {
  using namespace clearance;
  IdentityState state;
  Configuration config;
  config.mode = mode;
  const Command commands[] = {
      Configure{config},
      Initialize{},
      CreateGroup{Group{"ops", "Ops", ""}},
      CreateRole{Role{"r1", "R1", ""}},
      CreateTenant{Tenant{"t1", "T1", ""}},
      CreateMappingRule{MappingRule{"m1", "dept", "eng", "Engineering", {}}},
      AddMember{Membership{ContainerType::kGroup, "ops", MemberType::kMappingRule, "m1"}},
      AddMember{Membership{ContainerType::kRole, "r1", MemberType::kGroup, "ops"}},
  };
  for (const Command& c : commands) {
    if (!Execute(state, c).ok()) std::abort();
  }
  AuthorizationSpec spec;
  spec.owner_type = OwnerType::kClient;
  spec.owner_id = "app";
  spec.resource_type = ResourceType::kProcessDefinition;
  spec.resource_id = "*";
  spec.permissions = Bit(Permission::kCreateProcessInstance);
  if (!Execute(state, CreateAuthorization{spec}).ok()) std::abort();
  if (mode == AuthMode::kBasic &&
      !Execute(state, CreateUser{User{"alice", "Alice", "", std::string(kBcrypt)}}).ok()) {
    std::abort();
  }
  return state;
}

bool PlannerCode(absl::StatusCode code) {
  switch (code) {
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kFailedPrecondition:
      return true;
    default:
      return false;
  }
}

void DecodeAndPlan(std::string_view line, const IdentityState& state) {
  absl::StatusOr<clearance::DecodedRecord> record = clearance::DecodeRecord(line, state);
  absl::StatusOr<clearance::DecodedRecord> again = clearance::DecodeRecord(line, state);
  if (record.ok() != again.ok()) std::abort();
  if (!record.ok()) {
    if (record.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    if (record.status() != again.status()) std::abort();
    return;
  }
  if (record->kind != again->kind || record->position != again->position) std::abort();
  if (record->kind != clearance::DecodedRecord::Kind::kCommand) return;
  absl::StatusOr<clearance::ChangeSet> planned = clearance::Plan(state, record->command);
  if (!planned.ok()) {
    if (!PlannerCode(planned.status().code())) std::abort();
    return;
  }
  IdentityState copy = state;
  copy.Apply(*planned);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const IdentityState* const kOidc = new IdentityState(SmallState(clearance::AuthMode::kOidc));
  static const IdentityState* const kBasic =
      new IdentityState(SmallState(clearance::AuthMode::kBasic));
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  DecodeAndPlan(line, *kOidc);
  DecodeAndPlan(line, *kBasic);
  return 0;
}
