#include "clearance/ingest.h"

#include <utility>
#include <vector>

#include "clearance/catalog.h"
#include "clearance/internal/json_fields.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/model.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

// Record JSON as Zeebe writes it: null members read as absent.
constexpr JsonReadOptions kRecordOptions = {.document = "record"};

// A string member that may be absent (read as "").
absl::StatusOr<std::string> OptionalText(const JsonObject& v, std::string_view name) {
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<std::string> text, v.OptionalString(name));
  return std::move(text).value_or(std::string());
}

// A catalog name's refusal as an error naming the member.
absl::Status NameError(const JsonObject& v, std::string_view name, const absl::Status& problem) {
  return v.Error(name, std::string_view(problem.message().data(), problem.message().size()));
}

// The record's "value" object.
absl::StatusOr<JsonObject> ValueOf(const JsonObject& record) {
  CLEARANCE_ASSIGN_OR_RETURN(JsonValue value,
                             record.Required("value", "the record's value object"));
  return value.Object();
}

// `status` (INVALID_ARGUMENT) with the record it is about in front: "record at position 9: ".
absl::Status InRecord(std::string_view where, const absl::Status& status) {
  return absl::Status(status.code(), StrCat(where, status.message()));
}

enum class ValueType : uint8_t { kAuthorization, kMappingRule, kGroup, kRole, kTenant, kUser };

std::optional<ValueType> ParseValueType(std::string_view s) {
  if (s == "AUTHORIZATION") return ValueType::kAuthorization;
  if (s == "MAPPING_RULE") return ValueType::kMappingRule;
  if (s == "GROUP") return ValueType::kGroup;
  if (s == "ROLE") return ValueType::kRole;
  if (s == "TENANT") return ValueType::kTenant;
  if (s == "USER") return ValueType::kUser;
  return std::nullopt;
}

// kCommand: the intents of command records (CREATE, ...), which change nothing here.
enum class Intent : uint8_t {
  kCreated,
  kUpdated,
  kDeleted,
  kEntityAdded,
  kEntityRemoved,
  kCommand
};

std::optional<Intent> ParseIntent(std::string_view s) {
  if (s == "CREATED") return Intent::kCreated;
  if (s == "UPDATED") return Intent::kUpdated;
  if (s == "DELETED") return Intent::kDeleted;
  if (s == "ENTITY_ADDED") return Intent::kEntityAdded;
  if (s == "ENTITY_REMOVED") return Intent::kEntityRemoved;
  if (s == "CREATE" || s == "UPDATE" || s == "DELETE" || s == "ADD_ENTITY" ||
      s == "REMOVE_ENTITY") {
    return Intent::kCommand;
  }
  return std::nullopt;
}

