// Bounded input for the clearance tool: every file or stdin stream a command reads whole (seeds,
// claims, tokens) is read through ReadInput, which stops at a limit the operator can raise with
// a flag, so /dev/zero or an endless pipe is refused instead of exhausting memory.
#ifndef CLEARANCE_TOOLS_CLI_INPUT_H_
#define CLEARANCE_TOOLS_CLI_INPUT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "cli/flags.h"

namespace clearance::cli {

// One limit on input: its flag (without "--") and its default.
struct InputLimit {
  std::string_view flag;
  size_t default_value;
};

// The limit's value: the flag's, or the default. INVALID_ARGUMENT naming the flag when the
// value is not a positive integer.
absl::StatusOr<size_t> LimitValue(const Flags& flags, const InputLimit& limit);

// The flag spec of a limit, for a command's flag list and --help ("... (default N)").
FlagSpec LimitFlag(const InputLimit& limit, std::string_view what);

// Reads all of `path` ("-": stdin), named in errors as `flag` ("--seed"). At most `max_bytes`;
// more is INVALID_ARGUMENT naming the limit and `limit_flag`, the flag that raises it, after
// reading at most max_bytes + 1 bytes. NOT_FOUND when the path cannot be opened;
// INVALID_ARGUMENT for a directory; UNAVAILABLE for a read error.
absl::StatusOr<std::string> ReadInput(std::string_view flag, const std::string& path,
                                      size_t max_bytes, std::string_view limit_flag);

}  // namespace clearance::cli

#endif  // CLEARANCE_TOOLS_CLI_INPUT_H_
