// Tenant commands (docs/semantics.md §1, §10): the tenant id rule and the deletable <default>
// tenant.
#include <string>

#include "absl/status/status.h"
#include "clearance/commands.h"
#include "commands/command_test_util.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace clearance {
namespace {

using test_util::MakeTenant;
using test_util::MustExecute;
using test_util::NamesField;
using test_util::NewState;
using test_util::Refuse;
using test_util::Repeat;

TEST(TenantCommandsTest, CreateUpdateDelete) {
  IdentityState state = NewState();
  MustExecute(state, CreateTenant{Tenant{"t1", "Tenant one", "d"}});
  EXPECT_EQ(*state.FindTenant("t1"), (Tenant{"t1", "Tenant one", "d"}));
  MustExecute(state, UpdateTenant{Tenant{"t1", "Renamed", ""}});
  EXPECT_EQ(*state.FindTenant("t1"), (Tenant{"t1", "Renamed", ""}));
  MustExecute(state, DeleteTenant{"t1"});
  EXPECT_EQ(state.FindTenant("t1"), nullptr);
}

TEST(TenantCommandsTest, DuplicateAndMissing) {
  IdentityState state = NewState();
  MustExecute(state, CreateTenant{MakeTenant("t1")});
  EXPECT_EQ(Refuse(state, CreateTenant{MakeTenant("t1")}).code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, CreateTenant{MakeTenant("<default>")}).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(Refuse(state, UpdateTenant{MakeTenant("t2")}).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(Refuse(state, DeleteTenant{"t2"}).code(), absl::StatusCode::kNotFound);
}

TEST(TenantCommandsTest, DefaultTenantCanBeDeleted) {
  IdentityState state = NewState();
  ASSERT_NE(state.FindTenant(kDefaultTenantId), nullptr);
  MustExecute(state, DeleteTenant{std::string(kDefaultTenantId)});
  EXPECT_EQ(state.FindTenant(kDefaultTenantId), nullptr);
  EXPECT_TRUE(state.MembersOf(ContainerType::kTenant, kDefaultTenantId).empty());
  // Recreating it is an ordinary create.
  MustExecute(state, CreateTenant{MakeTenant("<default>", "Default")});
  EXPECT_NE(state.FindTenant(kDefaultTenantId), nullptr);
}

TEST(TenantCommandsTest, TenantIdIsOneTo31OfTheTenantAlphabet) {
  IdentityState state = NewState();
  for (const std::string& good : {std::string("t"), std::string("a.b-c_D9"), Repeat('t', 31)}) {
    MustExecute(state, CreateTenant{MakeTenant(good)});
    EXPECT_NE(state.FindTenant(good), nullptr) << good;
  }
  for (const std::string& bad :
       {std::string(""), Repeat('t', 32), std::string("a~b"), std::string("a@b"),
        std::string("a+b"), std::string("a b"), std::string("<other>"), std::string("<default"),
        std::string("*")}) {
    absl::Status status = Refuse(state, CreateTenant{MakeTenant(bad)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_TRUE(NamesField(status.message(), "tenantId") || NamesField(status.message(), "id"))
        << status;
  }
}

TEST(TenantCommandsTest, NameIsRequiredAndNonBlank) {
  IdentityState state = NewState();
  for (const std::string& bad : {std::string(""), std::string("  "), Repeat('n', 257)}) {
    absl::Status status = Refuse(state, CreateTenant{MakeTenant("t1", bad)});
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << "'" << bad << "'";
    EXPECT_TRUE(NamesField(status.message(), "name")) << status;
  }
}

}  // namespace
}  // namespace clearance
