// Helpers for the storage suites: scratch directories, opening stores, comparing answers.
#ifndef CLEARANCE_TESTS_STORAGE_STORE_TEST_UTIL_H_
#define CLEARANCE_TESTS_STORAGE_STORE_TEST_UTIL_H_

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "clearance/store.h"
#include "gtest/gtest.h"

namespace clearance::storage_test {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TEST_TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base ? base : "/tmp") + "/clearance-XXXXXX";
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    if (mkdtemp(buf.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed for " << tmpl;
    }
    path_ = buf.data();
  }
  ~TempDir() {
    std::error_code ignored;  // best effort: a leftover scratch directory is not a test failure
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

inline std::unique_ptr<Store> MustOpen(const std::string& path, StoreOptions options = {}) {
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(path, options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// Applies a command that must be applied (not refused, not skipped).
inline ApplyResult MustApply(Store& store, const Command& command,
                             std::optional<uint64_t> position = std::nullopt) {
  absl::StatusOr<ApplyResult> r = store.Apply(command, position);
  EXPECT_TRUE(r.ok()) << r.status();
  if (!r.ok()) return {};
  EXPECT_EQ(r->outcome, ApplyResult::Outcome::kApplied)
      << CommandName(command) << " refused: " << r->refusal;
  return *std::move(r);
}

// A grant to a client on every process definition: the smallest authorization a test can add.
inline AuthorizationSpec ClientGrant(std::string client) {
  AuthorizationSpec s;
  s.owner_type = OwnerType::kClient;
  s.owner_id = std::move(client);
  s.resource_type = ResourceType::kProcessDefinition;
  s.resource_id = "*";
  s.permissions = Bit(Permission::kReadProcessDefinition);
  return s;
}

// Positive integer from the environment, or `fallback`.
inline int EnvInt(const char* name, int fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  int n = std::atoi(v);
  return n > 0 ? n : fallback;
}

}  // namespace clearance::storage_test

#endif  // CLEARANCE_TESTS_STORAGE_STORE_TEST_UTIL_H_
