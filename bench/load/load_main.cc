// clearance-load: the load driver. See bench/RESULTS-load.md for figures and commands.
//
//   clearance-load [--size tiny|small|medium|large] [--seed N] [--threads N]
//                  [--duration SECONDS] [--requests N]
//                  [--mix token=W,claims=W,batch=W,ids=W,handle=W] [--batch-size N]
//                  [--changes-per-second N] [--tokens N] [--repeat-percent P]
//                  [--verify-reference N] [--compare-readonly] [--corpus-bench]
//                  [--profile-cache N] [--profile-copy-limit N] [--claims-cache N]
//                  [--corpus-engine-only] [--corpus-loop-ms N]
//                  [--output text|json]
//
// Generates the workload in process (workload.h; deterministic from --size and --seed), writes it
// as a store in a scratch directory (Store::CreateFrom; removed on exit), builds the engine and
// serves both as a ServingStore, builds a token verifier, then runs --threads reader threads for --duration seconds or
// until --requests operations are done, whichever comes first. Each operation is drawn from the
// mix (weights):
//   token   Engine::CheckToken on the next presentation of the token corpus
//   claims  Engine::CheckClaims on the next query's claims
//   batch   Resolve + CheckBatch of --batch-size queries' requests (one principal)
//   ids     Resolve + AuthorizedResourceIds for the query's type and permission
//   handle  Check on a handle resolved once per thread for the query's principal
// With --changes-per-second N, one writer thread executes N changes a second through the
// ServingStore (create an authorization; once 1000 exist, delete the oldest) and times each
// (plan, persist without fsync, state, engine, publish).
// Latency per operation type comes from a histogram: p50, p90, p99, p99.9, max.
//
// --verify-reference N   first, every engine answer for the first N queries must equal the
//                        reference evaluator's; exit 1 on any difference.
// --compare-readonly     runs the read mix twice, without and with --changes-per-second
//                        (default 1000), and reports the throughput ratio (docs/architecture.md
// budget:
//                        >= 70 %).
// --corpus-bench         the peer comparison's C++ side: one thread, each corpus query timed
//                        alone (CheckClaims, handle Check, reference), then the token corpus
//                        (first sight per algorithm, cache hits); JSON lines on stdout.
// --corpus-engine-only   with --corpus-bench: our engine only (no reference, no tokens).
// --corpus-loop-ms N     with --corpus-bench: how long each back-to-back loop runs (default
//                        500; raise it so a profiler's samples come from the checks).
// --profile-cache N, --profile-copy-limit N, --claims-cache N   EngineOptions of the engine
//                        under load.
// A live progress line is drawn on stderr only when stderr is a terminal.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "clearance/commands.h"
#include "clearance/engine.h"
#include "clearance/internal/strings.h"
#include "clearance/serving_store.h"
#include "clearance/store.h"
#include "clearance/token.h"
#include "histogram.h"
#include "reference/reference_evaluator.h"
#include "token_corpus.h"
#include "workload.h"

namespace clearance::load {
namespace {

using strings_internal::StrCat;
using Clock = std::chrono::steady_clock;

enum Op : int { kToken, kClaims, kBatch, kIds, kHandle, kChange, kOpCount };
constexpr const char* kOpNames[kOpCount] = {"check_token",    "check_claims", "check_batch",
                                            "authorized_ids", "check_handle", "change"};
constexpr const char* kMixNames[kOpCount] = {"token", "claims", "batch", "ids", "handle", ""};

struct Flags {
  std::string size = "small";
  uint64_t seed = 1;
  int threads = 2;
  double duration = 10;
  uint64_t requests = 0;  // 0: bounded by duration only
  unsigned mix[kOpCount] = {20, 40, 10, 10, 20, 0};
  size_t batch_size = 16;
  double changes_per_second = 0;
  size_t queries = 20000;
  TokenCorpusOptions tokens;
  size_t verify_reference = 0;
  bool compare_readonly = false;
  bool corpus_bench = false;
  bool corpus_engine_only = false;
  double corpus_loop_ms = 500;
  bool json = false;
  EngineOptions engine;
};

struct ThreadResult {
  Histogram ops[kOpCount];
  uint64_t decisions = 0;
  uint64_t outcomes[4] = {};
};

// strings_internal::StrCat takes integers and strings only.
std::string Num(double v, const char* format = "%.4g") {
  char buf[64];
  std::snprintf(buf, sizeof(buf), format, v);
  return buf;
}

uint64_t Nanos(Clock::time_point a, Clock::time_point b) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(b - a).count());
}

