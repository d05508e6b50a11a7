#include "clearance/staged_store.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <string_view>
#include <system_error>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"

namespace clearance {
namespace {

namespace fs = std::filesystem;
using strings_internal::StrCat;

constexpr std::string_view kStagingInfix = ".creating-";

// The pid a staging directory name of `target` carries, or 0 when `name` is not one.
pid_t StagingPid(const std::string& target_name, const std::string& name) {
  const std::string prefix = StrCat(target_name, kStagingInfix);
  if (!name.starts_with(prefix)) return 0;
  std::string_view digits(name);
  digits.remove_prefix(prefix.size());
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (ec != std::errc() || end != digits.data() + digits.size() || pid <= 0) return 0;
  return pid;
}

bool ProcessIsGone(pid_t pid) { return kill(pid, 0) != 0 && errno == ESRCH; }

// fsync(2) of one file or directory.
absl::Status Sync(const fs::path& path, bool directory) {
  int fd = open(path.c_str(), (directory ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(StrCat("opening ", path.string(), " to sync it: ",
                                         std::generic_category().message(errno)));
  }
  const int rc = fsync(fd);
  const int err = errno;
  close(fd);
  if (rc != 0) {
    return absl::UnavailableError(
        StrCat("syncing ", path.string(), ": ", std::generic_category().message(err)));
  }
  return absl::OkStatus();
}

absl::Status SyncTree(const fs::path& dir) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    CLEARANCE_RETURN_IF_ERROR(Sync(it->path(), it->is_directory()));
  }
  if (ec) return absl::UnavailableError(StrCat("listing ", dir.string(), ": ", ec.message()));
  return Sync(dir, /*directory=*/true);
}

// `target` without trailing slashes, so that its last component is its name.
std::string Trimmed(std::string target) {
  while (target.size() > 1 && target.back() == '/') target.pop_back();
  return target;
}

fs::path ParentOf(const fs::path& target) {
  fs::path parent = fs::absolute(target).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

}  // namespace

std::vector<std::string> LeftoverStagingDirectories(const std::string& target) {
  std::vector<std::string> out;
  const fs::path t(Trimmed(target));
  const std::string name = fs::absolute(t).filename().string();
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(ParentOf(t), ec)) {
    if (StagingPid(name, e.path().filename().string()) != 0) out.push_back(e.path().string());
  }
  return out;
}

absl::StatusOr<StagedStore> StagedStore::Begin(const std::string& given) {
  const std::string target = Trimmed(given);
  std::error_code ec;
  if (fs::exists(target, ec) && !(fs::is_directory(target, ec) && fs::is_empty(target, ec))) {
    return absl::FailedPreconditionError(
        StrCat("'", target, "' already exists; expected a new path or an empty directory"));
  }
  const std::string name = fs::absolute(fs::path(target)).filename().string();
  for (const std::string& leftover : LeftoverStagingDirectories(target)) {
    pid_t pid = StagingPid(name, fs::path(leftover).filename().string());
    if (pid != getpid() && ProcessIsGone(pid)) fs::remove_all(leftover, ec);
  }
  std::string path = StrCat(target, kStagingInfix, getpid());
  fs::remove_all(path, ec);  // this process's own, from a call that did not finish
  if (!fs::create_directory(path, ec) || ec) {
    return absl::UnavailableError(
        StrCat("creating the staging directory ", path, ": ", ec.message()));
  }
  return StagedStore(target, std::move(path));
}

StagedStore::StagedStore(StagedStore&& other) noexcept
    : target_(std::move(other.target_)), path_(std::exchange(other.path_, {})) {}

StagedStore::~StagedStore() {
  if (path_.empty()) return;
  std::error_code ignored;  // best effort: a leftover is removed by the next Begin()
  fs::remove_all(path_, ignored);
}

absl::Status StagedStore::Publish() && {
  CLEARANCE_RETURN_IF_ERROR(SyncTree(path_));
  if (std::rename(path_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    if (err == ENOTEMPTY || err == EEXIST || err == ENOTDIR) {
      return absl::FailedPreconditionError(
          StrCat("'", target_, "' appeared while the store was being created; expected a new "
                 "path or an empty directory"));
    }
    return absl::UnavailableError(StrCat("renaming ", path_, " to ", target_, ": ",
                                         std::generic_category().message(err)));
  }
  path_.clear();
  return Sync(ParentOf(fs::path(target_)), /*directory=*/true);
}

}  // namespace clearance
