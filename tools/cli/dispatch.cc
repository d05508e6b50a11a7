// The command line, dispatched: global flags, the command's words, its flags, --help.
#include <algorithm>
#include <exception>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/numbers.h"
#include "clearance/internal/strings.h"
#include "cli/cli.h"

namespace clearance::cli {

using strings_internal::StrCat;

std::vector<Command> AllCommands() {
  std::vector<Command> commands;
  AddInitAndConfigCommands(&commands);
  AddEntityCommands(&commands);
  AddCheckCommands(&commands);
  AddSnapshotCommands(&commands);
  AddIngestCommands(&commands);
#ifdef CLEARANCE_HAS_SERVER
  AddServeCommands(&commands);
#endif
  return commands;
}

namespace {

constexpr std::string_view kGlobalHelp =
    "global flags (anywhere on the line):\n"
    "  --db PATH        the store (default $CLEARANCE_DB, else ./clearance-data)\n"
    "  --output FORMAT  table (default) or json\n"
    "  --no-sync        do not fsync each change (bulk scripts; survives a crash of this\n"
    "                   process, not of the machine)\n"
    "  --lock-timeout MS  how long a command that writes waits for another one writing the\n"
    "                   same store (default 5000); readers never wait\n"
    "  --help           this help, or a command's with its examples\n";

void PrintUsage(const Context& ctx, const std::vector<Command>& commands) {
  Print(ctx, "usage: clearance [global flags] <command> [flags]\n\ncommands:");
  size_t width = 0;
  for (const Command& c : commands) width = std::max(width, c.words.size());
  for (const Command& c : commands) {
    std::string words = c.words;
    words.resize(width + 2, ' ');
    Print(ctx, StrCat("  ", words, c.summary));
  }
  Print(ctx, StrCat("\n", kGlobalHelp));
}

void PrintCommandHelp(const Context& ctx, const Command& c) {
  Print(ctx, StrCat("usage: clearance ", c.words, " [flags]\n\n", c.summary, "\n"));
  if (!c.flags.empty()) Print(ctx, StrCat("flags:\n", FormatFlags(c.flags)));
  Print(ctx, StrCat("examples:\n  ", c.examples, "\n"));
  Print(ctx, std::string(kGlobalHelp));
}

}  // namespace

int RunCommandLine(Context& ctx, const std::vector<std::string>& argv) {
  std::vector<std::string> rest;
  bool help = false;
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) -> std::optional<std::string> {
      if (arg == name && i + 1 < argv.size()) return argv[++i];
      if (arg.starts_with(StrCat(name, "="))) return std::string(arg.substr(name.size() + 1));
      return std::nullopt;
    };
    if (std::optional<std::string> db = value("--db")) {
      ctx.db_path = *db;
    } else if (std::optional<std::string> output = value("--output")) {
      if (*output == "json") {
        ctx.output = OutputFormat::kJson;
      } else if (*output == "table") {
        ctx.output = OutputFormat::kTable;
      } else {
        return Fail(ctx, absl::InvalidArgumentError(
                             StrCat("--output: '", *output, "'; expected table or json")));
      }
    } else if (std::optional<std::string> timeout = value("--lock-timeout")) {
      int64_t ms = 0;
      if (!absl::SimpleAtoi(*timeout, &ms) || ms < 0) {
        return Fail(ctx, absl::InvalidArgumentError(StrCat(
                             "--lock-timeout: '", *timeout, "'; expected milliseconds (0 or more)")));
      }
      ctx.lock_timeout = std::chrono::milliseconds(ms);
    } else if (arg == "--no-sync") {
      ctx.sync = false;
    } else if (arg == "--help" || arg == "-h") {
      help = true;
    } else {
      rest.emplace_back(arg);
    }
  }
  std::vector<Command> commands = AllCommands();
  const Command* match = nullptr;
  size_t used = 0;
  for (const Command& c : commands) {
    // Commands are one or two words; match the words at the front of `rest`.
    std::string joined;
    for (size_t n = 0; n < rest.size() && n < 2; ++n) {
      joined += (n ? " " : "") + rest[n];
      if (joined == c.words && n + 1 > used) {
        match = &c;
        used = n + 1;
      }
    }
  }
  if (!match && !rest.empty()) {
    // A command family alone ("clearance group"): list its commands.
    std::vector<Command> family;
    for (const Command& c : commands) {
      if (c.words.starts_with(rest[0] + " ")) family.push_back(c);
    }
    if (!family.empty()) {
      PrintUsage(ctx, family);
      return help ? kOk : kError;
    }
  }
  if (!match) {
    if (help || rest.empty()) {
      PrintUsage(ctx, commands);
      return rest.empty() && !help ? kError : kOk;
    }
    std::string given =
        rest[0] + (rest.size() > 1 && !rest[1].starts_with("-") ? " " + rest[1] : "");
    Fail(ctx, absl::InvalidArgumentError(
                  StrCat("unknown command '", given, "'; run `clearance --help` for the list")));
    return kError;
  }
  if (help) {
    PrintCommandHelp(ctx, *match);
    return kOk;
  }
  std::vector<std::string> args(rest.begin() + static_cast<std::ptrdiff_t>(used), rest.end());
  absl::StatusOr<Flags> flags = Flags::Parse(args, match->flags);
  if (!flags.ok()) {
    Fail(ctx, absl::InvalidArgumentError(StrCat(match->words, ": ", flags.status().message(),
                                                " (see `clearance ", match->words, " --help`)")));
    return kError;
  }
  if (!flags->positional().empty()) {
    Fail(ctx, absl::InvalidArgumentError(StrCat(match->words, ": unexpected argument '",
                                                flags->positional()[0],
                                                "'; flags take the form "
                                                "--name value")));
    return kError;
  }
  // The last line of defence: a library that throws (yaml-cpp, the standard library's
  // allocator) ends the command with an error, never with std::terminate.
  try {
    return match->run(ctx, *flags);
  } catch (const std::bad_alloc&) {
    return Fail(ctx, absl::ResourceExhaustedError(StrCat(
                         match->words, ": out of memory; the input is too large for this "
                                       "machine (see the --max-* flags of `clearance ",
                         match->words, " --help`)")));
  } catch (const std::exception& e) {
    return Fail(ctx, absl::InternalError(StrCat(match->words, ": ", e.what())));
  }
}

}  // namespace clearance::cli
