// `clearance check`, `who-can` and `what-can`: decisions and the two reverse questions.
//
// Decisions come from the compiled engine (clearance::Engine) built over the store's state: the
// same answers the broker gets. The reference evaluator is not on this path.
#include <map>
#include <set>

#include "clearance/engine.h"
#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/token_jwks.h"
#include "clearance/verifier_options.h"
#include "clearance/claims_document.h"
#include "cli/cli.h"
#include "cli/input.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

// fetch_uris: false leaves jwks_uri issuers out (config set checks files only, offline).
absl::StatusOr<std::unique_ptr<TokenVerifier>> BuildVerifier(const Configuration& config,
                                                             bool fetch_uris) {
  CLEARANCE_ASSIGN_OR_RETURN(TokenVerifierOptions options, VerifierOptionsFor(config));
  std::vector<IssuerConfig> issuers;
  for (IssuerConfig& issuer : options.issuers) {
    if (!issuer.jwks_uri.empty()) {
      if (!fetch_uris) continue;
      // Fetched here rather than by the verifier, which would swallow a failed first fetch (it
      // keeps serving while a refresh fails); a one-shot tool should say what went wrong.
      absl::StatusOr<std::string> body = options.fetcher->Fetch(issuer.jwks_uri);
      if (!body.ok()) {
        return absl::Status(body.status().code(),
                            StrCat("issuer '", issuer.issuer, "': fetching jwks_uri '",
                                   issuer.jwks_uri, "': ", body.status().message()));
      }
      issuer.jwks_json = *std::move(body);
      issuer.jwks_uri.clear();
    }
    issuers.push_back(std::move(issuer));
  }
  options.issuers = std::move(issuers);
  return TokenVerifier::Create(std::move(options));
}

}  // namespace

absl::StatusOr<std::unique_ptr<TokenVerifier>> MakeTokenVerifier(const Configuration& config) {
  if (config.token_issuers.empty()) {
    return absl::FailedPreconditionError(
        "no token issuer is configured; add one with `clearance config set --issuer ISS "
        "--jwks-file FILE --audiences AUD --algorithms RS256`");
  }
  return BuildVerifier(config, /*fetch_uris=*/true);
}

absl::Status CheckTokenIssuers(const Configuration& config) {
  return TokenKeyReports(config).status();
}

absl::StatusOr<std::vector<KeyLoadReport>> TokenKeyReports(const Configuration& config) {
  bool any_file = false;
  for (const TokenIssuerConfig& t : config.token_issuers) any_file |= !t.jwks_file.empty();
  if (!any_file) return std::vector<KeyLoadReport>();
  CLEARANCE_ASSIGN_OR_RETURN(std::unique_ptr<TokenVerifier> verifier,
                             BuildVerifier(config, /*fetch_uris=*/false));
  return verifier->KeyLoadReports();
}

