#include "clearance/config.h"

#include <algorithm>

#include "clearance/claim_path.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/token.h"
#include "model/identifiers.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

absl::Status IssuerError(size_t i, std::string_view field, std::string_view problem) {
  return absl::InvalidArgumentError(StrCat("token_issuers[", i, "].", field, ": ", problem));
}

// Repeats make a list ambiguous to edit and to compare; refuse them.
template <typename T>
bool HasRepeats(const std::vector<T>& v) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (std::find(v.begin() + static_cast<std::ptrdiff_t>(i) + 1, v.end(), v[i]) != v.end()) {
      return true;
    }
  }
  return false;
}

absl::Status ValidateClaimOverride(size_t i, std::string_view field,
                                   const std::optional<std::string>& claim, bool may_be_empty) {
  if (!claim || (claim->empty() && may_be_empty)) return absl::OkStatus();
  if (claim->empty()) {
    return IssuerError(i, field,
                       "is empty; expected a claim name such as 'preferred_username' or a "
                       "JSONPath such as '$.upn'");
  }
  const std::string where = StrCat("token_issuers[", i, "].", field);
  if (absl::StatusOr<ClaimPath> p = ClaimPath::Compile(*claim, where); !p.ok()) return p.status();
  return absl::OkStatus();
}

absl::Status ValidateBytes(size_t i, std::string_view field, const std::optional<uint64_t>& v) {
  if (v && (*v < kMinIssuerTokenBytes || *v > kMaxIssuerTokenBytes)) {
    return IssuerError(i, field,
                       StrCat("is ", *v, "; expected ", kMinIssuerTokenBytes, " to ",
                              kMaxIssuerTokenBytes, " bytes"));
  }
  return absl::OkStatus();
}

absl::Status ValidateOverrides(size_t i, const TokenIssuerConfig& t) {
  CLEARANCE_RETURN_IF_ERROR(ValidateClaimOverride(i, "username_claim", t.username_claim, false));
  CLEARANCE_RETURN_IF_ERROR(ValidateClaimOverride(i, "client_id_claim", t.client_id_claim, true));
  CLEARANCE_RETURN_IF_ERROR(ValidateClaimOverride(i, "groups_claim", t.groups_claim, true));
  if (t.leeway_seconds && (*t.leeway_seconds < 0 || *t.leeway_seconds > kMaxIssuerLeewaySeconds)) {
    return IssuerError(i, "leeway_seconds",
                       StrCat("is ", *t.leeway_seconds, "; expected 0 to ",
                              kMaxIssuerLeewaySeconds, " seconds"));
  }
  CLEARANCE_RETURN_IF_ERROR(ValidateBytes(i, "max_token_bytes", t.max_token_bytes));
  CLEARANCE_RETURN_IF_ERROR(ValidateBytes(i, "max_claims_bytes", t.max_claims_bytes));
  return absl::OkStatus();
}

absl::Status ValidateIssuer(size_t i, const TokenIssuerConfig& t) {
  if (t.issuer.empty()) return IssuerError(i, "issuer", "is empty; expected the tokens' iss value");
  if (t.jwks_file.empty() == t.jwks_uri.empty()) {
    return IssuerError(i, "jwks", StrCat("issuer '", t.issuer,
                                         "' names ", t.jwks_file.empty() ? "no" : "two",
                                         " key sources; expected exactly one of a JWKS file or a "
                                         "jwks_uri"));
  }
  if (!t.jwks_uri.empty() && !t.jwks_uri.starts_with("https://")) {
    return IssuerError(i, "jwks_uri", StrCat("'", t.jwks_uri, "' is not an https:// URL"));
  }
  if (t.audiences.empty()) {
    return IssuerError(i, "audiences",
                       StrCat("issuer '", t.issuer, "' has none; expected at least one audience"));
  }
  for (const std::string& a : t.audiences) {
    if (a.empty()) return IssuerError(i, "audiences", "holds an empty audience");
  }
  if (HasRepeats(t.audiences)) return IssuerError(i, "audiences", "names an audience twice");
  if (t.algorithms.empty()) {
    return IssuerError(i, "algorithms",
                       StrCat("issuer '", t.issuer, "' has none; expected at least one of ",
                              strings_internal::StrJoin(TokenAlgorithmNames(), ", ")));
  }
  for (const std::string& a : t.algorithms) {
    const auto& names = TokenAlgorithmNames();
    if (std::find(names.begin(), names.end(), a) == names.end()) {
      return IssuerError(i, "algorithms",
                         StrCat("'", a, "' is not a supported algorithm; expected one of ",
                                strings_internal::StrJoin(names, ", ")));
    }
  }
  if (HasRepeats(t.algorithms)) return IssuerError(i, "algorithms", "names an algorithm twice");
  return ValidateOverrides(i, t);
}

}  // namespace

