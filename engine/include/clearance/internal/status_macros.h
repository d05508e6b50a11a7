// Early returns on error, so that a function reads as its successful path.
//
//   CLEARANCE_RETURN_IF_ERROR(store.Write(batch));
//   CLEARANCE_ASSIGN_OR_RETURN(Configuration config, DecodeConfiguration(bytes));
//   CLEARANCE_ASSIGN_OR_RETURN(auto plan, Plan(state, command));
//
// Each evaluates its expression once and returns its absl::Status unchanged when it is not OK.
// The function they appear in must return absl::Status or absl::StatusOr<T>. Where an error needs
// context or a different return type (a CLI exit code, an HTTP problem), write the check out.
//
// Internal: not part of the installed API.
#ifndef CLEARANCE_INTERNAL_STATUS_MACROS_H_
#define CLEARANCE_INTERNAL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define CLEARANCE_RETURN_IF_ERROR(expr)                                           \
  do {                                                                            \
    if (::absl::Status clearance_status_ = (expr); !clearance_status_.ok()) {     \
      return clearance_status_;                                                   \
    }                                                                             \
  } while (false)

#define CLEARANCE_STATUS_MACROS_CONCAT_INNER_(a, b) a##b
#define CLEARANCE_STATUS_MACROS_CONCAT_(a, b) CLEARANCE_STATUS_MACROS_CONCAT_INNER_(a, b)

// `lhs` may declare a variable (`auto x`, `Type x`) or name an existing one.
#define CLEARANCE_ASSIGN_OR_RETURN(lhs, expr)                                       \
  CLEARANCE_ASSIGN_OR_RETURN_IMPL_(                                                 \
      CLEARANCE_STATUS_MACROS_CONCAT_(clearance_statusor_, __LINE__), lhs, expr)

#define CLEARANCE_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                                     \
  if (!statusor.ok()) return std::move(statusor).status();    \
  lhs = *std::move(statusor)

#endif  // CLEARANCE_INTERNAL_STATUS_MACROS_H_
