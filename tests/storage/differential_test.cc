// Differential: a random stream of commands applied through a Store (single applies and group
// commits, with and without log positions, reopened along the way) answers every question
// exactly as the reference evaluator does on the same stream applied to an in-memory state.
#include <string>
#include <vector>

#include "clearance/engine.h"
#include "clearance/internal/strings.h"
#include "clearance/serving_store.h"
#include "gtest/gtest.h"
#include "random_commands.h"
#include "reference/reference_evaluator.h"
#include "store_test_util.h"

namespace clearance::storage_test {
namespace {

using strings_internal::StrCat;

std::vector<Caller> Callers(RandomCommands& rng) {
  std::vector<Caller> out;
  for (int i = 0; i < 12; ++i) {
    std::string claims =
        StrCat(R"({"sub":"u)", rng.Pick(8), R"(","azp":"c)", rng.Pick(4), R"(","groups":["g)",
               rng.Pick(6), R"(","g)", rng.Pick(6), R"("],"scope":"v)", rng.Pick(4),
               R"(","realm":["v)", rng.Pick(4), R"("],"a b":"v)", rng.Pick(4), R"("})");
    out.push_back(Caller::Claims(claims));
    out.push_back(Caller::Claims(StrCat(R"({"azp":"c)", rng.Pick(4), R"("})")));
    out.push_back(Caller::BasicUser(StrCat("u", rng.Pick(8))));
  }
  return out;
}

std::vector<CheckRequest> Requests(RandomCommands& rng) {
  static constexpr ResourceType kTypes[] = {ResourceType::kProcessDefinition,
                                            ResourceType::kDecisionDefinition, ResourceType::kGroup,
                                            ResourceType::kMessage};
  std::vector<CheckRequest> out;
  for (int i = 0; i < 16; ++i) {
    CheckRequest r;
    r.resource_type = kTypes[rng.Pick(4)];
    std::vector<Permission> perms;
    ForEachPermission(SupportedPermissions(r.resource_type),
                      [&](Permission p) { perms.push_back(p); });
    r.permission = perms[rng.Pick(perms.size())];
    if (rng.Pick(3) != 0) r.resource_ids.push_back(StrCat("res", rng.Pick(3)));
    if (rng.Pick(2) == 0) r.tenant_id = rng.Pick(3) == 0 ? "<default>" : StrCat("t", rng.Pick(4));
    r.new_resource = rng.Pick(2) == 0;
    out.push_back(r);
  }
  return out;
}

// Compares every question's answer on the two states; returns how many allowed.
int CompareAnswers(const IdentityState& stored, const IdentityState& model, uint64_t seed) {
  RandomCommands rng(seed * 7919);
  int allowed = 0;
  for (const Caller& caller : Callers(rng)) {
    for (const CheckRequest& request : Requests(rng)) {
      reference::Verdict a = reference::Check(stored, caller, request);
      reference::Verdict b = reference::Check(model, caller, request);
      EXPECT_EQ(a.decision, b.decision);
      EXPECT_EQ(a.message, b.message);
      EXPECT_EQ(a.grants, b.grants);
      EXPECT_EQ(a.matching_rules, b.matching_rules);
      allowed += a.decision.allowed();
      auto ids_a = reference::AuthorizedResourceIds(stored, caller, request.resource_type,
                                                    request.permission);
      auto ids_b = reference::AuthorizedResourceIds(model, caller, request.resource_type,
                                                    request.permission);
      EXPECT_EQ(ids_a.ok(), ids_b.ok());
      if (ids_a.ok() && ids_b.ok()) {
        EXPECT_EQ(*ids_a, *ids_b);
      }
    }
    auto tenants_a = reference::AuthorizedTenants(stored, caller);
    auto tenants_b = reference::AuthorizedTenants(model, caller);
    EXPECT_EQ(tenants_a.ok(), tenants_b.ok());
    if (tenants_a.ok() && tenants_b.ok()) {
      EXPECT_EQ(*tenants_a, *tenants_b);
    }
  }
  return allowed;
}

// Compares the engine's answers with the reference evaluator's on `model`; returns how many
// checks were allowed.
int CompareEngineAnswers(const Engine& engine, const IdentityState& model, uint64_t seed) {
  RandomCommands rng(seed * 104729);
  int allowed = 0;
  for (const Caller& caller : Callers(rng)) {
    const PrincipalHandle handle = engine.Resolve(caller);
    for (const CheckRequest& request : Requests(rng)) {
      reference::Verdict ref = reference::Check(model, caller, request);
      EXPECT_EQ(engine.Check(caller, request), ref.decision);
      Explanation e = engine.Explain(handle, request);
      EXPECT_EQ(e.decision, ref.decision);
      EXPECT_EQ(e.message, ref.message);
      EXPECT_EQ(e.grants, ref.grants);
      EXPECT_EQ(e.matching_rules, ref.matching_rules);
      allowed += ref.decision.allowed();
      auto ids_ref = reference::AuthorizedResourceIds(model, caller, request.resource_type,
                                                      request.permission);
      auto ids_eng = engine.AuthorizedResourceIds(handle, request.resource_type,
                                                  request.permission);
      EXPECT_EQ(ids_ref.ok(), ids_eng.ok());
      if (ids_ref.ok() && ids_eng.ok()) {
        EXPECT_EQ(*ids_ref, *ids_eng);
      }
    }
    auto tenants_ref = reference::AuthorizedTenants(model, caller);
    auto tenants_eng = engine.AuthorizedTenants(handle);
    EXPECT_EQ(tenants_ref.ok(), tenants_eng.ok());
    if (tenants_ref.ok() && tenants_eng.ok()) {
      EXPECT_EQ(*tenants_ref, *tenants_eng);
    }
  }
  return allowed;
}

