// The Engine's contract beyond the differential test: generations, handles, cache freshness,
// claims validation, batch checks and derived rows.
#include "clearance/engine.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clearance/commands.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "reference/reference_evaluator.h"

namespace clearance {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

constexpr Decision kAllow{Outcome::kAllow, Reason::kGranted};
constexpr Decision kForbidden{Outcome::kForbidden, Reason::kInsufficientPermissions};
constexpr Decision kMalformed{Outcome::kUnauthenticated, Reason::kMalformedClaims};

// Keeps an IdentityState and an Engine in step, as a broker would.
class Fixture {
 public:
  explicit Fixture(Configuration config = {}) {
    Run(Configure{config});
    Run(Initialize{});
    engine_ = *Engine::Create(state_);
  }
  ChangeSet Run(const Command& command) {
    absl::StatusOr<ChangeSet> cs = Plan(state_, command);
    EXPECT_TRUE(cs.ok()) << CommandName(command) << ": " << cs.status();
    if (!cs.ok()) return {};
    state_.Apply(*cs);
    if (engine_) {
      EXPECT_TRUE(engine_->Apply(*cs).ok());
    }
    return *cs;
  }
  AuthorizationKey Grant(OwnerType type, std::string owner, ResourceType rt, std::string id,
                         PermissionMask permissions) {
    AuthorizationSpec spec{type, std::move(owner), rt, std::move(id), "", permissions};
    return *Run(CreateAuthorization{spec}).first_put_authorization_key();
  }
  Engine& engine() { return *engine_; }
  const IdentityState& state() const { return state_; }

 private:
  IdentityState state_;
  std::unique_ptr<Engine> engine_;
};

CheckRequest ReadDefinition(std::vector<std::string> ids = {}) {
  CheckRequest r;
  r.resource_type = ResourceType::kProcessDefinition;
  r.permission = Permission::kReadProcessDefinition;
  r.resource_ids = std::move(ids);
  return r;
}

const Caller kAlice = Caller::Claims(R"({"sub":"alice"})");

TEST(EngineTest, GenerationCountsAppliedChangeSets) {
  Fixture f;
  const uint64_t g = f.engine().generation();
  EXPECT_GE(g, 1u);
  f.Run(CreateGroup{Group{"g1", "G", ""}});
  EXPECT_EQ(f.engine().generation(), g + 1);
  ASSERT_TRUE(f.engine().Apply(ChangeSet{}).ok());
  EXPECT_EQ(f.engine().generation(), g + 2);
}

TEST(EngineTest, HandleAnswersForTheGenerationItWasResolvedIn) {
  Fixture f;
  const AuthorizationKey key = f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition,
                                       "*", Bit(Permission::kReadProcessDefinition));
  PrincipalHandle before = f.engine().Resolve(kAlice);
  EXPECT_EQ(f.engine().Check(before, ReadDefinition()), kAllow);
  EXPECT_TRUE(f.engine().IsCurrent(before));

  f.Run(DeleteAuthorization{key});
  EXPECT_FALSE(f.engine().IsCurrent(before));
  EXPECT_EQ(f.engine().Check(before, ReadDefinition()), kAllow) << "a handle is pinned";
  PrincipalHandle after = f.engine().Resolve(kAlice);
  EXPECT_EQ(after.generation(), before.generation() + 1);
  EXPECT_EQ(f.engine().Check(after, ReadDefinition()), kForbidden);
  EXPECT_EQ(f.engine().Check(kAlice, ReadDefinition()), kForbidden);
}

