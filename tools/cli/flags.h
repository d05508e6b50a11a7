// Command-line flags for the clearance tool: "--name value", "--name=value", boolean
// "--name", repeated flags, and positional words. Every subcommand declares the flags it takes;
// anything else is a usage error that names the flag and lists the accepted ones.
#ifndef CLEARANCE_TOOLS_CLI_FLAGS_H_
#define CLEARANCE_TOOLS_CLI_FLAGS_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace clearance::cli {

// One flag a command accepts. The spec owns its text: help strings are often built at
// registration (StrCat of the entity's name), and a view of such a temporary dangles.
struct FlagSpec {
  std::string name;  // without "--"
  bool takes_value = true;
  bool repeatable = false;
  std::string help;
};

class Flags {
 public:
  // Parses `args` against `specs`. INVALID_ARGUMENT names an unknown flag, a missing value or a
  // repeated non-repeatable flag.
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     const std::vector<FlagSpec>& specs);

  bool Has(std::string_view name) const { return values_.contains(std::string(name)); }
  // The value of a single-valued flag, if given.
  std::optional<std::string> Get(std::string_view name) const;
  std::string GetOr(std::string_view name, std::string_view fallback) const;
  // Every value of a repeatable flag, in order.
  std::vector<std::string> GetAll(std::string_view name) const;
  // The value, or INVALID_ARGUMENT "--name is required".
  absl::StatusOr<std::string> Require(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// "  --name VALUE   help" lines for --help output.
std::string FormatFlags(const std::vector<FlagSpec>& specs);

}  // namespace clearance::cli

#endif  // CLEARANCE_TOOLS_CLI_FLAGS_H_
