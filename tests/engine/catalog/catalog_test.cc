// The catalog against docs/semantics.md §2. The expected permission sets below are copied from
// docs/semantics.md by hand, on purpose: if the catalog table drifts from the contract, these rows
// fail.
#include "clearance/catalog.h"

#include <bit>
#include <cctype>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using ::testing::HasSubstr;

struct ResourceTypeRow {
  ResourceType type;
  std::string_view name;
  std::vector<std::string_view> permissions;  // docs/semantics.md §2, in the SPEC's order
};

void PrintTo(const ResourceTypeRow& row, std::ostream* os) { *os << row.name; }

const std::vector<ResourceTypeRow>& SpecTable() {
  static const auto* const kTable = new std::vector<ResourceTypeRow>{
      {ResourceType::kAuthorization, "AUTHORIZATION", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kBatch,
       "BATCH",
       {"CREATE", "CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE",
        "CREATE_BATCH_OPERATION_DELETE_PROCESS_INSTANCE",
        "CREATE_BATCH_OPERATION_MIGRATE_PROCESS_INSTANCE",
        "CREATE_BATCH_OPERATION_MODIFY_PROCESS_INSTANCE", "CREATE_BATCH_OPERATION_RESOLVE_INCIDENT",
        "CREATE_BATCH_OPERATION_DELETE_DECISION_INSTANCE",
        "CREATE_BATCH_OPERATION_DELETE_DECISION_DEFINITION",
        "CREATE_BATCH_OPERATION_DELETE_PROCESS_DEFINITION", "READ", "UPDATE"}},
      {ResourceType::kComponent, "COMPONENT", {"ACCESS"}},
      {ResourceType::kDecisionDefinition,
       "DECISION_DEFINITION",
       {"CREATE_DECISION_INSTANCE", "READ_DECISION_DEFINITION", "READ_DECISION_INSTANCE",
        "DELETE_DECISION_INSTANCE"}},
      {ResourceType::kDecisionRequirementsDefinition, "DECISION_REQUIREMENTS_DEFINITION", {"READ"}},
      {ResourceType::kDocument, "DOCUMENT", {"CREATE", "READ", "DELETE"}},
      {ResourceType::kGroup, "GROUP", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kRole, "ROLE", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kTenant, "TENANT", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kUser, "USER", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kMappingRule, "MAPPING_RULE", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kMessage, "MESSAGE", {"CREATE", "READ"}},
      {ResourceType::kProcessDefinition,
       "PROCESS_DEFINITION",
       {"CREATE_PROCESS_INSTANCE", "READ_PROCESS_DEFINITION", "READ_PROCESS_INSTANCE",
        "READ_USER_TASK", "UPDATE_PROCESS_INSTANCE", "UPDATE_USER_TASK", "MODIFY_PROCESS_INSTANCE",
        "CANCEL_PROCESS_INSTANCE", "DELETE_PROCESS_INSTANCE", "CLAIM_USER_TASK",
        "COMPLETE_USER_TASK"}},
      {ResourceType::kResource,
       "RESOURCE",
       {"CREATE", "READ", "DELETE_DRD", "DELETE_FORM", "DELETE_PROCESS", "DELETE_RESOURCE"}},
      {ResourceType::kSystem, "SYSTEM", {"READ", "READ_USAGE_METRIC", "UPDATE", "READ_JOB_METRIC"}},
      {ResourceType::kUserTask, "USER_TASK", {"READ", "UPDATE", "CLAIM", "COMPLETE"}},
      {ResourceType::kAuditLog, "AUDIT_LOG", {"READ"}},
      {ResourceType::kClusterVariable, "CLUSTER_VARIABLE", {"CREATE", "READ", "UPDATE", "DELETE"}},
      {ResourceType::kExpression, "EXPRESSION", {"EVALUATE"}},
      {ResourceType::kGlobalListener,
       "GLOBAL_LISTENER",
       {"CREATE_TASK_LISTENER", "READ_TASK_LISTENER", "UPDATE_TASK_LISTENER",
        "DELETE_TASK_LISTENER"}},
  };
  return *kTable;
}

