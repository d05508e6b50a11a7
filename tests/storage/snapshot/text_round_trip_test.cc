// Property: whatever state accepted commands reach, even commands carrying arbitrary bytes in
// every text field, exports to a snapshot that imports to the same state. A command whose text
// is not UTF-8 must be refused (INVALID_ARGUMENT naming the field); one that is accepted must
// survive the snapshot, which is JSON.
#include <cstdint>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "clearance/commands.h"
#include "clearance/snapshot.h"
#include "gtest/gtest.h"
#include "random_commands.h"
#include "simdjson.h"

namespace clearance {
namespace {

// Every text field of a command, for garbling and for the UTF-8 oracle.
std::vector<std::string*> TextFields(Command& command) {
  std::vector<std::string*> out;
  auto named = [&](auto& e) { out.insert(out.end(), {&e.id, &e.name, &e.description}); };
  std::visit(
      [&](auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, CreateUser> || std::is_same_v<T, UpdateUser>) {
          out.insert(out.end(), {&c.user.username, &c.user.name, &c.user.email});
        } else if constexpr (std::is_same_v<T, DeleteUser>) {
          out.push_back(&c.username);
        } else if constexpr (std::is_same_v<T, CreateGroup> || std::is_same_v<T, UpdateGroup>) {
          named(c.group);
        } else if constexpr (std::is_same_v<T, CreateRole> || std::is_same_v<T, UpdateRole>) {
          named(c.role);
        } else if constexpr (std::is_same_v<T, CreateTenant> || std::is_same_v<T, UpdateTenant>) {
          named(c.tenant);
        } else if constexpr (std::is_same_v<T, DeleteGroup> || std::is_same_v<T, DeleteRole> ||
                             std::is_same_v<T, DeleteTenant> ||
                             std::is_same_v<T, DeleteMappingRule>) {
          out.push_back(&c.id);
        } else if constexpr (std::is_same_v<T, CreateMappingRule> ||
                             std::is_same_v<T, UpdateMappingRule>) {
          out.insert(out.end(),
                     {&c.rule.id, &c.rule.claim_name, &c.rule.claim_value, &c.rule.name});
        } else if constexpr (std::is_same_v<T, AddMember> || std::is_same_v<T, RemoveMember>) {
          out.insert(out.end(), {&c.membership.container_id, &c.membership.member_id});
        } else if constexpr (std::is_same_v<T, CreateAuthorization> ||
                             std::is_same_v<T, UpdateAuthorization>) {
          out.insert(out.end(), {&c.spec.owner_id, &c.spec.resource_id});
        } else if constexpr (std::is_same_v<T, Configure>) {
          out.insert(out.end(), {&c.configuration.client_id_claim, &c.configuration.groups_claim});
        } else if constexpr (std::is_same_v<T, Initialize>) {
          for (Group& g : c.seed.groups) named(g);
          for (Tenant& t : c.seed.tenants) named(t);
          for (Membership& m : c.seed.memberships) out.push_back(&m.member_id);
        }
      },
      command);
  return out;
}

class Garbler {
 public:
  explicit Garbler(uint64_t seed) : rng_(seed) {}

  // Bytes of every kind: ASCII, controls and NUL, well-formed multi-byte characters, and the
  // sequences UTF-8 forbids (stray continuations, overlong forms, surrogates, > U+10FFFF,
  // truncated sequences).
  std::string Bytes() {
    static constexpr std::string_view kPieces[] = {"a",
                                                   "Z",
                                                   "-",
                                                   " ",
                                                   "*",
                                                   "$",
                                                   "'",
                                                   "\"",
                                                   "\\",
                                                   std::string_view("\0", 1),
                                                   "\n",
                                                   "\x7f",
                                                   "\xc3\xa9",
                                                   "\xe2\x82\xac",
                                                   "\xf0\x9f\x98\x80",
                                                   "\xef\xbf\xbf",  // é € 😀 U+FFFF
                                                   "\x80",
                                                   "\xbf",
                                                   "\xc0\xaf",
                                                   "\xe0\x80\xaf",
                                                   "\xed\xa0\x80",
                                                   "\xf4\x90\x80\x80",
                                                   "\xc3",
                                                   "\xe2\x82",
                                                   "\xff",
                                                   "\xfe"};
    std::string out;
    for (size_t n = 1 + rng_() % 6; n > 0; --n) out += kPieces[rng_() % std::size(kPieces)];
    return out;
  }

