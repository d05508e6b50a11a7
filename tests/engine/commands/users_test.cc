// User commands (docs/semantics.md §1, §7): stored only in basic-auth mode.
#include <string>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::BasicConfig;
using test_util::MakeUser;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;

TEST(UserCommandsTest, RefusedUnderOidc) {
  IdentityState state = NewState();
  EXPECT_EQ(Refuse(state, CreateUser{MakeUser("alice")}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Refuse(state, UpdateUser{MakeUser("alice")}).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Refuse(state, DeleteUser{"alice"}).code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(state.users().empty());
}

TEST(UserCommandsTest, CreateUpdateDeleteInBasicMode) {
  IdentityState state = NewState(BasicConfig());
  MustExecute(state, CreateUser{MakeUser("alice")});
  ASSERT_NE(state.FindUser("alice"), nullptr);
  EXPECT_EQ(*state.FindUser("alice"), MakeUser("alice"));

  User renamed = MakeUser("alice");
  renamed.name = "Alice Liddell";
  renamed.email = "alice@example.org";
  MustExecute(state, UpdateUser{renamed});
  ASSERT_NE(state.FindUser("alice"), nullptr);
  EXPECT_EQ(state.FindUser("alice")->name, "Alice Liddell");
  EXPECT_EQ(state.FindUser("alice")->email, "alice@example.org");

  MustExecute(state, DeleteUser{"alice"});
  EXPECT_EQ(state.FindUser("alice"), nullptr);
}

TEST(UserCommandsTest, DuplicateAndMissingUsers) {
  IdentityState state = NewState(BasicConfig());
  MustExecute(state, CreateUser{MakeUser("alice")});
  EXPECT_EQ(Refuse(state, CreateUser{MakeUser("alice")}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, UpdateUser{MakeUser("bob")}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, DeleteUser{"bob"}).code(), absl::StatusCode::kNotFound);
}

TEST(UserCommandsTest, UsernameFollowsTheIdentifierRule) {
  IdentityState state = NewState(BasicConfig());
  for (const std::string& bad : {std::string("al ice"), std::string("alice*"), std::string(""),
                                 std::string("a/b"), Repeat('a', 257)}) {
    absl::Status status = Refuse(state, CreateUser{MakeUser(bad)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_TRUE(NamesField(status.message(), "username")) << status;
  }
  MustExecute(state, CreateUser{MakeUser(Repeat('a', 256))});
  MustExecute(state, CreateUser{MakeUser("a.b+c~d@e_f-G9")});
  EXPECT_EQ(state.users().size(), 2u);
}

}  // namespace
}  // namespace clearance
