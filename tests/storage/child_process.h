// Child processes for the suites that kill or race them: spawn with a pipe on the child's
// stdout, block on that pipe for progress, SIGKILL, wait.
#ifndef CLEARANCE_TESTS_STORAGE_CHILD_PROCESS_H_
#define CLEARANCE_TESTS_STORAGE_CHILD_PROCESS_H_

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace clearance::storage_test {

struct Child {
  pid_t pid = -1;
  int out = -1;  // read end of the child's stdout
};

// Runs the program `args[0]` with `args`; its stdout goes to Child::out, its stderr to
// `stderr_path` when given.
inline Child SpawnProcess(std::vector<std::string> args, const std::string& stderr_path = "") {
  int fds[2];
  EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
    if (!stderr_path.empty()) {
      int err = open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (err >= 0) dup2(err, STDERR_FILENO);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  return Child{pid, fds[0]};
}

// Blocks until the child wrote `n` bytes to its stdout; false if it closed it first.
inline bool AwaitBytes(const Child& child, int n) {
  char buf[64];
  int seen = 0;
  while (seen < n) {
    ssize_t r = read(child.out, buf, std::min<size_t>(sizeof(buf), static_cast<size_t>(n - seen)));
    if (r <= 0) return false;
    seen += static_cast<int>(r);
  }
  return true;
}

// SIGKILLs `child` and reaps it; returns its wait status.
inline int KillAndReap(const Child& child) {
  kill(child.pid, SIGKILL);
  int status = 0;
  EXPECT_EQ(waitpid(child.pid, &status, 0), child.pid);
  close(child.out);
  return status;
}

}  // namespace clearance::storage_test

#endif  // CLEARANCE_TESTS_STORAGE_CHILD_PROCESS_H_
