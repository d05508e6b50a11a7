// Record-stream ingestion (storage/ingest): a stream of Zeebe-shaped records gives the same
// state as the same changes made through commands (same snapshot bytes), replaying it changes
// nothing, a stream cut anywhere and resumed converges, and bad records are refused by line and
// position.
#include "clearance/ingest.h"

#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "gtest/gtest.h"
#include "random_commands.h"
#include "store_test_util.h"

namespace clearance {
namespace {

using storage_test::MustOpen;
using storage_test::RandomCommands;
using storage_test::TempDir;
using strings_internal::AppendJsonQuoted;
using strings_internal::StrCat;

// Builds the JSON of one record value, member by member.
class Value {
 public:
  Value& Str(std::string_view name, std::string_view v) {
    Sep(name);
    AppendJsonQuoted(&json_, v);
    return *this;
  }
  Value& Num(std::string_view name, uint64_t v) {
    Sep(name);
    json_ += StrCat(v);
    return *this;
  }
  Value& Raw(std::string_view name, std::string_view v) {
    Sep(name);
    json_ += v;
    return *this;
  }
  std::string Done() const { return json_ + "}"; }

 private:
  void Sep(std::string_view name) {
    json_ += json_.size() > 1 ? "," : "";
    AppendJsonQuoted(&json_, name);
    json_ += ":";
  }
  std::string json_ = "{";
};

std::string Record(uint64_t position, std::string_view value_type, std::string_view intent,
                   const std::string& value) {
  return StrCat("{\"partitionId\":1,\"position\":", position, ",\"valueType\":\"", value_type,
                "\",\"recordType\":\"EVENT\",\"intent\":\"", intent,
                "\",\"timestamp\":1700000000000,\"value\":", value, "}");
}

Value& Spec(Value& v, const AuthorizationSpec& s) {
  std::string permissions = "[";
  ForEachPermission(s.permissions, [&](Permission p) {
    permissions += StrCat(permissions.size() > 1 ? "," : "", "\"", Name(p), "\"");
  });
  permissions += "]";
  v.Str("ownerType", Name(s.owner_type)).Str("ownerId", s.owner_id);
  v.Str("resourceType", Name(s.resource_type));
  if (!s.resource_property_name.empty()) {
    v.Str("resourceMatcher", "PROPERTY")
        .Str("resourceId", "")
        .Str("resourcePropertyName", s.resource_property_name);
  } else {
    v.Str("resourceMatcher", s.resource_id == "*" ? "ANY" : "ID").Str("resourceId", s.resource_id);
  }
  return v.Raw("permissionTypes", permissions);
}

std::string_view ContainerValueType(ContainerType t) {
  return t == ContainerType::kGroup ? "GROUP" : t == ContainerType::kRole ? "ROLE" : "TENANT";
}
std::string_view ContainerIdField(ContainerType t) {
  return t == ContainerType::kGroup ? "groupId" : t == ContainerType::kRole ? "roleId" : "tenantId";
}

// The record that carries `command` (nullopt for Configure / Initialize, which have none).
// `state` is the state the command applies to (DELETED authorization records carry the
// authorization, as the broker's do).
std::optional<std::string> Encode(const Command& command, uint64_t position,
                                  const IdentityState& state) {
  return std::visit(
      [&](const auto& c) -> std::optional<std::string> {
        using T = std::decay_t<decltype(c)>;
        Value v;
        if constexpr (std::is_same_v<T, CreateUser> || std::is_same_v<T, UpdateUser>) {
          v.Num("userKey", 7).Str("username", c.user.username).Str("name", c.user.name);
          v.Str("email", c.user.email).Str("password", c.user.password_hash);
          return Record(position, "USER", std::is_same_v<T, CreateUser> ? "CREATED" : "UPDATED",
                        v.Done());
        } else if constexpr (std::is_same_v<T, DeleteUser>) {
          return Record(position, "USER", "DELETED", v.Str("username", c.username).Done());
        } else if constexpr (std::is_same_v<T, CreateMappingRule> ||
                             std::is_same_v<T, UpdateMappingRule>) {
          v.Str("mappingRuleId", c.rule.id).Str("claimName", c.rule.claim_name);
          v.Str("claimValue", c.rule.claim_value).Str("name", c.rule.name);
          return Record(position, "MAPPING_RULE",
                        std::is_same_v<T, CreateMappingRule> ? "CREATED" : "UPDATED", v.Done());
        } else if constexpr (std::is_same_v<T, DeleteMappingRule>) {
          return Record(position, "MAPPING_RULE", "DELETED", v.Str("mappingRuleId", c.id).Done());
        } else if constexpr (std::is_same_v<T, CreateGroup> || std::is_same_v<T, UpdateGroup>) {
          v.Num("groupKey", 3).Str("groupId", c.group.id).Str("name", c.group.name);
          v.Str("description", c.group.description);
          return Record(position, "GROUP", std::is_same_v<T, CreateGroup> ? "CREATED" : "UPDATED",
                        v.Done());
        } else if constexpr (std::is_same_v<T, DeleteGroup>) {
          return Record(position, "GROUP", "DELETED", v.Str("groupId", c.id).Done());
        } else if constexpr (std::is_same_v<T, CreateRole> || std::is_same_v<T, UpdateRole>) {
          v.Str("roleId", c.role.id).Str("name", c.role.name);
          v.Str("description", c.role.description);
          return Record(position, "ROLE", std::is_same_v<T, CreateRole> ? "CREATED" : "UPDATED",
                        v.Done());
        } else if constexpr (std::is_same_v<T, DeleteRole>) {
          return Record(position, "ROLE", "DELETED", v.Str("roleId", c.id).Done());
        } else if constexpr (std::is_same_v<T, CreateTenant> || std::is_same_v<T, UpdateTenant>) {
          v.Str("tenantId", c.tenant.id).Str("name", c.tenant.name);
          v.Str("description", c.tenant.description);
          return Record(position, "TENANT", std::is_same_v<T, CreateTenant> ? "CREATED" : "UPDATED",
                        v.Done());
        } else if constexpr (std::is_same_v<T, DeleteTenant>) {
          return Record(position, "TENANT", "DELETED", v.Str("tenantId", c.id).Done());
        } else if constexpr (std::is_same_v<T, AddMember> || std::is_same_v<T, RemoveMember>) {
          const Membership& m = c.membership;
          v.Str(ContainerIdField(m.container_type), m.container_id);
          v.Str("entityId", m.member_id).Str("entityType", Name(m.member_type));
          return Record(position, ContainerValueType(m.container_type),
                        std::is_same_v<T, AddMember> ? "ENTITY_ADDED" : "ENTITY_REMOVED", v.Done());
        } else if constexpr (std::is_same_v<T, CreateAuthorization>) {
          v.Num("authorizationKey", (uint64_t{1} << 52) + position);  // a broker key: ignored
          return Record(position, "AUTHORIZATION", "CREATED", Spec(v, c.spec).Done());
        } else if constexpr (std::is_same_v<T, UpdateAuthorization>) {
          v.Num("authorizationKey", c.key);
          return Record(position, "AUTHORIZATION", "UPDATED", Spec(v, c.spec).Done());
        } else if constexpr (std::is_same_v<T, DeleteAuthorization>) {
          AuthorizationSpec spec;  // what the broker's DELETED event carries
          spec.owner_id = "nobody";
          spec.resource_id = "*";
          if (const Authorization* a = state.FindAuthorization(c.key)) {
            spec.owner_type = a->owner_type;
            spec.owner_id = a->owner_id;
            spec.resource_type = a->resource_type;
            spec.permissions = a->permissions;
            if (a->scope.matcher == Matcher::kProperty) {
              spec.resource_id.clear();
              spec.resource_property_name = a->scope.value;
            } else {
              spec.resource_id = a->scope.value;
            }
          }
          v.Num("authorizationKey", c.key);
          return Record(position, "AUTHORIZATION", "DELETED", Spec(v, spec).Done());
        } else {
          return std::nullopt;
        }
      },
      command);
}

std::string Snapshot(const Store& store) {
  std::ostringstream out;
  EXPECT_TRUE(ExportSnapshot(store.state(), store.applied_position(), &out).ok());
  return out.str();
}

// A random command stream applied directly to `direct`, and its records. Configure and
// Initialize (no record form) are applied to every store in `also` as well.
struct Stream {
  std::vector<std::string> records;
  size_t commands_applied = 0;
};

Stream MakeStream(uint64_t seed, int length, Store& direct, std::vector<Store*> also) {
  RandomCommands random(seed);
  Stream stream;
  uint64_t position = 0;
  for (int i = 0; i < length; ++i) {
    const Command command = random.Next(direct.state());
    position += 1 + (i % 3);  // positions need not be dense
    std::optional<std::string> record = Encode(command, position, direct.state());
    if (!record) {
      if (direct.state().initialized()) continue;  // a later Configure: no record form
      for (Store* s : also) EXPECT_TRUE(s->Apply(command, std::nullopt).ok());
      EXPECT_TRUE(direct.Apply(command, std::nullopt).ok());
      continue;
    }
    absl::StatusOr<ApplyResult> r = direct.Apply(command, position);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok() && r->outcome == ApplyResult::Outcome::kApplied) ++stream.commands_applied;
    stream.records.push_back(*std::move(record));
  }
  return stream;
}

std::string Join(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += lines[i] + "\n";
  return out;
}

StoreOptions Fast() {
  StoreOptions o;
  o.sync = false;
  return o;
}

TEST(IngestTest, StreamEqualsCommandsAndReplayChangesNothing) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(StrCat("seed ", seed));
    TempDir dir;
    std::unique_ptr<Store> direct = MustOpen(dir.Sub("direct"), Fast());
    std::unique_ptr<Store> ingested = MustOpen(dir.Sub("ingested"), Fast());
    const Stream stream = MakeStream(seed, 400, *direct, {ingested.get()});
    ASSERT_GT(stream.commands_applied, 50u);

