// The clearance binary's store handling across processes, as operators and scripts hit it:
//   - readers (check, list, verify, snapshot export) run while another process writes the store,
//     and a second writer is refused after --lock-timeout naming the holder;
//   - `init` and `snapshot import` SIGKILLed at random moments leave no store or a complete one,
//     and the next run of the same command succeeds (a leftover staging directory is removed).
// The kill moments are seeded (CLEARANCE_CRASH_SEED); CLEARANCE_CREATION_CYCLES (20) sets the
// cycles per command.
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "child_process.h"
#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/staged_store.h"
#include "clearance/store.h"
#include "gtest/gtest.h"
#include "store_test_util.h"

namespace clearance::storage_test {
namespace {

using strings_internal::StrCat;

struct CliRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `clearance args...` to completion.
CliRun RunCli(const TempDir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), CLEARANCE_CLI);
  const std::string err_path = dir.Sub("stderr");
  Child child = SpawnProcess(std::move(args), err_path);
  CliRun run;
  char buf[4096];
  for (ssize_t n; (n = read(child.out, buf, sizeof(buf))) > 0;) run.out.append(buf, n);
  close(child.out);
  int status = 0;
  EXPECT_EQ(waitpid(child.pid, &status, 0), child.pid);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(err_path);
  std::stringstream text;
  text << err.rdbuf();
  run.err = text.str();
  return run;
}

TEST(CliProcessTest, ReadersRunWhileAnotherProcessWritesTheStore) {
  TempDir dir;
  const std::string store = dir.Sub("store");
  ASSERT_EQ(RunCli(dir, {"--db", store, "init", "--client-id-claim", "azp"}).exit_code, 0);
  CliRun created = RunCli(dir, {"--db", store, "authorization", "create", "--owner-type", "CLIENT",
                             "--owner-id", "app", "--resource-type", "PROCESS_DEFINITION",
                             "--resource-id", "*", "--permissions", "READ_PROCESS_DEFINITION"});
  ASSERT_EQ(created.exit_code, 0) << created.err;

  // A writer that holds the store until it is killed.
  Child writer = SpawnProcess({CLEARANCE_CRASH_CHILD, store, "--idle"});
  ASSERT_TRUE(AwaitBytes(writer, 1));

  CliRun check = RunCli(dir, {"--db", store, "check", "--claims-json", R"({"azp":"app"})",
                           "--resource-type", "PROCESS_DEFINITION", "--resource-id", "p",
                           "--permission", "READ_PROCESS_DEFINITION"});
  EXPECT_EQ(check.exit_code, 0) << check.err;
  CliRun list = RunCli(dir, {"--db", store, "authorization", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("app"), std::string::npos) << list.out;
  CliRun verify = RunCli(dir, {"--db", store, "verify"});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  CliRun exported = RunCli(dir, {"--db", store, "snapshot", "export", "--out", dir.Sub("s.ndjson")});
  EXPECT_EQ(exported.exit_code, 0) << exported.err;

  CliRun write = RunCli(dir, {"--db", store, "--lock-timeout", "0", "group", "create", "--id", "g",
                           "--name", "G"});
  EXPECT_EQ(write.exit_code, 3);
  EXPECT_NE(write.err.find("UNAVAILABLE"), std::string::npos) << write.err;
  EXPECT_NE(write.err.find(StrCat("pid ", writer.pid)), std::string::npos) << write.err;
  EXPECT_NE(write.err.find("--lock-timeout"), std::string::npos) << write.err;
  KillAndReap(writer);

  CliRun after = RunCli(dir, {"--db", store, "group", "create", "--id", "g", "--name", "G"});
  EXPECT_EQ(after.exit_code, 0) << after.err;
}

// What a killed creation may leave at `store`: nothing, or a store that opens initialized and
// verifies; staging directories beside it only.
void ExpectNoStoreOrAComplete(const TempDir& dir, const std::string& store) {
  for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = e.path().filename().string();
    EXPECT_TRUE(name == "store" || name.starts_with("store.creating-") || name == "stderr" ||
                name == "snapshot.ndjson")
        << "unexpected " << name;
  }
  if (!std::filesystem::exists(store)) return;
  StoreOptions options;
  options.read_only = true;
  absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open(store, options);
  ASSERT_TRUE(opened.ok()) << "a killed creation left an unusable store: " << opened.status();
  EXPECT_TRUE((*opened)->state().initialized()) << "a killed creation left an empty store";
  absl::StatusOr<VerifyReport> report = (*opened)->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
}

