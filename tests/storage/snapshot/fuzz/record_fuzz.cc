// Fuzz target: the snapshot reader on arbitrary bytes. It must never crash, and a snapshot it
// accepts must re-export to exactly the bytes it read (the format is canonical).
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
  if (out.str() != input) std::abort();
  return 0;
}
