// `clearance init` (docs/semantics.md §8) and `clearance config get|set` (docs/semantics.md §5,
// §7).
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <optional>

#include "clearance/internal/status_macros.h"
#include "clearance/internal/strings.h"
#include "clearance/snapshot.h"
#include "clearance/staged_store.h"
#include "cli/cli.h"
#include "cli/input.h"
#include "cli/seed.h"

namespace clearance::cli {
namespace {

using strings_internal::StrCat;

const std::vector<FlagSpec> kConfigFlags = {
    {"mode", true, false, "OIDC (default) or BASIC"},
    {"authorizations", true, false, "true/false: authorization checks (default true)"},
    {"tenant-checks", true, false, "true/false: multi-tenancy checks (default false)"},
    {"username-claim", true, false,
     "claim holding the username (default sub); with --issuer, for that issuer's tokens only"},
    {"client-id-claim", true, false,
     "claim holding the client id ('' to unset); with --issuer, for that issuer's tokens only"},
    {"groups-claim", true, false,
     "claim holding the groups ('' to unset); with --issuer, for that issuer's tokens only"},
    {"prefer-username-claim", true, false,
     "true/false: user over client when both are present; with --issuer, for that issuer only"},
    {"id-pattern", true, false,
     "identifier rule: an RE2 regular expression the whole id must match (not empty, at most "
     "1024 bytes)"},
    {"issuer", true, false,
     "token issuer (its iss) to add or change with the flags below; the claim flags above then "
     "override the global ones for this issuer's tokens"},
    {"jwks-file", true, false, "--issuer's keys: a JWKS file (read when tokens are checked)"},
    {"jwks-uri", true, false, "--issuer's keys: an https:// jwks_uri (fetched when checked)"},
    {"audiences", true, false, "--issuer's accepted audiences, comma-separated"},
    {"algorithms", true, false, "--issuer's accepted algorithms, comma-separated (e.g. RS256,ES256)"},
    {"leeway", true, false,
     "--issuer's clock skew tolerance on exp, nbf and iat, in seconds (0-86400; default 60)"},
    {"max-token-bytes", true, false,
     "--issuer's cap on a whole token, in bytes (256-1048576; default 16384)"},
    {"max-claims-bytes", true, false,
     "--issuer's cap on a token's decoded claims, in bytes (256-1048576; default 12288)"},
    {"reset-overrides", true, false,
     "--issuer's overrides to drop so the global value applies again, comma-separated "
     "(username-claim, client-id-claim, groups-claim, prefer-username-claim, leeway, "
     "max-token-bytes, max-claims-bytes, or all); applied before the new values"},
    {"remove-issuer", true, true, "stop trusting this issuer's tokens"}};

// The per-issuer override flags (TokenIssuerConfig), each with the field it sets.
constexpr std::string_view kIssuerOverrideFlags[] = {
    "username-claim", "client-id-claim", "groups-claim", "prefer-username-claim",
    "leeway",         "max-token-bytes", "max-claims-bytes"};

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item(text.substr(start, comma - start));
    while (!item.empty() && item.back() == ' ') item.pop_back();
    while (!item.empty() && item.front() == ' ') item.erase(item.begin());
    out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

// Algorithm names are matched without regard to case and stored canonically ("rs256" -> RS256).
absl::StatusOr<std::vector<std::string>> ParseAlgorithms(std::string_view text) {
  std::vector<std::string> out;
  for (const std::string& item : SplitList(text)) {
    std::string_view canonical;
    for (std::string_view name : TokenAlgorithmNames()) {
      if (item.size() == name.size() &&
          std::equal(item.begin(), item.end(), name.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        canonical = name;
      }
    }
    if (canonical.empty()) {
      return absl::InvalidArgumentError(StrCat(
          "--algorithms: '", item, "' is not a supported algorithm",
          item == "none" || item == "NONE" ? " (unsigned tokens are never accepted)" : "",
          "; expected a comma-separated list of ",
          strings_internal::StrJoin(TokenAlgorithmNames(), ", ")));
    }
    out.emplace_back(canonical);
  }
  return out;
}

absl::StatusOr<bool> ParseBool(std::string_view flag, std::string_view v) {
  if (v == "true" || v == "on" || v == "yes") return true;
  if (v == "false" || v == "off" || v == "no") return false;
  return absl::InvalidArgumentError(StrCat("--", flag, ": '", v, "'; expected true or false"));
}

// A whole non-negative decimal number, for the seconds and byte flags (the ranges are
// Configuration::Validate's, which names the field).
absl::StatusOr<uint64_t> ParseCount(std::string_view flag, std::string_view v) {
  uint64_t n = 0;
  if (v.empty() || v.size() > 18 ||
      !std::all_of(v.begin(), v.end(), [](char ch) { return ch >= '0' && ch <= '9'; })) {
    return absl::InvalidArgumentError(
        StrCat("--", flag, ": '", v, "'; expected a whole number such as 30"));
  }
  for (char ch : v) n = n * 10 + static_cast<uint64_t>(ch - '0');
  return n;
}

// Applies --reset-overrides, then the claim, leeway and byte-cap flags, to one issuer.
absl::Status ApplyIssuerOverrideFlags(const Flags& f, TokenIssuerConfig* t) {
  if (std::optional<std::string> reset = f.Get("reset-overrides")) {
    for (const std::string& name : SplitList(*reset)) {
      const bool all = name == "all";
      const bool known = all || std::find(std::begin(kIssuerOverrideFlags),
                                          std::end(kIssuerOverrideFlags),
                                          name) != std::end(kIssuerOverrideFlags);
      if (!known) {
        return absl::InvalidArgumentError(
            StrCat("--reset-overrides: '", name, "' is not an override; expected all or ",
                   strings_internal::StrJoin(kIssuerOverrideFlags, ", ")));
      }
      if (all || name == "username-claim") t->username_claim.reset();
      if (all || name == "client-id-claim") t->client_id_claim.reset();
      if (all || name == "groups-claim") t->groups_claim.reset();
      if (all || name == "prefer-username-claim") t->prefer_username_claim.reset();
      if (all || name == "leeway") t->leeway_seconds.reset();
      if (all || name == "max-token-bytes") t->max_token_bytes.reset();
      if (all || name == "max-claims-bytes") t->max_claims_bytes.reset();
    }
  }
  if (std::optional<std::string> v = f.Get("username-claim")) t->username_claim = *v;
  if (std::optional<std::string> v = f.Get("client-id-claim")) t->client_id_claim = *v;
  if (std::optional<std::string> v = f.Get("groups-claim")) t->groups_claim = *v;
  if (std::optional<std::string> v = f.Get("prefer-username-claim")) {
    CLEARANCE_ASSIGN_OR_RETURN(const bool prefer, ParseBool("prefer-username-claim", *v));
    t->prefer_username_claim = prefer;
  }
  if (std::optional<std::string> v = f.Get("leeway")) {
    CLEARANCE_ASSIGN_OR_RETURN(const uint64_t seconds, ParseCount("leeway", *v));
    t->leeway_seconds = static_cast<int64_t>(seconds);
  }
  if (std::optional<std::string> v = f.Get("max-token-bytes")) {
    CLEARANCE_ASSIGN_OR_RETURN(const uint64_t bytes, ParseCount("max-token-bytes", *v));
    t->max_token_bytes = bytes;
  }
  if (std::optional<std::string> v = f.Get("max-claims-bytes")) {
    CLEARANCE_ASSIGN_OR_RETURN(const uint64_t bytes, ParseCount("max-claims-bytes", *v));
    t->max_claims_bytes = bytes;
  }
  return absl::OkStatus();
}

// Applies --issuer and its key/audience/algorithm flags, and --remove-issuer, to c->token_issuers.
absl::Status ApplyIssuerFlags(const Flags& f, Configuration* c) {
  for (const std::string& gone : f.GetAll("remove-issuer")) {
    auto it = std::find_if(c->token_issuers.begin(), c->token_issuers.end(),
                           [&](const TokenIssuerConfig& t) { return t.issuer == gone; });
    if (it == c->token_issuers.end()) {
      return absl::NotFoundError(
          StrCat("--remove-issuer: '", gone, "' is not a configured issuer"));
    }
    c->token_issuers.erase(it);
  }
  std::optional<std::string> issuer = f.Get("issuer");
  if (!issuer) {
    for (std::string_view flag : {"jwks-file", "jwks-uri", "audiences", "algorithms", "leeway",
                                  "max-token-bytes", "max-claims-bytes", "reset-overrides"}) {
      if (f.Has(flag)) {
        return absl::InvalidArgumentError(StrCat(
            "--", flag, " needs --issuer naming the issuer it applies to (its tokens' iss)"));
      }
    }
    return absl::OkStatus();
  }
  if (issuer->empty()) {
    return absl::InvalidArgumentError("--issuer: is empty; expected the tokens' iss value");
  }
  if (f.Has("jwks-file") && f.Has("jwks-uri")) {
    return absl::InvalidArgumentError(
        "--jwks-file and --jwks-uri both given; expected exactly one key source per issuer");
  }
  auto it = std::find_if(c->token_issuers.begin(), c->token_issuers.end(),
                         [&](const TokenIssuerConfig& t) { return t.issuer == *issuer; });
  const bool added = it == c->token_issuers.end();
  if (added) {
    for (std::string_view flag : {"audiences", "algorithms"}) {
      if (!f.Has(flag)) {
        return absl::InvalidArgumentError(StrCat("--issuer '", *issuer, "' is new: --", flag,
                                                 " is required (and --jwks-file or --jwks-uri)"));
      }
    }
    if (!f.Has("jwks-file") && !f.Has("jwks-uri")) {
      return absl::InvalidArgumentError(StrCat(
          "--issuer '", *issuer, "' is new: --jwks-file or --jwks-uri is required"));
    }
    TokenIssuerConfig added_issuer;
    added_issuer.issuer = *issuer;
    c->token_issuers.push_back(std::move(added_issuer));
    it = c->token_issuers.end() - 1;
  }
  TokenIssuerConfig& t = *it;
  if (std::optional<std::string> path = f.Get("jwks-file")) {
    std::error_code ec;
    // Stored absolute: `check` may run from another directory.
    std::filesystem::path absolute = std::filesystem::absolute(*path, ec);
    if (ec || !std::filesystem::is_regular_file(absolute, ec)) {
      return absl::NotFoundError(
          StrCat("--jwks-file: cannot read '", *path, "'; expected a JWKS document (JSON file)"));
    }
    t.jwks_file = absolute.lexically_normal().string();
    t.jwks_uri.clear();
  }
  if (std::optional<std::string> uri = f.Get("jwks-uri")) {
    if (!uri->starts_with("https://")) {
      return absl::InvalidArgumentError(
          StrCat("--jwks-uri: '", *uri, "' is not an https:// URL; keys are fetched over TLS only"));
    }
    t.jwks_uri = *uri;
    t.jwks_file.clear();
  }
  if (std::optional<std::string> audiences = f.Get("audiences")) {
    t.audiences = SplitList(*audiences);
    for (const std::string& a : t.audiences) {
      if (a.empty()) {
        return absl::InvalidArgumentError(StrCat(
            "--audiences: '", *audiences, "' holds an empty audience; expected a comma-separated "
            "list such as api,console"));
      }
    }
  }
  if (std::optional<std::string> algorithms = f.Get("algorithms")) {
    CLEARANCE_ASSIGN_OR_RETURN(t.algorithms, ParseAlgorithms(*algorithms));
  }
  return ApplyIssuerOverrideFlags(f, &t);
}

// Applies the configuration flags present in `f` to `c`.
absl::Status ApplyConfigFlags(const Flags& f, Configuration* c) {
  if (std::optional<std::string> v = f.Get("mode")) {
    std::string upper;
    for (char ch : *v)
      upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(ch))));
    if (upper == "OIDC") {
      c->mode = AuthMode::kOidc;
    } else if (upper == "BASIC") {
      c->mode = AuthMode::kBasic;
    } else {
      return absl::InvalidArgumentError(StrCat("--mode: '", *v, "'; expected OIDC or BASIC"));
    }
  }
  struct BoolFlag {
    std::string_view name;
    bool* target;
  };
  // With --issuer, the claim flags are that issuer's overrides (ApplyIssuerFlags).
  const bool global_claims = !f.Has("issuer");
  for (BoolFlag b : {BoolFlag{"authorizations", &c->authorizations_enabled},
                     BoolFlag{"tenant-checks", &c->tenant_checks_enabled},
                     BoolFlag{"prefer-username-claim",
                              global_claims ? &c->prefer_username_claim : nullptr}}) {
    if (b.target == nullptr) continue;
    if (std::optional<std::string> v = f.Get(b.name)) {
      CLEARANCE_ASSIGN_OR_RETURN(*b.target, ParseBool(b.name, *v));
    }
  }
  if (global_claims) {
    if (std::optional<std::string> v = f.Get("username-claim")) c->username_claim = *v;
    if (std::optional<std::string> v = f.Get("client-id-claim")) c->client_id_claim = *v;
    if (std::optional<std::string> v = f.Get("groups-claim")) c->groups_claim = *v;
  }
  if (std::optional<std::string> v = f.Get("id-pattern")) c->id_pattern = *v;
  CLEARANCE_RETURN_IF_ERROR(ApplyIssuerFlags(f, c));
  CLEARANCE_RETURN_IF_ERROR(c->Validate());
  // A JWKS file that does not load is refused now, not at the first check.
  return CheckTokenIssuers(*c);
}

