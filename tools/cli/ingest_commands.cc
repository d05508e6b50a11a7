// `clearance ingest`: apply a stream of Zeebe-shaped identity records (storage/ingest) to the
// store, with their log positions, so a replayed or resumed stream converges.
#include <fstream>
#include <iostream>

#include "clearance/ingest.h"
#include "clearance/internal/strings.h"
#include "cli/cli.h"
#include "cli/input.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

constexpr InputLimit kMaxLineBytes{"max-line-bytes", IngestOptions{}.max_line_bytes};

int Ingest(Context& ctx, const Flags& f) {
  absl::StatusOr<size_t> max_line_bytes = LimitValue(f, kMaxLineBytes);
  if (!max_line_bytes.ok()) return Fail(ctx, max_line_bytes.status());
  IngestOptions options;
  options.max_line_bytes = *max_line_bytes;
  const std::string in = f.Get("in").value_or("-");
  std::ifstream file;
  std::istream* stream = &std::cin;
  if (in != "-") {
    file.open(in);
    if (!file) {
      return Fail(ctx, absl::NotFoundError(StrCat("--in: cannot open '", in,
                                                  "'; expected a readable file or - for stdin")));
    }
    stream = &file;
  }
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  RecordIngestor ingestor(store->get(), nullptr, options);
  const absl::Status status = ingestor.IngestStream(stream);
  const IngestStats& s = ingestor.stats();
  const std::optional<uint64_t> position = (*store)->applied_position();
  if (ctx.output == OutputFormat::kJson) {
    std::string json = StrCat(
        "{\"records\":", s.records, ",\"applied\":", s.applied, ",\"refused\":", s.refused,
        ",\"skipped_position\":", s.skipped_position, ",\"skipped_value_type\":",
        s.skipped_value_type, ",\"skipped_intent\":", s.skipped_intent, ",\"applied_position\":",
        position ? StrCat(*position) : std::string("null"));
    if (!s.first_refusal.empty()) json += StrCat(",\"first_refusal\":", JsonString(s.first_refusal));
    Print(ctx, json + "}");
  } else {
    Print(ctx, StrCat("ingest: ", s.records, " records: ", s.applied, " applied, ", s.refused,
                      " refused, ", s.skipped_position, " already applied, ",
                      s.skipped_value_type, " other value types, ", s.skipped_intent,
                      " other intents; applied position ",
                      position ? StrCat(*position) : std::string("none")));
    if (!s.first_refusal.empty()) Print(ctx, StrCat("first refusal: ", s.first_refusal));
  }
  if (!status.ok()) return Fail(ctx, status);
  return kOk;
}

}  // namespace

void AddIngestCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"ingest",
       "apply identity records (Zeebe record JSON, one per line) with their log positions",
       {{"in", true, false, "the newline-delimited records; - (default) reads stdin"},
        LimitFlag(kMaxLineBytes, "longest record line accepted, in bytes")},
       "clearance ingest --in records.ndjson\n"
       "  exporter-tail | clearance --no-sync ingest\n"
       "  Records at or below the store's applied position are skipped, so a replay converges.",
       Ingest});
}

}  // namespace clearance::cli
