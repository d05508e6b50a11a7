// The token cases the C++ (Authenticate), C (clearance_authenticate) and Java
// (Verifier.authenticate) tests share: tests/embed/testdata/token_parity/cases.tsv, minted once by
// mint.py there. Each test turns its own answer into the case file's columns and compares them, so
// the three bindings are held to one set of answers.
#ifndef CLEARANCE_TESTS_EMBED_TOKEN_PARITY_H_
#define CLEARANCE_TESTS_EMBED_TOKEN_PARITY_H_

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace clearance::token_parity {

struct Issuer {
  std::string issuer, jwks_file, username_claim, client_id_claim;
  std::vector<std::string> algorithms;
  std::string groups_claim;  // "-": no groups claim for this issuer
  bool prefer_username = false;
};

struct Case {
  std::string name, token;
  // reason, principal type, principal id, groups, issuer, exp: the answer in the file's form.
  std::string expected;
};

struct Cases {
  std::string dir;  // where the key sets are
  int64_t now = 0;
  std::string audience;
  std::vector<Issuer> issuers;
  std::vector<Case> cases;
  std::string error;  // non-empty when the file does not read
};

inline std::vector<std::string> Split(const std::string& line, char sep) {
  std::vector<std::string> out;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, sep)) out.push_back(field);
  if (!line.empty() && line.back() == sep) out.emplace_back();
  return out;
}

inline std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

inline Cases Load(const std::string& dir) {
  Cases c;
  c.dir = dir;
  std::ifstream in(dir + "/cases.tsv");
  if (!in) {
    c.error = dir + "/cases.tsv: cannot be read";
    return c;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> f = Split(line, '\t');
    if (f[0] == "now" && f.size() == 2) {
      c.now = std::stoll(f[1]);
    } else if (f[0] == "audience" && f.size() == 2) {
      c.audience = f[1];
    } else if (f[0] == "issuer" && f.size() == 8) {
      c.issuers.push_back(
          {f[1], dir + "/" + f[2], f[4], f[5], Split(f[3], ','), f[6], f[7] == "true"});
    } else if (f[0] == "case" && f.size() == 9) {
      c.cases.push_back({f[1], f[2], Join({f.begin() + 3, f.end()}, " ")});
    } else {
      c.error = "cases.tsv: unexpected line: " + line;
      return c;
    }
  }
  if (c.now == 0 || c.issuers.empty() || c.cases.empty()) c.error = "cases.tsv: incomplete";
  return c;
}

// The store configuration of c.h's clearance_store_configure for the file's issuers. The case file
// holds no characters JSON would need escaped.
inline std::string StoreConfigJson(const Cases& c) {
  std::string out = R"({"token_issuers":[)";
  for (size_t i = 0; i < c.issuers.size(); ++i) {
    const Issuer& s = c.issuers[i];
    if (i > 0) out += ",";
    out += R"({"issuer":")" + s.issuer + R"(","jwks_file":")" + s.jwks_file +
           R"(","audiences":[")" + c.audience + R"("],"algorithms":[")" +
           Join(s.algorithms, R"(",")") + R"("],"overrides":{"username_claim":")" +
           s.username_claim + R"(","client_id_claim":")" + s.client_id_claim +
           R"(","groups_claim":")" + (s.groups_claim == "-" ? "" : s.groups_claim) +
           R"(","prefer_username_claim":)" + (s.prefer_username ? "true" : "false") + "}}";
  }
  return out + "]}";
}

// An answer in the file's form.
inline std::string Format(std::string_view reason, std::string_view type, std::string_view id,
                          bool groups_configured, const std::vector<std::string>& groups,
                          std::string_view issuer, bool has_exp, int64_t exp) {
  if (reason != "ok") return std::string(reason) + " - - - - -";
  return std::string(reason) + " " + std::string(type) + " " + std::string(id) + " " +
         (groups_configured ? "[" + Join(groups, ",") + "]" : std::string("-")) + " " +
         std::string(issuer) + " " + (has_exp ? std::to_string(exp) : std::string("-"));
}

}  // namespace clearance::token_parity

#endif  // CLEARANCE_TESTS_EMBED_TOKEN_PARITY_H_
