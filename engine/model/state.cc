#include "clearance/state.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace clearance {
namespace {

template <typename Map>
const typename Map::mapped_type* FindIn(const Map& map, std::string_view id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

}  // namespace

std::optional<AuthorizationKey> ChangeSet::first_put_authorization_key() const {
  for (const RowChange& c : changes) {
    if (c.op == RowChange::Op::kPut) {
      if (const auto* a = std::get_if<Authorization>(&c.row)) return a->key;
    }
  }
  return std::nullopt;
}

const User* IdentityState::FindUser(std::string_view username) const {
  return FindIn(users_, username);
}
const Group* IdentityState::FindGroup(std::string_view id) const { return FindIn(groups_, id); }
const Role* IdentityState::FindRole(std::string_view id) const { return FindIn(roles_, id); }
const Tenant* IdentityState::FindTenant(std::string_view id) const { return FindIn(tenants_, id); }
const MappingRule* IdentityState::FindMappingRule(std::string_view id) const {
  return FindIn(mapping_rules_, id);
}

const MappingRule* IdentityState::FindMappingRuleByClaim(std::string_view claim_name,
                                                         std::string_view claim_value) const {
  auto it = rule_by_claim_.find(std::make_pair(std::string(claim_name), std::string(claim_value)));
  return it == rule_by_claim_.end() ? nullptr : FindMappingRule(it->second);
}

const Authorization* IdentityState::FindAuthorization(AuthorizationKey key) const {
  auto it = authorizations_.find(key);
  return it == authorizations_.end() ? nullptr : &it->second;
}

std::vector<Membership> IdentityState::MembersOf(ContainerType type, std::string_view id) const {
  std::vector<Membership> out;
  Membership lo{type, std::string(id), MemberType::kUser, ""};
  for (auto it = memberships_.lower_bound(lo);
       it != memberships_.end() && it->container_type == type && it->container_id == id; ++it) {
    out.push_back(*it);
  }
  return out;
}

std::vector<Membership> IdentityState::ContainersOf(MemberType type, std::string_view id) const {
  std::vector<Membership> out;
  auto lo = std::make_tuple(type, std::string(id), ContainerType::kGroup, std::string());
  for (auto it = by_member_.lower_bound(lo);
       it != by_member_.end() && std::get<0>(*it) == type && std::get<1>(*it) == id; ++it) {
    out.push_back(Membership{std::get<2>(*it), std::get<3>(*it), type, std::string(id)});
  }
  return out;
}

std::vector<AuthorizationKey> IdentityState::AuthorizationsOwnedBy(OwnerType type,
                                                                   std::string_view id) const {
  auto it = by_owner_.find(std::make_pair(type, std::string(id)));
  if (it == by_owner_.end()) return {};
  return std::vector<AuthorizationKey>(it->second.begin(), it->second.end());
}

void IdentityState::Apply(const ChangeSet& changes) {
  for (const RowChange& c : changes.changes) {
    if (c.op == RowChange::Op::kPut) {
      Put(Row(c.row));
    } else {
      Delete(c.row);
    }
  }
  ApplyMeta(changes);
}

void IdentityState::Apply(ChangeSet&& changes) {
  for (RowChange& c : changes.changes) {
    if (c.op == RowChange::Op::kPut) {
      Put(std::move(c.row));
    } else {
      Delete(c.row);
    }
  }
  ApplyMeta(changes);
}

void IdentityState::ApplyMeta(const ChangeSet& changes) {
  if (changes.next_authorization_key) next_authorization_key_ = *changes.next_authorization_key;
  if (changes.configuration) config_ = *changes.configuration;
  if (changes.initializes) initialized_ = true;
}

namespace {

// Insert-or-assign that is O(1) when keys arrive in ascending order (loading a store scans
// rows in key order), and O(log n) otherwise.
template <typename Map, typename Key, typename Value>
void Upsert(Map& map, Key&& key, Value&& value) {
  auto hint = map.end();
  if (!map.empty() && !(std::prev(hint)->first < key)) hint = map.lower_bound(key);
  map.insert_or_assign(hint, std::forward<Key>(key), std::forward<Value>(value));
}

template <typename Set, typename Value>
void InsertSorted(Set& set, Value&& value) {
  auto hint = set.end();
  if (!set.empty() && !(*std::prev(hint) < value)) hint = set.lower_bound(value);
  set.insert(hint, std::forward<Value>(value));
}

}  // namespace

void IdentityState::UnindexOwner(const Authorization& a) {
  auto owner = by_owner_.find(std::make_pair(a.owner_type, a.owner_id));
  owner->second.erase(a.key);
  if (owner->second.empty()) by_owner_.erase(owner);
}

namespace {

std::tuple<MemberType, std::string, ContainerType, std::string> MemberKey(const Membership& m) {
  return std::make_tuple(m.member_type, m.member_id, m.container_type, m.container_id);
}

}  // namespace

void IdentityState::Put(Row&& row) {
  if (const auto* m = std::get_if<Membership>(&row)) {
    InsertSorted(by_member_, MemberKey(*m));
  } else if (const auto* a = std::get_if<Authorization>(&row)) {
    if (const Authorization* old = FindAuthorization(a->key)) UnindexOwner(*old);
    by_owner_[std::make_pair(a->owner_type, a->owner_id)].insert(a->key);
  }
  PutPrimary(std::move(row));
}

void IdentityState::Delete(const Row& row) {
  if (const auto* m = std::get_if<Membership>(&row)) {
    by_member_.erase(MemberKey(*m));
  } else if (const auto* a = std::get_if<Authorization>(&row)) {
    if (const Authorization* old = FindAuthorization(a->key)) UnindexOwner(*old);
  }
  DeletePrimary(row);
}

void IdentityState::PutPrimary(Row&& row) {
  std::visit(
      [this](auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, User>) {
          std::string key = r.username;
          Upsert(users_, std::move(key), std::move(r));
        } else if constexpr (std::is_same_v<T, Group>) {
          std::string key = r.id;
          Upsert(groups_, std::move(key), std::move(r));
        } else if constexpr (std::is_same_v<T, Role>) {
          std::string key = r.id;
          Upsert(roles_, std::move(key), std::move(r));
        } else if constexpr (std::is_same_v<T, Tenant>) {
          std::string key = r.id;
          Upsert(tenants_, std::move(key), std::move(r));
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          if (const MappingRule* old = FindMappingRule(r.id)) {
            rule_by_claim_.erase(std::make_pair(old->claim_name, old->claim_value));
          }
          rule_by_claim_[std::make_pair(r.claim_name, r.claim_value)] = r.id;
          std::string key = r.id;
          Upsert(mapping_rules_, std::move(key), std::move(r));
        } else if constexpr (std::is_same_v<T, Membership>) {
          InsertSorted(memberships_, std::move(r));
        } else if constexpr (std::is_same_v<T, Authorization>) {
          const AuthorizationKey key = r.key;
          Upsert(authorizations_, key, std::move(r));
        }
      },
      row);
}

