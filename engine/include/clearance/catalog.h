// The catalog: owner types, resource types and permissions (docs/semantics.md §2).
//
// Everything here is a compile-time table. Adding a permission is one row in
// CLEARANCE_PERMISSIONS; adding a resource type is one row in CLEARANCE_RESOURCE_TYPES. No other
// code lists resource types or permissions: sets, names, read permissions and bit positions are
// all derived from these two tables.
//
// Thread-safety: everything here is immutable after static initialization; all functions may be
// called from any thread.
#ifndef CLEARANCE_CATALOG_H_
#define CLEARANCE_CATALOG_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace clearance {

// X(Enumerator, "WIRE_NAME"). The enumerator's value is the permission's bit in PermissionMask.
#define CLEARANCE_PERMISSIONS(X)                                                                  \
  X(kAccess, "ACCESS")                                                                            \
  X(kCreate, "CREATE")                                                                            \
  X(kRead, "READ")                                                                                \
  X(kUpdate, "UPDATE")                                                                            \
  X(kDelete, "DELETE")                                                                            \
  X(kCreateBatchOperationCancelProcessInstance, "CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE") \
  X(kCreateBatchOperationDeleteProcessInstance, "CREATE_BATCH_OPERATION_DELETE_PROCESS_INSTANCE") \
  X(kCreateBatchOperationMigrateProcessInstance,                                                  \
    "CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE")                                            \
  X(kCreateBatchOperationModifyProcessInstance, "CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE") \
  X(kCreateBatchOperationResolveIncident, "CREATE_BATCH_OPERATION_RESOLVE_INCIDENT")              \
  X(kCreateBatchOperationDeleteDecisionInstance,                                                  \
    "CREATE_BATCH_OPERATION_DELETE_DECISION_INSTANCE")                                            \
  X(kCreateBatchOperationDeleteDecisionDefinition,                                                \
    "CREATE_BATCH_OPERATION_DELETE_DECISION_DEFINITION")                                          \
  X(kCreateBatchOperationDeleteProcessDefinition,                                                 \
    "CREATE_BATCH_OPERATION_DELETE_PROCESS_DEFINITION")                                           \
  X(kCreateDecisionInstance, "CREATE_DECISION_INSTANCE")                                          \
  X(kReadDecisionDefinition, "READ_DECISION_DEFINITION")                                          \
  X(kReadDecisionInstance, "READ_DECISION_INSTANCE")                                              \
  X(kDeleteDecisionInstance, "DELETE_DECISION_INSTANCE")                                          \
  X(kCreateProcessInstance, "CREATE_PROCESS_INSTANCE")                                            \
  X(kReadProcessDefinition, "READ_PROCESS_DEFINITION")                                            \
  X(kReadProcessInstance, "READ_PROCESS_INSTANCE")                                                \
  X(kReadUserTask, "READ_USER_TASK")                                                              \
  X(kUpdateProcessInstance, "UPDATE_PROCESS_INSTANCE")                                            \
  X(kUpdateUserTask, "UPDATE_USER_TASK")                                                          \
  X(kModifyProcessInstance, "MODIFY_PROCESS_INSTANCE")                                            \
  X(kCancelProcessInstance, "CANCEL_PROCESS_INSTANCE")                                            \
  X(kDeleteProcessInstance, "DELETE_PROCESS_INSTANCE")                                            \
  X(kClaimUserTask, "CLAIM_USER_TASK")                                                            \
  X(kCompleteUserTask, "COMPLETE_USER_TASK")                                                      \
  X(kDeleteDrd, "DELETE_DRD")                                                                     \
  X(kDeleteForm, "DELETE_FORM")                                                                   \
  X(kDeleteProcess, "DELETE_PROCESS")                                                             \
  X(kDeleteResource, "DELETE_RESOURCE")                                                           \
  X(kReadUsageMetric, "READ_USAGE_METRIC")                                                        \
  X(kReadJobMetric, "READ_JOB_METRIC")                                                            \
  X(kClaim, "CLAIM")                                                                              \
  X(kComplete, "COMPLETE")                                                                        \
  X(kEvaluate, "EVALUATE")                                                                        \
  X(kCreateTaskListener, "CREATE_TASK_LISTENER")                                                  \
  X(kReadTaskListener, "READ_TASK_LISTENER")                                                      \
  X(kUpdateTaskListener, "UPDATE_TASK_LISTENER")                                                  \
  X(kDeleteTaskListener, "DELETE_TASK_LISTENER")