  // Replaces one text field of `command` with Bytes() (or appends them), some of the time.
  void Maybe(Command& command) {
    if (rng_() % 3 != 0) return;
    std::vector<std::string*> fields = TextFields(command);
    if (fields.empty()) return;
    std::string* field = fields[rng_() % fields.size()];
    if (rng_() % 2 == 0) {
      *field = Bytes();
    } else {
      *field += Bytes();
    }
  }

  // Patterns under which ids may hold any character, so garbled ids are accepted too.
  void MaybeLoosenPattern(Command& command) {
    auto* configure = std::get_if<Configure>(&command);
    if (!configure) return;
    static constexpr std::string_view kPatterns[] = {"^[a-zA-Z0-9_~@.+-]+$", "(?s).+", "^.+$"};
    configure->configuration.id_pattern = std::string(kPatterns[rng_() % std::size(kPatterns)]);
  }

 private:
  std::mt19937_64 rng_;
};

bool IsUtf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

// A snapshot holds an initialized state (a configured, uninitialized one has no rows to hold).
void ExpectRoundTrip(const IdentityState& state, size_t step) {
  if (!state.initialized()) return;
  std::stringstream snapshot;
  ASSERT_TRUE(ExportSnapshot(state, std::nullopt, &snapshot).ok()) << "step " << step;
  absl::StatusOr<ImportedSnapshot> imported = ImportSnapshot(&snapshot);
  ASSERT_TRUE(imported.ok()) << "step " << step << ": the export of an accepted state was refused: "
                             << imported.status();
  EXPECT_TRUE(imported->state == state) << "step " << step << ": the import differs";
  // And once more: the imported state exports to the same bytes.
  std::stringstream again;
  ASSERT_TRUE(ExportSnapshot(imported->state, std::nullopt, &again).ok());
  EXPECT_EQ(again.str(), snapshot.str()) << "step " << step;
}

TEST(TextRoundTripTest, StatesReachedByCommandsSurviveASnapshot) {
  size_t refused_for_utf8 = 0;
  size_t accepted_non_ascii = 0;
  for (uint64_t seed = 1; seed <= 12; ++seed) {
    storage_test::RandomCommands commands(seed);
    Garbler garbler(seed * 7919);
    IdentityState state;
    for (size_t step = 0; step < 400; ++step) {
      Command command = commands.Next(state);
      garbler.MaybeLoosenPattern(command);
      garbler.Maybe(command);
      bool utf8 = true;
      bool ascii = true;
      for (std::string* field : TextFields(command)) {
        utf8 &= IsUtf8(*field);
        for (char c : *field) ascii &= static_cast<unsigned char>(c) < 0x80;
      }
      const IdentityState before = state;
      absl::StatusOr<ChangeSet> result = Execute(state, command);
      if (!utf8) {
        ASSERT_FALSE(result.ok()) << "seed " << seed << " step " << step << ": "
                                  << CommandName(command) << " with text that is not UTF-8 was "
                                  << "accepted";
        EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument) << result.status();
        EXPECT_NE(result.status().message().find("UTF-8"), absl::string_view::npos)
            << result.status();
        EXPECT_TRUE(state == before);
        ++refused_for_utf8;
        continue;
      }
      if (result.ok() && !ascii) ++accepted_non_ascii;
      if (result.ok() && (step % 25 == 0 || !ascii)) ExpectRoundTrip(state, step);
      if (HasFatalFailure()) return;
    }
    ExpectRoundTrip(state, 400);
  }
  // The property is only as strong as the commands that reach it.
  EXPECT_GT(refused_for_utf8, 100u);
  EXPECT_GT(accepted_non_ascii, 20u);
}

}  // namespace
}  // namespace clearance
