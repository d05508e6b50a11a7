// The clearance tool's shared pieces: the invocation context, exit codes, output in tables or
// JSON, and opening the store. Each command family lives in its own *_commands.cc.
#ifndef CLEARANCE_TOOLS_CLI_CLI_H_
#define CLEARANCE_TOOLS_CLI_CLI_H_

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "clearance/config.h"
#include "clearance/store.h"
#include "clearance/store_engine.h"
#include "clearance/token.h"
#include "cli/flags.h"

namespace clearance::cli {

// Exit codes. `check` uses kAllow/kDeny/kUnauthenticated; every other command 0 or kError.
inline constexpr int kOk = 0;
inline constexpr int kAllow = 0;
inline constexpr int kDeny = 1;
inline constexpr int kUnauthenticated = 2;
inline constexpr int kError = 3;

enum class OutputFormat { kTable, kJson };

struct Context {
  std::string db_path;  // --db, else $CLEARANCE_DB, else ./clearance-data
  OutputFormat output = OutputFormat::kTable;
  bool sync = true;  // --no-sync turns off fsync per command (bulk scripts)
  // --lock-timeout: how long a command that writes waits for another one writing the same store.
  std::chrono::milliseconds lock_timeout{5000};
  FILE* out = stdout;
  FILE* err = stderr;
};

// One subcommand: its words ("authorization create"), the flags it takes, a summary and
// examples for --help, and the handler.
struct Command {
  std::string words;
  std::string summary;
  std::vector<FlagSpec> flags;
  std::string examples;
  std::function<int(Context&, const Flags&)> run;
};

// Registries filled by each command family.
void AddEntityCommands(std::vector<Command>* commands);
void AddInitAndConfigCommands(std::vector<Command>* commands);
void AddCheckCommands(std::vector<Command>* commands);
void AddSnapshotCommands(std::vector<Command>* commands);
void AddIngestCommands(std::vector<Command>* commands);  // ingest_commands.cc
void AddServeCommands(std::vector<Command>* commands);   // serve_command.cc

// Every command the tool has, in the order `clearance --help` lists them.
std::vector<Command> AllCommands();

// Runs one command line (argv without the program name) against `ctx`: global flags anywhere,
// the command's words, its flags. Returns the process exit code; output goes to ctx.out/err.
int RunCommandLine(Context& ctx, const std::vector<std::string>& argv);

// Prints "error: CODE: message" on stderr and returns kError.
int Fail(const Context& ctx, const absl::Status& status);

// Opens the existing store at ctx.db_path for writing, waiting up to ctx.lock_timeout for
// another writer. NOT_FOUND names the path and says to run `clearance init`; UNAVAILABLE names
// the writer that kept it past the timeout.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const Context& ctx);
// The same for commands that only read: read-only (StoreOptions::read_only), so they run while a
// writer holds the store, and see the commands acknowledged before they opened.
absl::StatusOr<std::unique_ptr<Store>> OpenStoreForReading(const Context& ctx);
// OpenStoreForReading with an engine over its state built while the store loads
// (clearance/store_engine.h): for commands that decide.
absl::StatusOr<StoreAndEngine> OpenStoreWithEngine(const Context& ctx);

// Applies one command to the store and reports a refusal as an error.
absl::StatusOr<ChangeSet> ApplyCommand(Store& store, const clearance::Command& command);

// A verifier for the configuration's token issuers: each jwks_file is read and each jwks_uri is
// fetched (HTTPS, through MakeCurlJwksFetcher) now, so a bad key source is reported here with
// the issuer's name rather than as unknown_key on every token. FAILED_PRECONDITION when no
// issuer is configured; NOT_FOUND for an unreadable file; UNAVAILABLE when a fetch fails;
// INVALID_ARGUMENT for a bad document or configuration.
absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeTokenVerifier(const Configuration& config);
// The file-backed part of MakeTokenVerifier (no network): OK when every jwks_file loads.
absl::Status CheckTokenIssuers(const Configuration& config);
// What loading each jwks_file issuer's keys did with every key (used, or skipped and why), in
// configuration order; jwks_uri issuers are left out (no network). Empty when no issuer has a
// jwks_file; the load error when one does not load.
absl::StatusOr<std::vector<KeyLoadReport>> TokenKeyReports(const Configuration& config);

// Output helpers.
void Print(const Context& ctx, const std::string& text);  // text + "\n" on ctx.out
// A table with a header row; columns are padded to their widest cell.
void PrintTable(const Context& ctx, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows);
std::string JsonString(std::string_view s);  // a quoted, escaped JSON string

}  // namespace clearance::cli

#endif  // CLEARANCE_TOOLS_CLI_CLI_H_