enum class Permission : uint8_t {
#define CLEARANCE_ENUMERATOR(e, name) e,
  CLEARANCE_PERMISSIONS(CLEARANCE_ENUMERATOR)
#undef CLEARANCE_ENUMERATOR
};

// One bit per Permission, bit index = the enumerator's value.
using PermissionMask = uint64_t;

constexpr PermissionMask Bit(Permission p) { return PermissionMask{1} << static_cast<unsigned>(p); }

namespace catalog_internal {
constexpr PermissionMask Mask() { return 0; }
template <typename... Rest>
constexpr PermissionMask Mask(Permission first, Rest... rest) {
  return Bit(first) | Mask(rest...);
}
}  // namespace catalog_internal

// X(Enumerator, "WIRE_NAME", supports PROPERTY scopes, supported permissions...).
// The permissions are Permission enumerators; their order is the order names are printed in.
#define CLEARANCE_RESOURCE_TYPES(X)                                                             \
  X(kAuthorization, "AUTHORIZATION", false, kCreate, kRead, kUpdate, kDelete)                   \
  X(kBatch, "BATCH", false, kCreate, kCreateBatchOperationCancelProcessInstance,                \
    kCreateBatchOperationDeleteProcessInstance, kCreateBatchOperationMigrateProcessInstance,    \
    kCreateBatchOperationModifyProcessInstance, kCreateBatchOperationResolveIncident,           \
    kCreateBatchOperationDeleteDecisionInstance, kCreateBatchOperationDeleteDecisionDefinition, \
    kCreateBatchOperationDeleteProcessDefinition, kRead, kUpdate)                               \
  X(kComponent, "COMPONENT", false, kAccess)                                                    \
  X(kDecisionDefinition, "DECISION_DEFINITION", false, kCreateDecisionInstance,                 \
    kReadDecisionDefinition, kReadDecisionInstance, kDeleteDecisionInstance)                    \
  X(kDecisionRequirementsDefinition, "DECISION_REQUIREMENTS_DEFINITION", false, kRead)          \
  X(kDocument, "DOCUMENT", false, kCreate, kRead, kDelete)                                      \
  X(kGroup, "GROUP", false, kCreate, kRead, kUpdate, kDelete)                                   \
  X(kRole, "ROLE", false, kCreate, kRead, kUpdate, kDelete)                                     \
  X(kTenant, "TENANT", false, kCreate, kRead, kUpdate, kDelete)                                 \
  X(kUser, "USER", false, kCreate, kRead, kUpdate, kDelete)                                     \
  X(kMappingRule, "MAPPING_RULE", false, kCreate, kRead, kUpdate, kDelete)                      \
  X(kMessage, "MESSAGE", false, kCreate, kRead)                                                 \
  X(kProcessDefinition, "PROCESS_DEFINITION", false, kCreateProcessInstance,                    \
    kReadProcessDefinition, kReadProcessInstance, kReadUserTask, kUpdateProcessInstance,        \
    kUpdateUserTask, kModifyProcessInstance, kCancelProcessInstance, kDeleteProcessInstance,    \
    kClaimUserTask, kCompleteUserTask)                                                          \
  X(kResource, "RESOURCE", false, kCreate, kRead, kDeleteDrd, kDeleteForm, kDeleteProcess,      \
    kDeleteResource)                                                                            \
  X(kSystem, "SYSTEM", false, kRead, kReadUsageMetric, kUpdate, kReadJobMetric)                 \
  X(kUserTask, "USER_TASK", true, kRead, kUpdate, kClaim, kComplete)                            \
  X(kAuditLog, "AUDIT_LOG", false, kRead)                                                       \
  X(kClusterVariable, "CLUSTER_VARIABLE", false, kCreate, kRead, kUpdate, kDelete)              \
  X(kExpression, "EXPRESSION", false, kEvaluate)                                                \
  X(kGlobalListener, "GLOBAL_LISTENER", false, kCreateTaskListener, kReadTaskListener,          \
    kUpdateTaskListener, kDeleteTaskListener)

