// Fuzz target: the /v2 search request (server/v2/search.h) on arbitrary bytes: the body, then the
// string filters of "groupId" (operator object allowed) and "name" (string only), matched against
// a few values. Parsing must refuse with INVALID_ARGUMENT and a message, or give a query whose
// page windows stay inside the result and within the largest limit.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "absl/status/status.h"
#include "server/v2/search.h"

namespace {

using namespace clearance::server::v2_internal;

constexpr std::string_view kFields[] = {"name", "groupId"};

void Require(bool condition) {
  if (!condition) std::abort();
}

void RequireRefusal(const absl::Status& status) {
  Require(status.code() == absl::StatusCode::kInvalidArgument);
  Require(!status.message().empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<SearchQuery> query = SearchQuery::Parse(body, kFields);
  if (!query.ok()) {
    RequireRefusal(query.status());
    return 0;
  }
  for (const SortKey& key : query->sort()) Require(key.field < std::size(kFields));
  for (size_t total : {size_t{0}, size_t{1}, size_t{7}, size_t{100000}}) {
    const PageWindow w = query->Window(total);
    Require(w.begin <= w.end && w.end <= total);
    Require(w.end - w.begin <= static_cast<size_t>(kMaxPageLimit));
  }
  if (!query->filter()) return 0;
  for (auto [name, advanced] : {std::pair{"groupId", true}, std::pair{"name", false}}) {
    absl::StatusOr<std::optional<StringFilter>> filter =
        ReadStringFilter(*query->filter(), name, advanced);
    if (!filter.ok()) {
      RequireRefusal(filter.status());
      continue;
    }
    if (!filter->has_value()) continue;
    const StringFilter& f = **filter;
    for (std::string_view value : {std::string_view(), std::string_view("g1"), body}) {
      (void)f.Matches(value);  // any answer; it must only terminate without faults
    }
    (void)f.Matches(std::nullopt);
    if (f.eq && !f.neq && !f.exists && !f.in && !f.not_in && !f.like) Require(f.Matches(*f.eq));
  }
  return 0;
}
