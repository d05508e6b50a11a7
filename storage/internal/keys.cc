#include "internal/keys.h"

#include "internal/coding.h"

namespace clearance::storage_internal {
namespace {

bool ValidEntityKind(uint8_t b) {
  switch (static_cast<EntityKind>(b)) {
    case EntityKind::kUser:
    case EntityKind::kGroup:
    case EntityKind::kRole:
    case EntityKind::kTenant:
    case EntityKind::kMappingRule:
      return true;
  }
  return false;
}

bool ConsumeOwnerType(std::string_view* in, OwnerType* t) {
  uint8_t b = 0;
  if (!ConsumeByte(in, &b) || b >= kOwnerTypeCount) return false;
  *t = static_cast<OwnerType>(b);
  return true;
}

bool ConsumeContainerType(std::string_view* in, ContainerType* t) {
  uint8_t b = 0;
  if (!ConsumeByte(in, &b) || b > static_cast<uint8_t>(ContainerType::kTenant)) return false;
  *t = static_cast<ContainerType>(b);
  return true;
}

bool ConsumeResourceType(std::string_view* in, ResourceType* t) {
  uint8_t b = 0;
  if (!ConsumeByte(in, &b) || b >= kResourceTypeCount) return false;
  *t = static_cast<ResourceType>(b);
  return true;
}

bool ConsumeMatcher(std::string_view* in, Matcher* m) {
  uint8_t b = 0;
  if (!ConsumeByte(in, &b) || b > static_cast<uint8_t>(Matcher::kProperty)) return false;
  *m = static_cast<Matcher>(b);
  return true;
}

bool ConsumeTag(std::string_view* in, char tag) {
  if (in->empty() || in->front() != tag) return false;
  in->remove_prefix(1);
  return true;
}

void AppendEnum(std::string* out, auto e) { AppendByte(out, static_cast<uint8_t>(e)); }

}  // namespace

std::string EntityKey(EntityKind kind, std::string_view id) {
  std::string out;
  AppendEnum(&out, kind);
  AppendOrderedString(&out, id);
  return out;
}

bool ParseEntityKey(std::string_view key, EntityKind* kind, std::string* id) {
  uint8_t b = 0;
  if (!ConsumeByte(&key, &b) || !ValidEntityKind(b)) return false;
  *kind = static_cast<EntityKind>(b);
  return ConsumeOrderedString(&key, id) && key.empty();
}

std::string MembershipKey(const Membership& m) {
  std::string out(1, kMembershipTag);
  AppendEnum(&out, m.container_type);
  AppendOrderedString(&out, m.container_id);
  AppendEnum(&out, m.member_type);
  AppendOrderedString(&out, m.member_id);
  return out;
}

std::string MembershipByMemberKey(const Membership& m) {
  std::string out(1, kMembershipByMemberTag);
  AppendEnum(&out, m.member_type);
  AppendOrderedString(&out, m.member_id);
  AppendEnum(&out, m.container_type);
  AppendOrderedString(&out, m.container_id);
  return out;
}

bool ParseMembershipKey(std::string_view key, Membership* m) {
  return ConsumeTag(&key, kMembershipTag) && ConsumeContainerType(&key, &m->container_type) &&
         ConsumeOrderedString(&key, &m->container_id) && ConsumeOwnerType(&key, &m->member_type) &&
         ConsumeOrderedString(&key, &m->member_id) && key.empty();
}

bool ParseMembershipByMemberKey(std::string_view key, Membership* m) {
  return ConsumeTag(&key, kMembershipByMemberTag) && ConsumeOwnerType(&key, &m->member_type) &&
         ConsumeOrderedString(&key, &m->member_id) &&
         ConsumeContainerType(&key, &m->container_type) &&
         ConsumeOrderedString(&key, &m->container_id) && key.empty();
}

std::string AuthorizationRowKey(AuthorizationKey key) {
  std::string out(1, kAuthorizationTag);
  AppendBigEndian64(&out, key);
  return out;
}

std::string AuthorizationOwnerPrefix(OwnerType type, std::string_view owner_id) {
  std::string out(1, kAuthorizationByOwnerTag);
  AppendEnum(&out, type);
  AppendOrderedString(&out, owner_id);
  return out;
}

std::string AuthorizationByOwnerKey(const Authorization& a) {
  std::string out = AuthorizationOwnerPrefix(a.owner_type, a.owner_id);
  AppendBigEndian64(&out, a.key);
  return out;
}

std::string AuthorizationResourceTypePrefix(ResourceType type) {
  std::string out(1, kAuthorizationByResourceTag);
  AppendEnum(&out, type);
  return out;
}

std::string AuthorizationByResourceKey(const Authorization& a) {
  std::string out = AuthorizationResourceTypePrefix(a.resource_type);
  AppendEnum(&out, a.scope.matcher);
  AppendOrderedString(&out, a.scope.value);
  AppendBigEndian64(&out, a.key);
  return out;
}

bool ParseAuthorizationRowKey(std::string_view key, AuthorizationKey* out) {
  return ConsumeTag(&key, kAuthorizationTag) && ConsumeBigEndian64(&key, out) && key.empty();
}

bool ParseAuthorizationByOwnerKey(std::string_view key, OwnerType* type, std::string* owner_id,
                                  AuthorizationKey* out) {
  return ConsumeTag(&key, kAuthorizationByOwnerTag) && ConsumeOwnerType(&key, type) &&
         ConsumeOrderedString(&key, owner_id) && ConsumeBigEndian64(&key, out) && key.empty();
}

bool ParseAuthorizationByResourceKey(std::string_view key, ResourceType* type, Scope* scope,
                                     AuthorizationKey* out) {
  return ConsumeTag(&key, kAuthorizationByResourceTag) && ConsumeResourceType(&key, type) &&
         ConsumeMatcher(&key, &scope->matcher) && ConsumeOrderedString(&key, &scope->value) &&
         ConsumeBigEndian64(&key, out) && key.empty();
}

}  // namespace clearance::storage_internal
