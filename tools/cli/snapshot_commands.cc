// `clearance snapshot export|import` and `clearance verify`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/staged_store.h"
#include "cli/cli.h"
#include "cli/input.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;
namespace fs = std::filesystem;

constexpr InputLimit kMaxLineBytes{"max-line-bytes", kDefaultSnapshotMaxLineBytes};

// Progress on stderr for long runs, only when a person watches it (stderr is a terminal).
class ProgressLine {
 public:
  explicit ProgressLine(std::string_view verb)
      : verb_(verb),
        enabled_(isatty(STDERR_FILENO) == 1),
        start_(std::chrono::steady_clock::now()) {}
  ~ProgressLine() {
    if (enabled_ && shown_) std::fputc('\n', stderr);
  }
  SnapshotProgress callback() {
    if (!enabled_) return nullptr;
    return [this](uint64_t done, uint64_t total) {
      double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
      double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
      double eta = rate > 0 ? static_cast<double>(total - done) / rate : 0;
      std::fprintf(stderr, "\r%s: %llu/%llu records, %.0f records/s, ETA %.0f s   ", verb_.c_str(),
                   static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                   rate, eta);
      shown_ = true;
    };
  }

 private:
  std::string verb_;
  bool enabled_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_;
};

absl::StatusOr<std::string> FormatOf(const Flags& f) {
  std::string format = f.GetOr("format", "ndjson");
  if (format != "ndjson" && format != "checkpoint") {
    return absl::InvalidArgumentError(
        StrCat("--format: '", format, "'; expected ndjson (logical) or checkpoint (binary)"));
  }
  return format;
}

int Export(Context& ctx, const Flags& f) {
  absl::StatusOr<std::string> out = f.Require("out");
  if (!out.ok()) return Fail(ctx, out.status());
  absl::StatusOr<std::string> format = FormatOf(f);
  if (!format.ok()) return Fail(ctx, format.status());
  // A character device or a pipe that exists (/dev/null, /dev/stdout, a FIFO) is a stream to
  // write to; an existing file or directory is never overwritten.
  std::error_code ec;
  const fs::file_status target = fs::status(*out, ec);
  const bool exists = fs::exists(target);
  const bool stream = exists && !fs::is_regular_file(target) && !fs::is_directory(target);
  if (exists && (!stream || *format == "checkpoint")) {
    return Fail(ctx, absl::AlreadyExistsError(StrCat(
                         "--out: '", *out, "' already exists; expected a new path",
                         *format == "checkpoint" ? "" : " or a device or pipe to stream to")));
  }
  if (*format == "checkpoint") {
    absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
    if (!store.ok()) return Fail(ctx, store.status());
    if (absl::Status s = (*store)->Checkpoint(*out); !s.ok()) return Fail(ctx, s);
    Print(ctx, StrCat("checkpoint written to ", *out));
    return kOk;
  }
  if (!fs::exists(ctx.db_path)) return Fail(ctx, OpenStore(ctx).status());  // names the fix
  // A new file is written beside the target and renamed, so a failed export never leaves a
  // partial file that looks like a snapshot. A stream is written as it goes: there is nothing
  // to rename, and its reader sees the missing trailer of a failed export.
  const std::string partial = stream ? *out : *out + ".partial";
  uint64_t exported = 0;
  {
    std::ofstream file(partial, std::ios::binary | (stream ? std::ios::out : std::ios::trunc));
    if (!file)
      return Fail(ctx, absl::UnavailableError(StrCat("--out: cannot write '", partial, "'")));
    ProgressLine progress("export");
    SnapshotProgress report = progress.callback();
    // From one RocksDB snapshot of the store, never loaded into memory: consistent, and in
    // constant memory whatever the store's size.
    StoreOptions options;
    options.create_if_missing = false;
    options.read_only = true;
    absl::Status s = ExportSnapshot(ctx.db_path, options, &file,
                                    [&](uint64_t done, uint64_t total) {
                                      exported = total;
                                      if (report) report(done, total);
                                    });
    if (!s.ok()) {
      if (!stream) fs::remove(partial);
      return Fail(ctx, s);
    }
  }
  if (!stream) fs::rename(partial, *out);
  Print(ctx, StrCat("exported ", exported, " records to ", *out));
  return kOk;
}