// A scratch directory, removed with everything in it when it goes.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr && *base ? base : "/tmp") + "/clearance-load-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~ScratchDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  // Empty when the directory could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct World {
  Workload workload;
  TokenCorpus tokens;
  ScratchDir dir;
  // The store and its engine; every change goes through it.
  std::unique_ptr<ServingStore> serving;
  const Engine* engine = nullptr;  // serving->engine()
  std::unique_ptr<TokenVerifier> verifier;
  double generate_s = 0, store_s = 0, build_s = 0, mint_s = 0;
};

// The writer: creates authorizations for users on fresh process ids; with 1000 outstanding,
// deletes the oldest first, so the state size stays put.
class ChangeWriter {
 public:
  ChangeWriter(World* world, double per_second) : world_(world), per_second_(per_second) {}
  void Run(const std::atomic<bool>* stop, Histogram* latency, std::string* error) {
    const auto period = std::chrono::nanoseconds(static_cast<int64_t>(1e9 / per_second_));
    auto next = Clock::now();
    while (!stop->load(std::memory_order_relaxed)) {
      next += period;
      std::this_thread::sleep_until(next);
      Command command;
      if (created_.size() >= 1000) {
        command = DeleteAuthorization{created_.front()};
        created_.erase(created_.begin());
      } else {
        AuthorizationSpec spec;
        spec.owner_type = OwnerType::kUser;
        spec.owner_id = StrCat("user-", counter_ % world_->workload.size.users);
        spec.resource_type = ResourceType::kProcessDefinition;
        spec.resource_id = StrCat("load-process-", counter_++);
        spec.permissions = Bit(Permission::kReadProcessDefinition);
        command = CreateAuthorization{spec};
      }
      const bool create = std::holds_alternative<CreateAuthorization>(command);
      const auto start = Clock::now();
      absl::StatusOr<ApplyResult> result = world_->serving->Execute(std::move(command));
      if (!result.ok()) {
        *error = StrCat("change failed: ", result.status().message());
        return;
      }
      if (result->outcome != ApplyResult::Outcome::kApplied) {
        *error = StrCat("change refused: ", result->refusal.message());
        return;
      }
      latency->Record(Nanos(start, Clock::now()));
      if (create) created_.push_back(*result->changes.first_put_authorization_key());
    }
  }

 private:
  World* world_;
  double per_second_;
  uint64_t counter_ = 0;
  std::vector<AuthorizationKey> created_;
};

struct RunResult {
  Histogram ops[kOpCount];
  uint64_t decisions = 0;
  uint64_t outcomes[4] = {};
  double seconds = 0;
  uint64_t read_ops = 0;
  std::string error;
};

