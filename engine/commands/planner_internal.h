// Shared pieces of the command planner: input validation under one configuration, and the
// per-family planning functions. Internal to the engine.
#ifndef CLEARANCE_ENGINE_COMMANDS_PLANNER_INTERNAL_H_
#define CLEARANCE_ENGINE_COMMANDS_PLANNER_INTERNAL_H_

#include "absl/status/statusor.h"
#include "clearance/commands.h"
#include "clearance/internal/status_macros.h"
#include "model/identifiers.h"

namespace clearance::commands_internal {

// Validates input (never state) under one configuration.
class InputRules {
 public:
  static absl::StatusOr<InputRules> For(const Configuration& config);

  absl::Status Id(std::string_view field, std::string_view value) const {
    return ids_.Check(field, value);
  }
  absl::Status ResourceId(std::string_view field, std::string_view value) const {
    return ids_.CheckResourceId(field, value);
  }
  absl::Status GroupId(std::string_view field, std::string_view value) const;
  // Role ids follow the identifier rule, except the default roles' ids (docs/semantics.md §8):
  // those are the engine's own, created before any configured pattern is consulted, so they stay
  // valid under every pattern and can always be named as a container, member or owner.
  absl::Status RoleId(std::string_view field, std::string_view value) const;
  // The id rule of an owner or member of this type.
  absl::Status MemberId(MemberType type, std::string_view field, std::string_view value) const;
  absl::Status ContainerId(ContainerType type, std::string_view field,
                           std::string_view value) const;

  const Configuration& config() const { return *config_; }

 private:
  const Configuration* config_ = nullptr;
  model_internal::IdentifierRule ids_;
};

// Planning functions per command family. `initializing` lets Initialize run its sub-commands
// before the state is marked initialized.
absl::StatusOr<ChangeSet> PlanAuthorization(const IdentityState& state, const InputRules& rules,
                                            const Command& command);
absl::StatusOr<ChangeSet> PlanRestoreAuthorization(const IdentityState& state,
                                                   const InputRules& rules,
                                                   const Authorization& authorization);
absl::StatusOr<ChangeSet> PlanInitialize(const IdentityState& state, const Initialize& command);
absl::StatusOr<ChangeSet> PlanOne(const IdentityState& state, const Command& command,
                                  bool initializing);

// OK when every text field of `command` (or of a restored authorization row) is UTF-8, else
// INVALID_ARGUMENT naming the first field that is not (text_fields.cc). Plan() and PlanRestore()
// call it before any other check.
absl::Status CheckText(const Command& command);
absl::Status CheckText(const Authorization& authorization);

// NOT_FOUND "<what> '<id>' does not exist".
absl::Status NotFound(std::string_view what, std::string_view id);

}  // namespace clearance::commands_internal

#endif  // CLEARANCE_ENGINE_COMMANDS_PLANNER_INTERNAL_H_