std::set<std::string> NamesIn(PermissionMask mask) {
  std::set<std::string> names;
  ForEachPermission(mask, [&](Permission p) { names.emplace(Name(p)); });
  return names;
}

class ResourceTypePermissionsTest : public ::testing::TestWithParam<ResourceTypeRow> {};

TEST_P(ResourceTypePermissionsTest, SupportedPermissionsMatchSpec) {
  const ResourceTypeRow& row = GetParam();
  const std::set<std::string> expected(row.permissions.begin(), row.permissions.end());
  EXPECT_EQ(NamesIn(SupportedPermissions(row.type)), expected);
}

TEST_P(ResourceTypePermissionsTest, NameRoundTrips) {
  const ResourceTypeRow& row = GetParam();
  EXPECT_EQ(Name(row.type), row.name);
  absl::StatusOr<ResourceType> parsed = ParseResourceType(row.name);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, row.type);
}

TEST_P(ResourceTypePermissionsTest, OnlyUserTaskSupportsPropertyScopes) {
  const ResourceTypeRow& row = GetParam();
  EXPECT_EQ(SupportsPropertyScopes(row.type), row.type == ResourceType::kUserTask);
}

INSTANTIATE_TEST_SUITE_P(Spec, ResourceTypePermissionsTest, ::testing::ValuesIn(SpecTable()),
                         [](const ::testing::TestParamInfo<ResourceTypeRow>& param_info) {
                           return std::string(param_info.param.name);
                         });

TEST(CatalogTest, EveryResourceTypeIsInTheSpecTable) {
  EXPECT_EQ(kResourceTypeCount, static_cast<int>(SpecTable().size()));
  std::set<std::string> spec_names;
  for (const ResourceTypeRow& row : SpecTable()) spec_names.emplace(row.name);
  ForEachResourceType([&](ResourceType t) {
    EXPECT_TRUE(spec_names.contains(std::string(Name(t)))) << Name(t) << " is not in docs/semantics.md §2";
  });
}

TEST(CatalogTest, PermissionsAreExactlyThoseOfTheSpecTable) {
  std::set<std::string> spec_permissions;
  PermissionMask union_of_types = 0;
  for (const ResourceTypeRow& row : SpecTable()) {
    spec_permissions.insert(row.permissions.begin(), row.permissions.end());
    union_of_types |= SupportedPermissions(row.type);
  }
  EXPECT_EQ(kPermissionCount, static_cast<int>(spec_permissions.size()));
  EXPECT_EQ(NamesIn(AllPermissions()), spec_permissions);
  EXPECT_EQ(union_of_types, AllPermissions());
}

TEST(CatalogTest, PermissionMaskFitsSixtyFourBitsWithOneBitEach) {
  static_assert(sizeof(PermissionMask) == 8);
  EXPECT_LE(kPermissionCount, 64);
  EXPECT_EQ(std::popcount(AllPermissions()), kPermissionCount);
  PermissionMask seen = 0;
  ForEachPermission(AllPermissions(), [&](Permission p) {
    EXPECT_EQ(std::popcount(Bit(p)), 1) << Name(p);
    EXPECT_EQ(seen & Bit(p), 0u) << Name(p) << " shares a bit";
    seen |= Bit(p);
  });
  EXPECT_EQ(seen, AllPermissions());
}

TEST(CatalogTest, ReadPermissionsAreAccessReadAndReadPrefixed) {
  const std::set<std::string> expected = {"ACCESS",
                                          "READ",
                                          "READ_DECISION_DEFINITION",
                                          "READ_DECISION_INSTANCE",
                                          "READ_PROCESS_DEFINITION",
                                          "READ_PROCESS_INSTANCE",
                                          "READ_USER_TASK",
                                          "READ_USAGE_METRIC",
                                          "READ_JOB_METRIC",
                                          "READ_TASK_LISTENER"};
  EXPECT_EQ(NamesIn(ReadPermissions()), expected);
  EXPECT_EQ(ReadPermissions() & Bit(Permission::kCreate), 0u);
  EXPECT_EQ(ReadPermissions() & Bit(Permission::kUpdate), 0u);
  EXPECT_EQ(ReadPermissions() & Bit(Permission::kEvaluate), 0u);
}

