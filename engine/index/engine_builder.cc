// EngineBuilder: the bulk build of an Engine, fed row by row (clearance/engine.h). Engine::Create()
// is this builder fed from an IdentityState, so the index, and every answer, is the same
// whichever way the rows come.
#include <algorithm>
#include <bit>
#include <memory>
#include <utility>

#include "clearance/engine.h"
#include "index/engine_core.h"
#include "index/generation_writer.h"

namespace clearance {
namespace {

// The shard count for a state of this size: half of log2(rows) plus 3, within [2, 14].
// A change clones whole shards (~rows / shards entries, each re-hashed) and copies the group
// pointer tables (~sqrt(shards) reference-counted pointers per map). Cloning an entry costs far
// more than copying a pointer, so shards are kept well below sqrt(rows): at 1 M authorizations
// 8192 shards took a change's p99 from 95 to about 30 us (bench/RESULTS-index.md), for about 1 %
// more memory.
int ShardBitsFor(const EngineSizeHints& hints) {
  const size_t rows = hints.authorizations + hints.memberships + hints.users + hints.mapping_rules;
  const int bits = static_cast<int>(std::bit_width(rows)) / 2 + 3;
  return std::clamp(bits, 2, 14);
}

}  // namespace

EngineBuilder::EngineBuilder(const EngineSizeHints& hints, EngineOptions options)
    : options_(options) {
  const int bits =
      options.shard_bits >= 0 ? std::min(options.shard_bits, 16) : ShardBitsFor(hints);
  auto empty =
      index_internal::GenerationWriter::Empty(std::make_shared<index_internal::StringPool>(), bits,
                                              options.profile_copy_limit);
  // The writer copies what it needs of `empty` (the pool is shared): it may go.
  writer_ = std::make_unique<index_internal::GenerationWriter>(*empty);
  // The hints Create() derives from a state.
  writer_->BeginBulk(
      /*nodes_hint=*/hints.users + hints.mapping_rules + hints.memberships / 4,
      hints.authorizations);
}

EngineBuilder::~EngineBuilder() = default;

void EngineBuilder::SetConfiguration(const Configuration& config) {
  writer_->SetConfiguration(config);
}

void EngineBuilder::SetNextAuthorizationKey(AuthorizationKey key) {
  writer_->SetNextAuthorizationKey(key);
}

void EngineBuilder::SetInitialized() { writer_->SetInitialized(); }

void EngineBuilder::SetGeneration(uint64_t number) { writer_->SetNumber(number < 1 ? 1 : number); }

void EngineBuilder::Add(const Row& row) { writer_->Put(row); }

absl::StatusOr<std::unique_ptr<Engine>> EngineBuilder::Finish() && {
  if (writer_ == nullptr) {
    return absl::FailedPreconditionError("EngineBuilder::Finish: the builder is already finished");
  }
  auto core =
      std::make_unique<index_internal::EngineCore>(options_, writer_->Finish(/*compact=*/true));
  writer_.reset();
  return std::unique_ptr<Engine>(new Engine(std::move(core)));
}

}  // namespace clearance
