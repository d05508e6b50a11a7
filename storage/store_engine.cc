#include "clearance/store_engine.h"

#include <optional>
#include <utility>

#include "clearance/internal/status_macros.h"

namespace clearance {
namespace {

// Feeds the rows Store::Open() loads to an EngineBuilder, and finishes it at End().
class EngineSink final : public LoadSink {
 public:
  explicit EngineSink(const EngineOptions& options) : options_(options) {}

  void Begin(const LoadInfo& info) override {
    EngineSizeHints hints;
    // The entities family holds users, groups, roles, tenants and mapping rules; users and rules
    // are what the index keeps nodes for, and usually most of them.
    hints.users = info.estimated_entities;
    hints.memberships = info.estimated_memberships;
    hints.authorizations = info.estimated_authorizations;
    builder_.emplace(hints, options_);
    // Generation 1 is the store as created; each applied change set adds one (ServingStore).
    builder_->SetGeneration(info.generation + 1);
    builder_->SetConfiguration(info.configuration);
    builder_->SetNextAuthorizationKey(info.next_authorization_key);
    if (info.initialized) builder_->SetInitialized();
  }
  void Put(const Row& row) override { builder_->Add(row); }
  void End() override {
    engine_ = std::move(*builder_).Finish();
    builder_.reset();
  }

  // OK with the engine once End() ran.
  absl::StatusOr<std::unique_ptr<Engine>> TakeEngine() { return std::move(engine_); }

 private:
  EngineOptions options_;
  std::optional<EngineBuilder> builder_;
  absl::StatusOr<std::unique_ptr<Engine>> engine_ =
      absl::InternalError("the store's load did not finish");
};

}  // namespace

absl::StatusOr<StoreAndEngine> OpenStoreAndEngine(const std::string& path,
                                                  const StoreOptions& store_options,
                                                  const EngineOptions& engine_options) {
  EngineSink sink(engine_options);
  CLEARANCE_ASSIGN_OR_RETURN(std::unique_ptr<Store> store,
                             Store::Open(path, store_options, &sink));
  CLEARANCE_ASSIGN_OR_RETURN(std::unique_ptr<Engine> engine, sink.TakeEngine());
  return StoreAndEngine{std::move(store), std::move(engine)};
}

}  // namespace clearance