// The key-load reports of the jwks_file issuers as a JSON array: each key used, or skipped and
// why, so that a key nobody can use is visible before tokens fail with unknown_key.
std::string TokenKeysJson(const std::vector<KeyLoadReport>& reports) {
  std::string out = "[";
  for (size_t i = 0; i < reports.size(); ++i) {
    const KeyLoadReport& r = reports[i];
    out += StrCat(i ? "," : "", "{\"issuer\":", JsonString(r.issuer),
                  ",\"source\":", JsonString(r.source), ",\"keys\":[");
    for (size_t k = 0; k < r.keys.size(); ++k) {
      const JwkLoadOutcome& o = r.keys[k];
      out += StrCat(k ? "," : "", "{\"index\":", o.index, ",\"kid\":", JsonString(o.kid),
                    ",\"used\":", o.used ? "true" : "false",
                    o.used ? "" : StrCat(",\"reason\":", JsonString(o.reason)), "}");
    }
    out += "]}";
  }
  return out + "]";
}

// "; username-claim upn; leeway 30s ..." for the overrides an issuer sets; empty when none.
std::string IssuerOverridesText(const TokenIssuerConfig& t) {
  std::string out;
  auto claim = [&](std::string_view name, const std::optional<std::string>& v) {
    if (v) strings_internal::StrAppend(&out, "; ", name, " ", v->empty() ? "(unset)" : *v);
  };
  claim("username-claim", t.username_claim);
  claim("client-id-claim", t.client_id_claim);
  claim("groups-claim", t.groups_claim);
  if (t.prefer_username_claim) {
    strings_internal::StrAppend(&out, "; prefer-username-claim ",
                                *t.prefer_username_claim ? "true" : "false");
  }
  if (t.leeway_seconds) strings_internal::StrAppend(&out, "; leeway ", *t.leeway_seconds, "s");
  if (t.max_token_bytes) strings_internal::StrAppend(&out, "; max-token-bytes ", *t.max_token_bytes);
  if (t.max_claims_bytes) {
    strings_internal::StrAppend(&out, "; max-claims-bytes ", *t.max_claims_bytes);
  }
  return out;
}