TEST(EngineTest, CachedProfilesFollowEveryRelevantChange) {
  Configuration config;
  config.tenant_checks_enabled = true;
  Fixture f(config);
  CheckRequest in_t1 = ReadDefinition({"p1"});
  in_t1.tenant_id = "t1";
  auto check = [&] { return f.engine().Check(kAlice, in_t1); };

  EXPECT_EQ(check(), kForbidden);  // warms the thread's profile cache
  f.Run(CreateRole{Role{"r1", "R", ""}});
  f.Grant(OwnerType::kRole, "r1", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  EXPECT_EQ(check(), kForbidden) << "alice is not in r1 yet";
  f.Run(CreateGroup{Group{"g1", "G", ""}});
  f.Run(AddMember{{ContainerType::kGroup, "g1", MemberType::kUser, "alice"}});
  f.Run(AddMember{{ContainerType::kRole, "r1", MemberType::kGroup, "g1"}});
  // Permission side passes through g1 -> r1; the tenant is not alice's yet: NOT_FOUND.
  EXPECT_EQ(check(), (Decision{Outcome::kNotFound, Reason::kTenantNotAuthorized}));
  f.Run(CreateTenant{Tenant{"t1", "T", ""}});
  f.Run(AddMember{{ContainerType::kTenant, "t1", MemberType::kRole, "r1"}});
  EXPECT_EQ(check(), kAllow) << "t1 reaches alice through g1 -> r1 -> t1";
  f.Run(CreateGroup{Group{"unrelated", "G", ""}});
  EXPECT_EQ(check(), kAllow);
  f.Run(RemoveMember{{ContainerType::kTenant, "t1", MemberType::kRole, "r1"}});
  EXPECT_EQ(check(), (Decision{Outcome::kNotFound, Reason::kTenantNotAuthorized}));
  f.Run(DeleteGroup{"g1"});
  EXPECT_EQ(check(), kForbidden);
  f.Run(Configure{Configuration{}});  // tenant checks off again
  f.Run(AddMember{{ContainerType::kRole, "r1", MemberType::kUser, "alice"}});
  EXPECT_EQ(check(), kAllow);
}

TEST(EngineTest, ClaimsAreValidatedLikeAFullParse) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "*",
          Bit(Permission::kReadProcessDefinition));
  const std::vector<std::string> malformed = {
      R"({"sub":"alice")",
      R"({"sub":"alice"} x)",
      R"({"sub":"alice","sub":"bob"})",
      R"({"sub":"alice","x":{"a":1,"\u0061":2}})",
      R"({"sub":"alice","x":[1,{"k":1,"k":1}]})",
      R"({"sub":"alice","n":01})",
      R"({"sub":"alice","s":"\q"})",
      R"({"sub":"alice",})",
      R"({"sub":"alice","t":tru})",
      "",
  };
  for (const std::string& json : malformed) {
    EXPECT_EQ(f.engine().CheckClaims(json, ReadDefinition()), kMalformed) << json;
    EXPECT_EQ(reference::Check(f.state(), Caller::Claims(json), ReadDefinition()).decision,
              kMalformed)
        << "reference: " << json;
  }
  Explanation not_object = f.engine().Explain(Caller::Claims(R"(["alice"])"), ReadDefinition());
  EXPECT_EQ(not_object.decision, kMalformed);
  EXPECT_EQ(not_object.message, "claims: is an array; expected one JSON object");
  // An explanation names what is wrong with a document; the decision alone cannot.
  const std::vector<std::pair<std::string, std::string>> why = {
      {R"({"sub":"alice","sub":"bob"})", "member name \"sub\" appears twice in one object"},
      {R"({"sub":"alice")", "is not valid JSON"},
      {std::string("{\"sub\":\"al\xffice\"}"), "is not valid UTF-8"},
      {std::string("{\"sub\":\"a\0\"}", 12), "holds a NUL byte at offset 9"},
      {std::string(2000, '[') + std::string(2000, ']'), "nests deeper than 1024 levels"},
  };
  for (const auto& [json, problem] : why) {
    Explanation e = f.engine().Explain(Caller::Claims(json), ReadDefinition());
    EXPECT_EQ(e.decision, kMalformed) << json.substr(0, 40);
    EXPECT_THAT(e.message, ::testing::HasSubstr(problem)) << json.substr(0, 40);
  }
  EXPECT_EQ(f.engine().CheckClaims(R"({"\u0073ub":"\u0061lice"})", ReadDefinition()), kAllow);
}

// CheckClaims remembers a document from its first sight (the per-thread claims cache); every
// repeat must still answer for the current generation, and a refused document stays refused.
TEST(EngineTest, RepeatedClaimsFollowEveryChange) {
  Configuration config;
  config.groups_claim = "groups";
  Fixture f(config);
  const std::string claims = R"({"sub":"alice","groups":["g1"],"scope":"ops"})";
  auto check = [&] {
    const Decision first = f.engine().CheckClaims(claims, ReadDefinition({"p1"}));
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(f.engine().CheckClaims(claims, ReadDefinition({"p1"})), first) << "repeat " << i;
    }
    EXPECT_EQ(first,
              reference::Check(f.state(), Caller::Claims(claims), ReadDefinition({"p1"})).decision);
    return first;
  };
  EXPECT_EQ(check(), kForbidden);
  f.Run(CreateMappingRule{MappingRule{"m1", "scope", "ops", "r", {}}});
  const AuthorizationKey key = f.Grant(OwnerType::kMappingRule, "m1",
                                       ResourceType::kProcessDefinition, "p1",
                                       Bit(Permission::kReadProcessDefinition));
  EXPECT_EQ(check(), kAllow) << "the rule now matches";
  f.Run(DeleteAuthorization{key});
  EXPECT_EQ(check(), kForbidden);
  f.Run(CreateGroup{Group{"g1", "G", ""}});
  f.Grant(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  EXPECT_EQ(check(), kAllow) << "through the token's group";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(f.engine().CheckClaims(R"({"sub":"alice","sub":"bob"})", ReadDefinition()),
              kMalformed);
  }
  // A cache of one entry, and none at all, answer the same while documents alternate.
  for (size_t capacity : {size_t{0}, size_t{1}}) {
    EngineOptions options;
    options.claims_cache_capacity = capacity;
    std::unique_ptr<Engine> small = *Engine::Create(f.state(), options);
    for (int i = 0; i < 6; ++i) {
      EXPECT_EQ(small->CheckClaims(claims, ReadDefinition({"p1"})), kAllow) << capacity;
      EXPECT_EQ(small->CheckClaims(R"({"sub":"bob"})", ReadDefinition({"p1"})), kForbidden);
    }
  }
}