    RecordIngestor ingestor(ingested.get());
    ASSERT_TRUE(ingestor.IngestBuffer(Join(stream.records, 0, stream.records.size())).ok());
    EXPECT_EQ(ingestor.stats().records, stream.records.size());
    EXPECT_EQ(ingestor.stats().applied, stream.commands_applied);
    EXPECT_EQ(ingestor.stats().applied + ingestor.stats().refused, stream.records.size());
    const std::string expected = Snapshot(*direct);
    EXPECT_EQ(Snapshot(*ingested), expected);

    // Replaying the whole stream is a no-op.
    const uint64_t generation = ingested->generation();
    RecordIngestor again(ingested.get());
    std::istringstream in(Join(stream.records, 0, stream.records.size()));
    ASSERT_TRUE(again.IngestStream(&in).ok());
    EXPECT_EQ(again.stats().skipped_position, stream.records.size());
    EXPECT_EQ(ingested->generation(), generation);
    EXPECT_EQ(Snapshot(*ingested), expected);
  }
}

TEST(IngestTest, StreamCutAnywhereAndResumedConverges) {
  std::mt19937_64 rng(20261128);
  for (uint64_t seed : {4, 5, 6, 7}) {
    SCOPED_TRACE(StrCat("seed ", seed));
    TempDir dir;
    std::unique_ptr<Store> direct = MustOpen(dir.Sub("direct"), Fast());
    std::unique_ptr<Store> resumed = MustOpen(dir.Sub("resumed"), Fast());
    const Stream stream = MakeStream(seed, 250, *direct, {resumed.get()});
    const size_t n = stream.records.size();
    const size_t cut = std::uniform_int_distribution<size_t>(0, n)(rng);
    {
      RecordIngestor first(resumed.get());
      ASSERT_TRUE(first.IngestBuffer(Join(stream.records, 0, cut)).ok());
    }
    // The process stops; the store is reopened and the broker resends from an earlier point.
    resumed.reset();
    resumed = MustOpen(dir.Sub("resumed"), Fast());
    const size_t overlap = std::uniform_int_distribution<size_t>(0, cut)(rng);
    RecordIngestor second(resumed.get());
    ASSERT_TRUE(second.IngestBuffer(Join(stream.records, cut - overlap, n)).ok());
    EXPECT_EQ(second.stats().skipped_position, overlap);
    EXPECT_EQ(Snapshot(*resumed), Snapshot(*direct)) << "cut " << cut << " overlap " << overlap;
  }
}

class IngestRecordTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = MustOpen(dir_.Sub("db"), Fast());
    ASSERT_TRUE(store_->Apply(Initialize{}, std::nullopt).ok());
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
};

TEST_F(IngestRecordTest, BrokerKeysFindAuthorizationsByContent) {
  RecordIngestor ingestor(store_.get());
  const uint64_t broker_key = (uint64_t{1} << 51) + 17;
  Value v;
  v.Num("authorizationKey", broker_key).Str("ownerType", "USER").Str("ownerId", "alice");
  v.Str("resourceType", "PROCESS_DEFINITION").Str("resourceMatcher", "ID");
  v.Str("resourceId", "p1").Raw("permissionTypes", R"(["READ_PROCESS_DEFINITION"])");
  const std::string value = v.Done();
  ASSERT_TRUE(ingestor.IngestRecord(Record(1, "AUTHORIZATION", "CREATED", value)).ok());
  ASSERT_EQ(ingestor.stats().applied, 1u);
  const size_t count = store_->state().authorizations().size();
  Value updated;
  updated.Num("authorizationKey", broker_key).Str("ownerType", "USER").Str("ownerId", "alice");
  updated.Str("resourceType", "PROCESS_DEFINITION").Str("resourceMatcher", "ID");
  updated.Str("resourceId", "p1")
      .Raw("permissionTypes", R"(["READ_PROCESS_DEFINITION","UPDATE_PROCESS_INSTANCE"])");
  ASSERT_TRUE(ingestor.IngestRecord(Record(2, "AUTHORIZATION", "UPDATED", updated.Done())).ok());
  EXPECT_EQ(ingestor.stats().applied, 2u) << ingestor.stats().first_refusal;
  ASSERT_TRUE(ingestor.IngestRecord(Record(3, "AUTHORIZATION", "DELETED", value)).ok());
  EXPECT_EQ(ingestor.stats().applied, 3u) << ingestor.stats().first_refusal;
  EXPECT_EQ(store_->state().authorizations().size(), count - 1);
  // A small key the store does not hold is the engine's own: NOT_FOUND, not a content match.
  ASSERT_TRUE(ingestor.IngestRecord(Record(4, "AUTHORIZATION", "CREATED", value)).ok());
  Value missing;
  missing.Num("authorizationKey", 999).Str("ownerType", "USER").Str("ownerId", "alice");
  missing.Str("resourceType", "PROCESS_DEFINITION").Str("resourceMatcher", "ID");
  missing.Str("resourceId", "p1").Raw("permissionTypes", "[]");
  ASSERT_TRUE(ingestor.IngestRecord(Record(5, "AUTHORIZATION", "DELETED", missing.Done())).ok());
  EXPECT_EQ(ingestor.stats().refused, 1u);
  EXPECT_EQ(store_->applied_position(), 5u);
}