void PrintConfiguration(const Context& ctx, const Configuration& c) {
  // Loading the keys again here (files only, no network) shows what a verifier would use.
  const absl::StatusOr<std::vector<KeyLoadReport>> reports = TokenKeyReports(c);
  if (ctx.output == OutputFormat::kJson) {
    std::string json = ConfigurationToJson(c);
    if (reports.ok() && !reports->empty()) {
      json.insert(json.size() - 1, StrCat(",\"token_keys\":", TokenKeysJson(*reports)));
    } else if (!reports.ok()) {
      json.insert(json.size() - 1,
                  StrCat(",\"token_keys_error\":", JsonString(std::string(reports.status().message()))));
    }
    Print(ctx, json);
    return;
  }
  PrintTable(ctx, {"SETTING", "VALUE"},
             {{"mode", std::string(Name(c.mode))},
              {"authorizations", c.authorizations_enabled ? "true" : "false"},
              {"tenant-checks", c.tenant_checks_enabled ? "true" : "false"},
              {"username-claim", c.username_claim},
              {"client-id-claim", c.client_id_claim.empty() ? "(unset)" : c.client_id_claim},
              {"groups-claim", c.groups_claim.empty() ? "(unset)" : c.groups_claim},
              {"prefer-username-claim", c.prefer_username_claim ? "true" : "false"},
              {"id-pattern", c.id_pattern}});
  for (const TokenIssuerConfig& t : c.token_issuers) {
    Print(ctx, StrCat("token-issuer ", t.issuer, ": keys ",
                      t.jwks_file.empty() ? StrCat("jwks-uri ", t.jwks_uri)
                                          : StrCat("jwks-file ", t.jwks_file),
                      "; audiences ", strings_internal::StrJoin(t.audiences, ","),
                      "; algorithms ", strings_internal::StrJoin(t.algorithms, ","),
                      IssuerOverridesText(t)));
  }
  if (c.token_issuers.empty()) Print(ctx, "token-issuers: none (check --token is unavailable)");
  if (!reports.ok()) {
    Print(ctx, StrCat("token-keys: cannot load: ", reports.status().message()));
    return;
  }
  for (const KeyLoadReport& r : *reports) {
    for (const JwkLoadOutcome& o : r.keys) {
      Print(ctx, StrCat("token-key ", r.issuer, " keys[", o.index, "]",
                        o.kid.empty() ? " (no kid)" : StrCat(" kid ", o.kid), ": ",
                        o.used ? "used" : StrCat("skipped: ", o.reason)));
    }
  }
}

