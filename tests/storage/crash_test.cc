// Crash safety, like RocksDB's blackbox crash test: a child process (storage_crash_child)
// applies random commands and journals each acknowledged log position in a separately fsync'ed
// file; the parent SIGKILLs it after a random number of acknowledgements, reopens the store and
// checks that
//   - the applied position is at or after the last acknowledged one (nothing acknowledged lost),
//   - the state equals the commands up to the applied position replayed on a model, ending on a
//     group-commit boundary (nothing half applied),
//   - Verify() finds the secondary index keys equal to a recomputation.
// Randomness is seeded (CLEARANCE_CRASH_SEED); no sleeps: the parent blocks on the child's pipe.
// CLEARANCE_CRASH_CYCLES sets the number of kill cycles per variant (default 50).
// After every reopen the store holds at most two write-ahead log files, also in a crash loop of
// processes killed right after opening (CrashLoopsKeepTheWalCountBounded).
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "child_process.h"
#include "clearance/internal/strings.h"
#include "gtest/gtest.h"
#include "random_commands.h"
#include "store_test_util.h"
#include "wal_files.h"

namespace clearance::storage_test {
namespace {

using strings_internal::StrCat;

std::vector<uint64_t> ReadJournal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<uint64_t> out;
  unsigned char bytes[8];
  while (in.read(reinterpret_cast<char*>(bytes), 8)) {
    uint64_t p = 0;
    for (int b = 7; b >= 0; --b) p = (p << 8) | bytes[b];
    out.push_back(p);
  }
  return out;
}

// Runs storage_crash_child with `args`.
Child SpawnWith(std::vector<std::string> args) {
  args.insert(args.begin(), CLEARANCE_CRASH_CHILD);
  return SpawnProcess(std::move(args));
}

Child Spawn(const std::string& store, const std::string& journal, uint64_t seed, bool sync) {
  return SpawnWith({store, journal, std::to_string(seed), sync ? "1" : "0"});
}

// SIGKILLs `child` after it acknowledged `n` commands (or, idle, opened the store).
void KillAfter(const Child& child, int n) {
  bool alive = AwaitBytes(child, n);
  int status = KillAndReap(child);
  ASSERT_TRUE(alive) << "the child exited before being killed (status " << status << ")";
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

void RunCrashCycles(bool sync, int cycles, uint64_t seed) {
  TempDir dir;
  const std::string store_path = dir.Sub("store");
  const std::string journal = dir.Sub("journal");
  std::mt19937_64 rng(seed);
  IdentityState model;  // equals the store at the start of every cycle
  uint64_t position = 0;
  int total_acked = 0;
  for (int cycle = 0; cycle < cycles; ++cycle) {
    SCOPED_TRACE(StrCat("seed ", seed, " cycle ", cycle));
    uint64_t child_seed = rng();
    // Kill after 1-40 acknowledgements: sometimes right after open, sometimes mid-stream.
    int kill_after = 1 + static_cast<int>(rng() % 40);
    { std::ofstream truncate(journal, std::ios::trunc); }
    Child child = Spawn(store_path, journal, child_seed, sync);
    ASSERT_GT(child.pid, 0);
    ASSERT_NO_FATAL_FAILURE(KillAfter(child, kill_after));

    std::vector<uint64_t> acked = ReadJournal(journal);
    ASSERT_GE(static_cast<int>(acked.size()), kill_after);
    total_acked += static_cast<int>(acked.size());
    StoreOptions options;
    options.sync = sync;
    absl::StatusOr<std::unique_ptr<Store>> opened = Store::Open(store_path, options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    Store& store = **opened;
    const uint64_t applied = store.applied_position().value_or(0);
    ASSERT_GE(applied, acked.back()) << "an acknowledged command was lost";
    EXPECT_LE(CountWalFiles(store_path), 2);

    // Replay the child's commands on the model up to the applied position.
    RandomCommands gen(child_seed);
    while (position < applied) {
      size_t n = gen.BatchSize();
      std::vector<Command> batch;
      for (size_t k = 0; k < n; ++k) batch.push_back(gen.Next(model));
      for (const Command& c : batch) (void)Execute(model, c);  // refusals are part of the stream
      position += n;
    }
    ASSERT_EQ(position, applied) << "a group commit is half applied";
    ASSERT_TRUE(store.state() == model) << "the stored state is not the acknowledged prefix";
    absl::StatusOr<VerifyReport> report = store.Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    ASSERT_TRUE(report->ok()) << testing::PrintToString(report->differences);
  }
  EXPECT_GT(total_acked, cycles);
  EXPECT_TRUE(model.initialized());
}

uint64_t Seed() { return static_cast<uint64_t>(EnvInt("CLEARANCE_CRASH_SEED", 20261128)); }

TEST(CrashTest, SyncedCommandsSurviveSigkill) {
  RunCrashCycles(/*sync=*/true, EnvInt("CLEARANCE_CRASH_CYCLES", 50), Seed());
}

TEST(CrashTest, UnsyncedCommandsSurviveSigkill) {
  // With sync off the WAL is in the OS before Apply returns: a killed process loses nothing.
  RunCrashCycles(/*sync=*/false, EnvInt("CLEARANCE_CRASH_CYCLES", 50), Seed() + 1);
}

// Processes that die right after opening the store, between ones killed mid-stream: the WAL
// files stay bounded (RocksDB 7.8 kept one more empty WAL per idle open; see Store::Open) and
// every acknowledged command survives.
TEST(CrashTest, CrashLoopsKeepTheWalCountBounded) {
  TempDir dir;
  const std::string store_path = dir.Sub("store");
  const std::string journal = dir.Sub("journal");
  std::mt19937_64 rng(Seed() + 2);
  uint64_t last_acked = 0;
  for (int cycle = 0; cycle < 24; ++cycle) {
    SCOPED_TRACE(StrCat("cycle ", cycle));
    if (cycle % 6 == 0) {
      { std::ofstream truncate(journal, std::ios::trunc); }
      Child child = Spawn(store_path, journal, rng(), /*sync=*/cycle % 12 == 0);
      ASSERT_GT(child.pid, 0);
      ASSERT_NO_FATAL_FAILURE(KillAfter(child, 1 + static_cast<int>(rng() % 10)));
      std::vector<uint64_t> acked = ReadJournal(journal);
      ASSERT_FALSE(acked.empty());
      last_acked = acked.back();
    } else {
      Child child = SpawnWith({store_path, "--idle"});
      ASSERT_GT(child.pid, 0);
      ASSERT_NO_FATAL_FAILURE(KillAfter(child, 1));
    }
    EXPECT_LE(CountWalFiles(store_path), 2);
  }
  auto store = MustOpen(store_path);
  ASSERT_NE(store, nullptr);
  EXPECT_LE(CountWalFiles(store_path), 2);
  EXPECT_GE(store->applied_position().value_or(0), last_acked)
      << "an acknowledged command was lost";
  absl::StatusOr<VerifyReport> report = store->Verify();
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
}

// A process killed mid-stream never closes its store; a WAL then emptied or removed before the
// next open (a restore that skipped *.log files) must be DATA_LOSS, not a store that reopens
// without the acknowledged commands.
TEST(CrashTest, AWalLostAfterACrashIsDataLoss) {
  for (bool remove : {false, true}) {
    SCOPED_TRACE(remove ? "removed" : "truncated to 0");
    TempDir dir;
    const std::string store_path = dir.Sub("store");
    Child child = Spawn(store_path, dir.Sub("journal"), Seed() + 3, /*sync=*/true);
    ASSERT_GT(child.pid, 0);
    ASSERT_NO_FATAL_FAILURE(KillAfter(child, 5));
    for (const auto& entry : std::filesystem::directory_iterator(store_path)) {
      const std::string name = entry.path().filename().string();
      if (!name.ends_with(".log") || name == "LOG") continue;
      if (remove) {
        std::filesystem::remove(entry.path());
      } else {
        std::filesystem::resize_file(entry.path(), 0);
      }
    }
    StoreOptions options;
    options.create_if_missing = false;
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(store_path, options);
    ASSERT_FALSE(store.ok()) << "reopened without the acknowledged commands at position "
                             << (*store)->applied_position().value_or(0);
    EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  }
}

}  // namespace
}  // namespace clearance::storage_test
