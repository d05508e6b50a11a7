#include "internal/loader.h"

#include <memory>
#include <utility>
#include <vector>

#include "clearance/claim_path.h"
#include "clearance/internal/strings.h"
#include "internal/keys.h"
#include "internal/rocks_status.h"
#include "internal/rows.h"

namespace clearance::storage_internal {
namespace {

using strings_internal::StrCat;

// Rows are applied to the state in chunks so the load never holds a second full copy.
constexpr size_t kLoadChunk = 8192;

std::string_view View(const rocksdb::Slice& s) { return std::string_view(s.data(), s.size()); }

absl::Status BadRow(std::string_view family, std::string_view key, std::string_view problem) {
  return absl::DataLossError(StrCat("corrupt store: ", family, " row ", Hex(key), ": ", problem));
}

// Iterates the keys of `family` that start with `prefix` (all keys when empty).
template <typename F>
absl::Status Scan(rocksdb::DB* db, rocksdb::ColumnFamilyHandle* family,
                  const rocksdb::ReadOptions& read, std::string_view prefix, F&& f) {
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, family));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    std::string_view key = View(it->key());
    if (!key.starts_with(prefix)) break;
    absl::Status s = f(key, View(it->value()));
    if (!s.ok()) return s;
  }
  return FromRocks(it->status(), StrCat("corrupt store: reading ", family->GetName()));
}

absl::Status ToDataLoss(absl::Status s) {
  // A read that fails with anything but an I/O error means the files are not what we wrote.
  if (s.ok() || absl::IsUnavailable(s) || absl::IsDataLoss(s)) return s;
  return absl::DataLossError(s.message());
}

}  // namespace

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 0xF]);
  }
  return out;
}

absl::StatusOr<StoredMeta> ReadMeta(rocksdb::DB* db, const Families& f,
                                    const rocksdb::ReadOptions& read) {
  StoredMeta out;
  auto get = [&](std::string_view key, std::string* value) -> absl::StatusOr<bool> {
    rocksdb::PinnableSlice slice;
    rocksdb::Status s = db->Get(read, f.meta, rocksdb::Slice(key.data(), key.size()), &slice);
    if (s.IsNotFound()) return false;
    if (!s.ok()) return ToDataLoss(FromRocks(s, "corrupt store: reading meta"));
    value->assign(slice.data(), slice.size());
    return true;
  };
  auto bad = [](std::string_view key) {
    return absl::DataLossError(StrCat("corrupt store: meta row '", key, "' does not decode"));
  };
  std::string value;
  absl::StatusOr<bool> found = get(kMetaSchemaVersion, &value);
  if (!found.ok()) return found.status();
  if (!*found) return out;
  out.present = true;
  uint64_t v = 0;
  if (!DecodeFixed64(value, &v) || v > UINT32_MAX) return bad(kMetaSchemaVersion);
  out.rows.schema_version = static_cast<uint32_t>(v);

  found = get(kMetaAppliedPosition, &value);
  if (!found.ok()) return found.status();
  if (*found) {
    if (!DecodeFixed64(value, &v)) return bad(kMetaAppliedPosition);
    out.rows.applied_position = v;
  }
  // The remaining rows are written with every commit and by store creation.
  struct Fixed {
    std::string_view key;
    uint64_t* target;
  };
  for (Fixed fx : {Fixed{kMetaGeneration, &out.rows.generation},
                   Fixed{kMetaNextAuthorizationKey, &out.rows.next_authorization_key}}) {
    found = get(fx.key, &value);
    if (!found.ok()) return found.status();
    if (!*found)
      return absl::DataLossError(StrCat("corrupt store: meta row '", fx.key, "' missing"));
    if (!DecodeFixed64(value, fx.target)) return bad(fx.key);
  }
  found = get(kMetaConfiguration, &value);
  if (!found.ok()) return found.status();
  if (!*found || !DecodeConfiguration(value, &out.rows.configuration)) {
    return bad(kMetaConfiguration);
  }
  found = get(kMetaInitialized, &value);
  if (!found.ok()) return found.status();
  if (!*found || value.size() != 1 || static_cast<uint8_t>(value[0]) > 1) {
    return bad(kMetaInitialized);
  }
  out.rows.initialized = value[0] == 1;
  return out;
}

