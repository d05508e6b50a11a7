#include "clearance/snapshot.h"

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "clearance/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

void Apply(IdentityState& state, const Command& c) {
  absl::StatusOr<ChangeSet> cs = Execute(state, c);
  ASSERT_TRUE(cs.ok()) << CommandName(c) << ": " << cs.status();
}

// A state with every kind of row, including text that needs JSON escaping.
IdentityState RichState(AuthMode mode = AuthMode::kOidc) {
  IdentityState s;
  Configuration config;
  config.mode = mode;
  config.client_id_claim = "azp";
  config.tenant_checks_enabled = true;
  config.token_issuers = {
      {"https://idp.example.com/", "/etc/clearance/jwks.json", "", {"api", "co\"nsole"},
       {"RS256", "ES256"}},
      {"https://login.example.com/", "", "https://login.example.com/keys", {"api"}, {"EdDSA"}}};
  Apply(s, Configure{config});
  Apply(s, Initialize{});
  Apply(s, CreateTenant{{"acme", "Acme \"Inc\"", "line1\nline2\ttab\\"}});
  Apply(s, CreateGroup{{"ops", "Ops", "ünïcödé"}});
  Apply(s, CreateRole{{"handler", "Handler", ""}});
  Apply(s, CreateMappingRule{{"scope-orders", "$.scp[*]", "orders", "Orders", {}}});
  Apply(s, AddMember{{ContainerType::kGroup, "ops", MemberType::kMappingRule, "scope-orders"}});
  Apply(s, AddMember{{ContainerType::kRole, "handler", MemberType::kGroup, "ops"}});
  Apply(s, AddMember{{ContainerType::kTenant, "acme", MemberType::kClient, "c1"}});
  if (mode == AuthMode::kBasic) {
    Apply(s, CreateUser{{"alice", "Alice", "a@example.com",
                         "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"}});
  }
  Apply(s, CreateAuthorization{
               {OwnerType::kClient, "c1", ResourceType::kProcessDefinition, "order-process", "",
                Bit(Permission::kCreateProcessInstance) | Bit(Permission::kReadProcessInstance)}});
  Apply(s, CreateAuthorization{{OwnerType::kRole, "handler", ResourceType::kUserTask, "",
                                "candidateGroups", Bit(Permission::kClaim)}});
  // A deleted authorization leaves a gap in the keys; next_authorization_key must survive.
  absl::StatusOr<ChangeSet> temp =
      Execute(s, CreateAuthorization{{OwnerType::kClient, "tmp", ResourceType::kMessage, "*", "",
                                      Bit(Permission::kCreate)}});
  EXPECT_TRUE(temp.ok());
  Apply(s, DeleteAuthorization{*temp->first_put_authorization_key()});
  return s;
}

std::string Export(const IdentityState& s, std::optional<uint64_t> position = 42) {
  std::ostringstream out;
  absl::Status st = ExportSnapshot(s, position, &out);
  EXPECT_TRUE(st.ok()) << st;
  return out.str();
}

absl::StatusOr<ImportedSnapshot> Import(const std::string& text) {
  std::istringstream in(text);
  return ImportSnapshot(&in);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

TEST(SnapshotTest, RoundTripGivesTheSameStateAndTheSameBytes) {
  for (AuthMode mode : {AuthMode::kOidc, AuthMode::kBasic}) {
    IdentityState s = RichState(mode);
    std::string first = Export(s);
    absl::StatusOr<ImportedSnapshot> imported = Import(first);
    ASSERT_TRUE(imported.ok()) << imported.status();
    EXPECT_EQ(imported->state, s);
    EXPECT_EQ(imported->applied_position, 42u);
    EXPECT_EQ(imported->state.next_authorization_key(), s.next_authorization_key());
    EXPECT_EQ(Export(imported->state), first);
  }
}

// Version 1 predates token issuers: its configuration has no token_issuers member and imports
// with none; a version 2 header must have it.
TEST(SnapshotTest, VersionOneSnapshotsImportWithoutIssuers) {
  std::ifstream in(CLEARANCE_SOURCE_DIR "/tests/storage/snapshot/fuzz/record_corpus/valid-empty");
  std::stringstream text;
  text << in.rdbuf();
  ASSERT_THAT(text.str(), HasSubstr("\"version\":1,"));
  absl::StatusOr<ImportedSnapshot> imported = Import(text.str());
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_TRUE(imported->state.config().token_issuers.empty());
  EXPECT_EQ(imported->state.config().client_id_claim, "azp");

  std::vector<std::string> lines = Lines(Export(RichState()));
  std::string& header = lines[0];
  size_t from = header.find(",\"token_issuers\":");
  size_t to = header.find("]}]", from);
  ASSERT_NE(to, std::string::npos);
  header.erase(from, to + 3 - from);
  absl::StatusOr<ImportedSnapshot> refused = Import(Join(lines));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("line 1: header.configuration.token_issuers: is missing"));
}