const std::vector<std::string_view>& TokenAlgorithmNames() {
  static const auto* const names = [] {
    auto* v = new std::vector<std::string_view>();
    for (int i = 0; i < kJwsAlgorithmCount; ++i) v->push_back(Name(static_cast<JwsAlgorithm>(i)));
    return v;
  }();
  return *names;
}

bool Configuration::groups_claim_configured() const {
  if (mode != AuthMode::kOidc) return false;
  if (!groups_claim.empty()) return true;
  for (const TokenIssuerConfig& t : token_issuers) {
    if (t.groups_claim && !t.groups_claim->empty()) return true;
  }
  return false;
}

bool Configuration::has_issuer_mappings() const {
  for (const TokenIssuerConfig& t : token_issuers) {
    if (t.has_claim_overrides()) return true;
  }
  return false;
}

ClaimMapping Configuration::MappingFor(std::string_view issuer) const {
  ClaimMapping m;
  m.username_claim = username_claim;
  if (mode != AuthMode::kOidc) return m;
  m.client_id_claim = client_id_claim;
  m.groups_claim = groups_claim;
  m.prefer_username_claim = prefer_username_claim;
  for (size_t i = 0; i < token_issuers.size(); ++i) {
    const TokenIssuerConfig& t = token_issuers[i];
    if (t.issuer != issuer) continue;
    if (!t.has_claim_overrides()) break;
    if (t.username_claim) m.username_claim = *t.username_claim;
    if (t.client_id_claim) m.client_id_claim = *t.client_id_claim;
    if (t.groups_claim) m.groups_claim = *t.groups_claim;
    if (t.prefer_username_claim) m.prefer_username_claim = *t.prefer_username_claim;
    m.issuer_index = static_cast<int>(i);
    break;
  }
  return m;
}

std::string_view Name(AuthMode mode) { return mode == AuthMode::kOidc ? "OIDC" : "BASIC"; }

absl::Status Configuration::Validate() const {
  if (username_claim.empty()) {
    return absl::InvalidArgumentError(
        "username_claim: is empty; expected a claim name such as 'sub' or a JSONPath such as "
        "'$.preferred_username'");
  }
  CLEARANCE_RETURN_IF_ERROR(ClaimPath::Compile(username_claim, "username_claim").status());
  if (!client_id_claim.empty()) {
    CLEARANCE_RETURN_IF_ERROR(ClaimPath::Compile(client_id_claim, "client_id_claim").status());
  }
  if (!groups_claim.empty()) {
    CLEARANCE_RETURN_IF_ERROR(ClaimPath::Compile(groups_claim, "groups_claim").status());
  }
  CLEARANCE_RETURN_IF_ERROR(model_internal::IdentifierRule::Compile(id_pattern).status());
  static_assert(kJwsAlgorithmCount == 13, "TokenAlgorithmNames() lists every JwsAlgorithm");
  for (size_t i = 0; i < token_issuers.size(); ++i) {
    CLEARANCE_RETURN_IF_ERROR(ValidateIssuer(i, token_issuers[i]));
    for (size_t j = 0; j < i; ++j) {
      if (token_issuers[j].issuer == token_issuers[i].issuer) {
        return IssuerError(i, "issuer",
                           StrCat("'", token_issuers[i].issuer, "' is configured twice"));
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace clearance
