// BitsetBaseline: the plainest fast evaluator of the decisions our engine makes, for one
// configuration shape (OIDC claims, no groups claim, authorizations on), written without any of
// the engine's machinery: a principal's owners (itself, its groups, its roles and its groups'
// roles) and its mapping rules' owners are flattened at setup into one profile per distinct
// (principal, rules) pair, each side a wildcard mask per resource type and an
// absl::flat_hash_map from (type, resource id) to a permission mask. A check is a few hash
// lookups and a bit test; a claims check adds a simdjson parse and the claim lookups of the
// principal and the rules. It is the lower bound the engine's hot path is measured against
// (bench/RESULTS.md), and its decisions are checked against the engine's before it is timed.
//
// Thread-safety: none. Profiles are built on first use by the const-looking lookups; one thread
// uses one baseline.
#ifndef CLEARANCE_BENCH_BASELINE_BITSET_BASELINE_H_
#define CLEARANCE_BENCH_BASELINE_BITSET_BASELINE_H_

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "clearance/catalog.h"
#include "clearance/decision.h"
#include "clearance/state.h"
#include "simdjson.h"

namespace clearance::baseline {

class BitsetBaseline {
 public:
  // One side of a profile: the OR of the grants of a set of owners.
  struct Side {
    std::array<PermissionMask, kResourceTypeCount> any{};
    // Key: the resource type's byte, then the resource id.
    absl::flat_hash_map<std::string, PermissionMask> ids;
    PermissionMask assignee = 0, candidate_users = 0, candidate_groups = 0;
    bool empty = true;
    // Owners with more than kMergeLimit grants (a popular group or role): their own side,
    // shared by every profile that reaches them, instead of a copy in each.
    std::vector<const Side*> shared;
  };
  static constexpr size_t kMergeLimit = 64;
  struct Profile {
    Side principal_side;  // the principal's own owners
    Side rule_side;       // the matching mapping rules' owners
    absl::flat_hash_set<std::string> tenants;
    absl::flat_hash_set<std::string> groups;  // direct groups of the principal and of the rules
    std::string user;                          // the principal's id when it is a user, else ""
    bool is_user = false;
  };

  // FAILED_PRECONDITION when the state's configuration is outside the shape this baseline
  // models (basic auth, a groups claim, authorizations disabled).
  static absl::StatusOr<std::unique_ptr<BitsetBaseline>> Create(const IdentityState& state);

  // The profile of the principal the claims name, with its matching rules; null when the claims
  // name no usable principal (UNAUTHENTICATED). The pointer stays valid for the baseline's life.
  const Profile* Resolve(std::string_view claims_json);

  // The decision's outcome for a resolved profile (null: kUnauthenticated).
  static Outcome Check(const Profile* profile, const CheckRequest& request, bool tenant_checks);
  Outcome Check(const Profile* profile, const CheckRequest& request) const {
    return Check(profile, request, tenant_checks_);
  }
  // Resolve + Check.
  Outcome CheckClaims(std::string_view claims_json, const CheckRequest& request) {
    return Check(Resolve(claims_json), request);
  }

 private:
  struct Grants {
    std::vector<std::pair<ResourceType, PermissionMask>> any;
    std::vector<std::pair<std::string, PermissionMask>> ids;  // key as in Side::ids
    PermissionMask assignee = 0, candidate_users = 0, candidate_groups = 0;
  };
  struct Closure {
    std::vector<std::string> owners;  // owner keys: type byte + id
    std::vector<std::string> tenants;
    std::vector<std::string> groups;  // direct groups
  };
  struct RulePath {
    std::vector<ClaimPath::Step> steps;
    bool multi = false;
    // claim value -> mapping rule ids
    absl::flat_hash_map<std::string, std::vector<std::string>> rules;
  };

  BitsetBaseline() = default;
  const Closure& ClosureOf(OwnerType type, std::string_view id);
  void AddOwners(const std::vector<std::string>& owners, Side* side);
  static void Merge(const Grants& g, Side* side);
  // The values a path yields in `doc`, appended to `out`; `multi` says whether it had [*].
  static void Evaluate(const std::vector<ClaimPath::Step>& steps, simdjson::dom::element doc,
                       std::vector<simdjson::dom::element>* out);

  bool tenant_checks_ = false;
  bool prefer_username_ = false;
  ClaimPath username_, client_id_;
  bool has_client_id_ = false;
  absl::flat_hash_map<std::string, std::vector<Membership>> containers_;  // member key -> rows
  absl::flat_hash_map<std::string, Grants> grants_;                       // owner key -> grants
  absl::flat_hash_map<std::string, Closure> closures_;
  absl::flat_hash_map<std::string, std::unique_ptr<Side>> shared_sides_;  // owner key -> side
  std::vector<RulePath> rule_paths_;
  absl::flat_hash_map<std::string, std::unique_ptr<Profile>> profiles_;
  simdjson::dom::parser parser_;
  // Reused per call so that a warm Resolve allocates nothing.
  std::vector<simdjson::dom::element> values_;
  std::vector<std::string_view> rules_;
  std::string key_;
  std::string padded_;
};

}  // namespace clearance::baseline

#endif  // CLEARANCE_BENCH_BASELINE_BITSET_BASELINE_H_
