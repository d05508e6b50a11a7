// Store::Verify(): recompute what is derived from the source rows and report every difference.
#include <memory>
#include <set>
#include <string>

#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "internal/derivation.h"
#include "internal/keys.h"
#include "internal/loader.h"
#include "internal/row_writer.h"
#include "internal/store_rep.h"

namespace clearance {
namespace {

using strings_internal::StrCat;
using strings_internal::StrJoin;

std::string Describe(const ClosureKey& k) { return StrCat(Name(k.first), ":", k.second); }

std::string Describe(const Closure& c) {
  return StrCat("{groups [", StrJoin(c.groups, ","), "] roles [", StrJoin(c.roles, ","),
                "] tenants [", StrJoin(c.tenants, ","), "]}");
}

std::string Describe(const ClaimIndexEntry& e) {
  return StrCat("(", e.claim_name, ", ", e.claim_value, ") -> ", e.rule_id);
}

// Reports every key of `a` missing from `b` and vice versa; for maps, every value that differs.
void DiffClosures(const std::map<ClosureKey, Closure>& stored,
                  const std::map<ClosureKey, Closure>& expected, std::string_view what,
                  std::vector<std::string>* out) {
  auto s = stored.begin();
  auto e = expected.begin();
  while (s != stored.end() || e != expected.end()) {
    if (e == expected.end() || (s != stored.end() && s->first < e->first)) {
      out->push_back(StrCat(what, " closure ", Describe(s->first), ": stored ", Describe(s->second),
                            ", expected none"));
      ++s;
    } else if (s == stored.end() || e->first < s->first) {
      out->push_back(StrCat(what, " closure ", Describe(e->first), ": missing, expected ",
                            Describe(e->second)));
      ++e;
    } else {
      if (!(s->second == e->second)) {
        out->push_back(StrCat(what, " closure ", Describe(s->first), ": stored ",
                              Describe(s->second), ", expected ", Describe(e->second)));
      }
      ++s;
      ++e;
    }
  }
}

template <typename T, typename F>
void DiffSets(const std::set<T>& stored, const std::set<T>& expected, std::string_view what,
              F describe, std::vector<std::string>* out) {
  for (const T& x : stored) {
    if (!expected.contains(x)) out->push_back(StrCat(what, " ", describe(x), ": unexpected"));
  }
  for (const T& x : expected) {
    if (!stored.contains(x)) out->push_back(StrCat(what, " ", describe(x), ": missing"));
  }
}

}  // namespace

absl::StatusOr<VerifyReport> Store::Verify() const {
  const storage_internal::StoreRep& rep = *rep_;
  const storage_internal::Families& f = rep.families;
  VerifyReport report;
  std::unique_ptr<const rocksdb::Snapshot, std::function<void(const rocksdb::Snapshot*)>> snapshot(
      rep.db->GetSnapshot(), [&rep](const rocksdb::Snapshot* s) { rep.db->ReleaseSnapshot(s); });
  rocksdb::ReadOptions read;
  read.snapshot = snapshot.get();
  read.fill_cache = false;

  absl::StatusOr<storage_internal::StoredMeta> meta =
      storage_internal::ReadMeta(rep.db.get(), f, read);
  if (!meta.ok()) return meta.status();
  if (!meta->present) return absl::DataLossError("corrupt store: no schema version");
  IdentityState disk;
  absl::Status s =
      storage_internal::LoadSource(rep.db.get(), f, read, meta->rows, &disk, &report.source_rows);
  if (!s.ok()) return s;
  DerivedState stored;
  s = storage_internal::LoadDerived(rep.db.get(), f, read, &stored, &report.derived_rows);
  if (!s.ok()) return s;

  // Derived rows against a full recomputation.
  DerivedState expected = storage_internal::ComputeDerived(disk);
  DiffClosures(stored.closures, expected.closures, "derived", &report.differences);
  DiffSets(
      stored.claim_index, expected.claim_index, "derived claim index entry",
      [](const ClaimIndexEntry& e) { return Describe(e); }, &report.differences);

  // Secondary index keys against the rows.
  std::set<std::string> membership_index, authorization_index;
  s = storage_internal::LoadIndexKeys(rep.db.get(), f, read, &membership_index,
                                      &authorization_index);
  if (!s.ok()) return s;
  std::set<std::string> expected_memberships, expected_authorizations;
  for (const Membership& m : disk.memberships()) {
    expected_memberships.insert(storage_internal::MembershipByMemberKey(m));
  }
  for (const auto& [key, a] : disk.authorizations()) {
    expected_authorizations.insert(storage_internal::AuthorizationByOwnerKey(a));
    expected_authorizations.insert(storage_internal::AuthorizationByResourceKey(a));
  }
  auto hex = [](const std::string& k) { return storage_internal::Hex(k); };
  DiffSets(membership_index, expected_memberships, "membership index key", hex,
           &report.differences);
  DiffSets(authorization_index, expected_authorizations, "authorization index key", hex,
           &report.differences);

  // What is stored against what this process serves.
  if (!(disk == rep.state)) {
    report.differences.push_back("stored source rows differ from the in-memory state");
  }
  DiffClosures(rep.derived.closures, stored.closures, "in-memory", &report.differences);
  DiffSets(
      rep.derived.claim_index, stored.claim_index, "in-memory claim index entry",
      [](const ClaimIndexEntry& e) { return Describe(e); }, &report.differences);
  if (meta->rows.applied_position != rep.applied_position ||
      meta->rows.generation != rep.generation) {
    report.differences.push_back("stored applied position or generation differs from memory");
  }
  return report;
}

}  // namespace clearance
