/* C consumer of the installed package: the C API through Clearance::c (or pkg-config). */
#include <stdio.h>
#include <string.h>

#include "clearance/c.h"

#define CHECK(call)                                                              \
  do {                                                                           \
    clearance_status s_ = (call);                                                \
    if (s_ != CLEARANCE_OK) {                                                    \
      fprintf(stderr, "%s: %d %s\n", #call, (int)s_, clearance_last_error()); \
      return 1;                                                                  \
    }                                                                            \
  } while (0)

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  if (clearance_api_version() / 10000 != CLEARANCE_C_API_VERSION / 10000) return 1;
  clearance_store* store = NULL;
  CHECK(clearance_store_open(argv[1], CLEARANCE_OPEN_NO_SYNC, &store));
  const char* config = "{\"client_id_claim\":\"azp\"}";
  CHECK(clearance_store_configure(store, config, strlen(config)));
  CHECK(clearance_store_initialize(store));
  const char* record =
      "{\"position\":1,\"valueType\":\"AUTHORIZATION\",\"intent\":\"CREATED\",\"value\":{"
      "\"ownerType\":\"CLIENT\",\"ownerId\":\"app\",\"resourceType\":\"PROCESS_DEFINITION\","
      "\"resourceMatcher\":\"ANY\",\"resourceId\":\"*\","
      "\"permissionTypes\":[\"CREATE_PROCESS_INSTANCE\"]}}";
  CHECK(clearance_store_apply_record(store, record, strlen(record), NULL, NULL));
  clearance_check_request request;
  memset(&request, 0, sizeof request);
  CHECK(clearance_resource_type("PROCESS_DEFINITION", &request.resource_type));
  CHECK(clearance_permission("CREATE_PROCESS_INSTANCE", &request.permission));
  const char* ids[] = {"order"};
  request.resource_ids = ids;
  request.resource_id_count = 1;
  clearance_decision allow, deny;
  CHECK(clearance_check_claims(store, "{\"azp\":\"app\"}", 13, &request, &allow));
  CHECK(clearance_check_claims(store, "{\"azp\":\"bob\"}", 13, &request, &deny));
  printf("c %s: %s %s\n", clearance_version_string(), clearance_outcome_name(allow.outcome),
         clearance_outcome_name(deny.outcome));
  clearance_store_free(store);
  return allow.outcome == CLEARANCE_ALLOW && deny.outcome == CLEARANCE_FORBIDDEN ? 0 : 1;
}