// The serving store's engine (built by OpenStoreAndEngine while the rows load, on a second thread
// or not), then kept up to date with every applied command's change set, answers like the
// reference evaluator; reopening continues the generation count.
TEST(StoreDifferentialTest, EngineBuiltWhileOpeningAnswersLikeTheReference) {
  const int streams = EnvInt("CLEARANCE_DIFFERENTIAL_STREAMS", 6);
  int total_allowed = 0;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(streams); ++seed) {
    SCOPED_TRACE(StrCat("seed ", seed));
    TempDir dir;
    ServingOptions options;
    options.store.sync = false;
    RandomCommands gen(seed + 1000);
    IdentityState model;
    absl::StatusOr<std::unique_ptr<ServingStore>> opened = ServingStore::Open(dir.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    uint64_t applied = 0;
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < 80; ++i) {
        Command command = gen.Next(model);
        (void)Execute(model, command);
        absl::StatusOr<ApplyResult> r = (*opened)->Execute(command);
        ASSERT_TRUE(r.ok()) << r.status();
        if (r->outcome == ApplyResult::Outcome::kApplied) ++applied;
      }
      EXPECT_EQ((*opened)->generation(), applied + 1);
      total_allowed += CompareEngineAnswers((*opened)->engine(), model, seed * 10 + round);
      opened = absl::StatusOr<std::unique_ptr<ServingStore>>(absl::UnknownError("closed"));
      options.store.load_sink_thread = round % 2 == 0;
      opened = ServingStore::Open(dir.path(), options);
      ASSERT_TRUE(opened.ok()) << opened.status();
      bool same = false;
      (*opened)->Read([&](const IdentityState& state) { same = state == model; });
      ASSERT_TRUE(same) << "after reopen, round " << round;
      EXPECT_EQ((*opened)->generation(), applied + 1);
      total_allowed += CompareEngineAnswers((*opened)->engine(), model, seed * 10 + round + 5);
    }
  }
  EXPECT_GT(total_allowed, 0);
}

TEST(StoreDifferentialTest, ReopenedStoreAnswersLikeTheReferenceOnTheModel) {
  const int streams = EnvInt("CLEARANCE_DIFFERENTIAL_STREAMS", 6);
  int total_allowed = 0;
  for (uint64_t seed = 1; seed <= static_cast<uint64_t>(streams); ++seed) {
    SCOPED_TRACE(StrCat("seed ", seed));
    TempDir dir;
    StoreOptions options;
    options.sync = false;  // durability is the crash test's business; this is about content
    RandomCommands gen(seed);
    IdentityState model;
    uint64_t position = 0;
    auto store = MustOpen(dir.path(), options);
    ASSERT_NE(store, nullptr);
    for (int round = 0; round < 6; ++round) {
      for (int i = 0; i < 60; ++i) {
        size_t n = gen.BatchSize();
        std::vector<LoggedCommand> batch;
        for (size_t k = 0; k < n; ++k) {
          std::optional<uint64_t> pos;
          if (gen.Pick(4) != 0) pos = ++position;
          batch.push_back({gen.Next(model), pos});
        }
        for (const LoggedCommand& c : batch) (void)Execute(model, c.command);  // refusals ok
        if (n == 1) {
          ASSERT_TRUE(store->Apply(batch[0].command, batch[0].log_position).ok());
        } else {
          ASSERT_TRUE(store->ApplyBatch(batch).ok());
        }
      }
      ASSERT_TRUE(store->state() == model) << "round " << round;
      store.reset();
      store = MustOpen(dir.path(), options);
      ASSERT_NE(store, nullptr);
      ASSERT_TRUE(store->state() == model) << "after reopen, round " << round;
      EXPECT_EQ(store->applied_position().value_or(0), position);
    }
    absl::StatusOr<VerifyReport> report = store->Verify();
    ASSERT_TRUE(report.ok()) << report.status();
    EXPECT_TRUE(report->ok()) << testing::PrintToString(report->differences);
    total_allowed += CompareAnswers(store->state(), model, seed);
  }
  // The streams must produce states where some questions are allowed and some are not.
  EXPECT_GT(total_allowed, 0);
}

}  // namespace
}  // namespace clearance::storage_test