absl::StatusOr<AuthorizationSpec> AuthorizationSpecOf(const JsonObject& v) {
  AuthorizationSpec spec;
  CLEARANCE_ASSIGN_OR_RETURN(std::string owner_type, v.RequiredString("ownerType"));
  absl::StatusOr<OwnerType> ot = ParseOwnerType(owner_type);
  if (!ot.ok()) return NameError(v, "ownerType", ot.status());
  spec.owner_type = *ot;
  CLEARANCE_ASSIGN_OR_RETURN(spec.owner_id, v.RequiredString("ownerId"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string resource_type, v.RequiredString("resourceType"));
  absl::StatusOr<ResourceType> rt = ParseResourceType(resource_type);
  if (!rt.ok()) return NameError(v, "resourceType", rt.status());
  spec.resource_type = *rt;
  CLEARANCE_ASSIGN_OR_RETURN(std::string matcher, OptionalText(v, "resourceMatcher"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string resource_id, OptionalText(v, "resourceId"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string property, OptionalText(v, "resourcePropertyName"));
  if (matcher == "ANY") {
    spec.resource_id = std::string(kWildcardResourceId);
  } else if (matcher == "ID") {
    spec.resource_id = std::move(resource_id);
  } else if (matcher == "PROPERTY") {
    spec.resource_property_name = std::move(property);
  } else if (matcher.empty()) {
    // Records written before resourceMatcher existed: the scope is whichever field is set.
    spec.resource_id = std::move(resource_id);
    spec.resource_property_name = std::move(property);
  } else {
    return v.Error("resourceMatcher", StrCat("is \"", matcher, "\"; expected ANY, ID or PROPERTY"));
  }
  std::vector<std::string> permissions;
  CLEARANCE_RETURN_IF_ERROR(v.ReadStrings("permissionTypes", &permissions));
  for (const std::string& name : permissions) {
    absl::StatusOr<Permission> p = ParsePermission(name);
    if (!p.ok()) return NameError(v, "permissionTypes", p.status());
    spec.permissions |= Bit(*p);
  }
  return spec;
}

// Zeebe keys carry the partition id above bit 51 (so every broker key is at least 2^51); the
// engine's own keys are a counter from 1. A key this large was assigned by a broker.
constexpr uint64_t kFirstBrokerKey = uint64_t{1} << 51;

// The engine's key of the authorization a record names (see ingest.h). A key the engine could
// have assigned is used as is (the planner refuses a missing one with NOT_FOUND); a broker key
// is matched by content, and stays as is (so NOT_FOUND) when nothing matches.
AuthorizationKey FindAuthorization(const IdentityState& state, std::optional<uint64_t> key,
                                   const AuthorizationSpec& spec) {
  if (key && (*key < kFirstBrokerKey || state.FindAuthorization(*key) != nullptr)) return *key;
  for (AuthorizationKey k : state.AuthorizationsOwnedBy(spec.owner_type, spec.owner_id)) {
    const Authorization& a = *state.FindAuthorization(k);
    if (a.resource_type != spec.resource_type) continue;
    const bool same_scope =
        spec.resource_property_name.empty()
            ? a.scope.matcher != Matcher::kProperty && a.scope.value == spec.resource_id
            : a.scope.matcher == Matcher::kProperty && a.scope.value == spec.resource_property_name;
    if (same_scope) return k;
  }
  return key.value_or(0);
}

absl::StatusOr<Command> AuthorizationCommand(Intent intent, const JsonObject& v,
                                             const IdentityState& state) {
  CLEARANCE_ASSIGN_OR_RETURN(AuthorizationSpec spec, AuthorizationSpecOf(v));
  if (intent == Intent::kCreated) return CreateAuthorization{std::move(spec)};
  CLEARANCE_ASSIGN_OR_RETURN(std::optional<uint64_t> key, v.OptionalUint("authorizationKey"));
  const AuthorizationKey ours = FindAuthorization(state, key, spec);
  if (intent == Intent::kUpdated) return UpdateAuthorization{ours, std::move(spec)};
  return DeleteAuthorization{ours};
}

absl::StatusOr<Command> MappingRuleCommand(Intent intent, const JsonObject& v) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string id, v.RequiredString("mappingRuleId"));
  if (intent == Intent::kDeleted) return DeleteMappingRule{std::move(id)};
  MappingRule rule;
  rule.id = std::move(id);
  for (auto [name, field] : {std::pair<std::string_view, std::string*>{"claimName", &rule.claim_name},
                             {"claimValue", &rule.claim_value},
                             {"name", &rule.name}}) {
    CLEARANCE_ASSIGN_OR_RETURN(*field,
                               name == "name" ? OptionalText(v, name) : v.RequiredString(name));
  }
  if (intent == Intent::kCreated) return CreateMappingRule{std::move(rule)};
  return UpdateMappingRule{std::move(rule)};
}

absl::StatusOr<Command> UserCommand(Intent intent, const JsonObject& v) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string username, v.RequiredString("username"));
  if (intent == Intent::kDeleted) return DeleteUser{std::move(username)};
  User user;
  user.username = std::move(username);
  for (auto [name, field] : {std::pair<std::string_view, std::string*>{"name", &user.name},
                             {"email", &user.email},
                             {"password", &user.password_hash}}) {
    CLEARANCE_ASSIGN_OR_RETURN(*field, OptionalText(v, name));
  }
  if (intent == Intent::kCreated) return CreateUser{std::move(user)};
  return UpdateUser{std::move(user)};
}