// A profile cache far smaller than the callers: entries are evicted one at a time (CLOCK), and
// every answer stays exact, for one-off callers and for the one asked about between them.
TEST(EngineTest, ASmallProfileCacheEvictsAndStaysExact) {
  Fixture f;
  for (int u = 0; u < 10; u += 2) {
    f.Grant(OwnerType::kUser, "u" + std::to_string(u), ResourceType::kProcessDefinition, "p1",
            Bit(Permission::kReadProcessDefinition));
  }
  for (size_t capacity : {size_t{0}, size_t{3}, size_t{5}}) {
    EngineOptions options;
    options.profile_cache_capacity = capacity;
    options.claims_cache_capacity = 0;
    std::unique_ptr<Engine> engine = *Engine::Create(f.state(), options);
    for (int round = 0; round < 3; ++round) {
      for (int u = 0; u < 10; ++u) {
        const std::string claims = R"({"sub":"u)" + std::to_string(u) + R"("})";
        EXPECT_EQ(engine->CheckClaims(claims, ReadDefinition({"p1"})),
                  u % 2 == 0 ? kAllow : kForbidden)
            << capacity << " u" << u;
        EXPECT_EQ(engine->CheckClaims(R"({"sub":"u0"})", ReadDefinition({"p1"})), kAllow);
      }
    }
  }
}

// An owner with more authorizations than EngineOptions::profile_copy_limit is searched in place
// (profile.h): several grants on one resource id with different permissions, ANY grants beside
// ID grants of the same type, grants of other types around the run, and changes to the owner
// after its profile is cached all answer as the reference does, whatever the limit.
TEST(EngineTest, OwnersWithManyGrantsAreSearchedInPlace) {
  Fixture f;
  f.Run(CreateGroup{Group{"g1", "G", ""}});
  f.Run(AddMember{Membership{ContainerType::kGroup, "g1", MemberType::kUser, "alice"}});
  const std::vector<Permission> permissions = {Permission::kReadProcessDefinition,
                                               Permission::kUpdateProcessInstance,
                                               Permission::kDeleteProcessInstance};
  // p3 gets its permissions from three authorizations; the one created last sorts between.
  for (int i = 0; i < 8; ++i) {
    f.Grant(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "p" + std::to_string(i),
            Bit(permissions[0]));
  }
  f.Grant(OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, "p3", Bit(permissions[2]));
  f.Grant(OwnerType::kGroup, "g1", ResourceType::kDecisionDefinition, "d1",
          Bit(Permission::kReadDecisionDefinition));
  f.Grant(OwnerType::kGroup, "g1", ResourceType::kAuthorization, "a1", Bit(Permission::kRead));
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p9", Bit(permissions[1]));

  auto compare = [&](Engine& engine, const std::string& what) {
    for (int i = 0; i < 10; ++i) {
      const std::string id = "p" + std::to_string(i);
      for (Permission p : permissions) {
        CheckRequest request = ReadDefinition({id});
        request.permission = p;
        EXPECT_EQ(engine.Check(kAlice, request),
                  reference::Check(f.state(), kAlice, request).decision)
            << what << " " << id << " " << Name(p);
      }
      const PrincipalHandle handle = engine.Resolve(kAlice);
      EXPECT_EQ(engine.PermissionsOn(handle, ResourceType::kProcessDefinition, id),
                reference::PermissionsOn(f.state(), kAlice, ResourceType::kProcessDefinition, id))
          << what << " " << id;
    }
    const PrincipalHandle handle = engine.Resolve(kAlice);
    for (Permission p : permissions) {
      EXPECT_EQ(engine.AuthorizedResourceIds(handle, ResourceType::kProcessDefinition, p),
                reference::AuthorizedResourceIds(f.state(), kAlice,
                                                 ResourceType::kProcessDefinition, p))
          << what << " " << Name(p);
    }
  };
  std::vector<std::unique_ptr<Engine>> engines;
  for (size_t limit : {size_t{0}, size_t{3}, size_t{1000}}) {
    EngineOptions options;
    options.profile_copy_limit = limit;
    options.claims_cache_capacity = 0;
    engines.push_back(*Engine::Create(f.state(), options));
  }
  auto apply = [&](const Command& command) {
    ChangeSet cs = f.Run(command);
    for (auto& engine : engines) EXPECT_TRUE(engine->Apply(cs).ok());
    return cs;
  };
  auto grant = [&](std::string id, Permission p) {
    return *apply(CreateAuthorization{AuthorizationSpec{
                      OwnerType::kGroup, "g1", ResourceType::kProcessDefinition, std::move(id),
                      "", Bit(p)}})
                .first_put_authorization_key();
  };
  auto compare_all = [&](const std::string& what) {
    for (size_t i = 0; i < engines.size(); ++i) compare(*engines[i], what + std::to_string(i));
  };
  compare_all("built ");
  // Changes to the owner after its profile is cached: another grant on p3, a delete inside the
  // run, then an ANY grant that covers the type.
  grant("p3", permissions[1]);
  compare_all("added ");
  const AuthorizationKey p5 = grant("p5", permissions[2]);
  compare_all("added p5 ");
  apply(DeleteAuthorization{p5});
  compare_all("deleted p5 ");
  grant("*", permissions[1]);
  compare_all("any ");
}

