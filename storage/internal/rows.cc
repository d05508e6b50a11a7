#include "internal/rows.h"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <vector>

#include "internal/coding.h"

namespace clearance::storage_internal {
namespace {

bool ConsumeBool(std::string_view* in, bool* b) {
  uint8_t v = 0;
  if (!ConsumeByte(in, &v) || v > 1) return false;
  *b = v == 1;
  return true;
}

template <typename E>
bool ConsumeEnum(std::string_view* in, E* e, int count) {
  uint8_t v = 0;
  if (!ConsumeByte(in, &v) || v >= count) return false;
  *e = static_cast<E>(v);
  return true;
}

// A list whose order is kept (audiences and algorithms are stored as the operator gave them).
bool ConsumeOrderedList(std::string_view* in, std::vector<std::string>* items) {
  uint64_t n = 0;
  if (!ConsumeVarint(in, &n) || n > in->size()) return false;  // each item takes >= 1 byte
  items->assign(n, std::string());
  for (uint64_t i = 0; i < n; ++i) {
    if (!ConsumeLengthPrefixed(in, &(*items)[i])) return false;
  }
  return true;
}

}  // namespace

std::string EncodeUser(const User& u) {
  std::string out;
  AppendLengthPrefixed(&out, u.username);
  AppendLengthPrefixed(&out, u.name);
  AppendLengthPrefixed(&out, u.email);
  AppendLengthPrefixed(&out, u.password_hash);
  return out;
}

bool DecodeUser(std::string_view in, User* u) {
  return ConsumeLengthPrefixed(&in, &u->username) && ConsumeLengthPrefixed(&in, &u->name) &&
         ConsumeLengthPrefixed(&in, &u->email) && ConsumeLengthPrefixed(&in, &u->password_hash) &&
         in.empty();
}

std::string EncodeNamed(const std::string& id, const std::string& name,
                        const std::string& description) {
  std::string out;
  AppendLengthPrefixed(&out, id);
  AppendLengthPrefixed(&out, name);
  AppendLengthPrefixed(&out, description);
  return out;
}

bool DecodeNamed(std::string_view in, std::string* id, std::string* name,
                 std::string* description) {
  return ConsumeLengthPrefixed(&in, id) && ConsumeLengthPrefixed(&in, name) &&
         ConsumeLengthPrefixed(&in, description) && in.empty();
}

std::string EncodeMappingRule(const MappingRule& r) {
  std::string out;
  AppendLengthPrefixed(&out, r.id);
  AppendLengthPrefixed(&out, r.claim_name);
  AppendLengthPrefixed(&out, r.claim_value);
  AppendLengthPrefixed(&out, r.name);
  return out;
}

bool DecodeMappingRule(std::string_view in, MappingRule* r) {
  return ConsumeLengthPrefixed(&in, &r->id) && ConsumeLengthPrefixed(&in, &r->claim_name) &&
         ConsumeLengthPrefixed(&in, &r->claim_value) && ConsumeLengthPrefixed(&in, &r->name) &&
         in.empty();
}

std::string EncodeAuthorization(const Authorization& a) {
  std::string out;
  AppendVarint(&out, a.key);
  AppendByte(&out, static_cast<uint8_t>(a.owner_type));
  AppendLengthPrefixed(&out, a.owner_id);
  AppendByte(&out, static_cast<uint8_t>(a.resource_type));
  AppendByte(&out, static_cast<uint8_t>(a.scope.matcher));
  AppendLengthPrefixed(&out, a.scope.value);
  AppendVarint(&out, a.permissions);
  return out;
}

bool DecodeAuthorization(std::string_view in, Authorization* a) {
  return ConsumeVarint(&in, &a->key) && ConsumeEnum(&in, &a->owner_type, kOwnerTypeCount) &&
         ConsumeLengthPrefixed(&in, &a->owner_id) &&
         ConsumeEnum(&in, &a->resource_type, kResourceTypeCount) &&
         ConsumeEnum(&in, &a->scope.matcher, 3) && ConsumeLengthPrefixed(&in, &a->scope.value) &&
         ConsumeVarint(&in, &a->permissions) && (a->permissions & ~AllPermissions()) == 0 &&
         in.empty();
}

std::string EncodeConfiguration(const Configuration& c) {
  std::string out;
  AppendByte(&out, static_cast<uint8_t>(c.mode));
  AppendByte(&out, c.authorizations_enabled ? 1 : 0);
  AppendByte(&out, c.tenant_checks_enabled ? 1 : 0);
  AppendLengthPrefixed(&out, c.username_claim);
  AppendLengthPrefixed(&out, c.client_id_claim);
  AppendLengthPrefixed(&out, c.groups_claim);
  AppendByte(&out, c.prefer_username_claim ? 1 : 0);
  AppendLengthPrefixed(&out, c.id_pattern);
  // Token issuers are an appended, optional tail: a configuration without issuers encodes exactly
  // as before they existed, so stores written by older builds read unchanged.
  if (!c.token_issuers.empty()) {
    AppendVarint(&out, c.token_issuers.size());
    for (const TokenIssuerConfig& t : c.token_issuers) {
      AppendLengthPrefixed(&out, t.issuer);
      AppendLengthPrefixed(&out, t.jwks_file);
      AppendLengthPrefixed(&out, t.jwks_uri);
      AppendVarint(&out, t.audiences.size());
      for (const std::string& a : t.audiences) AppendLengthPrefixed(&out, a);
      AppendVarint(&out, t.algorithms.size());
      for (const std::string& a : t.algorithms) AppendLengthPrefixed(&out, a);
    }
    // Issuer overrides are a second optional tail, written only when some issuer has one: one
    // presence byte per issuer, then the values it marks.
    const bool any_override = std::any_of(
        c.token_issuers.begin(), c.token_issuers.end(), [](const TokenIssuerConfig& t) {
          return t.has_claim_overrides() || t.leeway_seconds || t.max_token_bytes ||
                 t.max_claims_bytes;
        });
    if (any_override) {
      for (const TokenIssuerConfig& t : c.token_issuers) {
        AppendByte(&out, static_cast<uint8_t>(
                             (t.username_claim ? 1 : 0) | (t.client_id_claim ? 2 : 0) |
                             (t.groups_claim ? 4 : 0) | (t.prefer_username_claim ? 8 : 0) |
                             (t.leeway_seconds ? 16 : 0) | (t.max_token_bytes ? 32 : 0) |
                             (t.max_claims_bytes ? 64 : 0)));
        if (t.username_claim) AppendLengthPrefixed(&out, *t.username_claim);
        if (t.client_id_claim) AppendLengthPrefixed(&out, *t.client_id_claim);
        if (t.groups_claim) AppendLengthPrefixed(&out, *t.groups_claim);
        if (t.prefer_username_claim) AppendByte(&out, *t.prefer_username_claim ? 1 : 0);
        if (t.leeway_seconds) AppendVarint(&out, static_cast<uint64_t>(*t.leeway_seconds));
        if (t.max_token_bytes) AppendVarint(&out, *t.max_token_bytes);
        if (t.max_claims_bytes) AppendVarint(&out, *t.max_claims_bytes);
      }
    }
  }
  return out;
}

namespace {

// The optional tail of a configuration: absent (an older store, or no issuers), or a non-zero
// count and that many issuers, then nothing.
bool ConsumeIssuers(std::string_view* in, std::vector<TokenIssuerConfig>* issuers) {
  issuers->clear();
  if (in->empty()) return true;
  uint64_t n = 0;
  if (!ConsumeVarint(in, &n) || n == 0 || n > in->size()) return false;
  issuers->resize(n);
  for (TokenIssuerConfig& t : *issuers) {
    if (!ConsumeLengthPrefixed(in, &t.issuer) || !ConsumeLengthPrefixed(in, &t.jwks_file) ||
        !ConsumeLengthPrefixed(in, &t.jwks_uri) || !ConsumeOrderedList(in, &t.audiences) ||
        !ConsumeOrderedList(in, &t.algorithms)) {
      return false;
    }
  }
  if (in->empty()) return true;
  for (TokenIssuerConfig& t : *issuers) {
    uint8_t present = 0;
    if (in->empty()) return false;
    present = static_cast<uint8_t>((*in)[0]);
    in->remove_prefix(1);
    if (present & 0x80) return false;
    auto text = [&](uint8_t bit, std::optional<std::string>* field) {
      if (!(present & bit)) return true;
      field->emplace();
      return ConsumeLengthPrefixed(in, &**field);
    };
    auto number = [&](uint8_t bit, auto* field) {
      if (!(present & bit)) return true;
      uint64_t v = 0;
      if (!ConsumeVarint(in, &v)) return false;
      *field = static_cast<typename std::remove_reference_t<decltype(*field)>::value_type>(v);
      return true;
    };
    if (!text(1, &t.username_claim) || !text(2, &t.client_id_claim) ||
        !text(4, &t.groups_claim)) {
      return false;
    }
    if (present & 8) {
      bool prefer = false;
      if (!ConsumeBool(in, &prefer)) return false;
      t.prefer_username_claim = prefer;
    }
    if (!number(16, &t.leeway_seconds) || !number(32, &t.max_token_bytes) ||
        !number(64, &t.max_claims_bytes)) {
      return false;
    }
  }
  return in->empty();
}

}  // namespace

bool DecodeConfiguration(std::string_view in, Configuration* c) {
  return ConsumeEnum(&in, &c->mode, 2) && ConsumeBool(&in, &c->authorizations_enabled) &&
         ConsumeBool(&in, &c->tenant_checks_enabled) &&
         ConsumeLengthPrefixed(&in, &c->username_claim) &&
         ConsumeLengthPrefixed(&in, &c->client_id_claim) &&
         ConsumeLengthPrefixed(&in, &c->groups_claim) &&
         ConsumeBool(&in, &c->prefer_username_claim) &&
         ConsumeLengthPrefixed(&in, &c->id_pattern) && ConsumeIssuers(&in, &c->token_issuers);
}

std::string EncodeFixed64(uint64_t v) {
  std::string out;
  AppendBigEndian64(&out, v);
  return out;
}

bool DecodeFixed64(std::string_view in, uint64_t* v) {
  return ConsumeBigEndian64(&in, v) && in.empty();
}

}  // namespace clearance::storage_internal
