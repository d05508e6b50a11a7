// Readers check while a writer applies a stream of changes. Every answer must equal the
// reference's answer for the generation the reader used (recorded with the answer), which also
// proves no reader saw half a change. Run it under TSan for the race side.
#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "clearance/commands.h"
#include "clearance/engine.h"
#include "diff_util.h"
#include "gtest/gtest.h"
#include "random_world.h"
#include "reference/reference_evaluator.h"

namespace clearance::index_test {
namespace {

struct Answer {
  uint64_t generation;
  size_t caller;
  size_t request;
  Decision decision;
  Decision fast;             // Check(caller) on the same thread, bracketed by generations
  uint64_t fast_generation;  // 0 when the generation moved during the call
};

TEST(ConcurrencyTest, EveryAnswerMatchesTheGenerationItRead) {
  const int kChanges = static_cast<int>(EnvCount("CLEARANCE_CONCURRENCY_CHANGES", 400));
  const size_t kMinAnswersPerReader = 4000;
  WorldShape shape{.users = 8,
                   .clients = 4,
                   .groups = 5,
                   .roles = 5,
                   .tenants = 4,
                   .rules = 6,
                   .resources = 6,
                   .commands = 60};
  RandomWorld world(77, shape);
  IdentityState state = world.InitialState();
  for (int i = 0; i < shape.commands; ++i) {
    absl::StatusOr<ChangeSet> cs = Plan(state, world.RandomCommand(state));
    if (cs.ok()) state.Apply(*cs);
  }
  std::unique_ptr<Engine> engine = *Engine::Create(state);

  // The writer's stream, planned up front; states[g] is the state of generation g.
  std::vector<ChangeSet> stream;
  std::vector<IdentityState> states(engine->generation() + 1);
  states.back() = state;
  while (static_cast<int>(stream.size()) < kChanges) {
    absl::StatusOr<ChangeSet> cs = Plan(state, world.RandomCommand(state));
    if (!cs.ok()) continue;
    state.Apply(*cs);
    stream.push_back(*cs);
    states.push_back(state);
  }
  std::vector<Caller> callers;
  std::vector<CheckRequest> requests;
  for (int i = 0; i < 64; ++i) callers.push_back(world.RandomCaller());
  for (int i = 0; i < 64; ++i) requests.push_back(world.RandomRequest());

  std::atomic<bool> writer_done{false};
  // Each reader publishes how many answers it has; the writer waits (yielding, never sleeping)
  // for both to answer again after each change, so the readers overlap every generation.
  std::atomic<size_t> progress[2] = {0, 0};
  auto reader = [&](uint64_t seed, std::vector<Answer>* answers) {
    std::mt19937_64 rng(seed);
    uint64_t last_generation = 0;
    int answers_in_generation = 0;
    while (!writer_done.load(std::memory_order_acquire) || answers->size() < kMinAnswersPerReader) {
      // A bounded number of answers per generation keeps the verification cheap.
      const uint64_t now = engine->generation();
      if (now != last_generation) {
        last_generation = now;
        answers_in_generation = 0;
      } else if (++answers_in_generation > 16 && !writer_done.load(std::memory_order_acquire)) {
        std::this_thread::yield();
        continue;
      }
      const size_t c = rng() % callers.size();
      const size_t r = rng() % requests.size();
      const uint64_t g0 = engine->generation();
      const Decision fast = engine->Check(callers[c], requests[r]);
      const uint64_t g1 = engine->generation();
      PrincipalHandle h = engine->Resolve(callers[c]);
      answers->push_back(
          {h.generation(), c, r, engine->Check(h, requests[r]), fast, g0 == g1 ? g0 : 0});
      progress[seed - 1].store(answers->size(), std::memory_order_release);
    }
  };
  std::vector<Answer> a1, a2;
  std::thread t1(reader, 1, &a1);
  std::thread t2(reader, 2, &a2);
  auto wait_for_readers = [&] {
    const size_t p0 = progress[0].load(std::memory_order_acquire);
    const size_t p1 = progress[1].load(std::memory_order_acquire);
    while (progress[0].load(std::memory_order_acquire) <= p0 ||
           progress[1].load(std::memory_order_acquire) <= p1) {
      std::this_thread::yield();
    }
  };
  for (const ChangeSet& cs : stream) {
    ASSERT_TRUE(engine->Apply(cs).ok());
    wait_for_readers();
  }
  writer_done.store(true, std::memory_order_release);
  t1.join();
  t2.join();

  long checked = 0, failures = 0;
  std::vector<bool> seen(states.size());
  for (const std::vector<Answer>* answers : {&a1, &a2}) {
    for (const Answer& a : *answers) {
      ASSERT_LT(a.generation, states.size());
      seen[a.generation] = true;
      const reference::Verdict ref =
          reference::Check(states[a.generation], callers[a.caller], requests[a.request]);
      ++checked;
      bool ok = ref.decision == a.decision;
      if (a.fast_generation != 0) {
        ok = ok &&
             reference::Check(states[a.fast_generation], callers[a.caller], requests[a.request])
                     .decision == a.fast;
      }
      if (!ok && ++failures <= 5) {
        ADD_FAILURE() << "generation " << a.generation << ": engine " << Str(a.decision)
                      << " (Check(caller) " << Str(a.fast) << " at " << a.fast_generation
                      << "), reference " << Describe(ref)
                      << "\ncaller: " << Describe(callers[a.caller])
                      << "\nrequest: " << Describe(requests[a.request]) << "\nstate:\n"
                      << Describe(states[a.generation], FocusIds(callers[a.caller]));
      }
    }
  }
  long generations_seen = 0;
  for (bool s : seen) generations_seen += s;
  std::printf("[concurrency] %ld answers checked over %ld generations seen, %ld disagreements\n",
              checked, generations_seen, failures);
  EXPECT_EQ(failures, 0);
  EXPECT_GT(generations_seen, 1) << "readers must overlap the writer";
}

}  // namespace
}  // namespace clearance::index_test