constexpr InputLimit kMaxSeedBytes{"max-seed-bytes", 16 << 20};
constexpr InputLimit kMaxSeedDepth{"max-seed-depth", SeedLimits{}.max_depth};
constexpr InputLimit kMaxSeedNodes{"max-seed-nodes", SeedLimits{}.max_nodes};

absl::StatusOr<InitializationSeed> ReadSeedFile(const std::string& path, const Flags& f) {
  CLEARANCE_ASSIGN_OR_RETURN(const size_t max_bytes, LimitValue(f, kMaxSeedBytes));
  SeedLimits limits;
  CLEARANCE_ASSIGN_OR_RETURN(limits.max_depth, LimitValue(f, kMaxSeedDepth));
  CLEARANCE_ASSIGN_OR_RETURN(limits.max_nodes, LimitValue(f, kMaxSeedNodes));
  CLEARANCE_ASSIGN_OR_RETURN(const std::string text,
                             ReadInput("--seed", path, max_bytes, kMaxSeedBytes.flag));
  bool yaml = path.ends_with(".yaml") || path.ends_with(".yml");
  if (!yaml && !path.ends_with(".json")) {
    size_t first = text.find_first_not_of(" \t\r\n");
    yaml = first == std::string::npos || text[first] != '{';
  }
  return ParseSeed(text, yaml, limits);
}