RunResult RunLoad(World& world, const Flags& flags, double changes_per_second) {
  const std::vector<Query>& queries = world.workload.queries;
  const auto& presentations = world.tokens.presentations;
  unsigned total_weight = 0;
  for (int op = 0; op < kChange; ++op) total_weight += flags.mix[op];
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> done{0};
  std::vector<ThreadResult> results(static_cast<size_t>(flags.threads));
  // --requests split exactly: thread t does requests / threads, plus one for the first remainder.
  auto quota = [&flags](int t) -> uint64_t {
    if (flags.requests == 0) return UINT64_MAX;
    const uint64_t n = static_cast<uint64_t>(flags.threads);
    return flags.requests / n + (static_cast<uint64_t>(t) < flags.requests % n ? 1 : 0);
  };
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(flags.duration));
  auto worker = [&](int t) {
    ThreadResult& r = results[static_cast<size_t>(t)];
    std::mt19937_64 rng(flags.seed * 1000 + static_cast<uint64_t>(t));
    size_t q = static_cast<size_t>(t) * queries.size() / static_cast<size_t>(flags.threads);
    size_t tok = static_cast<size_t>(t) * presentations.size() / static_cast<size_t>(flags.threads);
    std::map<uint32_t, PrincipalHandle> handles;
    std::vector<CheckRequest> batch(flags.batch_size);
    std::vector<Decision> out(flags.batch_size);
    auto tally = [&r](Decision d) {
      ++r.decisions;
      ++r.outcomes[static_cast<int>(d.outcome)];
    };
    for (uint64_t n = 0, limit = quota(t); n < limit; ++n) {
      if ((n & 63) == 0 && (stop.load(std::memory_order_relaxed) || Clock::now() >= deadline)) {
        break;
      }
      unsigned pick = static_cast<unsigned>(rng() % total_weight);
      int op = 0;
      while (pick >= flags.mix[op]) pick -= flags.mix[op++];
      const Query& query = queries[q++ % queries.size()];
      const auto begin = Clock::now();
      switch (op) {
        case kToken: {
          const TokenPresentation& p = presentations[tok++ % presentations.size()];
          tally(world.engine->CheckToken(*world.verifier, p.token, query.request));
          break;
        }
        case kClaims:
          tally(world.engine->CheckClaims(query.claims_json, query.request));
          break;
        case kBatch: {
          const PrincipalHandle h =
              world.engine->Resolve(Caller::Claims(query.claims_json), Engine::HandleUse::kOnce);
          for (size_t i = 0; i < flags.batch_size; ++i) {
            batch[i] = queries[(q + i) % queries.size()].request;
          }
          // batch and out both hold --batch-size entries.
          world.engine->CheckBatch(h, batch, absl::MakeSpan(out)).IgnoreError();
          for (const Decision& d : out) tally(d);
          break;
        }
        case kIds: {
          const PrincipalHandle h =
              world.engine->Resolve(Caller::Claims(query.claims_json), Engine::HandleUse::kOnce);
          absl::StatusOr<ResourceIds> ids = world.engine->AuthorizedResourceIds(
              h, query.request.resource_type, query.request.permission);
          // Every generated principal authenticates: an error here is a driver bug.
          if (!ids.ok()) std::abort();
          break;
        }
        case kHandle: {
          auto it = handles.find(query.principal);
          if (it == handles.end() || !world.engine->IsCurrent(it->second)) {
            it = handles
                     .insert_or_assign(query.principal,
                                       world.engine->Resolve(Caller::Claims(query.claims_json)))
                     .first;
          }
          tally(world.engine->Check(it->second, query.request));
          break;
        }
      }
      r.ops[op].Record(Nanos(begin, Clock::now()));
      if ((n & 1023) == 1023) done.fetch_add(1024, std::memory_order_relaxed);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < flags.threads; ++t) threads.emplace_back(worker, t);
  RunResult result;
  std::thread writer;
  Histogram change_latency;
  std::unique_ptr<ChangeWriter> change_writer;
  if (changes_per_second > 0) {
    change_writer = std::make_unique<ChangeWriter>(&world, changes_per_second);
    writer = std::thread([&] { change_writer->Run(&stop, &change_latency, &result.error); });
  }
  std::thread progress;
  std::atomic<bool> readers_done{false};
  if (isatty(STDERR_FILENO)) {
    progress = std::thread([&] {
      while (!readers_done.load()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        const double s = std::chrono::duration<double>(Clock::now() - start).count();
        std::fprintf(stderr, "\r%6.1f s  %12llu ops  %10.0f ops/s ", s,
                     static_cast<unsigned long long>(done.load()),
                     static_cast<double>(done.load()) / std::max(s, 1e-9));
      }
      std::fprintf(stderr, "\r%60s\r", "");
    });
  }
  for (std::thread& t : threads) t.join();
  result.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  stop.store(true);
  readers_done.store(true);
  if (writer.joinable()) writer.join();
  if (progress.joinable()) progress.join();
  for (const ThreadResult& r : results) {
    for (int op = 0; op < kOpCount; ++op) result.ops[op].Merge(r.ops[op]);
    result.decisions += r.decisions;
    for (int i = 0; i < 4; ++i) result.outcomes[i] += r.outcomes[i];
  }
  result.ops[kChange].Merge(change_latency);
  for (int op = 0; op < kChange; ++op) result.read_ops += result.ops[op].count();
  return result;
}

std::string OpJson(const Histogram& h, double seconds) {
  return StrCat("{\"count\":", h.count(),
                ",\"per_s\":", static_cast<uint64_t>(static_cast<double>(h.count()) / seconds),
                ",\"mean_ns\":", static_cast<uint64_t>(h.mean()), ",\"p50_ns\":", h.Percentile(0.5),
                ",\"p90_ns\":", h.Percentile(0.9), ",\"p99_ns\":", h.Percentile(0.99),
                ",\"p999_ns\":", h.Percentile(0.999), ",\"max_ns\":", h.max(), "}");
}

