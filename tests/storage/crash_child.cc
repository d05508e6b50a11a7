// The crash test's child: applies random commands to a store until it is killed.
//
//   storage_crash_child STORE_DIR JOURNAL SEED SYNC
//   storage_crash_child STORE_DIR --idle
//
// After each acknowledged command (Apply or ApplyBatch returned OK) it appends the command's log
// position (8 bytes, little-endian) to JOURNAL, fdatasyncs it, and writes one byte per command to
// stdout, which the parent reads to decide when to SIGKILL. The commands come from
// RandomCommands(SEED) shown the store's state, so the parent can replay them exactly.
// With --idle it opens the store, writes one byte to stdout and waits to be killed without
// writing anything: a crash loop of a process that dies right after opening.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "clearance/store.h"
#include "random_commands.h"

namespace {

void Die(const std::string& what) {
  std::fprintf(stderr, "storage_crash_child: %s\n", what.c_str());
  std::_Exit(2);
}

void WriteAll(int fd, const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  while (n > 0) {
    ssize_t w = write(fd, p, n);
    if (w <= 0) Die("write failed");
    p += w;
    n -= static_cast<size_t>(w);
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace clearance;
  if (argc == 3 && std::string(argv[2]) == "--idle") {
    absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(argv[1], StoreOptions{});
    if (!store.ok()) Die(std::string(store.status().message()));
    WriteAll(STDOUT_FILENO, "o", 1);
    for (;;) pause();
  }
  if (argc != 5) Die("usage: storage_crash_child STORE_DIR (JOURNAL SEED SYNC | --idle)");
  StoreOptions options;
  options.sync = std::string(argv[4]) == "1";
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(argv[1], options);
  if (!store.ok()) Die(std::string(store.status().message()));
  int journal = open(argv[2], O_WRONLY | O_APPEND | O_CREAT, 0644);
  if (journal < 0) Die("cannot open journal");
  storage_test::RandomCommands gen(std::strtoull(argv[3], nullptr, 10));
  uint64_t position = (*store)->applied_position().value_or(0);
  // Bounded so that a child whose parent vanished stops by itself (it also dies of SIGPIPE).
  for (int i = 0; i < 1'000'000; ++i) {
    size_t n = gen.BatchSize();
    std::vector<LoggedCommand> batch;
    for (size_t k = 0; k < n; ++k) batch.push_back({gen.Next((*store)->state()), ++position});
    if (n == 1) {
      absl::StatusOr<ApplyResult> r = (*store)->Apply(batch[0].command, batch[0].log_position);
      if (!r.ok()) Die(std::string(r.status().message()));
    } else {
      absl::StatusOr<std::vector<ApplyResult>> r = (*store)->ApplyBatch(batch);
      if (!r.ok()) Die(std::string(r.status().message()));
    }
    for (const LoggedCommand& c : batch) {
      uint64_t p = *c.log_position;
      unsigned char bytes[8];
      for (int b = 0; b < 8; ++b) bytes[b] = static_cast<unsigned char>(p >> (8 * b));
      WriteAll(journal, bytes, sizeof(bytes));
    }
    if (fdatasync(journal) != 0) Die("fdatasync failed");
    std::string acks(n, '.');
    WriteAll(STDOUT_FILENO, acks.data(), acks.size());
  }
  return 0;
}
