#include "principal/principal.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "clearance/internal/strings.h"

namespace clearance::principal_internal {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

void Walk(const std::vector<ClaimPath::Step>& steps, size_t i, element node,
          std::vector<element>* out) {
  if (i == steps.size()) {
    out->push_back(node);
    return;
  }
  const ClaimPath::Step& step = steps[i];
  switch (step.kind) {
    case ClaimPath::Step::Kind::kMember: {
      simdjson::dom::object obj;
      if (node.get_object().get(obj) != simdjson::SUCCESS) return;
      element child;
      if (obj.at_key(step.member).get(child) == simdjson::SUCCESS) Walk(steps, i + 1, child, out);
      return;
    }
    case ClaimPath::Step::Kind::kIndex: {
      simdjson::dom::array arr;
      if (node.get_array().get(arr) != simdjson::SUCCESS) return;
      element child;
      if (step.index < arr.size() && arr.at(step.index).get(child) == simdjson::SUCCESS) {
        Walk(steps, i + 1, child, out);
      }
      return;
    }
    case ClaimPath::Step::Kind::kWildcard: {
      simdjson::dom::array arr;
      simdjson::dom::object obj;
      if (node.get_array().get(arr) == simdjson::SUCCESS) {
        for (element child : arr) Walk(steps, i + 1, child, out);
      } else if (node.get_object().get(obj) == simdjson::SUCCESS) {
        for (auto field : obj) Walk(steps, i + 1, field.value, out);
      }
      return;
    }
  }
}

enum class ClaimState { kAbsent, kString, kWrongType };

struct StringClaim {
  ClaimState state = ClaimState::kAbsent;
  std::string value;
};

// A username or client-id claim: a string when present; null means absent; several values
// through [*] are a wrong type (docs/semantics.md §10).
StringClaim ReadStringClaim(const ClaimPath& path, element claims) {
  std::vector<element> values;
  Evaluate(path, claims, &values);
  if (values.empty()) return {};
  if (values.size() > 1) return {ClaimState::kWrongType, {}};
  if (values[0].is_null()) return {};
  std::string_view s;
  if (values[0].get_string().get(s) != simdjson::SUCCESS) return {ClaimState::kWrongType, {}};
  return {ClaimState::kString, std::string(s)};
}

// The groups claim: a string (one group) or an array of strings; null or missing means none.
// Through [*], each reached value must be a string.
bool ReadGroups(const ClaimPath& path, element claims, std::vector<std::string>* groups) {
  std::vector<element> values;
  Evaluate(path, claims, &values);
  if (values.empty()) return true;
  if (!path.multi_valued()) {
    if (values[0].is_null()) return true;
    simdjson::dom::array arr;
    if (values[0].get_array().get(arr) == simdjson::SUCCESS) {
      std::vector<element> items(arr.begin(), arr.end());
      values = std::move(items);
    }
  }
  for (element e : values) {
    std::string_view s;
    if (e.get_string().get(s) != simdjson::SUCCESS) return false;
    // groups(E) is a set: a group named twice is one membership.
    if (std::find(groups->begin(), groups->end(), s) == groups->end()) groups->emplace_back(s);
  }
  return true;
}

Resolution Failure(Reason reason, std::string message) {
  Resolution r;
  r.failure = reason;
  r.message = std::move(message);
  return r;
}

}  // namespace

void Evaluate(const ClaimPath& path, element root, std::vector<element>* out) {
  Walk(path.steps(), 0, root, out);
}

bool HasUniqueMemberNames(element root) {
  simdjson::dom::array arr;
  simdjson::dom::object obj;
  if (root.get_array().get(arr) == simdjson::SUCCESS) {
    for (element e : arr) {
      if (!HasUniqueMemberNames(e)) return false;
    }
  } else if (root.get_object().get(obj) == simdjson::SUCCESS) {
    absl::flat_hash_set<std::string_view> names;
    for (auto field : obj) {
      if (!names.insert(field.key).second) return false;
      if (!HasUniqueMemberNames(field.value)) return false;
    }
  }
  return true;
}