TEST_F(IngestRecordTest, AppliedCallbackFailureStopsTheIngest) {
  int calls = 0;
  RecordIngestor ingestor(store_.get(), [&](const ChangeSet&) {
    ++calls;
    return absl::InternalError("engine out of step");
  });
  Value first;
  first.Num("authorizationKey", 7).Str("ownerType", "USER").Str("ownerId", "alice");
  first.Str("resourceType", "PROCESS_DEFINITION").Str("resourceMatcher", "ID");
  first.Str("resourceId", "p1").Raw("permissionTypes", R"(["READ_PROCESS_DEFINITION"])");
  Value second;
  second.Num("authorizationKey", 8).Str("ownerType", "USER").Str("ownerId", "bob");
  second.Str("resourceType", "PROCESS_DEFINITION").Str("resourceMatcher", "ID");
  second.Str("resourceId", "p2").Raw("permissionTypes", R"(["READ_PROCESS_DEFINITION"])");
  const std::string ndjson = Record(1, "AUTHORIZATION", "CREATED", first.Done()) + "\n" +
                             Record(2, "AUTHORIZATION", "CREATED", second.Done()) + "\n";
  const absl::Status s = ingestor.IngestBuffer(ndjson);
  EXPECT_EQ(s.code(), absl::StatusCode::kInternal) << s;
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(ingestor.stats().applied, 1u);
  // The failing record is committed; the one after it is not applied.
  EXPECT_EQ(store_->applied_position(), 1u);
}

