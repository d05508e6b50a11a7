// The compiled engine against the reference evaluator (docs/architecture.md "Testing"): random
// states from tiny to thousands of entities, every mode, random claims, checks and queries, and
// random command streams applied to both between checks.
//
// CLEARANCE_DIFF_CHECKS scales the number of compared checks (default 1 000 000 over the whole
// suite). Every disagreement prints a reproduction: state, caller, request and both answers.
#include <algorithm>
#include <memory>
#include <string>

#include "clearance/commands.h"
#include "clearance/engine.h"
#include "diff_util.h"
#include "gtest/gtest.h"
#include "random_world.h"
#include "reference/reference_evaluator.h"

namespace clearance::index_test {
namespace {

constexpr long kDefaultChecks = 1'000'000;
constexpr int kMaxReported = 5;

long Budget(double share) {
  return static_cast<long>(EnvCount("CLEARANCE_DIFF_CHECKS", kDefaultChecks) * share);
}

class Differential {
 public:
  explicit Differential(std::string name) : name_(std::move(name)) {}
  ~Differential() {
    std::printf(
        "[%s] %ld checks compared, %ld query comparisons, %ld commands applied, largest "
        "state %zu memberships + %zu authorizations + %zu rules, %ld disagreements\n",
        name_.c_str(), checks_, queries_, commands_, max_memberships_, max_authorizations_,
        max_rules_, failures_);
  }

  long checks() const { return checks_; }

  // Applies a planned command to the state and the engine; refused commands change neither.
  void RandomCommands(RandomWorld& world, IdentityState& state, Engine& engine, int n) {
    std::vector<Command> first;
    if (world.shape().create_all && n == world.shape().commands) first = world.CreateAll();
    for (int i = 0; i < n + static_cast<int>(first.size()); ++i) {
      Command command = i < static_cast<int>(first.size()) ? first[static_cast<size_t>(i)]
                                                           : world.RandomCommand(state);
      absl::StatusOr<ChangeSet> planned = Plan(state, command);
      if (!planned.ok()) continue;
      state.Apply(*planned);
      ASSERT_TRUE(engine.Apply(*planned).ok());
      ++commands_;
    }
  }