std::string_view IssuerOf(element claims) {
  std::string_view iss;
  simdjson::dom::object obj;
  if (claims.get_object().get(obj) != simdjson::SUCCESS) return {};
  if (obj["iss"].get_string().get(iss) != simdjson::SUCCESS) return {};
  return iss;
}

Resolution Resolve(const Configuration& config, element claims) {
  if (claims.type() != element_type::OBJECT) {
    return Failure(Reason::kMalformedClaims, "the claims are not a JSON object");
  }
  // The token's iss picks its issuer's claim rules; without overrides every issuer has the
  // global ones, and iss need not be read.
  const ClaimMapping m =
      config.has_issuer_mappings() ? config.MappingFor(IssuerOf(claims)) : config.MappingFor({});
  // Paths were validated with the configuration; a failure here means a configuration that
  // never passed Validate().
  absl::StatusOr<ClaimPath> username_path = ClaimPath::Compile(m.username_claim);
  if (!username_path.ok()) {
    return Failure(Reason::kNoPrincipal, std::string(username_path.status().message()));
  }
  StringClaim username = ReadStringClaim(*username_path, claims);
  if (username.state == ClaimState::kWrongType) {
    return Failure(Reason::kClaimWrongType,
                   strings_internal::StrCat("claim '", m.username_claim, "' is not a string"));
  }

  if (config.mode == AuthMode::kBasic) {
    // Basic mode reads the username only; the OIDC claim settings are ignored entirely.
    if (username.state == ClaimState::kAbsent) {
      return Failure(Reason::kNoPrincipal,
                     strings_internal::StrCat("no username in claim '", m.username_claim, "'"));
    }
    Resolution r;
    r.principal = Principal{OwnerType::kUser, std::move(username.value), std::nullopt};
    return r;
  }

  StringClaim client;
  if (!m.client_id_claim.empty()) {
    absl::StatusOr<ClaimPath> client_path = ClaimPath::Compile(m.client_id_claim);
    if (!client_path.ok()) {
      return Failure(Reason::kNoPrincipal, std::string(client_path.status().message()));
    }
    client = ReadStringClaim(*client_path, claims);
    if (client.state == ClaimState::kWrongType) {
      return Failure(Reason::kClaimWrongType,
                     strings_internal::StrCat("claim '", m.client_id_claim, "' is not a string"));
    }
  }
  std::optional<std::vector<std::string>> groups;
  if (!m.groups_claim.empty()) {
    absl::StatusOr<ClaimPath> groups_path = ClaimPath::Compile(m.groups_claim);
    if (!groups_path.ok()) {
      return Failure(Reason::kNoPrincipal, std::string(groups_path.status().message()));
    }
    groups.emplace();
    if (!ReadGroups(*groups_path, claims, &*groups)) {
      return Failure(Reason::kClaimWrongType,
                     strings_internal::StrCat("claim '", m.groups_claim,
                                              "' is neither a string nor an array of strings"));
    }
  }

  const bool has_user = username.state == ClaimState::kString;
  const bool has_client = client.state == ClaimState::kString;
  if (!has_user && !has_client) {
    return Failure(Reason::kNoPrincipal,
                   strings_internal::StrCat("neither username claim '", m.username_claim,
                                            "' nor client id claim '", m.client_id_claim,
                                            "' is present"));
  }
  Resolution r;
  if (has_client && !(m.prefer_username_claim && has_user)) {
    r.principal = Principal{OwnerType::kClient, std::move(client.value), std::move(groups)};
  } else {
    r.principal = Principal{OwnerType::kUser, std::move(username.value), std::move(groups)};
  }
  return r;
}

bool Matches(const ClaimPath& path, std::string_view value, element claims) {
  std::vector<element> values;
  Evaluate(path, claims, &values);
  simdjson::dom::array arr;
  if (!path.multi_valued() && values.size() == 1 &&
      values[0].get_array().get(arr) == simdjson::SUCCESS) {
    std::vector<element> items(arr.begin(), arr.end());
    values = std::move(items);
  }
  for (element e : values) {
    std::string_view s;
    if (e.get_string().get(s) == simdjson::SUCCESS && s == value) return true;
  }
  return false;
}

}  // namespace clearance::principal_internal
