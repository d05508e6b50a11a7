// Fuzz target: the snapshot reader on arbitrary bytes. It must never crash, and a snapshot it
// accepts must re-export to exactly the bytes it read (the format is canonical) — or, for an
// older version, to current-version bytes that are themselves a fixed point.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "clearance/snapshot.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  std::istringstream in(input);
  absl::StatusOr<clearance::ImportedSnapshot> imported = clearance::ImportSnapshot(&in);
  if (!imported.ok()) return 0;
  std::ostringstream out;
  if (!clearance::ExportSnapshot(imported->state, imported->applied_position, &out).ok()) {
    std::abort();
  }
  // Inputs in the current version must come back byte for byte. An older version (1: before
  // token issuers) re-exports in the current one, whose bytes must then be a fixed point.
  const std::string current_header =
      std::string(R"({"type":"header","format":"clearance-snapshot","version":)") +
      std::to_string(clearance::kSnapshotVersion) + ",";
  if (input.starts_with(current_header)) {
    if (out.str() != input) std::abort();
    return 0;
  }
  std::istringstream again_in(out.str());
  absl::StatusOr<clearance::ImportedSnapshot> again = clearance::ImportSnapshot(&again_in);
  if (!again.ok() || !(again->state == imported->state)) std::abort();
  std::ostringstream again_out;
  if (!clearance::ExportSnapshot(again->state, again->applied_position, &again_out).ok() ||
      again_out.str() != out.str()) {
    std::abort();
  }
  return 0;
}