enum class ResourceType : uint8_t {
#define CLEARANCE_ENUMERATOR(e, name, property, ...) e,
  CLEARANCE_RESOURCE_TYPES(CLEARANCE_ENUMERATOR)
#undef CLEARANCE_ENUMERATOR
};

inline constexpr int kPermissionCount = 0
#define CLEARANCE_COUNT(e, name) +1
    CLEARANCE_PERMISSIONS(CLEARANCE_COUNT)
#undef CLEARANCE_COUNT
    ;
inline constexpr int kResourceTypeCount = 0
#define CLEARANCE_COUNT(e, name, property, ...) +1
    CLEARANCE_RESOURCE_TYPES(CLEARANCE_COUNT)
#undef CLEARANCE_COUNT
    ;
static_assert(kPermissionCount <= 64, "the permission set must fit one 64-bit mask");

// Who may own an authorization (and, with the same names, who may be a member: docs/semantics.md
// §4).
// TENANT is deliberately not here: tenants never own authorizations.
enum class OwnerType : uint8_t { kUser, kClient, kGroup, kRole, kMappingRule };
inline constexpr int kOwnerTypeCount = 5;
using MemberType = OwnerType;

// Entities that hold members.
enum class ContainerType : uint8_t { kGroup, kRole, kTenant };

// Canonical wire names ("PROCESS_DEFINITION", "READ", "MAPPING_RULE").
std::string_view Name(Permission p);
std::string_view Name(ResourceType t);
std::string_view Name(OwnerType t);
std::string_view Name(ContainerType t);

// Parse a wire name. Names are matched case-insensitively and '-' is accepted for '_'
// ("process-definition"). Returns INVALID_ARGUMENT naming the value and listing the accepted
// names when it is not one of them.
absl::StatusOr<Permission> ParsePermission(std::string_view name);
absl::StatusOr<ResourceType> ParseResourceType(std::string_view name);
absl::StatusOr<OwnerType> ParseOwnerType(std::string_view name);
absl::StatusOr<ContainerType> ParseContainerType(std::string_view name);

// The permissions a resource type supports (docs/semantics.md §2).
PermissionMask SupportedPermissions(ResourceType t);
// Whether authorizations on this resource type may use PROPERTY scopes (USER_TASK, 8.9).
bool SupportsPropertyScopes(ResourceType t);
// "Read" permissions: ACCESS, READ and every permission named READ_*.
PermissionMask ReadPermissions();
// Every permission of the catalog.
PermissionMask AllPermissions();

// The permissions of a mask in catalog order, comma-separated ("CREATE, READ").
std::string FormatPermissions(PermissionMask mask);
// Parse a list of permission names; repeated names count once. INVALID_ARGUMENT on an unknown
// name or an empty list.
absl::StatusOr<PermissionMask> ParsePermissions(std::string_view comma_separated);

// Iteration helpers.
template <typename F>
void ForEachPermission(PermissionMask mask, F&& f) {
  for (int i = 0; i < kPermissionCount; ++i) {
    if (mask & (PermissionMask{1} << i)) f(static_cast<Permission>(i));
  }
}
template <typename F>
void ForEachResourceType(F&& f) {
  for (int i = 0; i < kResourceTypeCount; ++i) f(static_cast<ResourceType>(i));
}

}  // namespace clearance

#endif  // CLEARANCE_CATALOG_H_
