// IdentityState::BulkLoader: a state loaded in bulk must equal the state Apply() builds from the
// same change sets, in operator== and in every accessor (the secondary indexes behind MembersOf,
// ContainersOf, AuthorizationsOwnedBy and FindMappingRuleByClaim are not compared by
// operator==, so each is asked for every id), and Plan/Apply must behave the same afterwards.
#include <algorithm>
#include <cstdint>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "clearance/commands.h"
#include "clearance/state.h"
#include "index/random_world.h"

namespace clearance {
namespace {

using index_test::RandomWorld;
using index_test::WorldShape;

template <typename T>
void ExpectSamePointee(const T* want, const T* got, const std::string& what) {
  ASSERT_EQ(want == nullptr, got == nullptr) << what;
  if (want != nullptr) {
    EXPECT_TRUE(*want == *got) << what;
  }
}

// Compares every accessor of the two states, for every id either state mentions and a few that
// neither does.
void ExpectSameAnswers(const IdentityState& want, const IdentityState& got) {
  EXPECT_TRUE(want == got);
  std::set<std::pair<ContainerType, std::string>> containers;
  std::set<std::pair<OwnerType, std::string>> members;
  std::set<std::string> ids = {"", "nobody", "g999", "u999"};
  std::set<std::pair<std::string, std::string>> claims = {{"scope", "nobody"}};
  std::set<AuthorizationKey> keys = {0, want.next_authorization_key(),
                                     got.next_authorization_key() + 1};
  for (const IdentityState* s : {&want, &got}) {
    for (const auto& [id, u] : s->users()) {
      ids.insert(id);
      members.emplace(OwnerType::kUser, id);
    }
    for (const auto& [id, g] : s->groups()) {
      ids.insert(id);
      containers.emplace(ContainerType::kGroup, id);
      members.emplace(OwnerType::kGroup, id);
    }
    for (const auto& [id, r] : s->roles()) {
      ids.insert(id);
      containers.emplace(ContainerType::kRole, id);
      members.emplace(OwnerType::kRole, id);
    }
    for (const auto& [id, t] : s->tenants()) {
      ids.insert(id);
      containers.emplace(ContainerType::kTenant, id);
    }
    for (const auto& [id, r] : s->mapping_rules()) {
      ids.insert(id);
      members.emplace(OwnerType::kMappingRule, id);
      claims.emplace(r.claim_name, r.claim_value);
    }
    for (const Membership& m : s->memberships()) {
      containers.emplace(m.container_type, m.container_id);
      members.emplace(m.member_type, m.member_id);
    }
    for (const auto& [key, a] : s->authorizations()) {
      keys.insert(key);
      members.emplace(a.owner_type, a.owner_id);
    }
  }
  for (const auto& [type, id] : containers) {
    for (ContainerType t : {ContainerType::kGroup, ContainerType::kRole, ContainerType::kTenant}) {
      EXPECT_TRUE(want.MembersOf(t, id) == got.MembersOf(t, id)) << id;
    }
  }
  for (const auto& [type, id] : members) {
    for (OwnerType t : {OwnerType::kUser, OwnerType::kClient, OwnerType::kGroup, OwnerType::kRole,
                        OwnerType::kMappingRule}) {
      EXPECT_TRUE(want.ContainersOf(t, id) == got.ContainersOf(t, id)) << id;
      EXPECT_EQ(want.AuthorizationsOwnedBy(t, id), got.AuthorizationsOwnedBy(t, id)) << id;
    }
  }
  for (const std::string& id : ids) {
    ExpectSamePointee(want.FindUser(id), got.FindUser(id), "user " + id);
    ExpectSamePointee(want.FindGroup(id), got.FindGroup(id), "group " + id);
    ExpectSamePointee(want.FindRole(id), got.FindRole(id), "role " + id);
    ExpectSamePointee(want.FindTenant(id), got.FindTenant(id), "tenant " + id);
    ExpectSamePointee(want.FindMappingRule(id), got.FindMappingRule(id), "rule " + id);
    for (OwnerType t : {OwnerType::kUser, OwnerType::kClient}) {
      EXPECT_TRUE(want.ContainersOf(t, id) == got.ContainersOf(t, id)) << id;
      EXPECT_EQ(want.AuthorizationsOwnedBy(t, id), got.AuthorizationsOwnedBy(t, id)) << id;
    }
  }
  for (const auto& [name, value] : claims) {
    ExpectSamePointee(want.FindMappingRuleByClaim(name, value),
                      got.FindMappingRuleByClaim(name, value), "claim " + name + "=" + value);
  }
  for (AuthorizationKey key : keys) {
    ExpectSamePointee(want.FindAuthorization(key), got.FindAuthorization(key),
                      "authorization " + std::to_string(key));
  }
}

// A random state built by commands (Plan + Apply). Also returns every applied change set.
IdentityState RandomState(uint64_t seed, std::vector<ChangeSet>* applied = nullptr) {
  WorldShape shape;
  shape.users = 8;
  shape.groups = 6;
  shape.roles = 5;
  shape.tenants = 4;
  shape.rules = 6;
  shape.commands = 80;
  shape.delete_rate = 0.5;
  RandomWorld world(seed, shape);
  IdentityState state;
  auto run = [&](const Command& c) {
    absl::StatusOr<ChangeSet> planned = Plan(state, c);
    if (!planned.ok()) return;
    if (applied != nullptr) applied->push_back(*planned);
    state.Apply(*std::move(planned));
  };
  run(Configure{world.RandomConfig()});
  run(Initialize{});
  if (world.Chance(0.5)) {
    for (const Command& c : world.CreateAll()) run(c);
  }
  for (int i = 0; i < shape.commands; ++i) run(world.RandomCommand(state));
  return state;
}

// The rows of `s` in the order a store scans them: entities by key (tags g < m < r < t < u,
// then id), memberships by container, authorizations by key.
std::vector<Row> StoreOrderRows(const IdentityState& s) {
  std::vector<Row> rows;
  for (const auto& [id, g] : s.groups()) rows.emplace_back(g);
  for (const auto& [id, r] : s.mapping_rules()) rows.emplace_back(r);
  for (const auto& [id, r] : s.roles()) rows.emplace_back(r);
  for (const auto& [id, t] : s.tenants()) rows.emplace_back(t);
  for (const auto& [id, u] : s.users()) rows.emplace_back(u);
  for (const Membership& m : s.memberships()) rows.emplace_back(m);
  for (const auto& [key, a] : s.authorizations()) rows.emplace_back(a);
  return rows;
}

// `rows` as put change sets of random sizes; the first carries the meta rows of `meta`, as the
// store's loader sends them.
std::vector<ChangeSet> Chunks(const std::vector<Row>& rows, const IdentityState& meta,
                              std::mt19937_64& rng) {
  std::vector<ChangeSet> out(1);
  out[0].configuration = meta.config();
  out[0].next_authorization_key = meta.next_authorization_key();
  out[0].initializes = meta.initialized();
  for (const Row& row : rows) {
    if (out.back().changes.size() >= 1 + rng() % 16) out.emplace_back();
    out.back().changes.push_back(RowChange{RowChange::Op::kPut, row});
  }
  return out;
}

IdentityState ByApply(const std::vector<ChangeSet>& sets, IdentityState state = {}) {
  for (const ChangeSet& c : sets) state.Apply(c);
  return state;
}

IdentityState ByBulk(std::vector<ChangeSet> sets, IdentityState state = {}) {
  IdentityState::BulkLoader loader(&state);
  for (ChangeSet& c : sets) loader.Apply(std::move(c));
  loader.Finish();
  return state;
}

TEST(StateBulkLoadTest, StoreOrderRowsEqualTheStateTheyCameFrom) {
  for (uint64_t seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    IdentityState want = RandomState(seed);
    std::vector<ChangeSet> sets = Chunks(StoreOrderRows(want), want, rng);
    IdentityState got = ByBulk(sets);
    ExpectSameAnswers(want, got);
    ExpectSameAnswers(ByApply(sets), got);
    if (HasFailure()) return;
  }
}

TEST(StateBulkLoadTest, ShuffledAndRepeatedRowsEqualApply) {
  for (uint64_t seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    IdentityState source = RandomState(seed);
    std::vector<Row> rows = StoreOrderRows(source);
    // Replacements of existing rows (the later one wins), including an authorization that
    // changes owner and a rule that changes its claim pair.
    const size_t n = rows.size();
    for (size_t i = 0; i < n; ++i) {
      if (rng() % 4 != 0) continue;
      Row again = rows[i];
      if (auto* a = std::get_if<Authorization>(&again)) {
        a->owner_id += "-moved";
      } else if (auto* r = std::get_if<MappingRule>(&again)) {
        r->claim_value += "-changed";
      } else if (auto* u = std::get_if<User>(&again)) {
        u->name = "renamed";
      }
      rows.push_back(std::move(again));
    }
    std::shuffle(rows.begin(), rows.end(), rng);
    std::vector<ChangeSet> sets = Chunks(rows, source, rng);
    ExpectSameAnswers(ByApply(sets), ByBulk(sets));
    if (HasFailure()) return;
  }
}

TEST(StateBulkLoadTest, CommandChangeSetsWithDeletesEqualApply) {
  for (uint64_t seed = 0; seed < 150; ++seed) {
    SCOPED_TRACE(seed);
    std::vector<ChangeSet> applied;
    IdentityState want = RandomState(seed, &applied);
    ExpectSameAnswers(want, ByBulk(applied));
    // Starting the bulk load on a state that already holds rows (its indexes are rebuilt).
    const size_t split = applied.size() / 2;
    IdentityState half = ByApply(std::vector<ChangeSet>(applied.begin(), applied.begin() + split));
    ExpectSameAnswers(want, ByBulk(std::vector<ChangeSet>(applied.begin() + split, applied.end()),
                                   std::move(half)));
    if (HasFailure()) return;
  }
}

TEST(StateBulkLoadTest, CommandsAfterABulkLoadBehaveAsOnTheAppliedState) {
  for (uint64_t seed = 0; seed < 60; ++seed) {
    SCOPED_TRACE(seed);
    std::mt19937_64 rng(seed);
    IdentityState want = RandomState(seed);
    IdentityState got = ByBulk(Chunks(StoreOrderRows(want), want, rng));
    WorldShape shape;
    shape.users = 8;
    shape.groups = 6;
    shape.roles = 5;
    shape.tenants = 4;
    shape.rules = 6;
    RandomWorld world(seed + 1000, shape);
    for (int i = 0; i < 80; ++i) {
      const Command c = world.RandomCommand(want);
      absl::StatusOr<ChangeSet> a = Execute(want, c);
      absl::StatusOr<ChangeSet> b = Execute(got, c);
      ASSERT_EQ(a.status(), b.status()) << CommandName(c);
      if (a.ok()) {
        EXPECT_EQ(a->first_put_authorization_key(), b->first_put_authorization_key());
      }
    }
    ExpectSameAnswers(want, got);
    if (HasFailure()) return;
  }
}

TEST(StateBulkLoadTest, AnUnfinishedLoaderFinishesWhenDestroyed) {
  std::mt19937_64 rng(7);
  IdentityState want = RandomState(7);
  ASSERT_FALSE(want.authorizations().empty());
  ASSERT_FALSE(want.memberships().empty());
  IdentityState got;
  {
    IdentityState::BulkLoader loader(&got);
    for (ChangeSet& c : Chunks(StoreOrderRows(want), want, rng)) loader.Apply(std::move(c));
  }
  ExpectSameAnswers(want, got);
}

}  // namespace
}  // namespace clearance
