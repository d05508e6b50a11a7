// Principal resolution from claims (docs/semantics.md §5, §7, §10) over the values ClaimsReader
// collected.
#include "index/subject.h"

#include <algorithm>

#include "clearance/internal/strings.h"

namespace clearance::index_internal {
namespace {

enum class ClaimState : uint8_t { kAbsent, kString, kWrongType };

struct StringClaim {
  ClaimState state = ClaimState::kAbsent;
  std::string_view value;
};

// A username or client-id claim: a string when present; null means absent; several values
// through [*] are a wrong type.
StringClaim ReadStringClaim(const ClaimsReader& reader, int slot) {
  if (slot < 0) return {};
  int count = 0;
  const ReachedValue* value = nullptr;
  for (const ReachedValue& v : reader.reached()) {
    if (v.slot == slot) {
      ++count;
      value = &v;
    }
  }
  if (count == 0) return {};
  if (count > 1) return {ClaimState::kWrongType, {}};
  if (value->kind == ValueKind::kNull) return {};
  if (value->kind != ValueKind::kString) return {ClaimState::kWrongType, {}};
  return {ClaimState::kString, value->str};
}

// The groups claim: a string or an array of strings; null or missing means none. Through [*],
// every value reached must be a string.
bool ReadGroups(const ClaimsReader& reader, int slot, bool multi_valued,
                std::vector<std::string_view>* groups) {
  for (const ReachedValue& v : reader.reached()) {
    if (v.slot != slot) continue;
    if (!multi_valued && v.kind == ValueKind::kNull) return true;
    if (!multi_valued && v.kind == ValueKind::kArray) {
      for (uint32_t i = v.elem_begin; i < v.elem_end; ++i) {
        const ArrayElement& e = reader.elements()[i];
        if (e.kind != ValueKind::kString) return false;
        groups->push_back(e.str);
      }
      continue;
    }
    if (v.kind != ValueKind::kString) return false;
    groups->push_back(v.str);
  }
  return true;
}

void Fail(Subject* s, Failure failure) {
  s->state = Subject::State::kUnauthenticated;
  s->failure = failure;
}

void AddRulesFor(const Generation& g, int slot, std::string_view value, Subject* s) {
  const RuleValue* rv = g.rule_values.Find(value);
  if (!rv) return;
  if (const RuleList* rules = g.claim_index.Find(ClaimIndexKey(slot, rv->sid))) {
    s->rules.insert(s->rules.end(), rules->begin(), rules->end());
  }
}

void Reset(Subject* s) {
  s->state = Subject::State::kAnonymous;
  s->failure = Failure::kNone;
  s->principal_type = OwnerType::kUser;
  s->principal_id = {};
  s->principal_sid = kNoString;
  s->issuer_index = -1;
  s->token_mode = false;
  s->token_groups.clear();
  s->token_group_sids.clear();
  s->rules.clear();
  s->p = nullptr;
  s->m = nullptr;
}

// The basic-mode existence check (docs/semantics.md §7).
void RequireStoredUser(const Generation& g, Subject* s) {
  if (g.config.mode != AuthMode::kBasic) return;
  const Node* node = g.FindNode(Key(Kind::kUser, s->principal_sid));
  if (s->principal_sid == kNoString || !node || !node->is_user) Fail(s, Failure::kUnknownUser);
}

}  // namespace

Reason Subject::reason() const {
  switch (failure) {
    case Failure::kMalformedJson:
    case Failure::kNotObject:
      return Reason::kMalformedClaims;
    case Failure::kUsernameWrongType:
    case Failure::kClientWrongType:
    case Failure::kGroupsWrongType:
      return Reason::kClaimWrongType;
    case Failure::kUnknownUser:
      return Reason::kUnknownUser;
    default:
      return Reason::kNoPrincipal;
  }
}

void ResolveAnonymous(Subject* s) { Reset(s); }

void ResolveBasicUser(const Generation& g, std::string_view username, Subject* s) {
  Reset(s);
  if (g.config.mode != AuthMode::kBasic) return Fail(s, Failure::kBasicCredentialsInOidc);
  s->state = Subject::State::kResolved;
  s->principal_type = OwnerType::kUser;
  s->principal_id = username;
  s->principal_sid = g.Sid(username);
  RequireStoredUser(g, s);
}

void ResolveClaims(const Generation& g, std::string_view json, ClaimsReader& reader, Subject* s,
                   ClaimsTrust trust) {
  Reset(s);
  const PathRegistry& paths = *g.paths;
  switch (reader.Read(json, *paths.trie, trust)) {
    case ReadResult::kMalformed:
      return Fail(s, Failure::kMalformedJson);
    case ReadResult::kNotObject:
      return Fail(s, Failure::kNotObject);
    case ReadResult::kOk:
      break;
  }
  // The token's iss picks its issuer's principal slots when that issuer overrides a claim.
  int username_slot = paths.username_slot;
  int client_slot = paths.client_slot;
  int groups_slot = paths.groups_slot;
  bool prefer_username = g.config.prefer_username_claim;
  if (!paths.issuer_slots.empty()) {
    const StringClaim iss = ReadStringClaim(reader, paths.iss_slot);
    for (const PathRegistry::IssuerSlots& i : paths.issuer_slots) {
      if (iss.state != ClaimState::kString || i.issuer != iss.value) continue;
      username_slot = i.username_slot;
      client_slot = i.client_slot;
      groups_slot = i.groups_slot;
      prefer_username = i.prefer_username;
      s->issuer_index = i.issuer_index;
      break;
    }
  }
  const StringClaim username = ReadStringClaim(reader, username_slot);
  if (username.state == ClaimState::kWrongType) return Fail(s, Failure::kUsernameWrongType);
  const bool oidc = g.config.mode == AuthMode::kOidc;
  if (!oidc) {
    if (username.state == ClaimState::kAbsent) return Fail(s, Failure::kBasicNoUsername);
    s->state = Subject::State::kResolved;
    s->principal_type = OwnerType::kUser;
    s->principal_id = username.value;
    s->principal_sid = g.Sid(username.value);
    return RequireStoredUser(g, s);
  }
  const StringClaim client = ReadStringClaim(reader, client_slot);
  if (client.state == ClaimState::kWrongType) return Fail(s, Failure::kClientWrongType);
  if (groups_slot >= 0) {
    s->token_mode = true;
    if (!ReadGroups(reader, groups_slot, paths.slots[groups_slot].multi_valued,
                    &s->token_groups)) {
      return Fail(s, Failure::kGroupsWrongType);
    }
    for (std::string_view group : s->token_groups) {
      const uint32_t sid = g.Sid(group);
      if (sid != kNoString) s->token_group_sids.push_back(sid);
    }
    std::sort(s->token_group_sids.begin(), s->token_group_sids.end());
    s->token_group_sids.erase(std::unique(s->token_group_sids.begin(), s->token_group_sids.end()),
                              s->token_group_sids.end());
  }
  const bool has_user = username.state == ClaimState::kString;
  const bool has_client = client.state == ClaimState::kString;
  if (!has_user && !has_client) return Fail(s, Failure::kNeither);
  s->state = Subject::State::kResolved;
  if (has_client && !(prefer_username && has_user)) {
    s->principal_type = OwnerType::kClient;
    s->principal_id = client.value;
  } else {
    s->principal_type = OwnerType::kUser;
    s->principal_id = username.value;
  }
  s->principal_sid = g.Sid(s->principal_id);

  // Mapping rules: look the values of rule paths up; never scan the rules (docs/semantics.md §5).
  for (const ReachedValue& v : reader.reached()) {
    const PathRegistry::Slot& slot = paths.slots[v.slot];
    if (slot.rule_refs == 0) continue;
    if (v.kind == ValueKind::kString) {
      AddRulesFor(g, v.slot, v.str, s);
    } else if (v.kind == ValueKind::kArray && !slot.multi_valued) {
      for (uint32_t i = v.elem_begin; i < v.elem_end; ++i) {
        const ArrayElement& e = reader.elements()[i];
        if (e.kind == ValueKind::kString) AddRulesFor(g, v.slot, e.str, s);
      }
    }
  }
  std::sort(s->rules.begin(), s->rules.end());
  s->rules.erase(std::unique(s->rules.begin(), s->rules.end()), s->rules.end());
}

std::string FailureMessage(const Generation& g, const Subject& s) {
  const ClaimMapping c = g.config.MappingFor(
      s.issuer_index >= 0 ? std::string_view(g.config.token_issuers[s.issuer_index].issuer)
                          : std::string_view());
  using strings_internal::StrCat;
  switch (s.failure) {
    case Failure::kNone:
      return "";
    case Failure::kMalformedJson:
      return "the claims are not one JSON object with unique member names";
    case Failure::kNotObject:
      return "the claims are not a JSON object";
    case Failure::kUsernameWrongType:
      return StrCat("claim '", c.username_claim, "' is not a string");
    case Failure::kBasicNoUsername:
      return StrCat("no username in claim '", c.username_claim, "'");
    case Failure::kClientWrongType:
      return StrCat("claim '", c.client_id_claim, "' is not a string");
    case Failure::kGroupsWrongType:
      return StrCat("claim '", c.groups_claim, "' is neither a string nor an array of strings");
    case Failure::kNeither:
      return StrCat("neither username claim '", c.username_claim, "' nor client id claim '",
                    c.client_id_claim, "' is present");
    case Failure::kBasicCredentialsInOidc:
      return "basic credentials are accepted only in basic-auth mode";
    case Failure::kUnknownUser:
      return StrCat("user '", s.principal_id, "' does not exist");
  }
  return "";
}

void ProfileKey(const Subject& s, bool rules, std::vector<uint64_t>* key) {
  key->clear();
  key->push_back((rules ? 2u : 1u) | (s.token_mode ? 4u : 0u));
  if (rules) {
    for (uint32_t r : s.rules) key->push_back(Key(Kind::kMappingRule, r));
  } else {
    key->push_back(Key(s.principal_type, s.principal_sid));
  }
  if (s.token_mode) {
    key->push_back(~uint64_t{0});
    key->insert(key->end(), s.token_group_sids.begin(), s.token_group_sids.end());
  }
}

}  // namespace clearance::index_internal