std::string RunJson(const RunResult& r, const Flags& flags, double changes_per_second) {
  std::string ops;
  for (int op = 0; op < kOpCount; ++op) {
    if (r.ops[op].count() == 0) continue;
    if (!ops.empty()) ops += ',';
    ops += StrCat("\"", kOpNames[op], "\":", OpJson(r.ops[op], r.seconds));
  }
  return StrCat(
      "{\"threads\":", flags.threads, ",\"seconds\":", Num(r.seconds),
      ",\"changes_per_second_target\":", Num(changes_per_second), ",\"read_ops\":", r.read_ops,
      ",\"read_ops_per_s\":", static_cast<uint64_t>(static_cast<double>(r.read_ops) / r.seconds),
      ",\"decisions\":", r.decisions, ",\"outcomes\":{\"ALLOW\":", r.outcomes[0],
      ",\"FORBIDDEN\":", r.outcomes[1], ",\"NOT_FOUND\":", r.outcomes[2],
      ",\"UNAUTHENTICATED\":", r.outcomes[3], "},\"ops\":{", ops, "}}");
}

void PrintRun(const RunResult& r, double changes_per_second) {
  std::printf("%.2f s run, %.0f changes/s target: %llu reads (%.0f/s), %llu decisions\n", r.seconds,
              changes_per_second, static_cast<unsigned long long>(r.read_ops),
              static_cast<double>(r.read_ops) / r.seconds,
              static_cast<unsigned long long>(r.decisions));
  std::printf("  %-15s %10s %10s %9s %9s %9s %9s %10s\n", "operation", "count", "per s", "p50",
              "p90", "p99", "p99.9", "max");
  for (int op = 0; op < kOpCount; ++op) {
    const Histogram& h = r.ops[op];
    if (h.count() == 0) continue;
    auto us = [](uint64_t ns) {
      return ns >= 1000000 ? Num(static_cast<double>(ns) / 1e6, "%.1fms")
                           : Num(static_cast<double>(ns) / 1000.0, "%.3gus");
    };
    std::printf("  %-15s %10llu %10.0f %9s %9s %9s %9s %10s\n", kOpNames[op],
                static_cast<unsigned long long>(h.count()),
                static_cast<double>(h.count()) / r.seconds, us(h.Percentile(0.5)).c_str(),
                us(h.Percentile(0.9)).c_str(), us(h.Percentile(0.99)).c_str(),
                us(h.Percentile(0.999)).c_str(), us(h.max()).c_str());
  }
  std::printf("  outcomes: ALLOW %llu, FORBIDDEN %llu, NOT_FOUND %llu, UNAUTHENTICATED %llu\n",
              static_cast<unsigned long long>(r.outcomes[0]),
              static_cast<unsigned long long>(r.outcomes[1]),
              static_cast<unsigned long long>(r.outcomes[2]),
              static_cast<unsigned long long>(r.outcomes[3]));
}

// Every engine answer equals the reference evaluator's, for the first n queries and for the
// token presentations (whose claims are the principal's claims plus a nonce).
bool VerifyAgainstReference(const World& world, size_t n, std::string* error) {
  const auto& queries = world.workload.queries;
  for (size_t i = 0; i < std::min(n, queries.size()); ++i) {
    const Query& q = queries[i];
    const Decision ours = world.engine->CheckClaims(q.claims_json, q.request);
    const reference::Verdict ref =
        reference::Check(world.workload.state, Caller::Claims(q.claims_json), q.request);
    if (!(ours == ref.decision)) {
      *error = StrCat("query ", i, ": engine ", Name(ours.outcome), "/", Name(ours.reason),
                      ", reference ", Name(ref.decision.outcome), "/", Name(ref.decision.reason),
                      "; claims ", q.claims_json);
      return false;
    }
    const PrincipalHandle h = world.engine->Resolve(Caller::Claims(q.claims_json));
    if (!(world.engine->Check(h, q.request) == ours)) {
      *error = StrCat("query ", i, ": handle Check differs from CheckClaims");
      return false;
    }
    absl::StatusOr<ResourceIds> ids =
        world.engine->AuthorizedResourceIds(h, q.request.resource_type, q.request.permission);
    absl::StatusOr<ResourceIds> ref_ids =
        reference::AuthorizedResourceIds(world.workload.state, Caller::Claims(q.claims_json),
                                         q.request.resource_type, q.request.permission);
    if (ids.ok() != ref_ids.ok() || (ids.ok() && !(*ids == *ref_ids))) {
      *error = StrCat("query ", i, ": authorized ids differ from the reference");
      return false;
    }
  }
  for (size_t i = 0; i < std::min(n, world.tokens.presentations.size()); ++i) {
    const TokenPresentation& p = world.tokens.presentations[i];
    const Query& q = queries[i % queries.size()];
    AuthenticationReason why = AuthenticationReason::kOk;
    const Decision ours = world.engine->CheckToken(*world.verifier, p.token, q.request, &why);
    if (TokenErrorOf(why)) {
      *error = StrCat("token ", i, " refused: ", Name(why));
      return false;
    }
    const std::string claims =
        ClaimsFor(world.workload.size, world.workload.seed, p.principal, p.shape);
    const reference::Verdict ref =
        reference::Check(world.workload.state, Caller::Claims(claims), q.request);
    if (!(ours == ref.decision)) {
      *error = StrCat("token ", i, ": engine ", Name(ours.outcome), ", reference ",
                      Name(ref.decision.outcome));
      return false;
    }
  }
  return true;
}