  void CheckOne(const IdentityState& state, const Engine& engine, const Caller& caller,
                const CheckRequest& request, bool queries) {
    ++checks_;
    const reference::Verdict ref = reference::Check(state, caller, request);
    const Decision fast = engine.Check(caller, request);
    const PrincipalHandle handle = engine.Resolve(caller);
    const Explanation e = engine.Explain(handle, request);
    std::string diff = Compare(ref, e);
    if (fast != ref.decision) diff += " Check(caller);";
    if (engine.Check(handle, request) != ref.decision) diff += " Check(handle);";
    // A handle for one request has its profiles built as CheckClaims builds them (not merged on
    // a principal's first sight): the same answers.
    if (engine.Check(engine.Resolve(caller, Engine::HandleUse::kOnce), request) != ref.decision) {
      diff += " Check(handle, kOnce);";
    }
    // The view overloads (strings borrowed from `request`) answer like the owning ones.
    const std::vector<std::string_view> ids(request.resource_ids.begin(),
                                            request.resource_ids.end());
    std::vector<std::string_view> users;
    std::vector<std::string_view> groups;
    UserTaskPropertiesView task;
    CheckRequestView view;
    view.resource_type = request.resource_type;
    view.permission = request.permission;
    view.resource_ids = ids;
    if (request.tenant_id) view.tenant_id = *request.tenant_id;
    view.new_resource = request.new_resource;
    if (request.user_task) {
      users.assign(request.user_task->candidate_users.begin(),
                   request.user_task->candidate_users.end());
      groups.assign(request.user_task->candidate_groups.begin(),
                    request.user_task->candidate_groups.end());
      if (request.user_task->assignee) task.assignee = *request.user_task->assignee;
      task.candidate_users = users;
      task.candidate_groups = groups;
      view.user_task = &task;
    }
    if (engine.Check(handle, view) != ref.decision) diff += " Check(handle, view);";
    if (caller.kind == Caller::Kind::kClaims &&
        engine.CheckClaims(caller.claims_json, view) != ref.decision) {
      diff += " CheckClaims(view);";
    }
    // Three times: a document's first sight fills the thread's claims cache (the CheckClaims
    // above may have been it), the repeats are answered from it.
    for (int i = 0; i < 3 && caller.kind == Caller::Kind::kClaims; ++i) {
      if (engine.CheckClaims(caller.claims_json, request) != ref.decision) {
        diff += " CheckClaims#" + std::to_string(i + 1) + ";";
        break;
      }
    }
    std::string queries_text;
    if (queries) {
      ++queries_;
      const std::string ids_ref =
          StatusOrText(reference::AuthorizedResourceIds(state, caller, request.resource_type,
                                                        request.permission),
                       IdsText);
      const std::string ids_eng = StatusOrText(
          engine.AuthorizedResourceIds(handle, request.resource_type, request.permission), IdsText);
      if (ids_ref != ids_eng) diff += " AuthorizedResourceIds;";
      const std::string tenants_ref =
          StatusOrText(reference::AuthorizedTenants(state, caller), TenantsText);
      const std::string tenants_eng = StatusOrText(engine.AuthorizedTenants(handle), TenantsText);
      if (tenants_ref != tenants_eng) diff += " AuthorizedTenants;";
      const std::string id = request.resource_ids.empty() ? "p0" : request.resource_ids[0];
      const std::string on_ref = StatusOrText(
          reference::PermissionsOn(state, caller, request.resource_type, id), MaskText);
      const std::string on_eng =
          StatusOrText(engine.PermissionsOn(handle, request.resource_type, id), MaskText);
      if (on_ref != on_eng) diff += " PermissionsOn;";
      queries_text = "  AuthorizedResourceIds: reference " + ids_ref + " / engine " + ids_eng +
                     "\n  AuthorizedTenants: reference " + tenants_ref + " / engine " +
                     tenants_eng + "\n  PermissionsOn(" + id + "): reference " + on_ref +
                     " / engine " + on_eng + "\n";
    }
    if (diff.empty()) return;
    ++failures_;
    if (failures_ > kMaxReported) return;
    ADD_FAILURE() << "engine and reference disagree on:" << diff << "\n"
                  << "state:\n"
                  << Describe(state, FocusIds(caller)) << "caller: " << Describe(caller)
                  << "\nrequest: " << Describe(request) << "\nreference: " << Describe(ref)
                  << "\nengine:    " << Describe(e) << "\nengine Check(caller): " << Str(fast)
                  << "\n"
                  << queries_text;
  }

  // The mixed-principal CheckBatch over one round's checks (it reads ahead across them) answers
  // each like the reference.
  void CheckMixedBatch(const IdentityState& state, const Engine& engine,
                       const std::vector<Caller>& callers,
                       const std::vector<CheckRequest>& requests) {
    std::vector<PrincipalHandle> handles;
    for (const Caller& caller : callers) handles.push_back(engine.Resolve(caller));
    std::vector<Decision> out(requests.size());
    ASSERT_TRUE(engine.CheckBatch(handles, requests, absl::MakeSpan(out)).ok());
    for (size_t i = 0; i < requests.size(); ++i) {
      ++checks_;
      const reference::Verdict ref = reference::Check(state, callers[i], requests[i]);
      if (out[i] == ref.decision) continue;
      ++failures_;
      if (failures_ > kMaxReported) return;
      ADD_FAILURE() << "CheckBatch(handles) entry " << i << " disagrees with the reference\n"
                    << "state:\n"
                    << Describe(state, FocusIds(callers[i])) << "caller: " << Describe(callers[i])
                    << "\nrequest: " << Describe(requests[i]) << "\nreference: " << Describe(ref)
                    << "\nengine CheckBatch: " << Str(out[i]) << "\n";
    }
  }

