// clearance: the operator's tool. One binary, subcommands; `clearance --help` lists them and
// `clearance <command> --help` shows a command's flags and examples.
#include <cstdlib>
#include <string>
#include <vector>

#include "cli/cli.h"

int main(int argc, char** argv) {
  clearance::cli::Context ctx;
  const char* env_db = std::getenv("CLEARANCE_DB");
  ctx.db_path = env_db && *env_db ? env_db : "./clearance-data";
  return clearance::cli::RunCommandLine(ctx, std::vector<std::string>(argv + 1, argv + argc));
}
