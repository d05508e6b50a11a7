// Opening a store ready to serve: the Store and an Engine over its state, built in one pass over
// the stored rows (docs/architecture.md "Storage": open and serve).
//
// Store::Open() feeds every row it loads to an EngineBuilder (a LoadSink) as it decodes them,
// by default on a second thread, instead of Engine::Create(store->state()) walking the loaded
// state again afterwards. The engine is the one Create() would build from store->state():
// the same answers.
//
// The engine's first generation is Store::generation() + 1 (an empty store serves generation 1),
// and each applied change set adds one on both sides, so the number is the store's count and
// never goes back when the store is reopened.
//
// Keeping them in step afterwards is clearance::ServingStore's (clearance/serving_store.h), the
// one type that writes both; a caller that only reads (the CLI's checks) uses the pair as opened.
//
// Thread-safety: a free function; the objects it returns are documented in store.h and engine.h.
#ifndef CLEARANCE_STORE_ENGINE_H_
#define CLEARANCE_STORE_ENGINE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "clearance/engine.h"
#include "clearance/store.h"

namespace clearance {

struct StoreAndEngine {
  std::unique_ptr<Store> store;
  std::unique_ptr<Engine> engine;  // mirrors store->state() as opened
};

// Errors: those of Store::Open() (DATA_LOSS for a corrupt store, NOT_FOUND, UNAVAILABLE).
[[nodiscard]] absl::StatusOr<StoreAndEngine> OpenStoreAndEngine(
    const std::string& path, const StoreOptions& store_options,
    const EngineOptions& engine_options = {});

}  // namespace clearance

#endif  // CLEARANCE_STORE_ENGINE_H_
