#include "clearance/catalog.h"

#include <array>
#include <cctype>

#include "absl/status/status.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance {
namespace {

constexpr std::array<std::string_view, kPermissionCount> kPermissionNames = {
#define CLEARANCE_NAME(e, name) name,
    CLEARANCE_PERMISSIONS(CLEARANCE_NAME)
#undef CLEARANCE_NAME
};

struct ResourceTypeRow {
  std::string_view name;
  bool property_scopes;
  PermissionMask permissions;
};

constexpr std::array<ResourceTypeRow, kResourceTypeCount> kResourceTypes = {{
#define CLEARANCE_ROW(e, name, property, ...)    \
  {name, property, [] {                          \
     using enum Permission;                      \
     return catalog_internal::Mask(__VA_ARGS__); \
   }()},
    CLEARANCE_RESOURCE_TYPES(CLEARANCE_ROW)
#undef CLEARANCE_ROW
}};

constexpr std::array<std::string_view, kOwnerTypeCount> kOwnerTypeNames = {
    "USER", "CLIENT", "GROUP", "ROLE", "MAPPING_RULE"};
constexpr std::array<std::string_view, 3> kContainerTypeNames = {"GROUP", "ROLE", "TENANT"};

// Case-insensitive match that also takes '-' for '_'.
bool NameEquals(std::string_view canonical, std::string_view input) {
  if (canonical.size() != input.size()) return false;
  for (size_t i = 0; i < input.size(); ++i) {
    char c = input[i] == '-'
                 ? '_'
                 : static_cast<char>(std::toupper(static_cast<unsigned char>(input[i])));
    if (c != canonical[i]) return false;
  }
  return true;
}

template <typename Enum, size_t N>
absl::StatusOr<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view input,
                               std::string_view what) {
  for (size_t i = 0; i < N; ++i) {
    if (NameEquals(names[i], input)) return static_cast<Enum>(i);
  }
  return absl::InvalidArgumentError(
      strings_internal::StrCat("unknown ", what, " '", input, "'; expected one of ",
                               strings_internal::StrJoin(names, ", ")));
}

}  // namespace

std::string_view Name(Permission p) { return kPermissionNames[static_cast<size_t>(p)]; }
std::string_view Name(ResourceType t) { return kResourceTypes[static_cast<size_t>(t)].name; }
std::string_view Name(OwnerType t) { return kOwnerTypeNames[static_cast<size_t>(t)]; }
std::string_view Name(ContainerType t) { return kContainerTypeNames[static_cast<size_t>(t)]; }

absl::StatusOr<Permission> ParsePermission(std::string_view name) {
  return ParseName<Permission>(kPermissionNames, name, "permission");
}

absl::StatusOr<ResourceType> ParseResourceType(std::string_view name) {
  std::array<std::string_view, kResourceTypeCount> names;
  for (size_t i = 0; i < names.size(); ++i) names[i] = kResourceTypes[i].name;
  return ParseName<ResourceType>(names, name, "resource type");
}

absl::StatusOr<OwnerType> ParseOwnerType(std::string_view name) {
  if (NameEquals("TENANT", name)) {
    return absl::InvalidArgumentError(strings_internal::StrCat(
        "owner type '", name, "' cannot own authorizations (tenants never do); expected one of ",
        strings_internal::StrJoin(kOwnerTypeNames, ", ")));
  }
  return ParseName<OwnerType>(kOwnerTypeNames, name, "owner type");
}

absl::StatusOr<ContainerType> ParseContainerType(std::string_view name) {
  return ParseName<ContainerType>(kContainerTypeNames, name, "container type");
}

PermissionMask SupportedPermissions(ResourceType t) {
  return kResourceTypes[static_cast<size_t>(t)].permissions;
}

bool SupportsPropertyScopes(ResourceType t) {
  return kResourceTypes[static_cast<size_t>(t)].property_scopes;
}

PermissionMask ReadPermissions() {
  static const PermissionMask mask = [] {
    PermissionMask m = 0;
    for (int i = 0; i < kPermissionCount; ++i) {
      std::string_view n = kPermissionNames[i];
      if (n == "ACCESS" || n == "READ" || n.starts_with("READ_")) m |= PermissionMask{1} << i;
    }
    return m;
  }();
  return mask;
}

PermissionMask AllPermissions() {
  return kPermissionCount == 64 ? ~PermissionMask{0} : (PermissionMask{1} << kPermissionCount) - 1;
}

std::string FormatPermissions(PermissionMask mask) {
  std::string out;
  ForEachPermission(mask, [&](Permission p) {
    if (!out.empty()) out += ", ";
    out += Name(p);
  });
  return out;
}

absl::StatusOr<PermissionMask> ParsePermissions(std::string_view comma_separated) {
  PermissionMask mask = 0;
  size_t start = 0;
  while (start <= comma_separated.size()) {
    size_t end = comma_separated.find(',', start);
    if (end == std::string_view::npos) end = comma_separated.size();
    std::string_view item = comma_separated.substr(start, end - start);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) {
      return absl::InvalidArgumentError(strings_internal::StrCat(
          "permissions: '", comma_separated,
          "' has an empty entry; expected a comma-separated list of permission names"));
    }
    CLEARANCE_ASSIGN_OR_RETURN(Permission p, ParsePermission(item));
    mask |= Bit(p);
    start = end + 1;
  }
  return mask;
}

}  // namespace clearance