double Median(std::vector<double>& v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}
double P99(const std::vector<double>& sorted) {
  return sorted.empty() ? 0 : sorted[std::min(sorted.size() - 1, sorted.size() * 99 / 100)];
}

long ResidentKb() {
  FILE* f = std::fopen("/proc/self/status", "r");
  if (f == nullptr) return 0;
  char line[256];
  long kb = 0;
  while (std::fgets(line, sizeof(line), f)) {
    if (std::sscanf(line, "VmRSS: %ld kB", &kb) == 1) break;
  }
  std::fclose(f);
  return kb;
}

double CpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// One JSON line per measured engine, in the shape bench/peers/run.mjs prints for the peers.
template <typename F>
void TimeEach(const char* engine, const World& world, size_t limit, double setup_s, double loop_ms,
              F&& decide) {
  const auto& queries = world.workload.queries;
  const size_t n = std::min(limit, queries.size());
  for (size_t i = 0; i < std::min<size_t>(n, 2000); ++i) decide(queries[i]);  // warm up
  std::vector<double> ns;
  ns.reserve(n);
  const auto all_start = Clock::now();
  for (size_t i = 0; i < n; ++i) {
    const auto start = Clock::now();
    decide(queries[i]);
    ns.push_back(static_cast<double>(Nanos(start, Clock::now())));
  }
  const double all_s = std::chrono::duration<double>(Clock::now() - all_start).count();
  // Back-to-back throughput without the per-call clock reads, and the process CPU time of that
  // loop: on a shared machine the wall clock also counts other processes' turns.
  const double cpu_start = CpuSeconds();
  const auto loop_start = Clock::now();
  size_t loops = 0;
  do {
    for (size_t i = 0; i < n; ++i) decide(queries[i]);
    loops += n;
  } while (Clock::now() - loop_start < std::chrono::duration<double, std::milli>(loop_ms) &&
           n >= 1000);
  const double loop_s = std::chrono::duration<double>(Clock::now() - loop_start).count();
  const double cpu_ns = (CpuSeconds() - cpu_start) * 1e9 / static_cast<double>(loops);
  const double median = Median(ns);
  std::printf(
      "{\"engine\":\"%s\",\"size\":\"%s\",\"decisions\":%zu,\"setup_s\":%.3f,\"median_ns\":%.0f,"
      "\"p99_ns\":%.0f,\"per_s\":%.4g,\"cpu_ns\":%.0f,\"timed_s\":%.3f,\"rss_mb\":%.1f}\n",
      engine, world.workload.size.name.c_str(), n, setup_s, median, P99(ns),
      static_cast<double>(loops) / loop_s, cpu_ns, all_s,
      static_cast<double>(ResidentKb()) / 1024.0);
  std::fflush(stdout);
}

