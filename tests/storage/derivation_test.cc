// The derived rows: docs/semantics.md §4's closure on hand-built states, and incremental
// maintenance (AffectedClosures + ComputeClosure + ClaimIndexChanges) equal to a full recomputation
// after every command of random streams.
#include <map>
#include <string>

#include "clearance/commands.h"
#include "gtest/gtest.h"
#include "internal/derivation.h"
#include "random_commands.h"

namespace clearance::storage_internal {
namespace {

void Must(IdentityState& state, const Command& c) {
  absl::StatusOr<ChangeSet> r = Execute(state, c);
  ASSERT_TRUE(r.ok()) << CommandName(c) << ": " << r.status();
}

IdentityState Initialized() {
  IdentityState s;
  Must(s, Initialize{});
  return s;
}

Membership M(ContainerType ct, std::string cid, MemberType mt, std::string mid) {
  return Membership{ct, std::move(cid), mt, std::move(mid)};
}

TEST(ClosureTest, FollowsMemberGroupRoleTenantChains) {
  IdentityState s = Initialized();
  Must(s, CreateGroup{Group{"eng", "Engineering", ""}});
  Must(s, CreateRole{Role{"dev", "Developer", ""}});
  Must(s, CreateTenant{Tenant{"acme", "Acme", ""}});
  Must(s, CreateTenant{Tenant{"beta", "Beta", ""}});
  Must(s, AddMember{M(ContainerType::kGroup, "eng", MemberType::kUser, "alice")});
  Must(s, AddMember{M(ContainerType::kRole, "dev", MemberType::kGroup, "eng")});
  Must(s, AddMember{M(ContainerType::kTenant, "acme", MemberType::kRole, "dev")});
  Must(s, AddMember{M(ContainerType::kTenant, "beta", MemberType::kGroup, "eng")});
  Must(s, AddMember{M(ContainerType::kRole, "admin", MemberType::kUser, "alice")});

  Closure alice = ComputeClosure(s, MemberType::kUser, "alice");
  EXPECT_EQ(alice.groups, std::vector<std::string>({"eng"}));
  EXPECT_EQ(alice.roles, std::vector<std::string>({"admin", "dev"}));
  // admin is a member of <default>; dev of acme; eng of beta.
  EXPECT_EQ(alice.tenants, std::vector<std::string>({"<default>", "acme", "beta"}));

  Closure eng = ComputeClosure(s, MemberType::kGroup, "eng");
  EXPECT_TRUE(eng.groups.empty());
  EXPECT_EQ(eng.roles, std::vector<std::string>({"dev"}));
  EXPECT_EQ(eng.tenants, std::vector<std::string>({"acme", "beta"}));

  Closure dev = ComputeClosure(s, MemberType::kRole, "dev");
  EXPECT_EQ(dev.tenants, std::vector<std::string>({"acme"}));
  EXPECT_TRUE(ComputeClosure(s, MemberType::kUser, "nobody").empty());

  DerivedState d = ComputeDerived(s);
  EXPECT_EQ(d.closures.at({MemberType::kUser, "alice"}), alice);
  EXPECT_FALSE(d.closures.contains({MemberType::kUser, "nobody"}));
}

TEST(ClaimIndexTest, TracksCreateUpdateDelete) {
  IdentityState s = Initialized();
  MappingRule r;
  r.id = "m1";
  r.claim_name = "groups";
  r.claim_value = "eng";
  r.name = "Eng";
  ChangeSet cs = *Plan(s, CreateMappingRule{r});
  std::vector<ClaimIndexChange> c = ClaimIndexChanges(s, cs);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_TRUE(c[0].put);
  EXPECT_EQ(c[0].entry, (ClaimIndexEntry{"groups", "eng", "m1"}));
  s.Apply(cs);

  r.claim_value = "ops";
  cs = *Plan(s, UpdateMappingRule{r});
  c = ClaimIndexChanges(s, cs);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_FALSE(c[0].put);
  EXPECT_EQ(c[0].entry.claim_value, "eng");
  EXPECT_TRUE(c[1].put);
  EXPECT_EQ(c[1].entry.claim_value, "ops");
  s.Apply(cs);

  cs = *Plan(s, DeleteMappingRule{"m1"});
  c = ClaimIndexChanges(s, cs);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_FALSE(c[0].put);
}

// Incremental maintenance, as Store::Apply does it, against full recomputation.
TEST(IncrementalDerivationTest, EqualsFullRecomputationAfterEveryCommand) {
  for (uint64_t seed = 1; seed <= 6; ++seed) {
    storage_test::RandomCommands gen(seed);
    IdentityState s;
    DerivedState d = ComputeDerived(s);
    int applied = 0;
    for (int i = 0; i < 400; ++i) {
      Command cmd = gen.Next(s);
      absl::StatusOr<ChangeSet> cs = Plan(s, cmd);
      if (!cs.ok()) continue;
      ++applied;
      std::set<ClosureKey> affected = AffectedClosures(s, *cs);
      std::vector<ClaimIndexChange> claims = ClaimIndexChanges(s, *cs);
      s.Apply(*cs);
      for (const ClosureKey& k : affected) {
        Closure c = ComputeClosure(s, k.first, k.second);
        if (c.empty()) {
          d.closures.erase(k);
        } else {
          d.closures[k] = c;
        }
      }
      for (const ClaimIndexChange& c : claims) {
        if (c.put) {
          d.claim_index.insert(c.entry);
        } else {
          d.claim_index.erase(c.entry);
        }
      }
      ASSERT_TRUE(d == ComputeDerived(s))
          << "seed " << seed << " step " << i << " after " << CommandName(cmd);
    }
    EXPECT_GT(applied, 100) << "the generator should mostly produce valid commands";
    EXPECT_FALSE(d.closures.empty());
  }
}

}  // namespace
}  // namespace clearance::storage_internal