// GROUP, ROLE and TENANT share their shape: <x>Id, name, description, entityId, entityType.
absl::StatusOr<Command> ContainerCommand(ContainerType type, Intent intent, const JsonObject& v) {
  const std::string_view id_field = type == ContainerType::kGroup  ? "groupId"
                                    : type == ContainerType::kRole ? "roleId"
                                                                   : "tenantId";
  CLEARANCE_ASSIGN_OR_RETURN(std::string id, v.RequiredString(id_field));
  if (intent == Intent::kEntityAdded || intent == Intent::kEntityRemoved) {
    CLEARANCE_ASSIGN_OR_RETURN(std::string entity_type, v.RequiredString("entityType"));
    absl::StatusOr<OwnerType> mt = ParseOwnerType(entity_type);
    if (!mt.ok()) return NameError(v, "entityType", mt.status());
    CLEARANCE_ASSIGN_OR_RETURN(std::string entity_id, v.RequiredString("entityId"));
    Membership m{type, std::move(id), *mt, std::move(entity_id)};
    if (intent == Intent::kEntityAdded) return AddMember{std::move(m)};
    return RemoveMember{std::move(m)};
  }
  if (intent == Intent::kDeleted) {
    switch (type) {
      case ContainerType::kGroup:
        return DeleteGroup{std::move(id)};
      case ContainerType::kRole:
        return DeleteRole{std::move(id)};
      case ContainerType::kTenant:
        return DeleteTenant{std::move(id)};
    }
  }
  CLEARANCE_ASSIGN_OR_RETURN(std::string name, OptionalText(v, "name"));
  CLEARANCE_ASSIGN_OR_RETURN(std::string description, OptionalText(v, "description"));
  const bool create = intent == Intent::kCreated;
  switch (type) {
    case ContainerType::kGroup: {
      Group g{std::move(id), std::move(name), std::move(description)};
      return create ? Command(CreateGroup{std::move(g)}) : Command(UpdateGroup{std::move(g)});
    }
    case ContainerType::kRole: {
      Role r{std::move(id), std::move(name), std::move(description)};
      return create ? Command(CreateRole{std::move(r)}) : Command(UpdateRole{std::move(r)});
    }
    case ContainerType::kTenant: {
      Tenant t{std::move(id), std::move(name), std::move(description)};
      return create ? Command(CreateTenant{std::move(t)}) : Command(UpdateTenant{std::move(t)});
    }
  }
  return absl::InternalError("unreachable container type");
}

}  // namespace

absl::StatusOr<DecodedRecord> DecodeRecord(std::string_view json, const IdentityState& state) {
  // A parser per thread: DecodeRecord stays a pure function and costs no allocation per record.
  thread_local simdjson::dom::parser parser;
  CLEARANCE_ASSIGN_OR_RETURN(const JsonObject record,
                             ParseJsonObject(parser, json, kRecordOptions));
  DecodedRecord out;
  absl::StatusOr<uint64_t> position = record.RequiredUint("position");
  if (!position.ok()) return InRecord("record: ", position.status());
  out.position = *position;
  if (out.position > kMaxLogPosition) {
    return InRecord("record: ",
                    record.Error("position",
                                 StrCat(out.position, " is above ", kMaxLogPosition,
                                        "; Zeebe log positions are Java longs, and a record at "
                                        "2^63-1 could never be followed (every later record "
                                        "would be skipped)")));
  }
  const std::string where = StrCat("record at position ", out.position, ": ");
  absl::StatusOr<std::string> value_type = record.RequiredString("valueType");
  if (!value_type.ok()) return InRecord(where, value_type.status());
  out.value_type = *std::move(value_type);
  absl::StatusOr<std::string> intent = record.RequiredString("intent");
  if (!intent.ok()) return InRecord(where, intent.status());
  out.intent = *std::move(intent);
  absl::StatusOr<std::string> record_type = OptionalText(record, "recordType");
  if (!record_type.ok()) return InRecord(where, record_type.status());

  const std::optional<ValueType> type = ParseValueType(out.value_type);
  if (!type) {
    out.kind = DecodedRecord::Kind::kUnknownValueType;
    return out;
  }
  const std::optional<Intent> parsed_intent = ParseIntent(out.intent);
  if (!parsed_intent) {
    return InRecord(where, record.Error(
        "intent", StrCat("'", out.intent, "' is not an intent of ", out.value_type,
                         " records; expected CREATED, UPDATED, DELETED, ENTITY_ADDED or "
                         "ENTITY_REMOVED (or a command intent such as CREATE, which is skipped), "
                         "upper case as Zeebe writes them")));
  }
  const bool membership_intent = parsed_intent && (*parsed_intent == Intent::kEntityAdded ||
                                                   *parsed_intent == Intent::kEntityRemoved);
  const bool container = *type == ValueType::kGroup || *type == ValueType::kRole ||
                         *type == ValueType::kTenant;
  if (*parsed_intent == Intent::kCommand || (membership_intent && !container) ||
      (!record_type->empty() && *record_type != "EVENT")) {
    out.kind = DecodedRecord::Kind::kIgnored;
    return out;
  }
  absl::StatusOr<JsonObject> value = ValueOf(record);
  if (!value.ok()) return InRecord(where, value.status());
  const std::string where_value = StrCat(where, out.value_type, " ", out.intent, ": ");
  const JsonObject& v = *value;
  absl::StatusOr<Command> command;
  switch (*type) {
    case ValueType::kAuthorization:
      command = AuthorizationCommand(*parsed_intent, v, state);
      break;
    case ValueType::kMappingRule:
      command = MappingRuleCommand(*parsed_intent, v);
      break;
    case ValueType::kUser:
      command = UserCommand(*parsed_intent, v);
      break;
    case ValueType::kGroup:
      command = ContainerCommand(ContainerType::kGroup, *parsed_intent, v);
      break;
    case ValueType::kRole:
      command = ContainerCommand(ContainerType::kRole, *parsed_intent, v);
      break;
    case ValueType::kTenant:
      command = ContainerCommand(ContainerType::kTenant, *parsed_intent, v);
      break;
  }
  if (!command.ok()) return InRecord(where_value, command.status());
  out.command = *std::move(command);
  out.kind = DecodedRecord::Kind::kCommand;
  return out;
}

