// Store::Verify(): recompute the secondary key indexes from the source rows and report every
// difference. Nothing derived is stored (schema 2): closures are the engine's, built from the
// source rows this check reads.
#include <memory>
#include <set>
#include <string>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/store.h"
#include "internal/keys.h"
#include "internal/loader.h"
#include "internal/row_writer.h"
#include "internal/store_rep.h"

namespace clearance {
namespace {

using strings_internal::StrCat;

// Reports every element of `stored` missing from `expected` and vice versa.
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

  CLEARANCE_ASSIGN_OR_RETURN(const storage_internal::StoredMeta meta,
                             storage_internal::ReadMeta(rep.db.get(), f, read));
  if (!meta.present) return absl::DataLossError("corrupt store: no schema version");
  IdentityState disk;
  CLEARANCE_RETURN_IF_ERROR(
      storage_internal::LoadSource(rep.db.get(), f, read, meta.rows, &disk, &report.source_rows));
  CLEARANCE_RETURN_IF_ERROR(
      storage_internal::CountRows(rep.db.get(), f.derived, read, &report.derived_rows));
  // A version-1 store opened read-only still holds its derived rows; a version-2 store never
  // writes any.
  if (meta.rows.schema_version == kSchemaVersion && report.derived_rows != 0) {
    report.differences.push_back(StrCat("the retired derived family holds ", report.derived_rows,
                                        " rows; expected none in schema version ",
                                        kSchemaVersion));
  }

  // Secondary index keys against the rows.
  std::set<std::string> membership_index, authorization_index;
  CLEARANCE_RETURN_IF_ERROR(storage_internal::LoadIndexKeys(
      rep.db.get(), f, read, &membership_index, &authorization_index));
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
  if (meta.rows.applied_position != rep.applied_position ||
      meta.rows.generation != rep.generation) {
    report.differences.push_back("stored applied position or generation differs from memory");
  }
  return report;
}

}  // namespace clearance