void CorpusBench(World& world, const Flags& flags) {
  TimeEach("clearance CheckClaims", world, flags.queries, world.build_s, flags.corpus_loop_ms,
           [&](const Query& q) {
             Decision d = world.engine->CheckClaims(q.claims_json, q.request);
             asm volatile("" : : "r"(&d) : "memory");
           });
  std::map<uint32_t, PrincipalHandle> handles;
  for (const Query& q : world.workload.queries) {
    if (!handles.contains(q.principal)) {
      handles.emplace(q.principal, world.engine->Resolve(Caller::Claims(q.claims_json)));
    }
  }
  // Each query's handle found before timing: the driver's own map lookup is not the engine's.
  const std::vector<Query>& queries = world.workload.queries;
  std::vector<const PrincipalHandle*> handle_of(queries.size());
  for (size_t i = 0; i < queries.size(); ++i) handle_of[i] = &handles.at(queries[i].principal);
  TimeEach("clearance Check(handle)", world, flags.queries, world.build_s, flags.corpus_loop_ms,
           [&](const Query& q) {
             Decision d = world.engine->Check(*handle_of[&q - queries.data()], q.request);
             asm volatile("" : : "r"(&d) : "memory");
           });
  // The reference scans every authorization per check: a few hundred checks at most.
  // With more distinct principals than the default profile cache holds (4096 per thread), the
  // same queries again on an engine whose cache holds them all: the cost of the default.
  if (world.workload.size.users + world.workload.size.clients >
      EngineOptions{}.profile_cache_capacity) {
    EngineOptions options = flags.engine;
    options.profile_cache_capacity = size_t{1} << 17;
    const auto start = Clock::now();
    std::unique_ptr<Engine> big = *Engine::Create(world.workload.state, options);
    const double setup_s = std::chrono::duration<double>(Clock::now() - start).count();
    TimeEach("clearance CheckClaims, profile cache 131072", world, flags.queries, setup_s,
             flags.corpus_loop_ms, [&](const Query& q) {
               Decision d = big->CheckClaims(q.claims_json, q.request);
               asm volatile("" : : "r"(&d) : "memory");
             });
  }
  if (flags.corpus_engine_only) return;
  // ~0.5 s per check at medium, several seconds at large.
  const size_t auths = world.workload.size.authorizations;
  const size_t reference_n = auths >= 1000000 ? 5 : auths >= 100000 ? 60 : 2000;
  TimeEach("reference evaluator", world, reference_n, 0, flags.corpus_loop_ms, [&](const Query& q) {
    reference::Verdict v =
        reference::Check(world.workload.state, Caller::Claims(q.claims_json), q.request);
    asm volatile("" : : "r"(&v) : "memory");
  });
  // Tokens: first sight (cache off) per algorithm, then cache hits.
  absl::StatusOr<std::unique_ptr<TokenVerifier>> no_cache = MakeVerifier(world.tokens, 0);
  if (!no_cache.ok()) return;
  for (JwsAlgorithm alg : {JwsAlgorithm::kRS256, JwsAlgorithm::kES256, JwsAlgorithm::kEdDSA}) {
    std::vector<double> ns;
    for (int pass = 0; pass < 2; ++pass) {
      for (const TokenPresentation& p : world.tokens.presentations) {
        if (p.alg != alg || p.repeat) continue;
        std::shared_ptr<const VerifiedToken> out;
        const auto start = Clock::now();
        const TokenError e = (*no_cache)->Verify(p.token, &out);
        if (pass == 1) ns.push_back(static_cast<double>(Nanos(start, Clock::now())));
        if (e != TokenError::kOk) std::abort();
      }
    }
    const double median = Median(ns);
    std::printf(
        "{\"engine\":\"clearance TokenVerifier first sight\",\"alg\":\"%s\",\"tokens\":%zu,"
        "\"median_ns\":%.0f,\"p99_ns\":%.0f}\n",
        std::string(Name(alg)).c_str(), ns.size(), median, P99(ns));
  }
  std::vector<double> ns;
  for (int pass = 0; pass < 3; ++pass) {
    for (const TokenPresentation& p : world.tokens.presentations) {
      if (p.repeat) continue;
      std::shared_ptr<const VerifiedToken> out;
      const auto start = Clock::now();
      const TokenError e = world.verifier->Verify(p.token, &out);
      if (pass == 2) ns.push_back(static_cast<double>(Nanos(start, Clock::now())));
      if (e != TokenError::kOk) std::abort();
    }
  }
  const double median = Median(ns);
  std::printf(
      "{\"engine\":\"clearance TokenVerifier cache hit\",\"alg\":\"all\",\"tokens\":%zu,"
      "\"median_ns\":%.0f,\"p99_ns\":%.0f}\n",
      ns.size(), median, P99(ns));
}

int Usage(const std::string& error) {
  std::fprintf(stderr, "error: %s\nsee the top of bench/load/load_main.cc for the flags\n",
               error.c_str());
  return 2;
}