TEST(CatalogTest, ParsesNamesCaseInsensitivelyWithDashes) {
  for (std::string_view input :
       {"PROCESS_DEFINITION", "process_definition", "process-definition", "Process-Definition"}) {
    absl::StatusOr<ResourceType> parsed = ParseResourceType(input);
    ASSERT_TRUE(parsed.ok()) << input << ": " << parsed.status();
    EXPECT_EQ(*parsed, ResourceType::kProcessDefinition) << input;
  }
  absl::StatusOr<Permission> permission = ParsePermission("read-process-instance");
  ASSERT_TRUE(permission.ok()) << permission.status();
  EXPECT_EQ(*permission, Permission::kReadProcessInstance);

  absl::StatusOr<OwnerType> owner = ParseOwnerType("mapping-rule");
  ASSERT_TRUE(owner.ok()) << owner.status();
  EXPECT_EQ(*owner, OwnerType::kMappingRule);

  absl::StatusOr<ContainerType> container = ParseContainerType("tenant");
  ASSERT_TRUE(container.ok()) << container.status();
  EXPECT_EQ(*container, ContainerType::kTenant);
}

TEST(CatalogTest, EveryPermissionRoundTripsInLowerCase) {
  ForEachPermission(AllPermissions(), [](Permission p) {
    std::string lower(Name(p));
    for (char& c : lower) c = static_cast<char>(c == '_' ? '-' : std::tolower(c));
    absl::StatusOr<Permission> parsed = ParsePermission(lower);
    ASSERT_TRUE(parsed.ok()) << lower << ": " << parsed.status();
    EXPECT_EQ(*parsed, p);
  });
}

TEST(CatalogTest, UnknownNamesAreRefusedListingTheAcceptedOnes) {
  absl::StatusOr<ResourceType> type = ParseResourceType("PROCESS");
  EXPECT_EQ(type.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(type.status().message(), HasSubstr("PROCESS"));
  EXPECT_THAT(type.status().message(), HasSubstr("PROCESS_DEFINITION"));

  absl::StatusOr<Permission> permission = ParsePermission("READ__PROCESS");
  EXPECT_EQ(permission.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(permission.status().message(), HasSubstr("READ__PROCESS"));

  EXPECT_EQ(ParseResourceType("").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ParseResourceType("process definition").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CatalogTest, TenantIsNotAnOwnerType) {
  for (std::string_view input : {"TENANT", "tenant"}) {
    absl::StatusOr<OwnerType> owner = ParseOwnerType(input);
    EXPECT_EQ(owner.status().code(), absl::StatusCode::kInvalidArgument) << input;
  }
  const std::vector<std::pair<std::string_view, OwnerType>> owners = {
      {"USER", OwnerType::kUser},
      {"CLIENT", OwnerType::kClient},
      {"GROUP", OwnerType::kGroup},
      {"ROLE", OwnerType::kRole},
      {"MAPPING_RULE", OwnerType::kMappingRule}};
  EXPECT_EQ(kOwnerTypeCount, static_cast<int>(owners.size()));
  for (const auto& [name, type] : owners) {
    EXPECT_EQ(Name(type), name);
    absl::StatusOr<OwnerType> parsed = ParseOwnerType(name);
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(*parsed, type);
  }
}

TEST(CatalogTest, FormatsAndParsesPermissionLists) {
  const PermissionMask create_read = Bit(Permission::kCreate) | Bit(Permission::kRead);
  EXPECT_EQ(FormatPermissions(create_read), "CREATE, READ");

  absl::StatusOr<PermissionMask> parsed = ParsePermissions("READ, create,READ");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(*parsed, create_read);

  absl::StatusOr<PermissionMask> round_trip = ParsePermissions(FormatPermissions(AllPermissions()));
  ASSERT_TRUE(round_trip.ok()) << round_trip.status();
  EXPECT_EQ(*round_trip, AllPermissions());

  EXPECT_EQ(ParsePermissions("").status().code(), absl::StatusCode::kInvalidArgument);
  absl::StatusOr<PermissionMask> unknown = ParsePermissions("READ,BOGUS");
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("BOGUS"));
}

}  // namespace
}  // namespace clearance