TEST(SnapshotTest, IssuerOverridesRoundTripAndAreWrittenOnlyWhenSet) {
  IdentityState s = RichState();
  const std::string plain = Export(s);
  EXPECT_THAT(plain, Not(HasSubstr("\"overrides\"")));
  Configuration config = s.config();
  config.token_issuers[1].username_claim = "upn";
  config.token_issuers[1].client_id_claim = "appid";
  config.token_issuers[1].prefer_username_claim = true;
  config.token_issuers[1].leeway_seconds = 120;
  config.token_issuers[1].max_token_bytes = 65536;
  Apply(s, Configure{config});
  const std::string text = Export(s);
  EXPECT_THAT(text, HasSubstr(R"("overrides":{"username_claim":"upn","client_id_claim":"appid",)"
                              R"("prefer_username_claim":true,"leeway_seconds":120,)"
                              R"("max_token_bytes":65536})"));
  absl::StatusOr<ImportedSnapshot> imported = Import(text);
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->state.config(), config);
  EXPECT_EQ(Export(imported->state), text);

  std::vector<std::string> lines = Lines(text);
  const std::string leeway = "\"leeway_seconds\":120";
  lines[0].replace(lines[0].find(leeway), leeway.size(), "\"leeway\":120");
  absl::StatusOr<ImportedSnapshot> refused = Import(Join(lines));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("header.configuration.token_issuers[1].overrides.leeway: unknown field; "
                        "expected only username_claim, client_id_claim"));
}

TEST(SnapshotTest, BadIssuersInTheHeaderAreRefusedWithTheField) {
  std::vector<std::string> lines = Lines(Export(RichState()));
  const std::string eddsa = "\"algorithms\":[\"EdDSA\"]";
  size_t at = lines[0].find(eddsa);
  ASSERT_NE(at, std::string::npos);
  lines[0].replace(at, eddsa.size(), "\"algorithms\":[\"none\"]");
  absl::StatusOr<ImportedSnapshot> refused = Import(Join(lines));
  EXPECT_THAT(std::string(refused.status().message()),
              HasSubstr("token_issuers[1].algorithms: 'none' is not a supported algorithm"));
}

TEST(SnapshotTest, AbsentAppliedPositionRoundTrips) {
  IdentityState s = RichState();
  absl::StatusOr<ImportedSnapshot> imported = Import(Export(s, std::nullopt));
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_FALSE(imported->applied_position.has_value());
}

TEST(SnapshotTest, SameStateBuiltInAnotherOrderGivesTheSameBytes) {
  IdentityState a;
  IdentityState b;
  Apply(a, Initialize{});
  Apply(b, Initialize{});
  Apply(a, CreateGroup{{"g1", "G1", ""}});
  Apply(a, CreateGroup{{"g2", "G2", ""}});
  Apply(a, AddMember{{ContainerType::kGroup, "g1", MemberType::kUser, "u"}});
  Apply(b, CreateGroup{{"g2", "G2", ""}});
  Apply(b, CreateGroup{{"g1", "G1", ""}});
  Apply(b, AddMember{{ContainerType::kGroup, "g1", MemberType::kUser, "u"}});
  EXPECT_EQ(Export(a), Export(b));
}

TEST(SnapshotTest, EveryRecordIsOneLineOfJson) {
  std::vector<std::string> lines = Lines(Export(RichState()));
  ASSERT_GT(lines.size(), 3u);
  EXPECT_THAT(lines.front(), HasSubstr("\"type\":\"header\""));
  EXPECT_THAT(lines.back(), HasSubstr("\"type\":\"trailer\""));
  EXPECT_THAT(Export(RichState()), HasSubstr(R"("description":"line1\u000aline2\u0009tab\\")"));
}

struct Refusal {
  std::string name;
  std::function<std::string(std::vector<std::string>)> edit;
  absl::StatusCode code;
  std::string message_part;
};

class SnapshotRefusalTest : public ::testing::TestWithParam<Refusal> {};

TEST_P(SnapshotRefusalTest, IsRefusedWithTheLineNamed) {
  std::vector<std::string> lines = Lines(Export(RichState()));
  std::string edited = GetParam().edit(lines);
  absl::StatusOr<ImportedSnapshot> imported = Import(edited);
  ASSERT_FALSE(imported.ok()) << GetParam().name;
  EXPECT_EQ(imported.status().code(), GetParam().code) << imported.status();
  EXPECT_THAT(std::string(imported.status().message()), HasSubstr(GetParam().message_part));
  EXPECT_THAT(std::string(imported.status().message()), HasSubstr("line "));
}