TEST(EngineTest, MappingRulesMatchThroughTheClaimValueIndex) {
  Fixture f;
  f.Run(CreateMappingRule{MappingRule{"m1", "$.realm.roles", "ops", "r", {}}});
  f.Run(CreateMappingRule{MappingRule{"m2", "realm", "ops", "r", {}}});  // literal: never an object
  f.Run(CreateMappingRule{MappingRule{"m3", "$['realm']['roles'][*]", "dev", "r", {}}});
  f.Grant(OwnerType::kMappingRule, "m1", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  const Caller caller = Caller::Claims(R"({"sub":"x","realm":{"roles":["dev","\u006fps"]}})");
  Explanation e = f.engine().Explain(caller, ReadDefinition({"p1"}));
  EXPECT_EQ(e.decision, kAllow);
  EXPECT_THAT(e.matching_rules, ElementsAre("m1", "m3"));
  ASSERT_EQ(e.grants.size(), 1u);
  EXPECT_EQ(e.grants[0].chain[0], (OwnerRef{OwnerType::kMappingRule, "m1"}));
  // Nested arrays and other types never match.
  EXPECT_THAT(f.engine()
                  .Explain(Caller::Claims(R"({"sub":"x","realm":{"roles":[["ops"],30]}})"),
                           ReadDefinition())
                  .matching_rules,
              ElementsAre());
}

// Authentication comes first in every mode (docs/semantics.md §6 step 0): with both checks off
// the explanation still names the principal and its matching rules, as with authorizations off.
TEST(EngineTest, ExplainReportsThePrincipalWhenBothChecksAreDisabled) {
  for (const bool tenant_checks : {true, false}) {
    Configuration config;
    config.authorizations_enabled = false;
    config.tenant_checks_enabled = tenant_checks;
    Fixture f(config);
    f.Run(CreateMappingRule{MappingRule{"m1", "$.realm.roles", "ops", "r", {}}});
    const Caller caller = Caller::Claims(R"({"sub":"x","realm":{"roles":["ops"]}})");
    const Explanation e = f.engine().Explain(caller, ReadDefinition({"p1"}));
    EXPECT_TRUE(e.decision.allowed()) << tenant_checks;
    EXPECT_EQ(e.principal, (OwnerRef{OwnerType::kUser, "x"})) << tenant_checks;
    EXPECT_THAT(e.matching_rules, ElementsAre("m1")) << tenant_checks;
    const reference::Verdict ref = reference::Check(f.state(), caller, ReadDefinition({"p1"}));
    EXPECT_EQ(ref.principal, e.principal) << tenant_checks;
    EXPECT_EQ(ref.matching_rules, e.matching_rules) << tenant_checks;
  }
}

// Finish() consumes the builder: it cannot be called on an lvalue, and a second call on a
// moved-from builder is refused instead of dereferencing the spent writer.
template <typename B>
concept FinishableAsLvalue = requires(B& b) { b.Finish(); };
static_assert(!FinishableAsLvalue<EngineBuilder>);

TEST(EngineTest, AFinishedBuilderRefusesASecondFinish) {
  EngineBuilder builder;
  ASSERT_TRUE(std::move(builder).Finish().ok());
  const absl::StatusOr<std::unique_ptr<Engine>> again = std::move(builder).Finish();  // NOLINT
  EXPECT_EQ(again.status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(EngineTest, CheckBatchEqualsSingleChecks) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  std::vector<CheckRequest> requests = {ReadDefinition({"p1"}), ReadDefinition({"p2"}),
                                        ReadDefinition(), ReadDefinition({"p2", "p1"})};
  std::vector<Decision> out(requests.size());
  PrincipalHandle h = f.engine().Resolve(kAlice);
  ASSERT_TRUE(f.engine().CheckBatch(h, requests, absl::MakeSpan(out)).ok());
  EXPECT_THAT(out, ElementsAre(kAllow, kForbidden, kForbidden, kAllow));
}

// A decision no check gives, to see that a refused batch wrote nothing.
constexpr Decision kUnwritten{Outcome::kUnauthenticated, Reason::kTokenRefused};

// A batch whose output does not fit its requests is refused whole, not truncated.
TEST(EngineTest, CheckBatchRefusesOutputOfAnotherSize) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  const PrincipalHandle h = f.engine().Resolve(kAlice);
  const std::vector<CheckRequest> requests(3, ReadDefinition({"p1"}));
  for (size_t size : {size_t{0}, size_t{2}, size_t{4}}) {
    std::vector<Decision> out(size, kUnwritten);
    const absl::Status status = f.engine().CheckBatch(h, requests, absl::MakeSpan(out));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << size << ": " << status;
    EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("3 requests")) << status;
    EXPECT_EQ(out, std::vector<Decision>(size, kUnwritten)) << size;
  }
}

