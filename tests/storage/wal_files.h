// Counting a store's RocksDB write-ahead log files, for the suites that check they stay bounded.
#ifndef CLEARANCE_TESTS_STORAGE_WAL_FILES_H_
#define CLEARANCE_TESTS_STORAGE_WAL_FILES_H_

#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/env.h"

namespace clearance::storage_test {

// The number of `<digits>.log` files (WALs; not the info LOG) in `dir`, listed through `env`.
inline int CountWalFiles(const std::string& dir, rocksdb::Env* env = rocksdb::Env::Default()) {
  std::vector<std::string> children;
  rocksdb::Status s = env->GetChildren(dir, &children);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return static_cast<int>(std::count_if(children.begin(), children.end(), [](const std::string& n) {
    const std::string::size_type dot = n.size() >= 4 ? n.size() - 4 : 0;
    return n.size() > 4 && n.compare(dot, 4, ".log") == 0 &&
           std::all_of(n.begin(), n.begin() + static_cast<std::ptrdiff_t>(dot),
                       [](char c) { return c >= '0' && c <= '9'; });
  }));
}

}  // namespace clearance::storage_test

#endif  // CLEARANCE_TESTS_STORAGE_WAL_FILES_H_
