// Derivation: the derived rows (closures, claim-value index) as functions of the source state,
// computed in full (Verify, bulk load) or incrementally for one ChangeSet (Apply).
//
// Incremental use, for a change set `cs` planned against `before`:
//   1. affected = AffectedClosures(before, cs); claims = ClaimIndexChanges(before, cs);
//   2. apply cs to the state;
//   3. recompute ComputeClosure(after, k) for every k in `affected` (an empty closure means the
//      row is deleted) and apply `claims` in order.
// AffectedClosures is a superset of the entities whose closure can change: the member of every
// membership the change set puts or deletes, plus everything that reaches that member through
// memberships before or after the change. Everything else keeps its closure, which is what makes
// the update incremental.
//
// Thread-safety: pure functions over const state.
#ifndef CLEARANCE_STORAGE_INTERNAL_DERIVATION_H_
#define CLEARANCE_STORAGE_INTERNAL_DERIVATION_H_

#include <set>
#include <string_view>
#include <vector>

#include "clearance/derived_state.h"
#include "clearance/state.h"

namespace clearance::storage_internal {

// docs/semantics.md §4's closure of one entity from stored memberships (no groups-claim override).
Closure ComputeClosure(const IdentityState& state, MemberType type, std::string_view id);

// Every derived row of `state`.
DerivedState ComputeDerived(const IdentityState& state);

std::set<ClosureKey> AffectedClosures(const IdentityState& before, const ChangeSet& changes);

struct ClaimIndexChange {
  bool put = false;  // false: delete
  ClaimIndexEntry entry;
};
// The claim-value index edits `changes` implies, in order (a rule whose claim changes is one
// delete then one put).
std::vector<ClaimIndexChange> ClaimIndexChanges(const IdentityState& before,
                                                const ChangeSet& changes);

}  // namespace clearance::storage_internal

#endif  // CLEARANCE_STORAGE_INTERNAL_DERIVATION_H_
