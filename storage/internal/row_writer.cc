#include "internal/row_writer.h"

#include <type_traits>

#include "internal/keys.h"
#include "internal/rows.h"

namespace clearance::storage_internal {

std::vector<KeyValue> SourceRowKeys(const Families& f, const Row& row) {
  return std::visit(
      [&f](const auto& r) -> std::vector<KeyValue> {
        using T = std::decay_t<decltype(r)>;
        if constexpr (std::is_same_v<T, User>) {
          return {{f.entities, EntityKey(EntityKind::kUser, r.username), EncodeUser(r)}};
        } else if constexpr (std::is_same_v<T, Group>) {
          return {{f.entities, EntityKey(EntityKind::kGroup, r.id), EncodeNamed(r)}};
        } else if constexpr (std::is_same_v<T, Role>) {
          return {{f.entities, EntityKey(EntityKind::kRole, r.id), EncodeNamed(r)}};
        } else if constexpr (std::is_same_v<T, Tenant>) {
          return {{f.entities, EntityKey(EntityKind::kTenant, r.id), EncodeNamed(r)}};
        } else if constexpr (std::is_same_v<T, MappingRule>) {
          return {{f.entities, EntityKey(EntityKind::kMappingRule, r.id), EncodeMappingRule(r)}};
        } else if constexpr (std::is_same_v<T, Membership>) {
          return {{f.memberships, MembershipKey(r), std::string()},
                  {f.memberships, MembershipByMemberKey(r), std::string()}};
        } else {
          static_assert(std::is_same_v<T, Authorization>);
          return {{f.authorizations, AuthorizationRowKey(r.key), EncodeAuthorization(r)},
                  {f.authorizations, AuthorizationByOwnerKey(r), std::string()},
                  {f.authorizations, AuthorizationByResourceKey(r), std::string()}};
        }
      },
      row);
}

void WriteSourceChanges(const Families& f, const IdentityState& before, const ChangeSet& changes,
                        rocksdb::WriteBatch* batch) {
  for (const RowChange& c : changes.changes) {
    // An authorization put or delete first removes the index keys of the row it replaces: the
    // owner or scope may have changed. Deleting keys that do not exist is harmless.
    if (const auto* a = std::get_if<Authorization>(&c.row)) {
      if (const Authorization* old = before.FindAuthorization(a->key)) {
        for (const KeyValue& kv : SourceRowKeys(f, Row(*old))) {
          (void)batch->Delete(kv.family, kv.key);  // WriteBatch only fails past its size limit
        }
      }
    }
    for (const KeyValue& kv : SourceRowKeys(f, c.row)) {
      if (c.op == RowChange::Op::kPut) {
        (void)batch->Put(kv.family, kv.key, kv.value);
      } else {
        (void)batch->Delete(kv.family, kv.key);
      }
    }
  }
}

void WriteMeta(const Families& f, const MetaRows& meta, rocksdb::WriteBatch* batch) {
  if (meta.applied_position) {
    (void)batch->Put(f.meta, std::string(kMetaAppliedPosition),
                     EncodeFixed64(*meta.applied_position));
  }
  (void)batch->Put(f.meta, std::string(kMetaGeneration), EncodeFixed64(meta.generation));
  (void)batch->Put(f.meta, std::string(kMetaNextAuthorizationKey),
                   EncodeFixed64(meta.next_authorization_key));
  (void)batch->Put(f.meta, std::string(kMetaConfiguration),
                   EncodeConfiguration(meta.configuration));
  (void)batch->Put(f.meta, std::string(kMetaInitialized),
                   std::string(1, meta.initialized ? '\x01' : '\x00'));
}

void WriteSchemaVersion(const Families& f, uint32_t version, rocksdb::WriteBatch* batch) {
  (void)batch->Put(f.meta, std::string(kMetaSchemaVersion), EncodeFixed64(version));
}

}  // namespace clearance::storage_internal
