// Debian's Abseil is built with its own absl::string_view (ABSL_OPTION_USE_STD_STRING_VIEW=0), so
// a std::string_view must be converted explicitly before it meets StrCat or a heterogeneous
// lookup. The conversion is free: pointer and length.
#ifndef CLEARANCE_ENGINE_TOKEN_INTERNAL_ABSL_COMPAT_H_
#define CLEARANCE_ENGINE_TOKEN_INTERNAL_ABSL_COMPAT_H_

#include <string_view>

#include "absl/strings/string_view.h"

namespace clearance::token_internal {

inline absl::string_view Sv(std::string_view s) { return absl::string_view(s.data(), s.size()); }

}  // namespace clearance::token_internal

#endif  // CLEARANCE_ENGINE_TOKEN_INTERNAL_ABSL_COMPAT_H_