int Main(int argc, char** argv) {
  Flags flags;
  bool changes_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--compare-readonly") {
      flags.compare_readonly = true;
      continue;
    }
    if (arg == "--corpus-bench") {
      flags.corpus_bench = true;
      continue;
    }
    if (arg == "--corpus-engine-only") {
      flags.corpus_engine_only = true;
      continue;
    }
    if (i + 1 >= argc) return Usage("missing value for " + arg);
    const std::string v = argv[++i];
    char* end = nullptr;
    const double number = std::strtod(v.c_str(), &end);
    const bool numeric = end != v.c_str() && *end == '\0' && number >= 0;
    auto need_number = [&]() {
      return numeric ? 0 : Usage(arg + " expects a non-negative number, got \"" + v + "\"");
    };
    if (arg == "--size") {
      flags.size = v;
    } else if (arg == "--output") {
      if (v != "json" && v != "text") return Usage("--output expects text or json");
      flags.json = v == "json";
    } else if (arg == "--mix") {
      for (unsigned& w : flags.mix) w = 0;
      size_t pos = 0;
      while (pos < v.size()) {
        size_t comma = v.find(',', pos);
        if (comma == std::string::npos) comma = v.size();
        const std::string item = v.substr(pos, comma - pos);
        const size_t eq = item.find('=');
        int op = 0;
        while (op < kChange && (eq == std::string::npos || item.substr(0, eq) != kMixNames[op]))
          ++op;
        if (op == kChange) {
          return Usage(
              "--mix expects name=weight items (token, claims, batch, ids, handle), got \"" + item +
              "\"");
        }
        flags.mix[op] = static_cast<unsigned>(std::strtoul(item.c_str() + eq + 1, nullptr, 10));
        pos = comma + 1;
      }
      unsigned total = 0;
      for (int op = 0; op < kChange; ++op) total += flags.mix[op];
      if (total == 0) return Usage("--mix needs at least one positive weight");
    } else if (need_number() != 0) {
      return 2;
    } else if (arg == "--seed") {
      flags.seed = static_cast<uint64_t>(number);
    } else if (arg == "--threads") {
      flags.threads = std::max(1, static_cast<int>(number));
    } else if (arg == "--duration") {
      flags.duration = number;
    } else if (arg == "--requests") {
      flags.requests = static_cast<uint64_t>(number);
    } else if (arg == "--batch-size") {
      flags.batch_size = std::max<size_t>(1, static_cast<size_t>(number));
    } else if (arg == "--changes-per-second") {
      flags.changes_per_second = number;
      changes_given = true;
    } else if (arg == "--queries") {
      flags.queries = std::max<size_t>(1, static_cast<size_t>(number));
    } else if (arg == "--tokens") {
      flags.tokens.presentations = std::max<size_t>(1, static_cast<size_t>(number));
    } else if (arg == "--repeat-percent") {
      if (number > 100) return Usage("--repeat-percent expects 0-100");
      flags.tokens.repeat_percent = static_cast<unsigned>(number);
    } else if (arg == "--profile-cache") {
      flags.engine.profile_cache_capacity = static_cast<size_t>(number);
    } else if (arg == "--claims-cache") {
      flags.engine.claims_cache_capacity = static_cast<size_t>(number);
    } else if (arg == "--profile-copy-limit") {
      flags.engine.profile_copy_limit = static_cast<size_t>(number);
    } else if (arg == "--corpus-loop-ms") {
      flags.corpus_loop_ms = number;
    } else if (arg == "--verify-reference") {
      flags.verify_reference = static_cast<size_t>(number);
    } else {
      return Usage("unknown flag " + arg);
    }
  }
  absl::StatusOr<WorkloadSize> size = SizeNamed(flags.size);
  if (!size.ok()) return Usage(std::string(size.status().message()));
  if (flags.compare_readonly && !changes_given) flags.changes_per_second = 1000;

  World world;
  auto start = Clock::now();
  world.workload = Generate(*size, flags.seed, flags.queries);
  world.generate_s = std::chrono::duration<double>(Clock::now() - start).count();
  // The store the changes go to: the workload's state written in bulk, then opened. The engine
  // is built from the generated state (build_s times Engine::Create alone, as the peer
  // comparison's setup figure does); it mirrors the opened store's state, which is the same.
  if (world.dir.path().empty()) return Usage("cannot make a scratch directory under $TMPDIR");
  start = Clock::now();
  const std::string store_path = world.dir.path() + "/store";
  StoreOptions store_options;
  store_options.sync = false;
  if (absl::Status s = Store::CreateFrom(store_path, store_options, world.workload.state,
                                         std::nullopt);
      !s.ok()) {
    return Usage(StrCat("writing the store: ", s.message()));
  }
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(store_path, store_options);
  if (!store.ok()) return Usage(StrCat("opening the store: ", store.status().message()));
  world.store_s = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  absl::StatusOr<std::unique_ptr<Engine>> engine =
      Engine::Create(world.workload.state, flags.engine);
  if (!engine.ok()) return Usage(std::string(engine.status().message()));
  world.build_s = std::chrono::duration<double>(Clock::now() - start).count();
  world.serving = std::make_unique<ServingStore>(*std::move(store), *std::move(engine),
                                                 ServingOptions{}.max_batch);
  world.engine = &world.serving->engine();
  start = Clock::now();
  absl::StatusOr<TokenCorpus> tokens = MintTokenCorpus(*size, flags.seed, flags.tokens);
  if (!tokens.ok()) return Usage(std::string(tokens.status().message()));
  world.tokens = std::move(*tokens);
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = MakeVerifier(world.tokens, 8192);
  if (!verifier.ok()) return Usage(std::string(verifier.status().message()));
  world.verifier = std::move(*verifier);
  world.mint_s = std::chrono::duration<double>(Clock::now() - start).count();
  if (!flags.json) {
    std::printf(
        "workload %s seed %llu: %zu authorizations, %zu queries, %zu token presentations; "
        "generated in %.2f s, store written and opened in %.2f s, engine built in %.2f s, "
        "tokens minted in %.2f s\n",
        size->name.c_str(), static_cast<unsigned long long>(flags.seed),
        world.workload.state.authorizations().size(), world.workload.queries.size(),
        world.tokens.presentations.size(), world.generate_s, world.store_s, world.build_s,
        world.mint_s);
  }

  if (flags.verify_reference > 0) {
    std::string error;
    if (!VerifyAgainstReference(world, flags.verify_reference, &error)) {
      std::fprintf(stderr, "error: the engine disagrees with the reference evaluator: %s\n",
                   error.c_str());
      return 1;
    }
    if (!flags.json) {
      std::printf("verified: %zu queries and token presentations agree with the reference\n",
                  flags.verify_reference);
    }
  }
  if (flags.corpus_bench) {
    CorpusBench(world, flags);
    return 0;
  }

  std::vector<std::pair<double, RunResult>> runs;
  if (flags.compare_readonly) runs.emplace_back(0, RunLoad(world, flags, 0));
  runs.emplace_back(flags.changes_per_second, RunLoad(world, flags, flags.changes_per_second));
  int rc = 0;
  for (auto& [rate, run] : runs) {
    if (!run.error.empty()) {
      std::fprintf(stderr, "error: %s\n", run.error.c_str());
      rc = 1;
    }
    // Counts must add up: every decision has one outcome; a batch op is batch_size decisions.
    uint64_t expected = 0, outcomes = 0;
    for (int op : {kToken, kClaims, kHandle}) expected += run.ops[op].count();
    expected += run.ops[kBatch].count() * flags.batch_size;
    for (int i = 0; i < 4; ++i) outcomes += run.outcomes[i];
    if (run.decisions != expected || outcomes != run.decisions ||
        (flags.requests && run.read_ops != flags.requests && run.seconds < flags.duration)) {
      std::fprintf(
          stderr,
          "error: counts do not add up: %llu decisions (%llu expected, %llu by outcome), "
          "%llu reads of %llu requested\n",
          static_cast<unsigned long long>(run.decisions), static_cast<unsigned long long>(expected),
          static_cast<unsigned long long>(outcomes), static_cast<unsigned long long>(run.read_ops),
          static_cast<unsigned long long>(flags.requests));
      rc = 1;
    }
  }
  if (flags.json) {
    std::string out = StrCat("{\"size\":\"", size->name, "\",\"seed\":", flags.seed,
                             ",\"authorizations\":", world.workload.state.authorizations().size(),
                             ",\"generate_s\":", Num(world.generate_s),
                             ",\"build_s\":", Num(world.build_s), ",\"runs\":[");
    for (size_t i = 0; i < runs.size(); ++i) {
      if (i) out += ',';
      out += RunJson(runs[i].second, flags, runs[i].first);
    }
    out += "]";
    if (runs.size() == 2) {
      out += StrCat(",\"read_ratio_with_changes\":",
                    Num(static_cast<double>(runs[1].second.read_ops) / runs[1].second.seconds /
                        (static_cast<double>(runs[0].second.read_ops) / runs[0].second.seconds)));
    }
    std::printf("%s}\n", out.c_str());
  } else {
    for (auto& [rate, run] : runs) PrintRun(run, rate);
    if (runs.size() == 2) {
      std::printf("reads with %.0f changes/s: %.1f %% of read-only throughput (budget >= 70 %%)\n",
                  flags.changes_per_second,
                  100.0 * static_cast<double>(runs[1].second.read_ops) / runs[1].second.seconds /
                      (static_cast<double>(runs[0].second.read_ops) / runs[0].second.seconds));
    }
  }
  return rc;
}

}  // namespace
}  // namespace clearance::load

int main(int argc, char** argv) { return clearance::load::Main(argc, argv); }