void IdentityState::DeletePrimary(const Row& row) {
  std::visit(
      [this](const auto& r) {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, User>) {
          users_.erase(r.username);
        } else if constexpr (std::is_same_v<T, Group>) {
          groups_.erase(r.id);
        } else if constexpr (std::is_same_v<T, Role>) {
          roles_.erase(r.id);
        } else if constexpr (std::is_same_v<T, Tenant>) {
          tenants_.erase(r.id);
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          if (const MappingRule* old = FindMappingRule(r.id)) {
            rule_by_claim_.erase(std::make_pair(old->claim_name, old->claim_value));
            mapping_rules_.erase(r.id);
          }
        } else if constexpr (std::is_same_v<T, Membership>) {
          memberships_.erase(r);
        } else if constexpr (std::is_same_v<T, Authorization>) {
          authorizations_.erase(r.key);
        }
      },
      row);
}

void IdentityState::RebuildMemberIndex() {
  by_member_.clear();
  // memberships_ is ordered by container; by_member_ wants member first. Sorting pointers and
  // appending at end() is O(n log n) comparisons but no tree search per row.
  std::vector<const Membership*> order;
  order.reserve(memberships_.size());
  for (const Membership& m : memberships_) order.push_back(&m);
  std::sort(order.begin(), order.end(), [](const Membership* a, const Membership* b) {
    return std::tie(a->member_type, a->member_id, a->container_type, a->container_id) <
           std::tie(b->member_type, b->member_id, b->container_type, b->container_id);
  });
  for (const Membership* m : order) by_member_.insert(by_member_.end(), MemberKey(*m));
}