namespace {

constexpr InputLimit kMaxClaimsBytes{"max-claims-bytes", 64 * 1024};
constexpr InputLimit kMaxClaimsDepth{"max-claims-depth", 32};
// A token read from stdin may carry a line break or two around it.
constexpr size_t kTokenWhitespaceAllowance = 64;
constexpr InputLimit kMaxTokenBytes{"max-token-bytes", TokenLimits{}.max_token_bytes};

const std::vector<FlagSpec> kCallerFlags = {
    {"claims", true, false, "file holding the verified claims JSON ('-' for stdin)"},
    {"claims-json", true, false, "the verified claims JSON itself"},
    {"basic-user", true, false, "a user authenticated by basic credentials (BASIC mode)"},
    {"anonymous", false, false, "a caller of an unprotected API"},
    LimitFlag(kMaxClaimsBytes, "largest claims document accepted, in bytes"),
    LimitFlag(kMaxClaimsDepth, "deepest nesting of the claims (the object itself is 1)")};

// Claims as the engine sees them, once they are known to be one object within the limits.
// UNAUTHENTICATED names what is wrong with the claims; other codes are errors of the input.
absl::StatusOr<Caller> ClaimsCaller(const Flags& f, std::string json) {
  CLEARANCE_ASSIGN_OR_RETURN(size_t max_bytes, LimitValue(f, kMaxClaimsBytes));
  CLEARANCE_ASSIGN_OR_RETURN(size_t max_depth, LimitValue(f, kMaxClaimsDepth));
  if (json.size() > max_bytes) {
    return absl::InvalidArgumentError(StrCat("--claims-json: holds ", json.size(),
                                             " bytes, more than the limit of ", max_bytes,
                                             "; raise it with --", kMaxClaimsBytes.flag));
  }
  CLEARANCE_RETURN_IF_ERROR(
      CheckClaimsDocument(json, max_depth, "; raise it with --max-claims-depth"));
  return Caller::Claims(std::move(json));
}

absl::StatusOr<Caller> CallerOf(const Flags& f) {
  int given = f.Has("claims") + f.Has("claims-json") + f.Has("basic-user") + f.Has("anonymous");
  if (given != 1) {
    return absl::InvalidArgumentError(
        "give exactly one of --claims FILE, --claims-json JSON, --basic-user NAME, --anonymous");
  }
  if (f.Has("anonymous")) return Caller::Anonymous();
  if (std::optional<std::string> user = f.Get("basic-user")) return Caller::BasicUser(*user);
  if (std::optional<std::string> json = f.Get("claims-json")) return ClaimsCaller(f, *json);
  CLEARANCE_ASSIGN_OR_RETURN(size_t max_bytes, LimitValue(f, kMaxClaimsBytes));
  CLEARANCE_ASSIGN_OR_RETURN(
      std::string text, ReadInput("--claims", *f.Get("claims"), max_bytes, kMaxClaimsBytes.flag));
  return ClaimsCaller(f, std::move(text));
}

// Claims refused before the engine saw them: the decision line check prints for any
// unauthenticated caller, with the problem as its message.
int PrintMalformedClaims(const Context& ctx, const absl::Status& status) {
  const Decision d{Outcome::kUnauthenticated, Reason::kMalformedClaims};
  Print(ctx, ctx.output == OutputFormat::kJson
                 ? StrCat("{\"decision\":\"", Name(d.outcome), "\",\"reason\":\"", Name(d.reason),
                          "\",\"message\":", JsonString(std::string(status.message())), "}")
                 : StrCat(Name(d.outcome), " (", Name(d.reason), "): ", status.message()));
  return kUnauthenticated;
}

std::string FormatChain(const GrantPath& g) {
  std::string out;
  for (size_t i = 0; i < g.chain.size(); ++i) {
    out += StrCat(i ? " -> " : "", Name(g.chain[i].type), ":", g.chain[i].id);
  }
  return out;
}

std::string GrantJson(const GrantPath& g) {
  std::string chain = "[";
  for (size_t i = 0; i < g.chain.size(); ++i) {
    chain += StrCat(i ? "," : "", "{\"type\":\"", Name(g.chain[i].type),
                    "\",\"id\":", JsonString(g.chain[i].id), "}");
  }
  return StrCat("{\"chain\":", chain, "],\"authorization_key\":", g.authorization_key, "}");
}

// The resource type and permission a question names, checked against each other.
struct Target {
  ResourceType type;
  Permission permission;
};

absl::StatusOr<Target> TargetOf(const Flags& f) {
  CLEARANCE_ASSIGN_OR_RETURN(std::string rt, f.Require("resource-type"));
  absl::StatusOr<ResourceType> type = ParseResourceType(rt);
  if (!type.ok()) {
    return absl::InvalidArgumentError(StrCat("--resource-type: ", type.status().message()));
  }
  CLEARANCE_ASSIGN_OR_RETURN(std::string perm, f.Require("permission"));
  absl::StatusOr<Permission> permission = ParsePermission(perm);
  if (!permission.ok()) {
    return absl::InvalidArgumentError(StrCat("--permission: ", permission.status().message()));
  }
  if ((SupportedPermissions(*type) & Bit(*permission)) == 0) {
    return absl::InvalidArgumentError(
        StrCat("--permission: ", Name(*permission), " is not a permission of ", Name(*type),
               "; expected one of ", FormatPermissions(SupportedPermissions(*type))));
  }
  return Target{*type, *permission};
}

// The bearer token of --token: the value itself, or stdin for "-" (so it stays out of `ps` and
// shell history). Surrounding whitespace (a trailing newline) is not part of a compact JWS.
absl::StatusOr<std::string> TokenOf(const Flags& f) {
  std::string token = f.GetOr("token", "");
  if (token == "-") {
    CLEARANCE_ASSIGN_OR_RETURN(size_t max_bytes, LimitValue(f, kMaxTokenBytes));
    CLEARANCE_ASSIGN_OR_RETURN(
        token,
        ReadInput("--token", "-", max_bytes + kTokenWhitespaceAllowance, kMaxTokenBytes.flag));
  }
  size_t first = token.find_first_not_of(" \t\r\n");
  size_t last = token.find_last_not_of(" \t\r\n");
  token = first == std::string::npos ? "" : token.substr(first, last - first + 1);
  if (token.empty()) {
    return absl::InvalidArgumentError("--token: is empty; expected a compact JWS (xxx.yyy.zzz)");
  }
  return token;
}

int Check(Context& ctx, const Flags& f) {
  const bool with_token = f.Has("token");
  absl::StatusOr<Caller> caller = Caller::Anonymous();
  if (with_token) {
    if (f.Has("claims") || f.Has("claims-json") || f.Has("basic-user") || f.Has("anonymous")) {
      return Fail(ctx, absl::InvalidArgumentError(
                           "give exactly one of --token, --claims FILE, --claims-json JSON, "
                           "--basic-user NAME, --anonymous"));
    }
  } else {
    caller = CallerOf(f);
  }
  if (absl::IsUnauthenticated(caller.status())) return PrintMalformedClaims(ctx, caller.status());
  if (!caller.ok()) return Fail(ctx, caller.status());
  CheckRequest request;
  absl::StatusOr<Target> target = TargetOf(f);
  if (!target.ok()) return Fail(ctx, target.status());
  request.resource_type = target->type;
  request.permission = target->permission;
  request.resource_ids = f.GetAll("resource-id");
  if (std::optional<std::string> tenant = f.Get("tenant")) request.tenant_id = *tenant;
  request.new_resource = f.Has("new-resource");
  if (f.Has("assignee") || f.Has("candidate-user") || f.Has("candidate-group")) {
    UserTaskProperties task;
    if (std::optional<std::string> a = f.Get("assignee")) task.assignee = *a;
    task.candidate_users = f.GetAll("candidate-user");
    task.candidate_groups = f.GetAll("candidate-group");
    request.user_task = task;
  }
  absl::StatusOr<StoreAndEngine> opened = OpenStoreWithEngine(ctx);
  if (!opened.ok()) return Fail(ctx, opened.status());
  const Store& store = *opened->store;
  const Engine& engine = *opened->engine;
  const bool explain = f.Has("explain");
  if (with_token) {
    absl::StatusOr<std::string> token = TokenOf(f);
    if (!token.ok()) return Fail(ctx, token.status());
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier =
        MakeTokenVerifier(store.state().config());
    if (!verifier.ok()) return Fail(ctx, verifier.status());
    AuthenticationReason why = AuthenticationReason::kOk;
    const Decision d = engine.CheckToken(**verifier, *token, request, &why);
    if (const std::optional<TokenError> refused = TokenErrorOf(why)) {
      const TokenError token_error = *refused;
      const std::string message(ToStatus(token_error).message());
      Print(ctx, ctx.output == OutputFormat::kJson
                     ? StrCat("{\"decision\":\"", Name(d.outcome), "\",\"reason\":\"",
                              Name(d.reason), "\",\"token_error\":\"", Name(token_error),
                              "\",\"message\":", JsonString(message), "}")
                     : StrCat(Name(d.outcome), " (", Name(d.reason), "): ", message));
      return kUnauthenticated;
    }
    // The decision came from CheckToken; the explanation is built over the same verified claims
    // (a second Verify is a cache hit).
    std::shared_ptr<const VerifiedToken> verified;
    if ((*verifier)->Verify(*token, &verified) != TokenError::kOk) {
      return Fail(ctx, absl::InternalError("a verified token failed its second verification"));
    }
    caller = Caller::Claims(verified->claims_json);
  }
  const Explanation v = engine.Explain(*caller, request);

  if (ctx.output == OutputFormat::kJson) {
    std::string json = StrCat("{\"decision\":\"", Name(v.decision.outcome), "\",\"reason\":\"",
                              Name(v.decision.reason), "\",\"message\":", JsonString(v.message));
    if (v.principal) {
      json += StrCat(",\"principal\":{\"type\":\"", Name(v.principal->type),
                     "\",\"id\":", JsonString(v.principal->id), "}");
    }
    if (explain) {
      json += ",\"matching_rules\":[";
      for (size_t i = 0; i < v.matching_rules.size(); ++i) {
        json += StrCat(i ? "," : "", JsonString(v.matching_rules[i]));
      }
      json += "],\"grants\":[";
      for (size_t i = 0; i < v.grants.size(); ++i)
        json += StrCat(i ? "," : "", GrantJson(v.grants[i]));
      json += "]";
    }
    Print(ctx, json + "}");
  } else {
    Print(ctx, StrCat(Name(v.decision.outcome), " (", Name(v.decision.reason), ")",
                      v.decision.allowed() ? "" : StrCat(": ", v.message)));
    if (explain) {
      if (v.principal)
        Print(ctx, StrCat("  principal: ", Name(v.principal->type), ":", v.principal->id));
      if (!v.matching_rules.empty()) {
        Print(ctx, StrCat("  matching mapping rules: ",
                          strings_internal::StrJoin(v.matching_rules, ", ")));
      }
      for (const GrantPath& g : v.grants) {
        Print(ctx, StrCat("  granted via ", FormatChain(g), " [authorization ", g.authorization_key,
                          "]"));
      }
      if (v.decision.allowed() && v.grants.empty()) Print(ctx, StrCat("  ", v.message));
    }
  }
  switch (v.decision.outcome) {
    case Outcome::kAllow:
      return kAllow;
    case Outcome::kUnauthenticated:
      return kUnauthenticated;
    default:
      return kDeny;
  }
}

// Owners that reach a permission on a resource: the authorization owners, and the members
// through which their grants flow (group members; role members, and members of groups in it).
int WhoCan(Context& ctx, const Flags& f) {
  absl::StatusOr<Target> target = TargetOf(f);
  if (!target.ok()) return Fail(ctx, target.status());
  const ResourceType type = target->type;
  const Permission permission = target->permission;
  const std::string resource_id = f.GetOr("resource-id", "*");
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
  if (!store.ok()) return Fail(ctx, store.status());
  const IdentityState& state = (*store)->state();

  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  auto emit = [&](OwnerType t, const std::string& id, const std::string& via,
                  AuthorizationKey key) {
    json += StrCat(rows.empty() ? "" : ",", "{\"type\":\"", Name(t), "\",\"id\":", JsonString(id),
                   ",\"via\":", JsonString(via), ",\"authorization_key\":", key, "}");
    rows.push_back({std::string(Name(t)), id, via.empty() ? "(direct)" : via, StrCat(key)});
  };
  for (const auto& [key, a] : state.authorizations()) {
    if (a.resource_type != type || (a.permissions & Bit(permission)) == 0) continue;
    bool scope = a.scope.matcher == Matcher::kAny ||
                 (a.scope.matcher == Matcher::kId && a.scope.value == resource_id);
    if (!scope) continue;
    emit(a.owner_type, a.owner_id, "", key);
    if (a.owner_type == OwnerType::kGroup || a.owner_type == OwnerType::kRole) {
      ContainerType container =
          a.owner_type == OwnerType::kGroup ? ContainerType::kGroup : ContainerType::kRole;
      std::string via = StrCat(Name(a.owner_type), ":", a.owner_id);
      for (const Membership& m : state.MembersOf(container, a.owner_id)) {
        emit(m.member_type, m.member_id, via, key);
        if (m.member_type == MemberType::kGroup) {
          for (const Membership& gm : state.MembersOf(ContainerType::kGroup, m.member_id)) {
            emit(gm.member_type, gm.member_id, StrCat(via, " <- GROUP:", m.member_id), key);
          }
        }
      }
    }
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"TYPE", "ID", "VIA", "AUTHORIZATION"}, rows);
    if (state.config().groups_claim_configured()) {
      Print(ctx,
            "note: a groups claim is configured; callers whose token names a group above "
            "reach it too");
    }
  }
  return kOk;
}

