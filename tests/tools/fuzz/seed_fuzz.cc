// Fuzz target: the `clearance init --seed` parser (ParseSeed) on arbitrary text. The first byte
// chooses the syntax (odd: YAML, even: JSON; the corpus spells them 'y' and 'j'), the rest is the
// file. The parser must refuse with INVALID_ARGUMENT or return a seed, and a returned seed must
// initialize a fresh store's state or be refused by the planner with one of its codes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "cli/seed.h"
#include "clearance/commands.h"
#include "clearance/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool yaml = data[0] & 1;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  absl::StatusOr<clearance::InitializationSeed> seed = clearance::cli::ParseSeed(text, yaml);
  if (!seed.ok()) {
    if (seed.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  for (clearance::AuthMode mode : {clearance::AuthMode::kBasic, clearance::AuthMode::kOidc}) {
    clearance::IdentityState state;
    clearance::Configuration config;
    config.mode = mode;
    if (!clearance::Execute(state, clearance::Configure{config}).ok()) std::abort();
    absl::StatusOr<clearance::ChangeSet> init =
        clearance::Execute(state, clearance::Initialize{*seed});
    if (init.ok()) continue;
    switch (init.status().code()) {
      case absl::StatusCode::kInvalidArgument:
      case absl::StatusCode::kAlreadyExists:
      case absl::StatusCode::kNotFound:
      case absl::StatusCode::kFailedPrecondition:
        break;
      default:
        std::abort();
    }
  }
  return 0;
}
