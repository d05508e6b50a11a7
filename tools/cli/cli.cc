#include "cli/cli.h"

#include <algorithm>
#include <filesystem>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/staged_store.h"

namespace clearance::cli {

using strings_internal::StrCat;

int Fail(const Context& ctx, const absl::Status& status) {
  // fwrite, not %s: the whole message, even if it holds a NUL byte.
  const std::string line = StrCat("error: ", absl::StatusCodeToString(status.code()), ": ",
                                  status.message(), "\n");
  std::fwrite(line.data(), 1, line.size(), ctx.err);
  return kError;
}

namespace {

absl::Status RequireStoreAt(const Context& ctx) {
  if (!std::filesystem::exists(ctx.db_path)) {
    std::string leftovers;
    for (const std::string& dir : LeftoverStagingDirectories(ctx.db_path)) {
      leftovers += StrCat(leftovers.empty() ? "" : ", ", "'", dir, "'");
    }
    if (!leftovers.empty()) {
      leftovers = StrCat(" (", leftovers,
                         " is what an interrupted `clearance init` or `snapshot import` left, or "
                         "one still running; the next one removes it once its process is gone)");
    }
    return absl::NotFoundError(StrCat("no store at '", ctx.db_path, "'", leftovers,
                                      "; create one with `clearance init` or name another with "
                                      "--db or CLEARANCE_DB"));
  }
  return absl::OkStatus();
}

StoreOptions ExistingStoreOptions(const Context& ctx, bool read_only) {
  StoreOptions options;
  options.sync = ctx.sync;
  options.create_if_missing = false;
  options.read_only = read_only;
  options.lock_timeout = ctx.lock_timeout;
  return options;
}

absl::Status RequireInitialized(const Context& ctx, const Store& store) {
  if (store.state().initialized()) return absl::OkStatus();
  return absl::FailedPreconditionError(
      StrCat("the store at '", ctx.db_path, "' is not initialized; run `clearance init`"));
}

absl::StatusOr<std::unique_ptr<Store>> OpenExisting(const Context& ctx, bool read_only) {
  CLEARANCE_RETURN_IF_ERROR(RequireStoreAt(ctx));
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(ctx.db_path, ExistingStoreOptions(ctx, read_only));
  if (!store.ok()) return store;
  CLEARANCE_RETURN_IF_ERROR(RequireInitialized(ctx, **store));
  return store;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const Context& ctx) {
  return OpenExisting(ctx, /*read_only=*/false);
}

absl::StatusOr<std::unique_ptr<Store>> OpenStoreForReading(const Context& ctx) {
  return OpenExisting(ctx, /*read_only=*/true);
}

absl::StatusOr<StoreAndEngine> OpenStoreWithEngine(const Context& ctx) {
  CLEARANCE_RETURN_IF_ERROR(RequireStoreAt(ctx));
  absl::StatusOr<StoreAndEngine> opened =
      OpenStoreAndEngine(ctx.db_path, ExistingStoreOptions(ctx, /*read_only=*/true));
  if (!opened.ok()) return opened;
  CLEARANCE_RETURN_IF_ERROR(RequireInitialized(ctx, *opened->store));
  return opened;
}

absl::StatusOr<ChangeSet> ApplyCommand(Store& store, const clearance::Command& command) {
  CLEARANCE_ASSIGN_OR_RETURN(ApplyResult result, store.Apply(command, std::nullopt));
  if (result.outcome == ApplyResult::Outcome::kRefused) return result.refusal;
  return std::move(result.changes);
}

void Print(const Context& ctx, const std::string& text) {
  std::fwrite(text.data(), 1, text.size(), ctx.out);
  std::fputc('\n', ctx.out);
}

void PrintTable(const Context& ctx, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size());
  for (size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], row[i].size());
    }
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string cell = cells[i];
      if (i + 1 < cells.size()) cell.resize(width[i], ' ');
      out += cell;
      if (i + 1 < cells.size()) out += "  ";
    }
    Print(ctx, out);
  };
  line(header);
  for (const auto& row : rows) line(row);
}

std::string JsonString(std::string_view s) { return strings_internal::JsonQuoted(s); }

}  // namespace clearance::cli