RecordIngestor::RecordIngestor(Store* store, AppliedCallback on_applied, IngestOptions options)
    : store_(store), on_applied_(std::move(on_applied)), options_(options) {}

RecordIngestor::RecordIngestor(ServingStore::Writer* writer, IngestOptions options)
    : writer_(writer), options_(options) {}

absl::Status RecordIngestor::LineTooLong() const {
  return absl::InvalidArgumentError(
      StrCat("line ", line_, ": longer than ", options_.max_line_bytes,
             " bytes, the longest record line accepted (max_line_bytes)"));
}

absl::Status RecordIngestor::IngestRecord(std::string_view json, uint64_t line) {
  absl::StatusOr<DecodedRecord> record =
      DecodeRecord(json, writer_ != nullptr ? writer_->state() : store_->state());
  if (!record.ok()) {
    if (line == 0) return record.status();
    return absl::Status(record.status().code(),
                        StrCat("line ", line, ": ", record.status().message()));
  }
  ++stats_.records;
  switch (record->kind) {
    case DecodedRecord::Kind::kUnknownValueType:
      ++stats_.skipped_value_type;
      return absl::OkStatus();
    case DecodedRecord::Kind::kIgnored:
      ++stats_.skipped_intent;
      return absl::OkStatus();
    case DecodedRecord::Kind::kCommand:
      break;
  }
  CLEARANCE_ASSIGN_OR_RETURN(ApplyResult result,
                             writer_ != nullptr ? writer_->Apply(record->command, record->position)
                                                : store_->Apply(record->command, record->position));
  switch (result.outcome) {
    case ApplyResult::Outcome::kApplied:
      ++stats_.applied;
      if (on_applied_) {
        CLEARANCE_RETURN_IF_ERROR(on_applied_(result.changes));
      }
      break;
    case ApplyResult::Outcome::kRefused:
      ++stats_.refused;
      if (stats_.first_refusal.empty()) {
        stats_.first_refusal =
            StrCat("position ", record->position, ": ", result.refusal.message());
      }
      break;
    case ApplyResult::Outcome::kSkipped:
      ++stats_.skipped_position;
      break;
  }
  return absl::OkStatus();
}

absl::Status RecordIngestor::IngestStream(std::istream* in) {
  // One buffer, one byte past the limit, reused: getline() stores at most size - 1 characters,
  // so a line that fills it is too long and nothing more of it is read.
  std::string buffer(options_.max_line_bytes + 2, '\0');
  while (true) {
    in->getline(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    if (in->bad()) return absl::UnavailableError(StrCat("line ", line_ + 1, ": read error"));
    const size_t got = static_cast<size_t>(in->gcount());
    if (in->fail() && !in->eof()) {  // the buffer filled before a newline
      ++line_;
      return LineTooLong();
    }
    if (got == 0 && in->eof()) return absl::OkStatus();
    const bool ended_by_newline = !in->eof();
    const std::string_view line(buffer.data(), got - (ended_by_newline ? 1 : 0));
    ++line_;
    if (line.size() > options_.max_line_bytes) return LineTooLong();
    if (line.find_first_not_of(" \t\r") != std::string_view::npos) {
      CLEARANCE_RETURN_IF_ERROR(IngestRecord(line, line_));
    }
    if (!ended_by_newline) return absl::OkStatus();
  }
}

absl::Status RecordIngestor::IngestBuffer(std::string_view ndjson) {
  while (!ndjson.empty()) {
    const size_t end = ndjson.find('\n');
    const std::string_view line = ndjson.substr(0, end);
    ndjson = end == std::string_view::npos ? std::string_view() : ndjson.substr(end + 1);
    ++line_;
    if (line.size() > options_.max_line_bytes) return LineTooLong();
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    CLEARANCE_RETURN_IF_ERROR(IngestRecord(line, line_));
  }
  return absl::OkStatus();
}

}  // namespace clearance