TEST_F(IngestRecordTest, SkipsAndCounts) {
  RecordIngestor ingestor(store_.get());
  const std::string stream =
      Record(1, "PROCESS_INSTANCE", "ELEMENT_ACTIVATED", "{}") + "\n" +
      Record(2, "GROUP", "CREATED", R"({"groupId":"g1","name":"G"})") + "\n" +
      R"({"position":3,"valueType":"GROUP","intent":"CREATE","recordType":"COMMAND","value":{}})" +
      "\n" + Record(4, "USER", "ENTITY_ADDED", "{}") + "\n" +
      Record(5, "GROUP", "ENTITY_ADDED",
             R"({"groupId":"g1","entityId":"alice","entityType":"USER"})") +
      "\n" + Record(6, "ROLE", "CREATED", R"({"roleId":"admin","name":"dup"})") + "\n";
  ASSERT_TRUE(ingestor.IngestBuffer(stream).ok());
  const IngestStats& s = ingestor.stats();
  EXPECT_EQ(s.records, 6u);
  EXPECT_EQ(s.skipped_value_type, 1u);
  EXPECT_EQ(s.skipped_intent, 2u);
  EXPECT_EQ(s.applied, 2u);
  EXPECT_EQ(s.refused, 1u);  // the default role admin exists already
  EXPECT_NE(s.first_refusal.find("position 6"), std::string::npos) << s.first_refusal;
  EXPECT_EQ(store_->state().MembersOf(ContainerType::kGroup, "g1").size(), 1u);
}

TEST_F(IngestRecordTest, MalformedRecordsNameLineAndPosition) {
  struct Case {
    std::string record;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"not json", "line 2: record: not valid JSON"},
      {"[1]", "line 2: record: expected a JSON object, found an array"},
      {R"({"valueType":"GROUP","intent":"CREATED","value":{}})", "record: position: is missing; expected a non-negative integer"},
      {R"({"position":"9","valueType":"GROUP"})", "record: position: expected a non-negative integer, found a string"},
      {R"({"position":9,"intent":"CREATED"})", "position 9: valueType: is missing; expected a string"},
      {Record(9, "GROUP", "CREATED", "[]"), "position 9: value: expected an object, found an array"},
      {Record(9, "GROUP", "CREATED", "{}"), "position 9: GROUP CREATED: value.groupId: is missing; expected a string"},
      {Record(9, "GROUP", "ENTITY_ADDED", R"({"groupId":"g","entityId":"x","entityType":"X"})"),
       "value.entityType"},
      {Record(9, "AUTHORIZATION", "CREATED",
              R"({"ownerType":"USER","ownerId":"a","resourceType":"NOPE"})"),
       "value.resourceType"},
      {Record(9, "AUTHORIZATION", "CREATED",
              R"({"ownerType":"USER","ownerId":"a","resourceType":"GROUP","resourceMatcher":"X"})"),
       "value.resourceMatcher: is \"X\"; expected ANY, ID or PROPERTY"},
      {Record(9, "AUTHORIZATION", "CREATED",
              R"({"ownerType":"USER","ownerId":"a","resourceType":"GROUP","permissionTypes":[1]})"),
       "value.permissionTypes[0]: expected a string, found a number"},
      {Record(9, "MAPPING_RULE", "CREATED", R"({"mappingRuleId":"m","claimName":1})"),
       "value.claimName: expected a string, found a number"},
      // A position no record could follow, and beyond what Zeebe (a Java long) can write.
      {Record(18446744073709551615u, "GROUP", "CREATED", R"({"groupId":"g","name":"G"})"),
       "record: position: 18446744073709551615 is above 9223372036854775806"},
      {Record(9223372036854775807u, "GROUP", "CREATED", R"({"groupId":"g","name":"G"})"),
       "record: position: 9223372036854775807 is above 9223372036854775806"},
      // Zeebe writes intents as upper-case enum names: anything else is not one.
      {Record(9, "GROUP", "created", R"({"groupId":"g","name":"G"})"),
       "position 9: intent: 'created' is not an intent of GROUP records"},
      {Record(9, "USER", "Deleted", R"({"username":"u"})"),
       "position 9: intent: 'Deleted' is not an intent of USER records"},
  };
  for (const Case& c : cases) {
    TempDir dir;
    std::unique_ptr<Store> store = MustOpen(dir.Sub("db"), Fast());
    ASSERT_TRUE(store->Apply(Initialize{}, std::nullopt).ok());
    const std::string before = Snapshot(*store);
    RecordIngestor ingestor(store.get());
    const absl::Status s = ingestor.IngestBuffer(
        Record(1, "TENANT", "CREATED", R"({"tenantId":"t"})") + "\n" + c.record + "\n" +
        Record(20, "TENANT", "CREATED", R"({"tenantId":"u"})"));
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.record;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
    EXPECT_NE(s.message().find("line 2"), std::string::npos) << s.message();
    EXPECT_EQ(store->applied_position(), 1u) << "the malformed record changed nothing";
    EXPECT_EQ(store->state().FindTenant("u"), nullptr) << "ingestion stopped at the error";
  }
}