void PrintInitialized(const Context& ctx, const IdentityState& s) {
  Print(ctx, ctx.output == OutputFormat::kJson
                 ? StrCat("{\"initialized\":", JsonString(ctx.db_path),
                          ",\"tenants\":", s.tenants().size(), ",\"roles\":", s.roles().size(),
                          ",\"authorizations\":", s.authorizations().size(), "}")
                 : StrCat("initialized ", ctx.db_path, ": ", s.tenants().size(), " tenants, ",
                          s.roles().size(), " roles, ", s.groups().size(), " groups, ",
                          s.mapping_rules().size(), " mapping rules, ", s.users().size(),
                          " users, ", s.authorizations().size(), " authorizations"));
}

int Init(Context& ctx, const Flags& f) {
  Configuration config;
  if (absl::Status s = ApplyConfigFlags(f, &config); !s.ok()) return Fail(ctx, s);
  InitializationSeed seed;
  if (std::optional<std::string> path = f.Get("seed")) {
    absl::StatusOr<InitializationSeed> parsed = ReadSeedFile(*path, f);
    if (!parsed.ok()) return Fail(ctx, parsed.status());
    seed = *std::move(parsed);
  }
  StoreOptions options;
  options.sync = ctx.sync;
  options.lock_timeout = ctx.lock_timeout;
  // A new store is built beside its path and renamed into place once initialized, so a killed
  // init leaves no store or an initialized one; an existing store is initialized in place, by
  // one batch.
  std::optional<StagedStore> staged;
  std::error_code ec;
  if (!std::filesystem::exists(ctx.db_path, ec) ||
      (std::filesystem::is_directory(ctx.db_path, ec) &&
       std::filesystem::is_empty(ctx.db_path, ec))) {
    absl::StatusOr<StagedStore> begun = StagedStore::Begin(ctx.db_path);
    if (!begun.ok()) return Fail(ctx, begun.status());
    staged.emplace(*std::move(begun));
  }
  absl::StatusOr<std::unique_ptr<Store>> store =
      Store::Open(staged ? staged->path() : ctx.db_path, options);
  if (!store.ok()) return Fail(ctx, store.status());
  if ((*store)->state().initialized()) {
    return Fail(ctx, absl::FailedPreconditionError(
                         StrCat("the store at '", ctx.db_path,
                                "' is already initialized; initialization runs once")));
  }
  // Plan both before writing either, so a bad seed leaves no configured-but-empty store (and a
  // staged one is removed unpublished).
  IdentityState scratch = (*store)->state();
  absl::StatusOr<ChangeSet> configured = Execute(scratch, Configure{config});
  if (!configured.ok()) return Fail(ctx, configured.status());
  absl::StatusOr<ChangeSet> planned = Plan(scratch, Initialize{seed});
  if (!planned.ok()) return Fail(ctx, planned.status());
  absl::StatusOr<std::vector<ApplyResult>> results =
      (*store)->ApplyBatch(std::vector<LoggedCommand>{{Configure{config}, std::nullopt},
                                                      {Initialize{seed}, std::nullopt}});
  if (!results.ok()) return Fail(ctx, results.status());
  for (const ApplyResult& r : *results) {
    if (r.outcome == ApplyResult::Outcome::kRefused) return Fail(ctx, r.refusal);
  }
  if (staged) {
    const IdentityState state = (*store)->state();
    store->reset();  // closed before it moves
    if (absl::Status s = std::move(*staged).Publish(); !s.ok()) return Fail(ctx, s);
    PrintInitialized(ctx, state);
    return kOk;
  }
  PrintInitialized(ctx, (*store)->state());
  return kOk;
}

}  // namespace

