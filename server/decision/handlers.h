// The decision API's route handlers (decision_routes.cc registers them; decision_routes.h says
// what each endpoint answers).
//
// Thread-safety: every handler may run on any number of threads at once.
#ifndef CLEARANCE_SERVER_DECISION_HANDLERS_H_
#define CLEARANCE_SERVER_DECISION_HANDLERS_H_

#include "clearance/decision.h"
#include "server/http_message.h"
#include "server/router.h"

namespace clearance::server::decision {

HttpResponse HandleCheck(RequestContext& context);
HttpResponse HandleCheckBatch(RequestContext& context);
HttpResponse HandleExplain(RequestContext& context);
HttpResponse HandleAuthorizedResources(RequestContext& context);
HttpResponse HandleAuthorizedTenants(RequestContext& context);
HttpResponse HandleWhatCan(RequestContext& context);
HttpResponse HandleWhoCan(RequestContext& context);

// Counts `n` decisions with `outcome` when the server keeps metrics.
void CountDecisions(const RequestContext& context, Outcome outcome, uint64_t n = 1);

}  // namespace clearance::server::decision

#endif  // CLEARANCE_SERVER_DECISION_HANDLERS_H_
