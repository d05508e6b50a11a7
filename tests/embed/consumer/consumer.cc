// C++ consumer of the installed package: Store + Engine through Clearance::engine.
#include <cstdio>
#include <memory>
#include <string>

#include "clearance/commands.h"
#include "clearance/engine.h"
#include "clearance/ingest.h"
#include "clearance/store.h"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  clearance::StoreOptions options;
  options.sync = false;
  auto store = clearance::Store::Open(argv[1], options);
  if (!store.ok()) return std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str()), 1;
  clearance::Configuration config;
  config.client_id_claim = "azp";
  if (!(*store)->Apply(clearance::Configure{config}, std::nullopt).ok()) return 1;
  if (!(*store)->Apply(clearance::Initialize{}, std::nullopt).ok()) return 1;
  clearance::RecordIngestor ingestor(store->get());
  const std::string record =
      R"({"position":1,"valueType":"AUTHORIZATION","intent":"CREATED","value":{)"
      R"("ownerType":"CLIENT","ownerId":"app","resourceType":"PROCESS_DEFINITION",)"
      R"("resourceMatcher":"ANY","resourceId":"*","permissionTypes":["CREATE_PROCESS_INSTANCE"]}})";
  if (absl::Status s = ingestor.IngestRecord(record); !s.ok() || ingestor.stats().applied != 1) {
    return std::fprintf(stderr, "ingest failed\n"), 1;
  }
  auto engine = clearance::Engine::Create((*store)->state());
  if (!engine.ok()) return 1;
  clearance::CheckRequest request;
  request.resource_type = clearance::ResourceType::kProcessDefinition;
  request.permission = clearance::Permission::kCreateProcessInstance;
  request.resource_ids = {"order"};
  const clearance::Decision allow = (*engine)->CheckClaims(R"({"azp":"app"})", request);
  const clearance::Decision deny = (*engine)->CheckClaims(R"({"azp":"other"})", request);
  std::printf("cpp: %s %s\n", std::string(clearance::Name(allow.outcome)).c_str(),
              std::string(clearance::Name(deny.outcome)).c_str());
  return allow.allowed() && !deny.allowed() ? 0 : 1;
}