void AddInitAndConfigCommands(std::vector<Command>* commands) {
  std::vector<FlagSpec> init_flags = kConfigFlags;
  init_flags.push_back(
      {"seed", true, false,
       "YAML or JSON in the shape of camunda.security.initialization ('-' for stdin); YAML "
       "anchors and aliases are refused"});
  init_flags.push_back(LimitFlag(kMaxSeedBytes, "largest --seed accepted, in bytes"));
  init_flags.push_back(LimitFlag(kMaxSeedDepth, "deepest nesting of maps and lists in --seed"));
  init_flags.push_back(LimitFlag(kMaxSeedNodes, "most YAML nodes (maps, lists, scalars) in --seed"));
  commands->push_back({"init",
                       "create a store with the defaults of docs/semantics.md §8 (the <default> tenant, the "
                       "default roles), optionally seeded from a file",
                       init_flags,
                       "clearance init --client-id-claim azp\n"
                       "clearance init --mode BASIC --seed identity.yaml\n"
                       "clearance --db /var/lib/clearance init --groups-claim '$.groups'",
                       Init});
  commands->push_back({"config get",
                       "show the configuration",
                       {},
                       "clearance config get --output json",
                       [](Context& ctx, const Flags&) {
                         absl::StatusOr<std::unique_ptr<Store>> store = OpenStoreForReading(ctx);
                         if (!store.ok()) return Fail(ctx, store.status());
                         PrintConfiguration(ctx, (*store)->state().config());
                         return kOk;
                       }});
  commands->push_back({"config set",
                       "change the mode, flags, claim names or trusted token issuers",
                       kConfigFlags,
                       "clearance config set --tenant-checks true\n"
                       "clearance config set --client-id-claim azp --groups-claim '$.groups'\n"
                       "clearance config set --issuer https://idp.example.com/ --jwks-file "
                       "keys.json --audiences api --algorithms RS256,ES256\n"
                       "clearance config set --issuer https://login.example.com/v2.0 --jwks-uri "
                       "https://login.example.com/keys --audiences api://orders --algorithms RS256\n"
                       "clearance config set --issuer https://login.example.com/v2.0 "
                       "--username-claim upn --client-id-claim appid --leeway 30\n"
                       "clearance config set --remove-issuer https://idp.example.com/",
                       [](Context& ctx, const Flags& f) {
                         absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(ctx);
                         if (!store.ok()) return Fail(ctx, store.status());
                         Configuration c = (*store)->state().config();
                         if (absl::Status s = ApplyConfigFlags(f, &c); !s.ok()) return Fail(ctx, s);
                         absl::StatusOr<ChangeSet> cs = ApplyCommand(**store, Configure{c});
                         if (!cs.ok()) return Fail(ctx, cs.status());
                         PrintConfiguration(ctx, (*store)->state().config());
                         return kOk;
                       }});
}

}  // namespace clearance::cli
