// Profile (profile.h): the ID tables and in-place runs answer every resource id as the grants
// say, whether the runs are merged or searched, and ProfileCache::ForReuse builds merged.
#include "index/profile.h"

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "index/generation_writer.h"
#include "index/profile_cache.h"

namespace clearance::index_internal {
namespace {

constexpr size_t kSummaryMin = 16;
constexpr ResourceType kType = ResourceType::kProcessDefinition;
const Permission kPermissions[] = {Permission::kReadProcessDefinition,
                                   Permission::kUpdateProcessInstance,
                                   Permission::kDeleteProcessInstance};

// alice is in g1. g1 owns 300 ID grants (a node with a summary: its run is searched in place
// unless merged), some ids granted twice with different permissions; alice owns a few of her
// own (merged into the table), one on an id g1 also grants. `expected` is the union per id.
struct World {
  std::shared_ptr<const Generation> g;
  std::map<std::string, PermissionMask> expected;
};

World MakeWorld() {
  World w;
  auto empty = GenerationWriter::Empty(std::make_shared<StringPool>(), 2, kSummaryMin);
  GenerationWriter writer(*empty);
  writer.SetConfiguration(Configuration{});
  writer.Put(Row{Group{"g1", "G", ""}});
  writer.Put(Row{Membership{ContainerType::kGroup, "g1", MemberType::kUser, "alice"}});
  AuthorizationKey key = 0;
  auto grant = [&](OwnerType owner_type, const std::string& owner, const std::string& id,
                   PermissionMask mask) {
    Authorization a;
    a.key = ++key;
    a.owner_type = owner_type;
    a.owner_id = owner;
    a.resource_type = kType;
    a.scope = Scope::Id(id);
    a.permissions = mask;
    writer.Put(Row{a});
    w.expected[id] |= mask;
  };
  for (int i = 0; i < 300; ++i) {
    grant(OwnerType::kGroup, "g1", "p" + std::to_string(i), Bit(kPermissions[i % 3]));
  }
  for (int i = 0; i < 300; i += 7) {
    grant(OwnerType::kGroup, "g1", "p" + std::to_string(i), Bit(kPermissions[(i + 1) % 3]));
  }
  for (int i = 0; i < 10; ++i) {
    grant(OwnerType::kUser, "alice", "q" + std::to_string(i), Bit(kPermissions[i % 3]));
  }
  grant(OwnerType::kUser, "alice", "p5", Bit(kPermissions[0]));
  grant(OwnerType::kUser, "alice", "q3", Bit(kPermissions[2]));
  writer.SetInitialized();
  w.g = writer.Finish(/*compact=*/true);
  return w;
}

std::vector<EntityKey> AliceRoots(const Generation& g) {
  return {Key(Kind::kUser, g.Sid("alice"))};
}

void ExpectAnswers(const World& w, const Profile& p, const std::string& what) {
  const Generation& g = *w.g;
  EXPECT_TRUE(p.has_ids(kType)) << what;
  for (const auto& [id, mask] : w.expected) {
    EXPECT_EQ(p.IdPermissions(g, kType, g.Sid(id)), mask) << what << " " << id;
    EXPECT_EQ(p.IdPermissions(g, ResourceType::kDecisionDefinition, g.Sid(id)), 0u)
        << what << " " << id << " of another type";
  }
  // Known strings that are not resource ids of this profile.
  for (std::string_view other : {"alice", "g1"}) {
    EXPECT_EQ(p.IdPermissions(g, kType, g.Sid(other)), 0u) << what << " " << other;
  }
  std::map<std::string, PermissionMask> listed;
  p.ForEachId(g, kType,
              [&](uint32_t sid, PermissionMask mask) { listed[std::string(g.Str(sid))] |= mask; });
  EXPECT_EQ(listed, w.expected) << what;
}

TEST(ProfileTest, TablesAndRunsAnswerEveryIdAsTheGrantsSay) {
  const World w = MakeWorld();
  const std::vector<EntityKey> roots = AliceRoots(*w.g);
  const auto first = BuildProfile(*w.g, roots, nullptr, /*merge_runs=*/false);
  EXPECT_FALSE(first->runs.empty());  // g1's run is searched in place
  ExpectAnswers(w, *first, "first build");
  const auto merged = BuildProfile(*w.g, roots, nullptr, /*merge_runs=*/true);
  EXPECT_TRUE(merged->runs.empty());  // 300 grants are within the merge budget
  ExpectAnswers(w, *merged, "merged build");
}

TEST(ProfileTest, ForReuseBuildsMergedProfiles) {
  const World w = MakeWorld();
  const std::vector<EntityKey> roots = AliceRoots(*w.g);
  const std::vector<uint64_t> key = {roots[0]};
  ProfileCache cache(8);
  cache.Reserve();
  EXPECT_FALSE(cache.Get(*w.g, key, roots, nullptr)->runs.empty());
  {
    ProfileCache::ForReuse reuse(cache);
    EXPECT_TRUE(cache.Get(*w.g, key, roots, nullptr)->runs.empty());  // rebuilt merged
  }
  ProfileCache fresh(8);
  fresh.Reserve();
  {
    ProfileCache::ForReuse reuse(fresh);
    EXPECT_TRUE(fresh.Get(*w.g, key, roots, nullptr)->runs.empty());  // built merged
  }
  EXPECT_EQ(fresh.builds(), 1u);
}

// A profile built in a recycled one (BuildProfile's `recycled`) holds nothing of what the
// recycled one held: built over a full profile for a principal with no node, it is empty; built
// over that empty one for alice, it answers as a fresh build.
TEST(ProfileTest, RecycledProfileKeepsNothingOfItsPast) {
  const World w = MakeWorld();
  const Generation& g = *w.g;
  const std::vector<EntityKey> alice = AliceRoots(g);
  const std::vector<EntityKey> nobody = {Key(Kind::kUser, g.Sid("g1"))};  // no such user node
  for (bool merge : {false, true}) {
    auto full = std::const_pointer_cast<Profile>(BuildProfile(g, alice, nullptr, merge));
    ASSERT_FALSE(full->owners.empty());
    const auto empty = BuildProfile(g, nobody, nullptr, merge, std::move(full));
    EXPECT_FALSE(empty->has_ids(kType));
    EXPECT_EQ(empty->IdPermissions(g, kType, g.Sid("p5")), 0u);
    EXPECT_TRUE(empty->slots.empty());
    EXPECT_TRUE(empty->runs.empty());
    EXPECT_TRUE(empty->pinned.empty());
    EXPECT_TRUE(empty->groups.empty());
    EXPECT_TRUE(empty->tenants.empty());
    EXPECT_EQ(empty->owners.size(), 1u);
    EXPECT_EQ(empty->chains.size(), 1u);
    EXPECT_EQ(empty->deps.size(), 1u);
    for (const TypeGrants& t : empty->types) {
      EXPECT_EQ(t.any, 0u);
      EXPECT_EQ(t.slots_mask, 0u);
      EXPECT_EQ(t.runs_end, t.runs_begin);
    }
    const auto fresh = BuildProfile(g, alice, nullptr, merge);
    const auto again =
        BuildProfile(g, alice, nullptr, merge, std::const_pointer_cast<Profile>(empty));
    ExpectAnswers(w, *again, merge ? "merged, recycled" : "recycled");
    EXPECT_EQ(again->groups, fresh->groups);
    EXPECT_EQ(again->deps, fresh->deps);
    EXPECT_EQ(again->owners.size(), fresh->owners.size());
    EXPECT_EQ(again->runs.size(), fresh->runs.size());
  }
}

// A cache that evicts on every resolution (recycling the evicted profiles) still answers each
// principal as its fresh build does.
TEST(ProfileTest, CacheThatRecyclesAnswersAsFreshBuilds) {
  const World w = MakeWorld();
  const Generation& g = *w.g;
  const std::vector<EntityKey> alice = AliceRoots(g);
  const std::vector<EntityKey> nobody = {Key(Kind::kUser, g.Sid("g1"))};
  ProfileCache cache(2);
  for (int round = 0; round < 6; ++round) {
    const std::vector<EntityKey>& roots = round % 2 == 0 ? alice : nobody;
    // A key of its own per round: every Get is a new entry that evicts the previous one.
    const std::vector<uint64_t> key = {roots[0], static_cast<uint64_t>(round)};
    cache.Reserve();
    const Profile& p = *cache.Get(g, key, roots, nullptr);
    if (round % 2 == 0) {
      ExpectAnswers(w, p, "round " + std::to_string(round));
    } else {
      EXPECT_FALSE(p.has_ids(kType)) << "round " << round;
      EXPECT_TRUE(p.slots.empty()) << "round " << round;
    }
  }
}

}  // namespace
}  // namespace clearance::index_internal