size_t FindLine(const std::vector<std::string>& lines, std::string_view part) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find(part) != std::string::npos) return i;
  }
  ADD_FAILURE() << "no line holds " << part;
  return 0;
}

INSTANTIATE_TEST_SUITE_P(
    Edits, SnapshotRefusalTest,
    ::testing::Values(Refusal{"empty", [](auto) { return std::string(); },
                              absl::StatusCode::kInvalidArgument, "empty"},
                      Refusal{"truncated_no_trailer",
                              [](auto l) {
                                l.pop_back();
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "truncated"},
                      Refusal{"truncated_mid_line",
                              [](auto l) {
                                std::string s = Join(l);
                                return s.substr(0, s.size() - 10);
                              },
                              absl::StatusCode::kInvalidArgument, "truncated"},
                      Refusal{"reordered",
                              [](auto l) {
                                std::swap(l[1], l[2]);
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "canonical order"},
                      Refusal{"duplicated",
                              [](auto l) {
                                l.insert(l.begin() + 2, l[2]);
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "duplicate"},
                      Refusal{"mistyped_key",
                              [](auto l) {
                                size_t i = FindLine(l, "\"type\":\"authorization\"");
                                size_t at = l[i].find("\"key\":");
                                size_t end = l[i].find(',', at);
                                l[i] = l[i].substr(0, at) + "\"key\":\"7\"" + l[i].substr(end);
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "authorization.key: expected a non-negative integer, found a string"},
                      Refusal{"unknown_version",
                              [](auto l) {
                                size_t at = l[0].find("\"version\":2");
                                l[0].replace(at, 11, "\"version\":9");
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "version"},
                      Refusal{"unknown_field",
                              [](auto l) {
                                size_t i = FindLine(l, "\"type\":\"group\"");
                                l[i].insert(l[i].size() - 1, ",\"color\":\"red\"");
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument,
                              "group.color: unknown field; expected only type, id, name, description"},
                      Refusal{"missing_field",
                              [](auto l) {
                                size_t i = FindLine(l, "\"type\":\"role\"");
                                size_t at = l[i].find(",\"description\"");
                                l[i] = l[i].substr(0, at) + "}";
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "role.description: is missing"},
                      Refusal{"altered_content",
                              [](auto l) {
                                size_t i = FindLine(l, "\"id\":\"ops\"");
                                size_t at = l[i].find("\"name\":\"Ops\"");
                                l[i].replace(at, 12, "\"name\":\"Opz\"");
                                return Join(l);
                              },
                              absl::StatusCode::kDataLoss, "sha256"},
                      Refusal{"after_trailer",
                              [](auto l) {
                                l.push_back("{}");
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "after the trailer"},
                      Refusal{"not_json",
                              [](auto l) {
                                l[1] = "{not json";
                                return Join(l);
                              },
                              absl::StatusCode::kInvalidArgument, "not valid JSON"}),
    [](const auto& param_info) { return param_info.param.name; });

// Rows that decode but break docs/semantics.md are refused by the same rules as commands. These
// edits keep the checksum consistent by rewriting the snapshot through the writer.
std::string WriteRows(const SnapshotHeader& header, const std::vector<Row>& rows) {
  std::ostringstream out;
  SnapshotWriter w(&out);
  w.WriteHeader(header);
  for (const Row& r : rows) w.WriteRow(r);
  EXPECT_TRUE(w.Finish().ok());
  return out.str();
}

SnapshotHeader HeaderFor(const std::vector<Row>& rows) {
  SnapshotHeader h;
  h.next_authorization_key = 100;
  for (const Row& r : rows) {
    uint64_t* slots[] = {&h.counts.users,         &h.counts.groups,        &h.counts.roles,
                         &h.counts.tenants,       &h.counts.mapping_rules, &h.counts.memberships,
                         &h.counts.authorizations};
    ++*slots[r.index()];
  }
  return h;
}

TEST(SnapshotTest, RowsAreValidatedLikeCommands) {
  struct Case {
    std::vector<Row> rows;
    absl::StatusCode code;
    std::string part;
  };
  std::vector<Case> cases = {
      {{Group{"bad id", "G", ""}}, absl::StatusCode::kInvalidArgument, "line 2: group: groupId"},
      {{Role{"r", "R", ""}, Membership{ContainerType::kTenant, "missing", MemberType::kRole, "r"}},
       absl::StatusCode::kNotFound,
       "line 3: membership: tenant 'missing'"},
      {{Authorization{5, OwnerType::kClient, "c", ResourceType::kMessage, Scope::Any(),
                      Bit(Permission::kEvaluate)}},
       absl::StatusCode::kInvalidArgument,
       "line 2: authorization: permissions: EVALUATE"},
      {{Authorization{5, OwnerType::kClient, "c", ResourceType::kMessage, Scope::Id("*"),
                      Bit(Permission::kCreate)}},
       absl::StatusCode::kInvalidArgument,
       "matcher"},
      {{Authorization{500, OwnerType::kClient, "c", ResourceType::kMessage, Scope::Any(),
                      Bit(Permission::kCreate)}},
       absl::StatusCode::kInvalidArgument,
       "next_authorization_key"},
      {{MappingRule{"a", "$..x", "v", "n", {}}},
       absl::StatusCode::kInvalidArgument,
       "line 2: mapping_rule: claimName"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<ImportedSnapshot> imported = Import(WriteRows(HeaderFor(c.rows), c.rows));
    ASSERT_FALSE(imported.ok()) << c.part;
    EXPECT_EQ(imported.status().code(), c.code) << imported.status();
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr(c.part));
  }
}

TEST(SnapshotTest, CountsThatDisagreeAreRefused) {
  std::vector<Row> rows = {Group{"g", "G", ""}};
  SnapshotHeader h = HeaderFor(rows);
  h.counts.groups = 2;
  absl::StatusOr<ImportedSnapshot> imported = Import(WriteRows(h, rows));
  ASSERT_FALSE(imported.ok());
  EXPECT_THAT(std::string(imported.status().message()), HasSubstr("records are missing"));
}

TEST(SnapshotTest, DuplicateAuthorizationGrantsSurviveBecauseUpdatesCanMakeThem) {
  // Update does not apply the duplicate-grant rule, so a valid state can hold two grants of
  // the same permission to the same owner and scope; its snapshot must import.
  IdentityState s;
  Apply(s, Initialize{});
  Apply(s, CreateAuthorization{{OwnerType::kClient, "c", ResourceType::kMessage, "*", "",
                                Bit(Permission::kCreate)}});
  absl::StatusOr<ChangeSet> second =
      Execute(s, CreateAuthorization{{OwnerType::kClient, "c", ResourceType::kMessage, "*", "",
                                      Bit(Permission::kRead)}});
  ASSERT_TRUE(second.ok());
  Apply(s, UpdateAuthorization{*second->first_put_authorization_key(),
                               {OwnerType::kClient, "c", ResourceType::kMessage, "*", "",
                                Bit(Permission::kCreate)}});
  absl::StatusOr<ImportedSnapshot> imported = Import(Export(s));
  ASSERT_TRUE(imported.ok()) << imported.status();
  EXPECT_EQ(imported->state, s);
}

}  // namespace
}  // namespace clearance

namespace clearance {
namespace {

// The fuzz corpus's valid-* seeds must import, or the fuzzer never reaches the accept path.
TEST(SnapshotTest, CorpusSeedsNamedValidImport) {
  const std::string dir =
      std::string(CLEARANCE_SOURCE_DIR) + "/tests/storage/snapshot/fuzz/record_corpus/";
  for (const char* name : {"valid-rich", "valid-empty"}) {
    std::ifstream in(dir + name, std::ios::binary);
    ASSERT_TRUE(in) << name;
    absl::StatusOr<ImportedSnapshot> imported = ImportSnapshot(&in);
    EXPECT_TRUE(imported.ok()) << name << ": " << imported.status();
  }
}

}  // namespace
}  // namespace clearance

namespace clearance {
namespace {

TEST(SnapshotTest, ProgressReportsEveryRowOnceAtTheEnd) {
  IdentityState s;
  ASSERT_TRUE(Execute(s, Initialize{}).ok());
  std::vector<std::pair<uint64_t, uint64_t>> exported;
  std::ostringstream out;
  ASSERT_TRUE(ExportSnapshot(s, std::nullopt, &out, [&](uint64_t done, uint64_t total) {
                exported.emplace_back(done, total);
              }).ok());
  const uint64_t total = CountsOf(s).total();
  ASSERT_FALSE(exported.empty());
  EXPECT_EQ(exported.back(), std::make_pair(total, total));
  std::vector<std::pair<uint64_t, uint64_t>> imported;
  std::istringstream in(out.str());
  ASSERT_TRUE(
      ImportSnapshot(&in, [&](uint64_t done, uint64_t t) { imported.emplace_back(done, t); }).ok());
  ASSERT_FALSE(imported.empty());
  EXPECT_EQ(imported.back(), std::make_pair(total, total));
}

}  // namespace
}  // namespace clearance

namespace clearance {
namespace {

// A state whose group line is as long as a record gets: the longest description, every
// character escaped as \u00XX.
IdentityState StateWithALongLine() {
  IdentityState s;
  Apply(s, Initialize{});
  Apply(s, CreateGroup{{"big", "Big", std::string(4096, '\x01')}});
  return s;
}

absl::StatusOr<ImportedSnapshot> ImportWithLimit(const std::string& text, size_t limit) {
  std::istringstream in(text);
  SnapshotReadOptions options;
  options.max_line_bytes = limit;
  options.max_line_bytes_name = "--max-line-bytes";
  return ImportSnapshot(&in, nullptr, options);
}

TEST(SnapshotTest, LinesUpToTheLimitImportAndLongerOnesNameTheLimitAndItsSetting) {
  const std::string text = Export(StateWithALongLine());
  const std::vector<std::string> lines = Lines(text);
  size_t longest = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].size() > lines[longest].size()) longest = i;
  }
  const size_t length = lines[longest].size();
  ASSERT_GT(length, 20'000u);
  for (size_t limit : {length, length + 1, size_t{1} << 20, SIZE_MAX}) {
    absl::StatusOr<ImportedSnapshot> imported = ImportWithLimit(text, limit);
    ASSERT_TRUE(imported.ok()) << "limit " << limit << ": " << imported.status();
    EXPECT_EQ(imported->state, StateWithALongLine());
  }
  for (size_t limit : {length - 1, size_t{100}}) {
    absl::StatusOr<ImportedSnapshot> imported = ImportWithLimit(text, limit);
    ASSERT_FALSE(imported.ok()) << "limit " << limit;
    EXPECT_EQ(imported.status().code(), absl::StatusCode::kInvalidArgument);
    const std::string line = "line " + std::to_string(limit == 100 ? 1 : longest + 1) + ": ";
    EXPECT_THAT(std::string(imported.status().message()),
                HasSubstr(line + "longer than " + std::to_string(limit) +
                          " bytes, the longest line accepted"));
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr("--max-line-bytes"));
  }
}

// A snapshot whose second line is `bytes` bytes that are not JSON.
std::string WithLongSecondLine(size_t bytes) {
  std::vector<std::string> lines = Lines(Export(StateWithALongLine()));
  lines[1] = std::string(bytes, 'x');
  return Join(lines);
}

// The reader's buffer grows with the line up to the limit: a line far longer than its first
// buffer is read whole (and then refused as JSON), one byte past the limit is refused as long.
TEST(SnapshotTest, LinesLongerThanTheFirstBufferAreReadWhole) {
  for (size_t bytes : {size_t{65535}, size_t{65536}, size_t{65537}, size_t{300'000}}) {
    absl::StatusOr<ImportedSnapshot> imported = ImportWithLimit(WithLongSecondLine(bytes), bytes);
    ASSERT_FALSE(imported.ok());
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr("line 2: "));
    EXPECT_THAT(std::string(imported.status().message()), HasSubstr("not valid JSON"))
        << bytes << ": " << imported.status();
    imported = ImportWithLimit(WithLongSecondLine(bytes + 1), bytes);
    ASSERT_FALSE(imported.ok());
    EXPECT_THAT(std::string(imported.status().message()),
                HasSubstr("line 2: longer than " + std::to_string(bytes) + " bytes"))
        << bytes << ": " << imported.status();
  }
}

// The default stays 1 MiB, and the error names the library's setting.
TEST(SnapshotTest, TheDefaultLineLimitIsOneMebibyte) {
  EXPECT_EQ(SnapshotReadOptions{}.max_line_bytes, size_t{1} << 20);
  for (size_t bytes : {size_t{1} << 20, (size_t{1} << 20) + 1}) {
    std::istringstream in(WithLongSecondLine(bytes));
    absl::StatusOr<ImportedSnapshot> imported = ImportSnapshot(&in);
    ASSERT_FALSE(imported.ok());
    const std::string message(imported.status().message());
    if (bytes == size_t{1} << 20) {
      EXPECT_THAT(message, HasSubstr("not valid JSON"));
    } else {
      EXPECT_THAT(message, HasSubstr("line 2: longer than 1048576 bytes"));
      EXPECT_THAT(message, HasSubstr("SnapshotReadOptions::max_line_bytes"));
    }
  }
}

}  // namespace
}  // namespace clearance