// Resources and permissions a caller reaches, per resource type.
int WhatCan(Context& ctx, const Flags& f) {
  absl::StatusOr<Caller> caller = CallerOf(f);
  if (!caller.ok()) {
    Fail(ctx, caller.status());
    return absl::IsUnauthenticated(caller.status()) ? kUnauthenticated : kError;
  }
  absl::StatusOr<StoreAndEngine> opened = OpenStoreWithEngine(ctx);
  if (!opened.ok()) return Fail(ctx, opened.status());
  const Engine& engine = *opened->engine;
  const PrincipalHandle handle = engine.Resolve(*caller);
  std::map<std::pair<ResourceType, std::string>, PermissionMask> reach;
  absl::Status failure;
  ForEachResourceType([&](ResourceType t) {
    ForEachPermission(SupportedPermissions(t), [&](Permission p) {
      if (!failure.ok()) return;
      absl::StatusOr<ResourceIds> ids = engine.AuthorizedResourceIds(handle, t, p);
      if (!ids.ok()) {
        failure = ids.status();
        return;
      }
      if (ids->all) reach[{t, "*"}] |= Bit(p);
      for (const std::string& id : ids->ids) reach[{t, id}] |= Bit(p);
    });
  });
  if (!failure.ok()) {
    Fail(ctx, failure);
    return kUnauthenticated;
  }
  std::vector<std::vector<std::string>> rows;
  std::string json = "[";
  for (const auto& [target, mask] : reach) {
    json += StrCat(rows.empty() ? "" : ",", "{\"resource_type\":\"", Name(target.first),
                   "\",\"resource\":", JsonString(target.second),
                   ",\"permissions\":", JsonString(FormatPermissions(mask)), "}");
    rows.push_back({std::string(Name(target.first)), target.second, FormatPermissions(mask)});
  }
  if (ctx.output == OutputFormat::kJson) {
    Print(ctx, json + "]");
  } else {
    PrintTable(ctx, {"RESOURCE TYPE", "RESOURCE", "PERMISSIONS"}, rows);
  }
  return kOk;
}

}  // namespace

