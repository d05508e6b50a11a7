// Seed files for `clearance init`: the shape of Camunda's camunda.security.initialization
// section (users, mappingRules, groups, roles, tenants with their members, defaultRoles members,
// authorizations), as YAML or JSON. The section may stand alone or sit under
// camunda.security.initialization. Keys bind like Spring's (mappingRules = mapping-rules).
// Plain-text passwords are hashed with bcrypt; "{bcrypt}$2..." values are kept as given.
#ifndef CLEARANCE_TOOLS_CLI_SEED_H_
#define CLEARANCE_TOOLS_CLI_SEED_H_

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "clearance/commands.h"

namespace clearance::cli {

// Caps on a seed document's shape (its size is capped where it is read).
struct SeedLimits {
  // Nesting of maps and lists (the top-level map is depth 1). A seed needs 5. Default 64.
  size_t max_depth = 64;
  // Maps, lists and scalars in the document. Default 1 000 000 (a seed of some 100 000
  // entries).
  size_t max_nodes = 1'000'000;
};

// INVALID_ARGUMENT names the entry ("seed: groups[2]: field 'name' is missing"), or the limit a
// document breaks. YAML anchors and aliases are refused: an alias repeats a subtree without
// copying it, so a few hundred bytes can name an exponentially large document, and yaml-cpp has
// no cap on expanding them.
absl::StatusOr<InitializationSeed> ParseSeed(std::string_view text, bool yaml,
                                             const SeedLimits& limits = {});

}  // namespace clearance::cli

#endif  // CLEARANCE_TOOLS_CLI_SEED_H_
