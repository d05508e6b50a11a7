#include "cli/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <optional>

#include "clearance/internal/strings.h"

namespace clearance::cli {

using strings_internal::StrCat;

absl::StatusOr<size_t> LimitValue(const Flags& flags, const InputLimit& limit) {
  std::optional<std::string> text = flags.Get(limit.flag);
  if (!text) return limit.default_value;
  size_t value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value == 0) {
    return absl::InvalidArgumentError(
        StrCat("--", limit.flag, ": '", *text, "'; expected a positive integer"));
  }
  return value;
}

FlagSpec LimitFlag(const InputLimit& limit, std::string_view what) {
  return {std::string(limit.flag), true, false,
          StrCat(what, " (default ", limit.default_value, ")")};
}

absl::StatusOr<std::string> ReadInput(std::string_view flag, const std::string& path,
                                      size_t max_bytes, std::string_view limit_flag) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? std::string("stdin") : StrCat("'", path, "'");
  int fd = STDIN_FILENO;
  if (!is_stdin) {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return absl::NotFoundError(StrCat(flag, ": cannot read ", name, " (", std::strerror(errno),
                                        "); expected a readable file or - for stdin"));
    }
  }
  struct Closer {
    int fd;
    bool owned;
    ~Closer() {
      if (owned) ::close(fd);
    }
  } closer{fd, !is_stdin};
  struct stat st {};
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    return absl::InvalidArgumentError(
        StrCat(flag, ": ", name, " is a directory; expected a file or - for stdin"));
  }
  std::string out;
  char buffer[64 * 1024];
  while (true) {
    // Never asks for more than one byte past the limit: /dev/zero stops here.
    const size_t want = std::min(sizeof(buffer), max_bytes + 1 - out.size());
    const ssize_t got = ::read(fd, buffer, want);
    if (got < 0) {
      if (errno == EINTR) continue;
      return absl::UnavailableError(
          StrCat(flag, ": reading ", name, " failed (", std::strerror(errno), ")"));
    }
    if (got == 0) break;
    out.append(buffer, static_cast<size_t>(got));
    if (out.size() > max_bytes) {
      return absl::InvalidArgumentError(StrCat(flag, ": ", name, " holds more than ", max_bytes,
                                               " bytes, the limit; raise it with --", limit_flag));
    }
  }
  return out;
}

}  // namespace clearance::cli