TEST(EngineTest, MixedCheckBatchRefusesSpansOfOtherSizes) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  const PrincipalHandle h = f.engine().Resolve(kAlice);
  const std::vector<CheckRequest> requests(3, ReadDefinition({"p1"}));
  struct Sizes {
    size_t handles;
    size_t out;
  };
  for (const Sizes sizes : {Sizes{3, 2}, Sizes{3, 4}, Sizes{2, 3}, Sizes{4, 3}, Sizes{0, 0}}) {
    const std::vector<PrincipalHandle> handles(sizes.handles, h);
    std::vector<Decision> out(sizes.out, kUnwritten);
    const absl::Status status = f.engine().CheckBatch(handles, requests, absl::MakeSpan(out));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument)
        << sizes.handles << "/" << sizes.out << ": " << status;
    EXPECT_EQ(out, std::vector<Decision>(sizes.out, kUnwritten))
        << sizes.handles << "/" << sizes.out;
  }
  // Empty spans are a batch of nothing.
  const absl::Span<const CheckRequest> none;
  EXPECT_TRUE(f.engine().CheckBatch(absl::Span<const PrincipalHandle>(), none, {}).ok());
  EXPECT_TRUE(f.engine().CheckBatch(h, none, {}).ok());
}

// Many principals in one call: each entry answers for its own handle, also past the read-ahead
// distance, for a default handle and for claims that name no principal.
TEST(EngineTest, MixedCheckBatchAnswersEachEntryForItsOwnHandle) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  f.Grant(OwnerType::kUser, "bob", ResourceType::kProcessDefinition, "p2",
          Bit(Permission::kReadProcessDefinition));
  const PrincipalHandle alice = f.engine().Resolve(kAlice);
  const PrincipalHandle bob = f.engine().Resolve(Caller::Claims(R"({"sub":"bob"})"));
  const PrincipalHandle nobody = f.engine().Resolve(Caller::Claims(R"({"aud":"x"})"));
  std::vector<PrincipalHandle> handles;
  std::vector<CheckRequest> requests;
  std::vector<Decision> want;
  for (int i = 0; i < 40; ++i) {
    const std::string id = i % 3 == 0 ? "p1" : "p2";
    switch (i % 4) {
      case 0: handles.push_back(alice); break;
      case 1: handles.push_back(bob); break;
      case 2: handles.push_back(nobody); break;
      case 3: handles.push_back(PrincipalHandle()); break;
    }
    requests.push_back(ReadDefinition({id}));
    want.push_back(f.engine().Check(handles.back(), requests.back()));
  }
  // The entries differ, or a mixed-up index could pass.
  EXPECT_EQ(want[0], kAllow);      // alice, p1
  EXPECT_EQ(want[4], kForbidden);  // alice, p2
  EXPECT_EQ(want[5], kAllow);      // bob, p2
  EXPECT_EQ(want[9], kForbidden);  // bob, p1
  EXPECT_EQ(want[2].outcome, Outcome::kUnauthenticated);
  std::vector<Decision> out(requests.size());
  ASSERT_TRUE(f.engine().CheckBatch(handles, requests, absl::MakeSpan(out)).ok());
  EXPECT_EQ(out, want);
}

TEST(EngineTest, DerivedRowsListClosureAndClaimIndex) {
  Fixture f;
  f.Run(CreateRole{Role{"r1", "R", ""}});
  f.Run(CreateTenant{Tenant{"t1", "T", ""}});
  f.Run(AddMember{{ContainerType::kTenant, "t1", MemberType::kRole, "r1"}});
  f.Run(AddMember{{ContainerType::kRole, "r1", MemberType::kClient, "svc"}});
  f.Run(CreateMappingRule{MappingRule{"m1", "scope", "read", "r", {}}});
  std::vector<std::string> closure;
  std::vector<std::string> index;
  f.engine().ForEachDerivedRow([&](const DerivedRow& row) {
    if (row.kind == DerivedRow::Kind::kClosure && row.entity.id == "svc") {
      closure.push_back(row.roles.at(0) + "/" + row.tenants.at(0));
    }
    if (row.kind == DerivedRow::Kind::kClaimIndex) {
      index.push_back(row.claim_path + "=" + row.claim_value + ":" + row.rules.at(0));
    }
  });
  EXPECT_THAT(closure, ElementsAre("r1/t1"));
  EXPECT_THAT(index, ElementsAre("scope=read:m1"));
}

