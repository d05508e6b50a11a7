// IdentityState: the source of truth (entities, memberships, authorizations, configuration) and
// ChangeSet, the unit in which it changes.
//
// Every command becomes one ChangeSet (commands.h): row puts and deletes, cascades spelled out.
// The same ChangeSet is what storage writes in one batch and what the compiled index applies
// incrementally, so the three never disagree about what a command did.
//
// Thread-safety: IdentityState is a value type with no internal synchronization. Const methods
// may be called concurrently; Apply() requires exclusive access.
#ifndef CLEARANCE_STATE_H_
#define CLEARANCE_STATE_H_

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "clearance/config.h"
#include "clearance/model.h"

namespace clearance {

using Row = std::variant<User, Group, Role, Tenant, MappingRule, Membership, Authorization>;

struct RowChange {
  enum class Op : uint8_t { kPut, kDelete };
  Op op;
  // kPut: the new row (replacing any row with the same identity). kDelete: the row as it was.
  Row row;
};

struct ChangeSet {
  std::vector<RowChange> changes;
  // Set when the command moves the authorization key counter (keys are never reused).
  std::optional<AuthorizationKey> next_authorization_key;
  // Set when the command replaces the configuration.
  std::optional<Configuration> configuration;
  // True for the one Initialize command.
  bool initializes = false;

  bool empty() const {
    return changes.empty() && !next_authorization_key && !configuration && !initializes;
  }
  // The key of the first authorization this change set puts, if any (CreateAuthorization's
  // answer).
  std::optional<AuthorizationKey> first_put_authorization_key() const;
};

class IdentityState {
 public:
  template <typename T>
  using ById = std::map<std::string, T, std::less<>>;

  const Configuration& config() const { return config_; }
  bool initialized() const { return initialized_; }
  // The key the next created authorization gets. Starts at 1; never decreases.
  AuthorizationKey next_authorization_key() const { return next_authorization_key_; }

  // Lookups return nullptr when absent. Pointers stay valid until the next Apply().
  const User* FindUser(std::string_view username) const;
  const Group* FindGroup(std::string_view id) const;
  const Role* FindRole(std::string_view id) const;
  const Tenant* FindTenant(std::string_view id) const;
  const MappingRule* FindMappingRule(std::string_view id) const;
  const MappingRule* FindMappingRuleByClaim(std::string_view claim_name,
                                            std::string_view claim_value) const;
  const Authorization* FindAuthorization(AuthorizationKey key) const;
  bool HasMembership(const Membership& m) const { return memberships_.contains(m); }

  // Whole collections, in key order (deterministic: exports and scans rely on it).
  const ById<User>& users() const { return users_; }
  const ById<Group>& groups() const { return groups_; }
  const ById<Role>& roles() const { return roles_; }
  const ById<Tenant>& tenants() const { return tenants_; }
  const ById<MappingRule>& mapping_rules() const { return mapping_rules_; }
  const std::set<Membership>& memberships() const { return memberships_; }
  const std::map<AuthorizationKey, Authorization>& authorizations() const {
    return authorizations_;
  }

  // Members of one container, ordered by (member type, member id).
  std::vector<Membership> MembersOf(ContainerType type, std::string_view id) const;
  // Containers one member belongs to, ordered by (container type, container id).
  std::vector<Membership> ContainersOf(MemberType type, std::string_view id) const;
  // Keys of the authorizations one owner holds, ascending.
  std::vector<AuthorizationKey> AuthorizationsOwnedBy(OwnerType type, std::string_view id) const;

  // Applies a change set produced by Plan() against this state.
  // REQUIRES: `changes` was planned against exactly this state (no other Apply() in between).
  void Apply(const ChangeSet& changes);
  // The same, moving the rows out of `changes` (loading a store: no copies).
  void Apply(ChangeSet&& changes);

  bool operator==(const IdentityState& o) const;

  // Builds a state from many rows faster than Apply(), as opening a store does: Apply() keeps
  // the secondary indexes (by member, by owner) current row by row, which at a million rows is
  // most of the cost (a hash probe and a tree insert per row, each a cache miss). The loader
  // leaves them stale and rebuilds them once, from sorted data, in Finish(); it also skips the
  // lookup of a replaced authorization when keys arrive ascending (a store scans them so).
  //
  //   IdentityState state;
  //   IdentityState::BulkLoader loader(&state);
  //   for (...) loader.Apply(std::move(chunk));  // any change sets, in order
  //   loader.Finish();                           // `state` is usable again
  //
  // The result equals, in operator== and every accessor (iteration orders included), the state
  // that Apply() of the same change sets in the same order gives; rows in any order, repeated
  // rows and deletes are all allowed, only ascending keys are fastest. Apply() and Plan() behave
  // afterwards exactly as on that state.
  //
  // Thread-safety: the loader has exclusive use of the state from construction until Finish()
  // returns (or the destructor, which finishes a loader that was not finished: the state is
  // always left consistent). REQUIRES: nothing reads or applies to the state in between.
  class BulkLoader {
   public:
    // REQUIRES: `state` is not null and outlives the loader.
    explicit BulkLoader(IdentityState* state);
    ~BulkLoader();
    BulkLoader(const BulkLoader&) = delete;
    BulkLoader& operator=(const BulkLoader&) = delete;

    // As IdentityState::Apply(), moving the rows out of `changes`.
    // REQUIRES: Finish() has not been called.
    void Apply(ChangeSet&& changes);
    // Rebuilds the secondary indexes. Idempotent.
    void Finish();

   private:
    IdentityState* state_;
    bool finished_ = false;
  };

 private:
  void Put(Row&& row);
  void Delete(const Row& row);
  void ApplyMeta(const ChangeSet& changes);
  void UnindexOwner(const Authorization& a);
  // BulkLoader's halves of Put() and Delete(): the primary collections and rule_by_claim_ only.
  void PutPrimary(Row&& row);
  void DeletePrimary(const Row& row);
  void RebuildMemberIndex();
  void RebuildOwnerIndex();

  Configuration config_;
  bool initialized_ = false;
  AuthorizationKey next_authorization_key_ = 1;
  ById<User> users_;
  ById<Group> groups_;
  ById<Role> roles_;
  ById<Tenant> tenants_;
  ById<MappingRule> mapping_rules_;
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> rule_by_claim_;
  std::set<Membership> memberships_;
  // (member type, member id, container type, container id)
  std::set<std::tuple<MemberType, std::string, ContainerType, std::string>> by_member_;
  std::map<AuthorizationKey, Authorization> authorizations_;
  // Hashed: loading 1 M authorizations looks an owner up once per row.
  absl::flat_hash_map<std::pair<OwnerType, std::string>, absl::btree_set<AuthorizationKey>>
      by_owner_;
};

}  // namespace clearance

#endif  // CLEARANCE_STATE_H_
