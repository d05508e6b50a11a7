#include "clearance/internal/status_macros.h"

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

int calls = 0;

absl::Status CountedStatus(absl::Status s) {
  ++calls;
  return s;
}

absl::StatusOr<std::unique_ptr<std::string>> MoveOnly(bool ok) {
  ++calls;
  if (!ok) return absl::NotFoundError("no string here");
  return std::make_unique<std::string>("payload");
}

absl::Status Both(absl::Status first, bool second_ok, std::string* out) {
  CLEARANCE_RETURN_IF_ERROR(CountedStatus(first));
  CLEARANCE_ASSIGN_OR_RETURN(std::unique_ptr<std::string> s, MoveOnly(second_ok));
  *out = *s;
  return absl::OkStatus();
}

absl::StatusOr<int> AssignsExisting(bool ok) {
  std::unique_ptr<std::string> s;
  CLEARANCE_ASSIGN_OR_RETURN(s, MoveOnly(ok));
  CLEARANCE_ASSIGN_OR_RETURN(auto again, MoveOnly(ok));  // two on one scope need distinct names
  return static_cast<int>(s->size() + again->size());
}

TEST(StatusMacros, ReturnIfErrorStopsAtTheFirstErrorAndEvaluatesOnce) {
  calls = 0;
  std::string out = "unchanged";
  absl::Status s = Both(absl::PermissionDeniedError("first failed"), true, &out);
  EXPECT_EQ(s, absl::PermissionDeniedError("first failed"));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(out, "unchanged");
}

TEST(StatusMacros, AssignOrReturnPassesTheErrorThrough) {
  calls = 0;
  std::string out = "unchanged";
  EXPECT_EQ(Both(absl::OkStatus(), false, &out), absl::NotFoundError("no string here"));
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(out, "unchanged");
}

TEST(StatusMacros, AssignOrReturnMovesTheValueOut) {
  std::string out;
  ASSERT_TRUE(Both(absl::OkStatus(), true, &out).ok());
  EXPECT_EQ(out, "payload");
  absl::StatusOr<int> n = AssignsExisting(true);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 14);
  EXPECT_EQ(AssignsExisting(false).status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace clearance