void AddCheckCommands(std::vector<Command>* commands) {
  std::vector<FlagSpec> check_flags = kCallerFlags;
  check_flags.push_back({"token", true, false,
                         "a bearer token (compact JWS) verified against the configured issuers; "
                         "'-' reads it from stdin"});
  check_flags.push_back(LimitFlag(
      kMaxTokenBytes, "most bytes of token read from stdin for --token - (plus 64 of whitespace)"));
  for (FlagSpec s : std::vector<FlagSpec>{
           {"resource-type", true, false, "e.g. PROCESS_DEFINITION"},
           {"resource-id", true, true, "the resource acted on"},
           {"permission", true, false, "e.g. CREATE_PROCESS_INSTANCE"},
           {"tenant", true, false, "the tenant owning the resource"},
           {"new-resource", false, false, "the resource is being created"},
           {"assignee", true, false, "USER_TASK: the task's assignee"},
           {"candidate-user", true, true, "USER_TASK: a candidate user"},
           {"candidate-group", true, true, "USER_TASK: a candidate group"},
           {"explain", false, false, "print every grant path, or why it was refused"}}) {
    check_flags.push_back(s);
  }
  commands->push_back(
      {"check",
       "decide one request; exit 0 allow, 1 deny (FORBIDDEN or NOT_FOUND), 2 unauthenticated, "
       "3 error",
       check_flags,
       "clearance check --claims-json '{\"azp\":\"my-client\"}' --resource-type "
       "PROCESS_DEFINITION --resource-id order-process --permission CREATE_PROCESS_INSTANCE "
       "--explain\n"
       "clearance check --claims token-claims.json --resource-type PROCESS_DEFINITION "
       "--resource-id p1 --permission READ_PROCESS_INSTANCE --tenant acme\n"
       "printf %s \"$TOKEN\" | clearance check --token - --resource-type PROCESS_DEFINITION "
       "--resource-id order-process --permission CREATE_PROCESS_INSTANCE",
       Check});
  commands->push_back({"who-can",
                       "owners that reach a permission on a resource",
                       {{"resource-type", true, false, "e.g. PROCESS_DEFINITION"},
                        {"resource-id", true, false, "the resource (default *)"},
                        {"permission", true, false, "e.g. CREATE_PROCESS_INSTANCE"}},
                       "clearance who-can --resource-type PROCESS_DEFINITION --resource-id "
                       "order-process --permission CREATE_PROCESS_INSTANCE",
                       WhoCan});
  commands->push_back({"what-can", "resources and permissions a caller reaches", kCallerFlags,
                       "clearance what-can --claims-json '{\"azp\":\"my-client\"}'", WhatCan});
}

}  // namespace clearance::cli