// Runs `args` (a creation of `store`) `cycles` times, each SIGKILLed after a random delay of up
// to `max_delay_micros` (the delay picks the moment; nothing waits on it), checks what is left,
// then runs the command to completion, which must succeed (or find the store already made).
void KillCreationsAtRandomMoments(const std::vector<std::string>& args, int max_delay_micros,
                                  uint64_t seed) {
  TempDir dir;
  const std::string store = dir.Sub("store");
  std::vector<std::string> argv = {CLEARANCE_CLI, "--db", store};
  argv.insert(argv.end(), args.begin(), args.end());
  std::mt19937_64 rng(seed);
  int interrupted = 0;
  const int cycles = EnvInt("CLEARANCE_CREATION_CYCLES", 20);
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE(StrCat("seed ", seed, " cycle ", cycle));
    std::filesystem::remove_all(store);
    Child child = SpawnProcess(argv, dir.Sub("stderr"));
    const long delay = static_cast<long>(rng() % static_cast<uint64_t>(max_delay_micros));
    timespec ts{delay / 1'000'000, (delay % 1'000'000) * 1000};
    nanosleep(&ts, nullptr);
    int status = KillAndReap(child);
    if (WIFSIGNALED(status)) ++interrupted;
    ASSERT_NO_FATAL_FAILURE(ExpectNoStoreOrAComplete(dir, store));

    const bool existed = std::filesystem::exists(store);
    CliRun again = RunCli(dir, std::vector<std::string>(argv.begin() + 1, argv.end()));
    if (existed) {
      EXPECT_EQ(again.exit_code, 3);
      EXPECT_NE(again.err.find("FAILED_PRECONDITION"), std::string::npos) << again.err;
    } else {
      EXPECT_EQ(again.exit_code, 0) << again.err;
    }
    ASSERT_NO_FATAL_FAILURE(ExpectNoStoreOrAComplete(dir, store));
    ASSERT_TRUE(std::filesystem::exists(store));
    EXPECT_TRUE(LeftoverStagingDirectories(store).empty())
        << "the completed run left " << LeftoverStagingDirectories(store)[0];
  }
  // The delays are spread over the command's run: most kills land inside it.
  EXPECT_GT(interrupted, 0);
}

uint64_t Seed() { return static_cast<uint64_t>(EnvInt("CLEARANCE_CRASH_SEED", 20261206)); }

TEST(CliProcessTest, KilledInitsLeaveNoStoreOrAnInitializedOne) {
  KillCreationsAtRandomMoments({"init"}, 60'000, Seed());
}

TEST(CliProcessTest, KilledImportsLeaveNoStoreOrACompleteOne) {
  TempDir source;
  IdentityState state;
  ASSERT_TRUE(Execute(state, Initialize{}).ok());
  for (int i = 0; i < 20'000; ++i) {
    ASSERT_TRUE(Execute(state, CreateAuthorization{ClientGrant(StrCat("client-", i))}).ok());
  }
  const std::string snapshot = StrCat(std::filesystem::temp_directory_path().string(),
                                      "/clearance-import-", getpid(), ".ndjson");
  {
    std::ofstream out(snapshot, std::ios::binary);
    ASSERT_TRUE(ExportSnapshot(state, 20'000, &out).ok());
  }
  KillCreationsAtRandomMoments({"snapshot", "import", "--in", snapshot}, 400'000, Seed() + 1);
  std::filesystem::remove(snapshot);
}

// The line limit of `snapshot import`: the default refuses a longer line naming the limit and
// the flag, leaving no store; the flag lowers or raises it.
TEST(CliProcessTest, SnapshotImportLineLimitIsAFlag) {
  TempDir dir;
  IdentityState state;
  ASSERT_TRUE(Execute(state, Initialize{}).ok());
  ASSERT_TRUE(Execute(state, CreateGroup{{"g", "G", ""}}).ok());
  std::ostringstream exported;
  ASSERT_TRUE(ExportSnapshot(state, std::nullopt, &exported).ok());
  const std::string valid = dir.Sub("valid.ndjson");
  std::ofstream(valid, std::ios::binary) << exported.str();
  // The header, then a line one byte over the default limit.
  const std::string text = exported.str();
  const std::string too_long = dir.Sub("long.ndjson");
  std::ofstream(too_long, std::ios::binary)
      << text.substr(0, text.find('\n') + 1) << std::string((size_t{1} << 20) + 1, 'x') << "\n";

  CliRun refused = RunCli(dir, {"--db", dir.Sub("a"), "snapshot", "import", "--in", too_long});
  EXPECT_EQ(refused.exit_code, 3) << refused.err;
  EXPECT_NE(refused.err.find("line 2: longer than 1048576 bytes"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--max-line-bytes"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(dir.Sub("a")));

  // Raised: the line is read whole, and refused for what it holds.
  CliRun raised = RunCli(dir, {"--db", dir.Sub("b"), "snapshot", "import", "--in", too_long,
                               "--max-line-bytes", "2097152"});
  EXPECT_EQ(raised.exit_code, 3) << raised.err;
  EXPECT_NE(raised.err.find("line 2: "), std::string::npos) << raised.err;
  EXPECT_EQ(raised.err.find("longer than"), std::string::npos) << raised.err;

  CliRun lowered = RunCli(dir, {"--db", dir.Sub("c"), "snapshot", "import", "--in", valid,
                                "--max-line-bytes", "100"});
  EXPECT_EQ(lowered.exit_code, 3) << lowered.err;
  EXPECT_NE(lowered.err.find("line 1: longer than 100 bytes"), std::string::npos) << lowered.err;

  CliRun zero = RunCli(dir, {"--db", dir.Sub("d"), "snapshot", "import", "--in", valid,
                             "--max-line-bytes", "0"});
  EXPECT_NE(zero.exit_code, 0);
  EXPECT_NE(zero.err.find("--max-line-bytes: '0'; expected a positive integer"),
            std::string::npos)
      << zero.err;

  CliRun imported = RunCli(dir, {"--db", dir.Sub("e"), "snapshot", "import", "--in", valid,
                                 "--max-line-bytes", "1000"});
  EXPECT_EQ(imported.exit_code, 0) << imported.err;
  auto store = Store::Open(dir.Sub("e"), {});
  ASSERT_TRUE(store.ok()) << store.status();
  EXPECT_TRUE((*store)->state() == state);
}

}  // namespace
}  // namespace clearance::storage_test