TEST_F(IngestRecordTest, TheLargestPositionIsAccepted) {
  RecordIngestor ingestor(store_.get());
  ASSERT_TRUE(ingestor
                  .IngestRecord(
                      Record(kMaxLogPosition, "GROUP", "CREATED", R"({"groupId":"g1","name":"G"})"))
                  .ok());
  EXPECT_EQ(store_->applied_position(), kMaxLogPosition);
}

TEST_F(IngestRecordTest, LinesLongerThanTheLimitAreRefused) {
  IngestOptions options;
  options.max_line_bytes = 200;
  const std::string fits = Record(1, "GROUP", "CREATED", R"({"groupId":"g1","name":"G"})");
  ASSERT_LE(fits.size(), 200u);
  const std::string padded = fits.substr(0, fits.size() - 1) + std::string(300, ' ') + "}";
  for (const std::string& stream : {fits + "\n" + padded + "\n", fits + "\n" + padded,
                                    fits + "\n" + std::string(10 << 20, '\0')}) {
    {
      RecordIngestor ingestor(store_.get(), nullptr, options);
      std::istringstream in(stream);
      const absl::Status s = ingestor.IngestStream(&in);
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_NE(s.message().find("line 2: longer than 200 bytes"), std::string::npos) << s;
      EXPECT_EQ(ingestor.stats().records, 1u);
    }
    RecordIngestor ingestor(store_.get(), nullptr, options);
    const absl::Status s = ingestor.IngestBuffer(stream);
    EXPECT_NE(s.message().find("line 2: longer than 200 bytes"), std::string::npos) << s;
  }
  // A line of exactly the limit, with or without its newline, is read whole.
  const std::string exact = fits + std::string(200 - fits.size(), ' ');
  for (const std::string& stream : {exact + "\n", exact}) {
    TempDir dir;
    std::unique_ptr<Store> store = MustOpen(dir.Sub("db"), Fast());
    ASSERT_TRUE(store->Apply(Initialize{}, std::nullopt).ok());
    RecordIngestor ingestor(store.get(), nullptr, options);
    std::istringstream in(stream);
    ASSERT_TRUE(ingestor.IngestStream(&in).ok());
    EXPECT_EQ(ingestor.stats().applied, 1u);
  }
}

}  // namespace
}  // namespace clearance
