// `clearance <command> --help` for every command: the text is printable UTF-8 and names every
// flag the command accepts. Flag specs are built at registration (often from temporaries), so
// this is where a dangling help string shows, and under ASan where it is read.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "gtest/gtest.h"

namespace clearance::cli {
namespace {

// Output captured from one command line.
struct Captured {
  int exit_code = 0;
  std::string out;
  std::string err;
};

std::string ReadAll(FILE* f) {
  std::string text;
  std::rewind(f);
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) text.append(buffer, n);
  return text;
}

Captured RunCli(const std::vector<std::string>& argv) {
  Context ctx;
  ctx.db_path = "/nonexistent/clearance-help-test";  // --help must never open the store
  ctx.out = std::tmpfile();
  ctx.err = std::tmpfile();
  Captured c;
  c.exit_code = RunCommandLine(ctx, argv);
  c.out = ReadAll(ctx.out);
  c.err = ReadAll(ctx.err);
  std::fclose(ctx.out);
  std::fclose(ctx.err);
  return c;
}

// Empty when `text` is well-formed UTF-8 with no control characters but newline; otherwise
// what is wrong and where.
std::string PrintableUtf8Problem(const std::string& text) {
  for (size_t i = 0; i < text.size();) {
    const auto b = static_cast<unsigned char>(text[i]);
    if (b < 0x80) {
      if ((b < 0x20 && b != '\n') || b == 0x7f) return "control byte at " + std::to_string(i);
      ++i;
      continue;
    }
    const int extra = (b & 0xe0) == 0xc0 ? 1 : (b & 0xf0) == 0xe0 ? 2 : (b & 0xf8) == 0xf0 ? 3 : -1;
    if (extra < 0 || b == 0xc0 || b == 0xc1 || b > 0xf4) return "bad lead byte at " + std::to_string(i);
    for (int k = 1; k <= extra; ++k) {
      if (i + k >= text.size() || (static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
        return "bad continuation at " + std::to_string(i + k);
    }
    i += static_cast<size_t>(extra) + 1;
  }
  return "";
}

TEST(HelpTest, TheCheckerRefusesGarbage) {
  EXPECT_EQ(PrintableUtf8Problem("flags:\n  --id ID   group id\n"), "");
  EXPECT_EQ(PrintableUtf8Problem("caf\xc3\xa9\n"), "");
  EXPECT_NE(PrintableUtf8Problem(std::string("a\0b", 3)), "");
  EXPECT_NE(PrintableUtf8Problem("\x1b[0m"), "");
  EXPECT_NE(PrintableUtf8Problem("\xff"), "");
  EXPECT_NE(PrintableUtf8Problem("\xc3"), "");
}

TEST(HelpTest, EveryCommandsHelpIsPrintableAndNamesEveryFlag) {
  const std::vector<Command> commands = AllCommands();
  ASSERT_GT(commands.size(), 40u);
  for (const Command& command : commands) {
    SCOPED_TRACE(command.words);
    std::vector<std::string> argv;
    for (size_t start = 0; start <= command.words.size();) {
      size_t space = command.words.find(' ', start);
      if (space == std::string::npos) space = command.words.size();
      argv.push_back(command.words.substr(start, space - start));
      start = space + 1;
    }
    argv.push_back("--help");
    const Captured c = RunCli(argv);
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_EQ(c.err, "");
    EXPECT_EQ(PrintableUtf8Problem(c.out), "") << c.out;
    EXPECT_NE(c.out.find("usage: clearance " + command.words), std::string::npos) << c.out;
    for (const FlagSpec& flag : command.flags) {
      const std::string name(flag.name);
      const std::string help(flag.help);
      EXPECT_FALSE(help.empty()) << "--" << name;
      EXPECT_EQ(PrintableUtf8Problem(help), "") << "--" << name;
      // The flag's own line ("\n  --name VALUE  help"), not a mention in another flag's help.
      const std::string line = "\n  --" + name + " ";
      const size_t at = c.out.find(line);
      ASSERT_NE(at, std::string::npos) << line << " missing from\n" << c.out;
      // The flag's line carries its own help text.
      const size_t eol = c.out.find('\n', at + 1);
      EXPECT_NE(c.out.substr(at, eol - at).find(help), std::string::npos) << line << ": " << help;
    }
  }
}

TEST(HelpTest, TopLevelAndFamilyHelpListEveryCommand) {
  const Captured top = RunCli({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_EQ(PrintableUtf8Problem(top.out), "");
  for (const Command& command : AllCommands()) {
    EXPECT_NE(top.out.find("  " + command.words + " "), std::string::npos) << command.words;
  }
  const Captured family = RunCli({"group", "--help"});
  EXPECT_EQ(family.exit_code, 0);
  EXPECT_NE(family.out.find("group add-member"), std::string::npos) << family.out;
  EXPECT_EQ(family.out.find("role add-member"), std::string::npos) << family.out;
}

}  // namespace
}  // namespace clearance::cli