TEST(EngineTest, BasicModeRequiresAStoredUser) {
  Configuration config;
  config.mode = AuthMode::kBasic;
  Fixture f(config);
  const Caller bob = Caller::BasicUser("bob");
  EXPECT_EQ(f.engine().Check(bob, ReadDefinition()),
            (Decision{Outcome::kUnauthenticated, Reason::kUnknownUser}));
  f.Run(CreateUser{
      User{"bob", "", "", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"}});
  EXPECT_EQ(f.engine().Check(bob, ReadDefinition()), kForbidden);
  f.Run(AddMember{{ContainerType::kRole, "admin", MemberType::kUser, "bob"}});
  EXPECT_EQ(f.engine().Check(bob, ReadDefinition()), kAllow);
  f.Run(DeleteUser{"bob"});
  EXPECT_EQ(f.engine().Check(bob, ReadDefinition()),
            (Decision{Outcome::kUnauthenticated, Reason::kUnknownUser}));
}

// Grants are stored compactly (packed permissions, 32-bit keys); rows the planner would refuse
// (a permission the type does not support) and keys past 32 bits take the wide paths, and both
// must answer exactly like the reference, through creation, update and deletion.
TEST(EngineTest, UnsupportedPermissionsAndLargeKeysSurviveCompaction) {
  Fixture f;
  constexpr AuthorizationKey kLarge = (AuthorizationKey{1} << 32) + 7;
  // kCreate is not a PROCESS_DEFINITION permission; kLarge and kLarge - 2^32 collide in 32 bits.
  const PermissionMask wide = Bit(Permission::kReadProcessDefinition) | Bit(Permission::kCreate);
  Authorization a{kLarge, OwnerType::kUser, "alice", ResourceType::kProcessDefinition,
                  Scope::Id("p1"), wide};
  Authorization b{7, OwnerType::kUser, "bob", ResourceType::kProcessDefinition, Scope::Id("p2"),
                  Bit(Permission::kReadProcessDefinition)};
  IdentityState state = f.state();
  ChangeSet put;
  put.changes.push_back({RowChange::Op::kPut, a});
  put.changes.push_back({RowChange::Op::kPut, b});
  put.next_authorization_key = kLarge + 1;
  auto expect_same = [&](const IdentityState& s, const Engine& engine) {
    for (const char* who : {"alice", "bob"}) {
      const Caller caller = Caller::Claims(std::string(R"({"sub":")") + who + "\"}");
      PrincipalHandle h = engine.Resolve(caller);
      for (const char* id : {"p1", "p2"}) {
        SCOPED_TRACE(std::string(who) + " on " + id);
        EXPECT_EQ(engine.PermissionsOn(h, ResourceType::kProcessDefinition, id).value(),
                  reference::PermissionsOn(s, caller, ResourceType::kProcessDefinition, id).value());
        CheckRequest create = ReadDefinition({id});
        create.permission = Permission::kCreate;
        EXPECT_EQ(engine.Check(h, create), reference::Check(s, caller, create).decision);
        EXPECT_EQ(engine.Check(h, ReadDefinition({id})),
                  reference::Check(s, caller, ReadDefinition({id})).decision);
      }
    }
  };
  // Incrementally, then built in bulk from the same state.
  state.Apply(put);
  ASSERT_TRUE(f.engine().Apply(put).ok());
  expect_same(state, f.engine());
  EXPECT_EQ(f.engine().PermissionsOn(f.engine().Resolve(Caller::Claims(R"({"sub":"alice"})")),
                                     ResourceType::kProcessDefinition, "p1")
                .value(),
            wide);
  std::unique_ptr<Engine> bulk = *Engine::Create(state);
  expect_same(state, *bulk);
  // Updating the wide grant to a packable one, then deleting the other key with the same low
  // 32 bits, must leave the large key's grant in place.
  a.permissions = Bit(Permission::kReadProcessDefinition);
  ChangeSet update;
  update.changes.push_back({RowChange::Op::kPut, a});
  state.Apply(update);
  ASSERT_TRUE(f.engine().Apply(update).ok());
  ASSERT_TRUE(bulk->Apply(update).ok());
  expect_same(state, f.engine());
  expect_same(state, *bulk);
  ChangeSet erase;
  erase.changes.push_back({RowChange::Op::kDelete, b});
  state.Apply(erase);
  ASSERT_TRUE(f.engine().Apply(erase).ok());
  ASSERT_TRUE(bulk->Apply(erase).ok());
  expect_same(state, f.engine());
  expect_same(state, *bulk);
  EXPECT_EQ(f.engine().Check(f.engine().Resolve(kAlice), ReadDefinition({"p1"})), kAllow);
}

// A CheckRequestView of `r`: the same contents, every string borrowed from `r`.
class ViewOf {
 public:
  explicit ViewOf(const CheckRequest& r)
      : ids_(r.resource_ids.begin(), r.resource_ids.end()) {
    view_.resource_type = r.resource_type;
    view_.permission = r.permission;
    view_.resource_ids = ids_;
    if (r.tenant_id) view_.tenant_id = *r.tenant_id;
    view_.new_resource = r.new_resource;
    if (r.user_task) {
      users_.assign(r.user_task->candidate_users.begin(), r.user_task->candidate_users.end());
      groups_.assign(r.user_task->candidate_groups.begin(), r.user_task->candidate_groups.end());
      if (r.user_task->assignee) task_.assignee = *r.user_task->assignee;
      task_.candidate_users = users_;
      task_.candidate_groups = groups_;
      view_.user_task = &task_;
    }
  }
  ViewOf(const ViewOf&) = delete;  // view_ points into this object
  ViewOf& operator=(const ViewOf&) = delete;
  const CheckRequestView& view() const { return view_; }

 private:
  std::vector<std::string_view> ids_;
  std::vector<std::string_view> users_;
  std::vector<std::string_view> groups_;
  UserTaskPropertiesView task_;
  CheckRequestView view_;
};

// Every combination of the request's parts that changes a decision: ids granted, not granted
// and never interned; no tenant, "", the caller's, another and an unknown one; new or existing
// resources; user-task properties that match through the user, a role, the stored groups, the
// token's groups, and ones that do not. The view overloads must answer exactly like the
// CheckRequest ones, and both like the reference evaluator.
TEST(EngineTest, ViewOverloadsAnswerLikeCheckRequest) {
  struct Setup {
    const char* name;
    bool authorizations_enabled;
    std::string groups_claim;
  };
  const Setup setups[] = {{"stored groups", true, ""},
                          {"groups claim", true, "groups"},
                          {"authorizations disabled", false, ""}};
  std::vector<CheckRequest> requests;
  const std::pair<ResourceType, Permission> kinds[] = {
      {ResourceType::kProcessDefinition, Permission::kReadProcessDefinition},
      {ResourceType::kUserTask, Permission::kRead},
      {ResourceType::kUserTask, Permission::kClaim},
      {ResourceType::kUserTask, Permission::kComplete}};
  const std::vector<std::vector<std::string>> id_lists = {
      {}, {"p1"}, {"never-seen", "p1"}, {"p2", "never-seen"}, {"task-1", "x", "y", "z", "p2"}};
  const std::optional<std::string> tenants[] = {std::nullopt, "", "t1", "t2", "never-seen-t"};
  const std::optional<UserTaskProperties> tasks[] = {
      std::nullopt,
      UserTaskProperties{},
      UserTaskProperties{"alice", {}, {}},
      UserTaskProperties{"bob", {"bob", "alice"}, {}},
      UserTaskProperties{std::nullopt, {}, {"never-seen-g", "g2", "g1"}},
      UserTaskProperties{std::nullopt, {}, {"night"}}};
  for (const auto& [type, permission] : kinds) {
    for (const std::vector<std::string>& ids : id_lists) {
      for (const std::optional<std::string>& tenant : tenants) {
        for (const bool new_resource : {false, true}) {
          for (const std::optional<UserTaskProperties>& task : tasks) {
            CheckRequest r;
            r.resource_type = type;
            r.permission = permission;
            r.resource_ids = ids;
            r.tenant_id = tenant;
            r.new_resource = new_resource;
            r.user_task = task;
            requests.push_back(std::move(r));
          }
        }
      }
    }
  }
  const std::vector<Caller> callers = {
      kAlice,
      Caller::Claims(R"({"sub":"bob"})"),
      Caller::Claims(R"({"sub":"carol","azp":"svc"})"),
      Caller::Claims(R"({"sub":"dave","scope":"ops"})"),
      Caller::Claims(R"({"sub":"erin","groups":["night","g2"]})"),
      Caller::Claims("not json"),
      Caller::Anonymous()};
  std::set<std::pair<Outcome, Reason>> seen;
  long checks = 0;
  for (const Setup& setup : setups) {
    Configuration config;
    config.tenant_checks_enabled = true;
    config.client_id_claim = "azp";
    config.authorizations_enabled = setup.authorizations_enabled;
    config.groups_claim = setup.groups_claim;
    Fixture f(config);
    f.Run(CreateTenant{Tenant{"t1", "T1", ""}});
    f.Run(CreateTenant{Tenant{"t2", "T2", ""}});
    f.Run(CreateGroup{Group{"g1", "G1", ""}});
    f.Run(CreateGroup{Group{"g2", "G2", ""}});
    f.Run(CreateRole{Role{"task-users", "R", ""}});
    f.Run(CreateMappingRule{MappingRule{"m1", "scope", "ops", "M", {}}});
    for (const Membership& m :
         {Membership{ContainerType::kTenant, "t1", MemberType::kUser, "alice"},
          Membership{ContainerType::kTenant, "t1", MemberType::kClient, "svc"},
          Membership{ContainerType::kTenant, "t2", MemberType::kMappingRule, "m1"},
          Membership{ContainerType::kTenant, "t2", MemberType::kUser, "erin"},
          Membership{ContainerType::kGroup, "g1", MemberType::kUser, "alice"},
          Membership{ContainerType::kGroup, "g2", MemberType::kMappingRule, "m1"},
          Membership{ContainerType::kRole, "task-users", MemberType::kUser, "alice"},
          Membership{ContainerType::kRole, "task-users", MemberType::kUser, "erin"},
          Membership{ContainerType::kRole, "task-users", MemberType::kClient, "svc"},
          Membership{ContainerType::kRole, "task-users", MemberType::kMappingRule, "m1"}}) {
      f.Run(AddMember{m});
    }
    f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
            Bit(Permission::kReadProcessDefinition));
    f.Grant(OwnerType::kGroup, "g2", ResourceType::kProcessDefinition, "p2",
            Bit(Permission::kReadProcessDefinition));
    f.Grant(OwnerType::kClient, "svc", ResourceType::kUserTask, "task-1",
            Bit(Permission::kRead));
    const std::pair<const char*, Permission> properties[] = {
        {"assignee", Permission::kRead},
        {"candidateUsers", Permission::kClaim},
        {"candidateGroups", Permission::kComplete}};
    for (const auto& [property, permission] : properties) {
      f.Run(CreateAuthorization{AuthorizationSpec{OwnerType::kRole, "task-users",
                                                  ResourceType::kUserTask, "", property,
                                                  Bit(permission)}});
    }
    for (const Caller& caller : callers) {
      const PrincipalHandle handle = f.engine().Resolve(caller);
      for (const CheckRequest& request : requests) {
        ++checks;
        const Decision want = reference::Check(f.state(), caller, request).decision;
        seen.emplace(want.outcome, want.reason);
        const ViewOf view(request);
        const std::string where = std::string(setup.name) + ", caller " +
                                  (caller.kind == Caller::Kind::kAnonymous ? "anonymous"
                                                                           : caller.claims_json) +
                                  ", request #" + std::to_string(&request - requests.data());
        ASSERT_EQ(f.engine().Check(handle, request), want) << where;
        ASSERT_EQ(f.engine().Check(handle, view.view()), want) << where;
        if (caller.kind != Caller::Kind::kClaims) continue;
        // Twice each: a first sight resolves, later ones may come from the claims cache.
        for (int i = 0; i < 2; ++i) {
          ASSERT_EQ(f.engine().CheckClaims(caller.claims_json, view.view()), want) << where;
          ASSERT_EQ(f.engine().CheckClaims(caller.claims_json, request), want) << where;
        }
      }
    }
  }
  EXPECT_EQ(checks, 3L * 7 * 4 * 5 * 5 * 2 * 6);
  // The combinations reach every decision the request's parts can change.
  const std::set<std::pair<Outcome, Reason>> expected = {
      {Outcome::kAllow, Reason::kGranted},
      {Outcome::kAllow, Reason::kAuthorizationsDisabled},
      {Outcome::kAllow, Reason::kAnonymous},
      {Outcome::kForbidden, Reason::kInsufficientPermissions},
      {Outcome::kForbidden, Reason::kTenantNotAuthorized},
      {Outcome::kNotFound, Reason::kTenantNotAuthorized},
      {Outcome::kUnauthenticated, Reason::kMalformedClaims}};
  for (const auto& decision : expected) {
    EXPECT_TRUE(seen.count(decision)) << Name(decision.first) << " " << Name(decision.second);
  }
}

// A view borrows: the engine reads the caller's bytes at the call and keeps nothing, so one
// buffer rewritten between checks is answered by its contents at each call.
TEST(EngineTest, ViewReadsTheCallersBytesAtEachCall) {
  Fixture f;
  f.Grant(OwnerType::kUser, "alice", ResourceType::kProcessDefinition, "p1",
          Bit(Permission::kReadProcessDefinition));
  const PrincipalHandle h = f.engine().Resolve(kAlice);
  char buffer[] = "p1";
  const std::string_view ids[] = {std::string_view(buffer, 2)};
  CheckRequestView view;
  view.resource_type = ResourceType::kProcessDefinition;
  view.permission = Permission::kReadProcessDefinition;
  view.resource_ids = ids;
  EXPECT_EQ(f.engine().Check(h, view), kAllow);
  EXPECT_EQ(f.engine().CheckClaims(kAlice.claims_json, view), kAllow);
  buffer[1] = '2';
  EXPECT_EQ(f.engine().Check(h, view), kForbidden);
  EXPECT_EQ(f.engine().CheckClaims(kAlice.claims_json, view), kForbidden);
  buffer[1] = '1';
  EXPECT_EQ(f.engine().Check(h, view), kAllow);
  // A default-constructed handle and an empty view answer like their CheckRequest forms.
  EXPECT_EQ(f.engine().Check(PrincipalHandle(), view),
            f.engine().Check(PrincipalHandle(), ReadDefinition({"p1"})));
  EXPECT_EQ(f.engine().Check(h, CheckRequestView{}), f.engine().Check(h, CheckRequest{}));
}

}  // namespace
}  // namespace clearance
