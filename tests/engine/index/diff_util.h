// Comparing the engine with the reference evaluator, and printing a reproduction when they
// disagree.
#ifndef CLEARANCE_TESTS_ENGINE_INDEX_DIFF_UTIL_H_
#define CLEARANCE_TESTS_ENGINE_INDEX_DIFF_UTIL_H_

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "clearance/engine.h"
#include "clearance/state.h"
#include "reference/reference_evaluator.h"

namespace clearance::index_test {

inline std::string Str(const OwnerRef& o) { return std::string(Name(o.type)) + ":" + o.id; }
inline std::string Str(const Decision& d) {
  return std::string(Name(d.outcome)) + "/" + std::string(Name(d.reason));
}
inline std::string Str(const GrantPath& p) {
  std::string out = "[";
  for (size_t i = 0; i < p.chain.size(); ++i) out += (i ? " -> " : "") + Str(p.chain[i]);
  return out + " #" + std::to_string(p.authorization_key) + "]";
}
template <typename T, typename F>
std::string Join(const std::vector<T>& v, F f) {
  std::string out;
  for (const T& x : v) out += (out.empty() ? "" : ", ") + f(x);
  return "{" + out + "}";
}
inline std::string Ident(const std::string& s) { return s; }

inline std::string Describe(const Configuration& c) {
  std::ostringstream os;
  os << "mode=" << Name(c.mode) << " authz=" << c.authorizations_enabled
     << " tenants=" << c.tenant_checks_enabled << " username='" << c.username_claim << "' client='"
     << c.client_id_claim << "' groups='" << c.groups_claim
     << "' prefer_username=" << c.prefer_username_claim;
  return os.str();
}

// The state, as rows. Large states list only rows that mention one of `focus` ids.
inline std::string Describe(const IdentityState& s, const std::vector<std::string>& focus = {}) {
  std::ostringstream os;
  const size_t rows = s.memberships().size() + s.authorizations().size() + s.mapping_rules().size();
  const bool all = rows <= 150 || focus.empty();
  auto relevant = [&](std::initializer_list<std::string_view> ids) {
    if (all) return true;
    for (std::string_view id : ids) {
      if (std::find(focus.begin(), focus.end(), id) != focus.end()) return true;
    }
    return false;
  };
  os << "  config: " << Describe(s.config()) << "\n";
  os << "  " << s.users().size() << " users, " << s.mapping_rules().size() << " rules, "
     << s.memberships().size() << " memberships, " << s.authorizations().size() << " authorizations"
     << (all ? "" : " (showing rows naming the caller's ids)") << "\n";
  for (const auto& [id, u] : s.users()) {
    if (relevant({id})) os << "  user " << id << "\n";
  }
  for (const auto& [id, r] : s.mapping_rules()) {
    os << "  rule " << id << ": " << r.claim_name << " = " << r.claim_value << "\n";
  }
  for (const Membership& m : s.memberships()) {
    if (relevant({m.container_id, m.member_id})) {
      os << "  member " << Name(m.container_type) << ":" << m.container_id << " <- "
         << Name(m.member_type) << ":" << m.member_id << "\n";
    }
  }
  for (const auto& [key, a] : s.authorizations()) {
    if (relevant({a.owner_id})) {
      os << "  auth #" << key << " " << Name(a.owner_type) << ":" << a.owner_id << " "
         << Name(a.resource_type) << " " << Name(a.scope.matcher) << "(" << a.scope.value << ") ["
         << FormatPermissions(a.permissions) << "]\n";
    }
  }
  return os.str();
}

inline std::string Describe(const Caller& c) {
  switch (c.kind) {
    case Caller::Kind::kAnonymous:
      return "anonymous";
    case Caller::Kind::kBasicUser:
      return "basic user '" + c.username + "'";
    case Caller::Kind::kClaims:
      return "claims " + c.claims_json;
  }
  return "";
}

inline std::string Describe(const CheckRequest& r) {
  std::ostringstream os;
  os << Name(r.resource_type) << " " << Name(r.permission) << " ids=" << Join(r.resource_ids, Ident)
     << " tenant=" << (r.tenant_id ? "'" + *r.tenant_id + "'" : "none")
     << " new=" << r.new_resource;
  if (r.user_task) {
    os << " task{assignee=" << r.user_task->assignee.value_or("-")
       << " users=" << Join(r.user_task->candidate_users, Ident)
       << " groups=" << Join(r.user_task->candidate_groups, Ident) << "}";
  }
  return os.str();
}

inline std::string Describe(const reference::Verdict& v) {
  return Str(v.decision) + " '" + v.message +
         "' principal=" + (v.principal ? Str(*v.principal) : "-") +
         " rules=" + Join(v.matching_rules, Ident) +
         " grants=" + Join(v.grants, [](const GrantPath& p) { return Str(p); });
}
inline std::string Describe(const Explanation& e) {
  return Str(e.decision) + " '" + e.message +
         "' principal=" + (e.principal ? Str(*e.principal) : "-") +
         " rules=" + Join(e.matching_rules, Ident) +
         " grants=" + Join(e.grants, [](const GrantPath& p) { return Str(p); }) + " (generation " +
         std::to_string(e.generation) + ")";
}

// Ids that appear in the caller, to focus the state dump.
inline std::vector<std::string> FocusIds(const Caller& c) {
  std::vector<std::string> ids;
  std::string text = c.kind == Caller::Kind::kBasicUser ? c.username : c.claims_json;
  std::string cur;
  for (char ch : text) {
    if (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_') {
      cur += ch;
    } else {
      if (!cur.empty()) ids.push_back(cur);
      cur.clear();
    }
  }
  if (!cur.empty()) ids.push_back(cur);
  return ids;
}

// The reference may list a path twice when the token's groups claim repeats a group; the engine
// lists each path once (docs/semantics.md §10: "every path"). Compare on distinct paths.
inline std::vector<GrantPath> Distinct(std::vector<GrantPath> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// Compares one check; returns "" when equal, else what differs.
inline std::string Compare(const reference::Verdict& ref, const Explanation& e) {
  std::string diff;
  if (ref.decision != e.decision) diff += " decision;";
  if (ref.message != e.message) diff += " message;";
  if (ref.required_ids != e.required_ids) diff += " required_ids;";
  if (ref.principal != e.principal) diff += " principal;";
  if (ref.matching_rules != e.matching_rules) diff += " matching_rules;";
  if (Distinct(ref.grants) != e.grants) diff += " grants;";
  return diff;
}

template <typename T>
std::string StatusOrText(const absl::StatusOr<T>& s, std::string (*f)(const T&)) {
  if (!s.ok())
    return "error " + std::string(absl::StatusCodeToString(s.status().code())) + ": " +
           std::string(s.status().message());
  return f(*s);
}
inline std::string IdsText(const ResourceIds& r) { return r.all ? "all" : Join(r.ids, Ident); }
inline std::string TenantsText(const std::vector<std::string>& t) { return Join(t, Ident); }
inline std::string MaskText(const PermissionMask& m) { return "[" + FormatPermissions(m) + "]"; }

inline long EnvCount(const char* name, long fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  return std::strtol(v, nullptr, 10);
}

}  // namespace clearance::index_test

#endif  // CLEARANCE_TESTS_ENGINE_INDEX_DIFF_UTIL_H_
