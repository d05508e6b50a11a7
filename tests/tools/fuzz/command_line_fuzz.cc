// Fuzz target: the clearance command line (one argument per input line). Nothing here may touch
// a store or a file, so commands never run: each input is dispatched once with --help first
// (global flags, command matching, every command's help text), once as given when no argument is
// a command word (unknown commands, families, usage), and its arguments are parsed by
// Flags::Parse against every command's flags. Under ASan a help string that outlived its owner
// is read here.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "cli/cli.h"
#include "cli/flags.h"

namespace {

using clearance::cli::Command;
using clearance::cli::Context;
using clearance::cli::Flags;
using clearance::cli::FlagSpec;

std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (size_t nl; (nl = text.find('\n', start)) != std::string_view::npos; start = nl + 1) {
    out.emplace_back(text.substr(start, nl - start));
  }
  out.emplace_back(text.substr(start));
  return out;
}

int Dispatch(std::vector<std::string> argv) {
  static FILE* const sink = std::fopen("/dev/null", "w");
  Context ctx;
  ctx.db_path = "/nonexistent/clearance-command-line-fuzz";
  ctx.out = sink;
  ctx.err = sink;
  const int code = clearance::cli::RunCommandLine(ctx, argv);
  if (code != clearance::cli::kOk && code != clearance::cli::kError) std::abort();
  return code;
}

// A parse that succeeds holds only declared flags, single-valued ones at most once, and each
// positional word or value comes from the arguments.
void CheckParse(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs) {
  absl::StatusOr<Flags> flags = Flags::Parse(args, specs);
  if (!flags.ok()) {
    if (flags.status().code() != absl::StatusCode::kInvalidArgument) std::abort();
    return;
  }
  size_t values = 0;
  for (const FlagSpec& spec : specs) {
    const std::vector<std::string> all = flags->GetAll(spec.name);
    if (!spec.repeatable && all.size() > 1) std::abort();
    if (flags->Has(spec.name) != !all.empty()) std::abort();
    values += all.size();
  }
  if (values + flags->positional().size() > args.size()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<Command>* const kCommands =
      new std::vector<Command>(clearance::cli::AllCommands());
  static const std::set<std::string>* const kWords = [] {
    auto* words = new std::set<std::string>;
    for (const Command& c : *kCommands) {
      const std::string_view w = c.words;
      for (size_t start = 0, sp;; start = sp + 1) {
        sp = w.find(' ', start);
        words->emplace(w.substr(start, sp - start));
        if (sp == std::string_view::npos) break;
      }
    }
    return words;
  }();
  const std::vector<std::string> argv =
      SplitLines(std::string_view(reinterpret_cast<const char*>(data), size));

  // --help goes first: at the end it could be taken as the value of a trailing --db.
  std::vector<std::string> help = {"--help"};
  help.insert(help.end(), argv.begin(), argv.end());
  // With --help only a bad value of a global flag that takes one is an error.
  if (Dispatch(help) != clearance::cli::kOk) {
    bool global_value = false;
    for (const std::string& a : argv) {
      global_value |= a.starts_with("--output") || a.starts_with("--lock-timeout");
    }
    if (!global_value) std::abort();
  }
  bool names_command = false;
  for (const std::string& a : argv) names_command |= kWords->contains(a);
  if (!names_command) Dispatch(argv);

  for (const Command& c : *kCommands) CheckParse(argv, c.flags);
  return 0;
}
