#include "clearance/state.h"

#include <iterator>
#include <type_traits>

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

void IdentityState::Put(Row&& row) {
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
          InsertSorted(by_member_, std::make_tuple(r.member_type, r.member_id, r.container_type,
                                                   r.container_id));
          InsertSorted(memberships_, std::move(r));
        } else if constexpr (std::is_same_v<T, Authorization>) {
          if (const Authorization* old = FindAuthorization(r.key)) UnindexOwner(*old);
          by_owner_[std::make_pair(r.owner_type, r.owner_id)].insert(r.key);
          const AuthorizationKey key = r.key;
          Upsert(authorizations_, key, std::move(r));
        }
      },
      row);
}

void IdentityState::Delete(const Row& row) {
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
          by_member_.erase(
              std::make_tuple(r.member_type, r.member_id, r.container_type, r.container_id));
        } else if constexpr (std::is_same_v<T, Authorization>) {
          if (const Authorization* old = FindAuthorization(r.key)) {
            UnindexOwner(*old);
            authorizations_.erase(r.key);
          }
        }
      },
      row);
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