void IdentityState::RebuildOwnerIndex() {
  by_owner_.clear();
  // Owners are numbered in a small hash table of views (one probe per authorization, into a
  // table that stays in cache), the keys are bucketed by owner with a counting sort (stable, so
  // each owner's keys stay ascending), and each owner's set is then built from one contiguous
  // ascending run: no per-row probe of by_owner_ or its B-tree nodes.
  absl::flat_hash_map<std::pair<OwnerType, std::string_view>, uint32_t> number;
  std::vector<const Authorization*> first;  // one authorization of each owner, by number
  std::vector<uint32_t> owner_of;           // owner number of each authorization, in key order
  owner_of.reserve(authorizations_.size());
  for (const auto& [key, a] : authorizations_) {
    auto [it, inserted] =
        number.try_emplace(std::make_pair(a.owner_type, std::string_view(a.owner_id)),
                           static_cast<uint32_t>(first.size()));
    if (inserted) first.push_back(&a);
    owner_of.push_back(it->second);
  }
  std::vector<size_t> begin(first.size() + 1, 0);
  for (uint32_t o : owner_of) ++begin[o + 1];
  for (size_t o = 1; o < begin.size(); ++o) begin[o] += begin[o - 1];
  std::vector<AuthorizationKey> keys(owner_of.size());
  {
    std::vector<size_t> next(begin.begin(), begin.end() - 1);
    size_t i = 0;
    for (const auto& entry : authorizations_) keys[next[owner_of[i++]]++] = entry.first;
  }
  by_owner_.reserve(first.size());
  for (size_t o = 0; o < first.size(); ++o) {
    by_owner_.try_emplace(std::make_pair(first[o]->owner_type, first[o]->owner_id),
                          keys.begin() + static_cast<std::ptrdiff_t>(begin[o]),
                          keys.begin() + static_cast<std::ptrdiff_t>(begin[o + 1]));
  }
}

IdentityState::BulkLoader::BulkLoader(IdentityState* state) : state_(state) {
  // Stale from here until Finish(), which rebuilds them from the primary collections.
  state_->by_member_.clear();
  state_->by_owner_.clear();
}

IdentityState::BulkLoader::~BulkLoader() { Finish(); }

void IdentityState::BulkLoader::Apply(ChangeSet&& changes) {
  for (RowChange& c : changes.changes) {
    if (c.op == RowChange::Op::kPut) {
      state_->PutPrimary(std::move(c.row));
    } else {
      state_->DeletePrimary(c.row);
    }
  }
  state_->ApplyMeta(changes);
}

void IdentityState::BulkLoader::Finish() {
  if (finished_) return;
  finished_ = true;
  state_->RebuildMemberIndex();
  state_->RebuildOwnerIndex();
}

bool IdentityState::operator==(const IdentityState& o) const {
  // The secondary indexes are functions of the primary collections.
  return config_ == o.config_ && initialized_ == o.initialized_ &&
         next_authorization_key_ == o.next_authorization_key_ && users_ == o.users_ &&
         groups_ == o.groups_ && roles_ == o.roles_ && tenants_ == o.tenants_ &&
         mapping_rules_ == o.mapping_rules_ && memberships_ == o.memberships_ &&
         authorizations_ == o.authorizations_;
}

}  // namespace clearance
