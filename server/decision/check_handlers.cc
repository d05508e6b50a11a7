// POST /check, /check/batch and /explain.
#include <algorithm>
#include <array>
#include <string>
#include <utility>
#include <vector>

#include "clearance/internal/strings.h"
#include "server/decision/decision_json.h"
#include "server/decision/handlers.h"
#include "server/decision/request_body.h"
#include "server/decision/subject.h"
#include "server/json_writer.h"
#include "server/metrics.h"

namespace clearance::server::decision {

using strings_internal::StrCat;
namespace {

HttpResponse BadRequest(const RequestContext& context, const absl::Status& status) {
  return ProblemFromStatus(status, context.request.path);
}

}  // namespace

void CountDecisions(const RequestContext& context, Outcome outcome, uint64_t n) {
  if (context.server.metrics != nullptr && n > 0) {
    context.server.metrics->CountDecision(outcome, n);
  }
}

// The hot path: the body is read into views of the thread's parser and checked through a
// CheckRequestView, so no id is copied; the answer is appended to a string sized for it.
HttpResponse HandleCheck(RequestContext& context) {
  absl::StatusOr<simdjson::dom::object> root = ParseBody(context.request.body, false);
  if (!root.ok()) return BadRequest(context, root.status());
  CheckBody body;
  if (absl::Status status = DecodeCheck(*root, "", &body); !status.ok()) {
    return BadRequest(context, status);
  }
  SubjectPrincipal subject;
  if (std::optional<HttpResponse> problem = ResolveSubject(context, body.subject, "", &subject)) {
    return std::move(*problem);
  }
  Decision decision = kRefusedSubject;
  uint64_t generation = 0;
  if (subject.refused) {
    generation = context.server.store->generation();
  } else {
    const PrincipalHandle& handle = subject.handle();
    decision = context.server.store->engine().Check(handle, body.View());
    generation = handle.generation();
  }
  CountDecisions(context, decision.outcome);
  HttpResponse response;
  response.body.reserve(128 + subject.detail.size());
  AppendDecision(&response.body, decision, generation, subject.detail);
  return response;
}

HttpResponse HandleCheckBatch(RequestContext& context) {
  absl::StatusOr<simdjson::dom::object> root = ParseBody(context.request.body, false);
  if (!root.ok()) return BadRequest(context, root.status());
  BatchBody body;
  if (absl::Status status = DecodeBatch(*root, &body); !status.ok()) {
    return BadRequest(context, status);
  }
  const size_t n = body.requests.size();
  SubjectPrincipal shared;
  if (std::optional<HttpResponse> problem = ResolveSubject(context, body.subject, "", &shared)) {
    return std::move(*problem);
  }
  // Elements that name their own subject are resolved one by one; the rest share the batch's.
  std::vector<SubjectPrincipal> own(n);
  bool any_own = false;
  for (size_t i = 0; i < n; ++i) {
    const Subject& subject = body.requests[i].subject;
    if (subject.kind == Subject::Kind::kCaller) continue;
    any_own = true;
    if (std::optional<HttpResponse> problem =
            ResolveSubject(context, subject, StrCat("requests[", i, "]"), &own[i])) {
      return std::move(*problem);
    }
  }
  auto subject_of = [&](size_t i) -> const SubjectPrincipal& {
    return body.requests[i].subject.kind == Subject::Kind::kCaller ? shared : own[i];
  };

  std::vector<CheckRequest> requests;
  requests.reserve(n);
  for (const CheckBody& request : body.requests) requests.push_back(request.ToRequest());
  std::vector<Decision> decisions(n);
  const Engine& engine = context.server.store->engine();
  absl::Status checked;
  if (!any_own) {
    if (!shared.refused) {
      checked = engine.CheckBatch(shared.handle(), requests, absl::MakeSpan(decisions));
    }
  } else {
    // A refused subject is asked with a default handle; its answer is replaced below.
    std::vector<PrincipalHandle> handles(n);
    for (size_t i = 0; i < n; ++i) {
      if (!subject_of(i).refused) handles[i] = subject_of(i).handle();
    }
    checked = engine.CheckBatch(handles, requests, absl::MakeSpan(decisions));
  }
  if (!checked.ok()) {
    // Every vector above has n entries, so a refusal is this handler's fault, not the client's.
    return ProblemFromStatus(absl::InternalError(std::string(checked.message())),
                             context.request.path);
  }

  std::array<uint64_t, 4> counts{};
  const uint64_t current = context.server.store->generation();
  HttpResponse response;
  response.body.reserve(32 + n * 96);
  response.body.append(R"({"results":[)");
  for (size_t i = 0; i < n; ++i) {
    const SubjectPrincipal& subject = subject_of(i);
    if (subject.refused) decisions[i] = kRefusedSubject;
    ++counts[static_cast<size_t>(decisions[i].outcome)];
    if (i > 0) response.body.push_back(',');
    AppendDecision(&response.body, decisions[i],
                   subject.refused ? current : subject.handle().generation(), subject.detail);
  }
  response.body.append("]}");
  for (size_t o = 0; o < counts.size(); ++o) {
    CountDecisions(context, static_cast<Outcome>(o), counts[o]);
  }
  return response;
}

HttpResponse HandleExplain(RequestContext& context) {
  absl::StatusOr<simdjson::dom::object> root = ParseBody(context.request.body, false);
  if (!root.ok()) return BadRequest(context, root.status());
  CheckBody body;
  if (absl::Status status = DecodeCheck(*root, "", &body); !status.ok()) {
    return BadRequest(context, status);
  }
  SubjectPrincipal subject;
  if (std::optional<HttpResponse> problem = ResolveSubject(context, body.subject, "", &subject)) {
    return std::move(*problem);
  }
  Explanation explanation;
  if (subject.refused) {
    explanation.decision = kRefusedSubject;
    explanation.message = StrCat("The subject's token was refused: ", subject.detail);
    explanation.generation = context.server.store->generation();
    for (std::string_view id : body.resource_ids) explanation.required_ids.emplace_back(id);
    std::sort(explanation.required_ids.begin(), explanation.required_ids.end());
    explanation.required_ids.erase(
        std::unique(explanation.required_ids.begin(), explanation.required_ids.end()),
        explanation.required_ids.end());
  } else {
    explanation = context.server.store->engine().Explain(subject.handle(), body.ToRequest());
  }
  CountDecisions(context, explanation.decision.outcome);
  JsonWriter w;
  WriteExplanation(w, explanation, subject.detail);
  return JsonResponse(200, std::move(w).Take());
}

}  // namespace clearance::server::decision
