#include "cli/flags.h"

#include <algorithm>

#include "clearance/internal/strings.h"

namespace clearance::cli {

using strings_internal::StrAppend;
using strings_internal::StrCat;

absl::StatusOr<Flags> Flags::Parse(const std::vector<std::string>& args,
                                   const std::vector<FlagSpec>& specs) {
  Flags flags;
  auto find = [&](std::string_view name) -> const FlagSpec* {
    for (const FlagSpec& s : specs) {
      if (s.name == name) return &s;
    }
    return nullptr;
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") {
      for (++i; i < args.size(); ++i) flags.positional_.push_back(args[i]);
      break;
    }
    if (!arg.starts_with("--")) {
      flags.positional_.emplace_back(arg);
      continue;
    }
    std::string_view body = arg.substr(2);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = find(body);
    if (!spec) {
      std::string accepted;
      for (const FlagSpec& s : specs)
        StrAppend(&accepted, accepted.empty() ? "" : ", ", "--", s.name);
      return absl::InvalidArgumentError(StrCat("unknown flag --", body, "; expected one of ",
                                               accepted.empty() ? "no flags" : accepted));
    }
    std::string value;
    if (spec->takes_value) {
      if (inline_value) {
        value = *inline_value;
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return absl::InvalidArgumentError(StrCat("--", body, " needs a value"));
      }
    } else if (inline_value) {
      return absl::InvalidArgumentError(StrCat("--", body, " takes no value"));
    }
    std::vector<std::string>& slot = flags.values_[std::string(body)];
    if (!slot.empty() && !spec->repeatable) {
      return absl::InvalidArgumentError(StrCat("--", body, " given twice; expected it once"));
    }
    slot.push_back(std::move(value));
  }
  return flags;
}

std::optional<std::string> Flags::Get(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::string Flags::GetOr(std::string_view name, std::string_view fallback) const {
  std::optional<std::string> v = Get(name);
  return v ? *v : std::string(fallback);
}

std::vector<std::string> Flags::GetAll(std::string_view name) const {
  auto it = values_.find(std::string(name));
  return it == values_.end() ? std::vector<std::string>() : it->second;
}

absl::StatusOr<std::string> Flags::Require(std::string_view name) const {
  std::optional<std::string> v = Get(name);
  if (!v) return absl::InvalidArgumentError(StrCat("--", name, " is required"));
  return *v;
}

std::string FormatFlags(const std::vector<FlagSpec>& specs) {
  std::string out;
  size_t width = 0;
  for (const FlagSpec& s : specs) width = std::max(width, s.name.size() + (s.takes_value ? 8 : 2));
  for (const FlagSpec& s : specs) {
    std::string left = StrCat("--", s.name, s.takes_value ? " VALUE" : "");
    left.resize(width + 2, ' ');
    StrAppend(&out, "  ", left, s.help, s.repeatable ? " (repeatable)" : "", "\n");
  }
  return out;
}

}  // namespace clearance::cli
