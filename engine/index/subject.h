// Subject: who is asking, resolved against one generation (docs/semantics.md §5, §6 step 0, §7):
// the principal, the token's groups, the matching mapping rules and their two profiles (P for the
// principal, M for the rules: docs/semantics.md §6 step 7 needs them apart).
//
// Resolution from claims reads the claims with ClaimsReader (one pass over simdjson's DOM tape)
// and looks the values of rule paths up in the claim-value index; it never scans rules.
//
// Thread-safety: a Subject is owned by one thread (the per-thread scratch) or frozen inside a
// PrincipalHandle (immutable).
#ifndef CLEARANCE_ENGINE_INDEX_SUBJECT_H_
#define CLEARANCE_ENGINE_INDEX_SUBJECT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clearance/decision.h"
#include "clearance/engine.h"
#include "index/claims_reader.h"
#include "index/generation.h"
#include "index/profile.h"

namespace clearance::index_internal {

// Why a caller has no usable principal; each has its own message (FailureMessage).
enum class Failure : uint8_t {
  kNone,
  kMalformedJson,
  kNotObject,
  kUsernameWrongType,
  kBasicNoUsername,
  kClientWrongType,
  kGroupsWrongType,
  kNeither,
  kBasicCredentialsInOidc,
  kUnknownUser,
};

struct Subject {
  enum class State : uint8_t { kAnonymous, kUnauthenticated, kResolved };
  State state = State::kAnonymous;
  Failure failure = Failure::kNone;
  OwnerType principal_type = OwnerType::kUser;
  std::string_view principal_id;  // into the claims reader, the caller, or handle storage
  uint32_t principal_sid = kNoString;
  // The issuer (index in Configuration::token_issuers) whose claim overrides named the
  // principal; -1 for the global claim rules.
  int issuer_index = -1;
  bool token_mode = false;                     // a groups claim applies (OIDC)
  std::vector<std::string_view> token_groups;  // the token's groups, as given
  std::vector<uint32_t> token_group_sids;      // those that are interned, sorted, unique
  std::vector<uint32_t> rules;                 // matching mapping rules, sorted by sid
  const Profile* p = nullptr;
  const Profile* m = nullptr;  // null when no rule matched

  Reason reason() const;
};

// Resolution. `s` is overwritten; views in it point into `reader`, `username` or `json`.
// kPrevalidated: `json` passed TokenVerifier's strict JSON checks (claims_reader.h).
void ResolveClaims(const Generation& g, std::string_view json, ClaimsReader& reader, Subject* s,
                   ClaimsTrust trust = ClaimsTrust::kUntrusted);
void ResolveBasicUser(const Generation& g, std::string_view username, Subject* s);
void ResolveAnonymous(Subject* s);

std::string FailureMessage(const Generation& g, const Subject& s);

// The profile-cache key of P (principal) or M (rules) into `key`.
void ProfileKey(const Subject& s, bool rules, std::vector<uint64_t>* key);

// What a PrincipalHandle holds.
struct ResolvedPrincipal {
  std::shared_ptr<const Generation> generation;
  Subject subject;  // views point into `storage`
  std::vector<std::string> storage;
  std::shared_ptr<const Profile> p;
  std::shared_ptr<const Profile> m;
  // Claims refused as malformed: what is wrong with them (CheckClaimsDocument), for Explain.
  std::string failure_detail;
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_SUBJECT_H_