absl::Status LoadSource(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                        const MetaRows& meta, IdentityState* state, uint64_t* rows) {
  ChangeSet chunk;
  chunk.configuration = meta.configuration;
  chunk.next_authorization_key = meta.next_authorization_key;
  chunk.initializes = meta.initialized;
  auto add = [&](Row row) {
    chunk.changes.push_back(RowChange{RowChange::Op::kPut, std::move(row)});
    ++*rows;
    if (chunk.changes.size() >= kLoadChunk) {
      state->Apply(std::move(chunk));
      chunk = ChangeSet{};
    }
  };

  absl::Status s = Scan(
      db, f.entities, read, "", [&](std::string_view key, std::string_view value) -> absl::Status {
        EntityKind kind;
        std::string id;
        if (!ParseEntityKey(key, &kind, &id)) return BadRow(kEntitiesFamily, key, "bad key");
        switch (kind) {
          case EntityKind::kUser: {
            User u;
            if (!DecodeUser(value, &u) || u.username != id) break;
            add(std::move(u));
            return absl::OkStatus();
          }
          case EntityKind::kGroup: {
            Group g;
            if (!DecodeNamed(value, &g) || g.id != id) break;
            add(std::move(g));
            return absl::OkStatus();
          }
          case EntityKind::kRole: {
            Role r;
            if (!DecodeNamed(value, &r) || r.id != id) break;
            add(std::move(r));
            return absl::OkStatus();
          }
          case EntityKind::kTenant: {
            Tenant t;
            if (!DecodeNamed(value, &t) || t.id != id) break;
            add(std::move(t));
            return absl::OkStatus();
          }
          case EntityKind::kMappingRule: {
            MappingRule r;
            if (!DecodeMappingRule(value, &r) || r.id != id) break;
            absl::StatusOr<ClaimPath> path = ClaimPath::Compile(r.claim_name);
            if (!path.ok()) return BadRow(kEntitiesFamily, key, "claim name does not compile");
            r.path = *std::move(path);
            add(std::move(r));
            return absl::OkStatus();
          }
        }
        return BadRow(kEntitiesFamily, key, "value does not decode or does not match its key");
      });
  if (!s.ok()) return s;

  s = Scan(db, f.memberships, read, std::string(1, kMembershipTag),
           [&](std::string_view key, std::string_view value) -> absl::Status {
             Membership m;
             if (!ParseMembershipKey(key, &m) || !value.empty()) {
               return BadRow(kMembershipsFamily, key, "bad membership row");
             }
             add(std::move(m));
             return absl::OkStatus();
           });
  if (!s.ok()) return s;

  s = Scan(
      db, f.authorizations, read, std::string(1, kAuthorizationTag),
      [&](std::string_view key, std::string_view value) -> absl::Status {
        AuthorizationKey k = 0;
        Authorization a;
        if (!ParseAuthorizationRowKey(key, &k) || !DecodeAuthorization(value, &a) || a.key != k) {
          return BadRow(kAuthorizationsFamily, key, "bad authorization row");
        }
        add(std::move(a));
        return absl::OkStatus();
      });
  if (!s.ok()) return s;
  state->Apply(std::move(chunk));
  return absl::OkStatus();
}

absl::Status LoadDerived(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                         DerivedState* derived, uint64_t* rows) {
  return Scan(db, f.derived, read, "", [&](std::string_view key, std::string_view value) {
    ++*rows;
    if (!key.empty() && key[0] == kClosureTag) {
      ClosureKey k;
      Closure c;
      if (!ParseClosureRowKey(key, &k) || !DecodeClosure(value, &c)) {
        return BadRow(kDerivedFamily, key, "bad closure row");
      }
      derived->closures.emplace_hint(derived->closures.end(), std::move(k), std::move(c));
      return absl::OkStatus();
    }
    ClaimIndexEntry e;
    if (!ParseClaimIndexKey(key, &e) || !value.empty()) {
      return BadRow(kDerivedFamily, key, "bad derived row");
    }
    derived->claim_index.insert(derived->claim_index.end(), std::move(e));
    return absl::OkStatus();
  });
}

absl::Status LoadIndexKeys(rocksdb::DB* db, const Families& f, const rocksdb::ReadOptions& read,
                           std::set<std::string>* membership_index,
                           std::set<std::string>* authorization_index) {
  absl::Status s = Scan(db, f.memberships, read, std::string(1, kMembershipByMemberTag),
                        [&](std::string_view key, std::string_view) {
                          membership_index->emplace(key);
                          return absl::OkStatus();
                        });
  if (!s.ok()) return s;
  for (char tag : {kAuthorizationByOwnerTag, kAuthorizationByResourceTag}) {
    s = Scan(db, f.authorizations, read, std::string(1, tag),
             [&](std::string_view key, std::string_view) {
               authorization_index->emplace(key);
               return absl::OkStatus();
             });
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> AllFamiliesEmpty(rocksdb::DB* db, const Families& f,
                                      const rocksdb::ReadOptions& read) {
  for (rocksdb::ColumnFamilyHandle* h :
       {f.entities, f.memberships, f.authorizations, f.derived, f.meta}) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(read, h));
    it->SeekToFirst();
    if (it->Valid()) return false;
    if (!it->status().ok()) return ToDataLoss(FromRocks(it->status(), "corrupt store"));
  }
  return true;
}

}  // namespace clearance::storage_internal
