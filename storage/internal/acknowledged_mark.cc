#include "internal/acknowledged_mark.h"

#include <sstream>

#include "absl/strings/numbers.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "internal/rocks_status.h"

namespace clearance::storage_internal {
namespace {

using strings_internal::StrCat;

// "generation 12 applied_position 7\n"; "applied_position -" when none.
std::string Encode(const AcknowledgedMark& m) {
  return StrCat("generation ", m.generation, " applied_position ",
                m.applied_position ? std::to_string(*m.applied_position) : "-", "\n");
}

}  // namespace

absl::StatusOr<std::optional<AcknowledgedMark>> ReadAcknowledgedMark(rocksdb::Env* env,
                                                                     const std::string& dir) {
  const std::string path = StrCat(dir, "/", kAcknowledgedMarkFile);
  rocksdb::Status exists = env->FileExists(path);
  if (exists.IsNotFound()) return std::nullopt;
  std::string text;
  CLEARANCE_RETURN_IF_ERROR(
      FromRocks(rocksdb::ReadFileToString(env, path, &text), StrCat("reading ", path)));
  std::istringstream in(text);
  std::string generation_word, position_word, position_text, rest;
  AcknowledgedMark mark;
  uint64_t position = 0;
  in >> generation_word >> mark.generation >> position_word >> position_text;
  const bool parsed = in && !(in >> rest) && generation_word == "generation" &&
                      position_word == "applied_position" &&
                      (position_text == "-" || absl::SimpleAtoi(position_text, &position));
  if (!parsed) {
    return absl::DataLossError(StrCat(path, " does not parse: '", text,
                                      "'; expected 'generation N applied_position N|-'"));
  }
  if (position_text != "-") mark.applied_position = position;
  return mark;
}

absl::Status WriteAcknowledgedMark(rocksdb::Env* env, const std::string& dir,
                                   const AcknowledgedMark& mark, bool sync) {
  const std::string path = StrCat(dir, "/", kAcknowledgedMarkFile);
  const std::string temp = path + ".tmp";
  CLEARANCE_RETURN_IF_ERROR(FromRocks(rocksdb::WriteStringToFile(env, Encode(mark), temp, sync),
                                      StrCat("writing ", temp)));
  return FromRocks(env->RenameFile(temp, path), StrCat("renaming ", temp));
}

absl::Status CheckAgainstMark(const std::string& dir, const AcknowledgedMark& mark,
                              uint64_t generation, std::optional<uint64_t> applied_position) {
  const bool behind = generation < mark.generation ||
                      (mark.applied_position && applied_position.value_or(0) < *mark.applied_position);
  if (!behind) return absl::OkStatus();
  return absl::DataLossError(StrCat(
      "store at ", dir, " lost acknowledged commands: it recovers generation ", generation,
      " (applied position ", applied_position ? std::to_string(*applied_position) : "none",
      ") but ", kAcknowledgedMarkFile, " records generation ", mark.generation,
      " (applied position ",
      mark.applied_position ? std::to_string(*mark.applied_position) : "none",
      "): a write-ahead log (*.log) is missing or truncated. Restore the store from a backup or "
      "a snapshot"));
}

}  // namespace clearance::storage_internal