int Import(Context& ctx, const Flags& f) {
  absl::StatusOr<std::string> in = f.Require("in");
  if (!in.ok()) return Fail(ctx, in.status());
  absl::StatusOr<std::string> format = FormatOf(f);
  if (!format.ok()) return Fail(ctx, format.status());
  absl::StatusOr<size_t> max_line_bytes = LimitValue(f, kMaxLineBytes);
  if (!max_line_bytes.ok()) return Fail(ctx, max_line_bytes.status());
  SnapshotReadOptions read_options;
  read_options.max_line_bytes = *max_line_bytes;
  read_options.max_line_bytes_name = StrCat("--", kMaxLineBytes.flag);
  if (fs::exists(ctx.db_path) && !fs::is_empty(ctx.db_path)) {
    return Fail(ctx, absl::FailedPreconditionError(
                         StrCat("the store at '", ctx.db_path,
                                "' already exists; a snapshot imports into an empty store only")));
  }
  StoreOptions options;
  options.sync = ctx.sync;
  // Built beside the store's path and renamed into place when complete: a killed import leaves
  // no store or a complete one.
  absl::StatusOr<StagedStore> staged = StagedStore::Begin(ctx.db_path);
  if (!staged.ok()) return Fail(ctx, staged.status());
  if (*format == "checkpoint") {
    std::error_code ec;
    fs::copy(*in, staged->path(), fs::copy_options::recursive, ec);
    if (ec) {
      return Fail(ctx, absl::UnavailableError(StrCat("--in: copying '", *in, "': ", ec.message())));
    }
    options.create_if_missing = false;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(staged->path(), options);
    if (!store.ok()) return Fail(ctx, store.status());
    store->reset();
    if (absl::Status s = std::move(*staged).Publish(); !s.ok()) return Fail(ctx, s);
    Print(ctx, StrCat("imported checkpoint ", *in, " into ", ctx.db_path));
    return kOk;
  }
  std::ifstream file(*in, std::ios::binary);
  if (!file) return Fail(ctx, absl::NotFoundError(StrCat("--in: cannot read '", *in, "'")));
  ProgressLine progress("import");
  // Streamed into the bulk path: memory does not grow with the snapshot, and a refused snapshot
  // leaves nothing behind.
  absl::StatusOr<StoreImport> imported =
      ImportSnapshotToStore(&file, staged->path(), options, progress.callback(), {}, read_options);
  if (!imported.ok()) return Fail(ctx, imported.status());
  if (absl::Status s = std::move(*staged).Publish(); !s.ok()) return Fail(ctx, s);
  Print(ctx, StrCat("imported ", imported->counts.total(), " records into ", ctx.db_path));
  return kOk;
}

int Verify(Context& ctx, const Flags&) {
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  absl::StatusOr<VerifyReport> report = (*store)->Verify();
  if (!report.ok()) return Fail(ctx, report.status());
  if (ctx.output == OutputFormat::kJson) {
    std::string json = StrCat("{\"ok\":", report->ok() ? "true" : "false",
                              ",\"source_rows\":", report->source_rows,
                              ",\"derived_rows\":", report->derived_rows, ",\"differences\":[");
    for (size_t i = 0; i < report->differences.size(); ++i) {
      json += StrCat(i ? "," : "", JsonString(report->differences[i]));
    }
    Print(ctx, json + "]}");
  } else {
    for (const std::string& d : report->differences) Print(ctx, d);
    Print(ctx, StrCat(report->ok() ? "verify: consistent: " : "verify: INCONSISTENT: ",
                      report->source_rows, " source rows, ", report->derived_rows,
                      " derived rows, ", report->differences.size(), " differences"));
  }
  return report->ok() ? kOk : 1;
}

}  // namespace

void AddSnapshotCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"snapshot export",
       "write the state to a file (ndjson) or a checkpoint",
       {{"out", true, false,
         "the file (ndjson) or directory (checkpoint) to create; an existing device or pipe "
         "(/dev/stdout, a FIFO) receives the ndjson as it is written"},
        {"format", true, false, "ndjson (default) or checkpoint"}},
       "clearance snapshot export --out state.ndjson\n"
       "clearance snapshot export --format checkpoint --out backup-dir",
       Export});
  commands->push_back({"snapshot import",
                       "fill an empty store from a snapshot, all or nothing",
                       {{"in", true, false, "the snapshot file (ndjson) or checkpoint directory"},
                        {"format", true, false, "ndjson (default) or checkpoint"},
                        LimitFlag(kMaxLineBytes, "longest ndjson line accepted, in bytes")},
                       "clearance --db ./restored snapshot import --in state.ndjson",
                       Import});
  commands->push_back({"verify",
                       "check every row decodes and the key indexes match the source rows; "
                       "exit 1 on any difference",
                       {},
                       "clearance verify",
                       Verify});
}

}  // namespace clearance::cli
