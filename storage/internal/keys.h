// Column families and key encodings of the store (storage/FORMAT.md "Keys").
//
// Every key starts with a one-byte tag naming its kind, so one column family can hold a row kind
// and the secondary indexes that order it for scans (by owner, by resource type, by member).
// Parse functions accept exactly what the matching builder produces (whole key, valid enum
// values) and return false otherwise; the store turns false into DATA_LOSS.
//
// Thread-safety: pure functions.
#ifndef CLEARANCE_STORAGE_INTERNAL_KEYS_H_
#define CLEARANCE_STORAGE_INTERNAL_KEYS_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "clearance/model.h"

namespace clearance::storage_internal {

// Column families, in the order the store opens them (after RocksDB's "default", unused).
inline constexpr std::string_view kEntitiesFamily = "entities";
inline constexpr std::string_view kMembershipsFamily = "memberships";
inline constexpr std::string_view kAuthorizationsFamily = "authorizations";
inline constexpr std::string_view kDerivedFamily = "derived";
inline constexpr std::string_view kMetaFamily = "meta";

// --- entities: tag + ordered(id) ---
enum class EntityKind : uint8_t {
  kUser = 'u',
  kGroup = 'g',
  kRole = 'r',
  kTenant = 't',
  kMappingRule = 'm',
};
std::string EntityKey(EntityKind kind, std::string_view id);
bool ParseEntityKey(std::string_view key, EntityKind* kind, std::string* id);

// --- memberships ---
// 'c' container type, ordered(container id), member type, ordered(member id): the row; a prefix
//     scan lists one container's members.
// 'm' member type, ordered(member id), container type, ordered(container id): index; a prefix
//     scan lists one member's containers.
inline constexpr char kMembershipTag = 'c';
inline constexpr char kMembershipByMemberTag = 'm';
std::string MembershipKey(const Membership& m);
std::string MembershipByMemberKey(const Membership& m);
bool ParseMembershipKey(std::string_view key, Membership* m);
bool ParseMembershipByMemberKey(std::string_view key, Membership* m);

// --- authorizations ---
// 'k' be64(key): the row.
// 'o' owner type, ordered(owner id), be64(key): index by owner.
// 't' resource type, matcher, ordered(scope value), be64(key): index by resource type.
inline constexpr char kAuthorizationTag = 'k';
inline constexpr char kAuthorizationByOwnerTag = 'o';
inline constexpr char kAuthorizationByResourceTag = 't';
std::string AuthorizationRowKey(AuthorizationKey key);
std::string AuthorizationByOwnerKey(const Authorization& a);
std::string AuthorizationByResourceKey(const Authorization& a);
// Scan prefixes.
std::string AuthorizationOwnerPrefix(OwnerType type, std::string_view owner_id);
std::string AuthorizationResourceTypePrefix(ResourceType type);
bool ParseAuthorizationRowKey(std::string_view key, AuthorizationKey* out);
bool ParseAuthorizationByOwnerKey(std::string_view key, OwnerType* type, std::string* owner_id,
                                  AuthorizationKey* out);
bool ParseAuthorizationByResourceKey(std::string_view key, ResourceType* type, Scope* scope,
                                     AuthorizationKey* out);

// --- derived: retired; schema 1 stored closures and a claim-value index here, schema 2 keeps
// the family empty (storage/FORMAT.md) ---

// --- meta: fixed ASCII keys ---
inline constexpr std::string_view kMetaSchemaVersion = "schema_version";      // be64
inline constexpr std::string_view kMetaAppliedPosition = "applied_position";  // be64, absent: none
inline constexpr std::string_view kMetaGeneration = "generation";             // be64
inline constexpr std::string_view kMetaNextAuthorizationKey = "next_authorization_key";  // be64
inline constexpr std::string_view kMetaConfiguration = "configuration";  // see rows.h
inline constexpr std::string_view kMetaInitialized = "initialized";      // one byte 0/1

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_KEYS_H_
