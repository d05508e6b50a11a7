#include "clearance/model.h"

namespace clearance {

std::string_view Name(Matcher m) {
  switch (m) {
    case Matcher::kAny:
      return "ANY";
    case Matcher::kId:
      return "ID";
    case Matcher::kProperty:
      return "PROPERTY";
  }
  return "?";
}

bool AcceptsMember(ContainerType container, MemberType member) {
  switch (container) {
    case ContainerType::kGroup:
      return member == MemberType::kUser || member == MemberType::kClient ||
             member == MemberType::kMappingRule;
    case ContainerType::kRole:
      return member != MemberType::kRole;
    case ContainerType::kTenant:
      return true;
  }
  return false;
}

}  // namespace clearance