  // One random world: `rounds` of (commands, checks).
  void RunWorld(uint64_t seed, const WorldShape& shape, int rounds, int checks_per_round,
                int commands_per_round) {
    RandomWorld world(seed, shape);
    IdentityState state = world.InitialState();
    // Alternate the shard counts and the profile copy limits.
    EngineOptions options;
    options.shard_bits = static_cast<int>(seed % 3) * 3 - 1;  // -1 (auto), 2, 5
    // Owners' grants merged into profiles (a limit of 64 covers almost every owner here), or
    // searched in place for owners with more than 0, 1 or 3 (profile.h, TypeGrants).
    constexpr size_t kCopyLimits[] = {64, 0, 1, 3};
    options.profile_copy_limit = kCopyLimits[(seed / 2) % 4];
    std::unique_ptr<Engine> engine = *Engine::Create(state, options);
    // Grow the state through the incremental path.
    RandomCommands(world, state, *engine, shape.commands);
    for (int round = 0; round < rounds; ++round) {
      if (round > 0) RandomCommands(world, state, *engine, commands_per_round);
      std::vector<Caller> callers;
      std::vector<CheckRequest> requests;
      for (int i = 0; i < checks_per_round; ++i) {
        callers.push_back(world.RandomCaller());
        requests.push_back(world.RandomRequest());
        CheckOne(state, *engine, callers.back(), requests.back(), i % 4 == 0);
      }
      CheckMixedBatch(state, *engine, callers, requests);
      if (failures_ > kMaxReported) return;
    }
    max_memberships_ = std::max(max_memberships_, state.memberships().size());
    max_authorizations_ = std::max(max_authorizations_, state.authorizations().size());
    max_rules_ = std::max(max_rules_, state.mapping_rules().size());
    // An engine built from scratch answers like the one that followed every change.
    std::unique_ptr<Engine> fresh = *Engine::Create(state, options);
    for (int i = 0; i < checks_per_round; ++i) {
      CheckOne(state, *fresh, world.RandomCaller(), world.RandomRequest(), i % 4 == 0);
    }
  }

 private:
  std::string name_;
  long checks_ = 0;
  long queries_ = 0;
  long commands_ = 0;
  long failures_ = 0;
  size_t max_memberships_ = 0;
  size_t max_authorizations_ = 0;
  size_t max_rules_ = 0;
};

TEST(DifferentialTest, TinyStates) {
  Differential diff("tiny");
  const long budget = Budget(0.30);
  WorldShape shape{.users = 3,
                   .clients = 2,
                   .groups = 2,
                   .roles = 2,
                   .tenants = 2,
                   .rules = 2,
                   .resources = 3,
                   .commands = 15};
  for (uint64_t seed = 1; diff.checks() < budget; ++seed) {
    diff.RunWorld(seed, shape, /*rounds=*/4, /*checks_per_round=*/20, /*commands_per_round=*/3);
  }
}

TEST(DifferentialTest, SmallStatesWithChanges) {
  Differential diff("small");
  const long budget = Budget(0.35);
  WorldShape shape{.users = 6,
                   .clients = 4,
                   .groups = 5,
                   .roles = 5,
                   .tenants = 4,
                   .rules = 6,
                   .resources = 6,
                   .commands = 80};
  for (uint64_t seed = 1000; diff.checks() < budget; ++seed) {
    diff.RunWorld(seed, shape, /*rounds=*/20, /*checks_per_round=*/15, /*commands_per_round=*/2);
  }
}

TEST(DifferentialTest, MediumStates) {
  Differential diff("medium");
  const long budget = Budget(0.25);
  WorldShape shape{.users = 30,
                   .clients = 15,
                   .groups = 15,
                   .roles = 12,
                   .tenants = 8,
                   .rules = 20,
                   .resources = 30,
                   .commands = 600,
                   .create_all = true,
                   .delete_rate = 0.3,
                   .claim_values = 6};
  for (uint64_t seed = 5000; diff.checks() < budget; ++seed) {
    diff.RunWorld(seed, shape, /*rounds=*/10, /*checks_per_round=*/200, /*commands_per_round=*/20);
  }
}

TEST(DifferentialTest, LargeStates) {
  Differential diff("large");
  const long budget = Budget(0.10);
  WorldShape shape{.users = 400,
                   .clients = 200,
                   .groups = 80,
                   .roles = 50,
                   .tenants = 20,
                   .rules = 80,
                   .resources = 300,
                   .commands = 10000,
                   .create_all = true,
                   .delete_rate = 0.05,
                   .claim_values = 12};
  for (uint64_t seed = 9000; diff.checks() < budget; ++seed) {
    diff.RunWorld(seed, shape, /*rounds=*/5, /*checks_per_round=*/400, /*commands_per_round=*/50);
  }
}

}  // namespace
}  // namespace clearance::index_test
