// The C API (embed/include/clearance/c.h): every function, its error paths (NULL handles, bad
// input, a closed store) and concurrent checks beside a writer (run it under TSan too).
#include "clearance/c.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "clearance/catalog.h"
#include "gtest/gtest.h"
#include "simdjson.h"
#include "store_test_util.h"
#include "token_parity.h"

namespace clearance {
namespace {

using storage_test::TempDir;

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";

std::string Base64Url(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::string SignHs256(const std::string& claims_json) {
  std::string input =
      Base64Url(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." + Base64Url(claims_json);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &len);
  return input + "." + Base64Url(std::string(reinterpret_cast<char*>(mac), len));
}

std::string AuthorizationRecord(uint64_t position, std::string_view intent,
                                std::string_view owner, std::string_view resource_id,
                                std::string_view permissions, uint64_t key = 0) {
  return "{\"position\":" + std::to_string(position) +
         ",\"valueType\":\"AUTHORIZATION\",\"recordType\":\"EVENT\",\"intent\":\"" +
         std::string(intent) + "\",\"value\":{\"authorizationKey\":" + std::to_string(key) +
         ",\"ownerType\":\"CLIENT\",\"ownerId\":\"" + std::string(owner) +
         "\",\"resourceType\":\"PROCESS_DEFINITION\",\"resourceMatcher\":\"ID\","
         "\"resourceId\":\"" +
         std::string(resource_id) + "\",\"permissionTypes\":[" + std::string(permissions) + "]}}";
}

class CApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(clearance_store_open(dir_.Sub("db").c_str(), CLEARANCE_OPEN_NO_SYNC, &store_),
              CLEARANCE_OK)
        << clearance_last_error();
    const std::string config = R"({"client_id_claim":"azp"})";
    ASSERT_EQ(clearance_store_configure(store_, config.data(), config.size()), CLEARANCE_OK)
        << clearance_last_error();
    ASSERT_EQ(clearance_store_initialize(store_), CLEARANCE_OK) << clearance_last_error();
    ASSERT_EQ(clearance_resource_type("PROCESS_DEFINITION", &request_.resource_type), CLEARANCE_OK);
    ASSERT_EQ(clearance_permission("CREATE_PROCESS_INSTANCE", &request_.permission), CLEARANCE_OK);
    request_.resource_ids = ids_;
    request_.resource_id_count = 1;
  }
  void TearDown() override { clearance_store_free(store_); }

  void Grant(uint64_t position, std::string_view client) {
    const std::string record = AuthorizationRecord(position, "CREATED", client, "order-process",
                                                   "\"CREATE_PROCESS_INSTANCE\"");
    int32_t outcome = -1;
    uint64_t key = 0;
    ASSERT_EQ(clearance_store_apply_record(store_, record.data(), record.size(), &outcome, &key),
              CLEARANCE_OK)
        << clearance_last_error();
    EXPECT_EQ(outcome, CLEARANCE_APPLIED);
    EXPECT_GT(key, 0u);
  }

  // clearance_check_token with request_, which must succeed as a call.
  clearance_decision CheckToken(const clearance_verifier* verifier, const std::string& token,
                                int32_t* token_error) {
    clearance_decision d{-1, -1};
    EXPECT_EQ(clearance_check_token(store_, verifier, token.data(), token.size(), &request_, &d,
                                    token_error),
              CLEARANCE_OK)
        << clearance_last_error();
    return d;
  }

  clearance_decision CheckClaims(std::string_view claims) {
    clearance_decision d{-1, -1};
    EXPECT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &request_, &d),
              CLEARANCE_OK)
        << clearance_last_error();
    return d;
  }

  TempDir dir_;
  clearance_store* store_ = nullptr;
  const char* ids_[1] = {"order-process"};
  clearance_check_request request_{};
};

TEST(CApiVersionTest, VersionsAgree) {
  EXPECT_EQ(clearance_api_version(), CLEARANCE_C_API_VERSION);
  EXPECT_STRNE(clearance_version_string(), "");
  EXPECT_STREQ(clearance_outcome_name(CLEARANCE_ALLOW), "ALLOW");
  EXPECT_STREQ(clearance_outcome_name(99), "");
  EXPECT_STREQ(clearance_reason_name(0), "GRANTED");
  EXPECT_STREQ(clearance_reason_name(-1), "");
}

TEST(CApiNamesTest, UnknownNamesAreRefusedWithAMessage) {
  int32_t v = -1;
  EXPECT_EQ(clearance_resource_type("NOPE", &v), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clearance_last_error()).find("NOPE"), std::string::npos);
  EXPECT_EQ(clearance_permission("NOPE", &v), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_resource_type(nullptr, &v), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_permission("READ", nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(v, -1);
  EXPECT_EQ(clearance_permission("read", &v), CLEARANCE_OK);
}

TEST_F(CApiTest, GrantThenAllowByClaimsAndUser) {
  EXPECT_EQ(CheckClaims(R"({"azp":"my-client"})").outcome, CLEARANCE_FORBIDDEN);
  Grant(10, "my-client");
  const clearance_decision allow = CheckClaims(R"({"azp":"my-client"})");
  EXPECT_EQ(allow.outcome, CLEARANCE_ALLOW);
  EXPECT_STREQ(clearance_reason_name(allow.reason), "GRANTED");
  EXPECT_EQ(CheckClaims(R"({"azp":"other"})").outcome, CLEARANCE_FORBIDDEN);
  EXPECT_EQ(CheckClaims("not json").outcome, CLEARANCE_UNAUTHENTICATED_OUTCOME);

  clearance_decision d{};
  ASSERT_EQ(clearance_check_user(store_, "nobody", &request_, &d), CLEARANCE_OK);
  EXPECT_NE(d.outcome, CLEARANCE_ALLOW);  // OIDC mode: no basic users

  uint64_t position = 0;
  int32_t has = 0;
  ASSERT_EQ(clearance_store_applied_position(store_, &position, &has), CLEARANCE_OK);
  EXPECT_EQ(has, 1);
  EXPECT_EQ(position, 10u);
  uint64_t generation = 0;
  ASSERT_EQ(clearance_store_generation(store_, &generation), CLEARANCE_OK);
  EXPECT_GE(generation, 3u);  // created, configured, initialized, granted
}

// The generation is the store's count: +1 per applied command, never back on reopening, and the
// number explanations carry.
TEST_F(CApiTest, TheGenerationContinuesAcrossReopening) {
  auto generation = [this] {
    uint64_t g = 0;
    EXPECT_EQ(clearance_store_generation(store_, &g), CLEARANCE_OK) << clearance_last_error();
    return g;
  };
  EXPECT_EQ(generation(), 3u);  // the empty store, configured, initialized
  Grant(10, "my-client");
  const uint64_t before = generation();
  EXPECT_EQ(before, 4u);
  for (int session = 0; session < 2; ++session) {
    ASSERT_EQ(clearance_store_close(store_), CLEARANCE_OK);
    clearance_store_free(store_);
    store_ = nullptr;
    ASSERT_EQ(clearance_store_open(dir_.Sub("db").c_str(), CLEARANCE_OPEN_NO_SYNC, &store_),
              CLEARANCE_OK)
        << clearance_last_error();
    EXPECT_EQ(generation(), before + static_cast<uint64_t>(session));
    Grant(20 + static_cast<uint64_t>(session), "client-" + std::to_string(session));
    EXPECT_EQ(generation(), before + static_cast<uint64_t>(session) + 1);
  }
  const std::string claims = R"({"azp":"my-client"})";
  size_t needed = 0;
  std::string buf(4096, '\0');
  ASSERT_EQ(clearance_explain_claims(store_, claims.data(), claims.size(), &request_, buf.data(),
                                     buf.size(), &needed),
            CLEARANCE_OK)
      << clearance_last_error();
  EXPECT_NE(std::string(buf.c_str()).find("\"generation\":" + std::to_string(before + 2)),
            std::string::npos)
      << buf.c_str();
}

TEST_F(CApiTest, ApplyRecordOutcomes) {
  Grant(10, "my-client");
  const std::string again = AuthorizationRecord(10, "CREATED", "my-client", "order-process",
                                                "\"CREATE_PROCESS_INSTANCE\"");
  int32_t outcome = -1;
  EXPECT_EQ(clearance_store_apply_record(store_, again.data(), again.size(), &outcome, nullptr),
            CLEARANCE_OK);
  EXPECT_EQ(outcome, CLEARANCE_SKIPPED_POSITION);
  const std::string duplicate = AuthorizationRecord(11, "CREATED", "my-client", "order-process",
                                                    "\"CREATE_PROCESS_INSTANCE\"");
  EXPECT_EQ(
      clearance_store_apply_record(store_, duplicate.data(), duplicate.size(), &outcome, nullptr),
      CLEARANCE_ALREADY_EXISTS);
  EXPECT_EQ(outcome, CLEARANCE_REFUSED);
  EXPECT_STRNE(clearance_last_error(), "");
  const std::string other = R"({"position":12,"valueType":"JOB","intent":"CREATED","value":{}})";
  EXPECT_EQ(clearance_store_apply_record(store_, other.data(), other.size(), &outcome, nullptr),
            CLEARANCE_OK);
  EXPECT_EQ(outcome, CLEARANCE_SKIPPED_VALUE_TYPE);
  const std::string command =
      R"({"position":13,"valueType":"GROUP","intent":"CREATE","recordType":"COMMAND","value":{}})";
  EXPECT_EQ(clearance_store_apply_record(store_, command.data(), command.size(), &outcome, nullptr),
            CLEARANCE_OK);
  EXPECT_EQ(outcome, CLEARANCE_SKIPPED_INTENT);
  // The refused record's position was recorded; the skipped ones' were not.
  uint64_t position = 0;
  int32_t has = 0;
  ASSERT_EQ(clearance_store_applied_position(store_, &position, &has), CLEARANCE_OK);
  EXPECT_EQ(position, 11u);
}

TEST_F(CApiTest, MalformedRecordNamesPositionAndChangesNothing) {
  uint64_t before = 0;
  ASSERT_EQ(clearance_store_generation(store_, &before), CLEARANCE_OK);
  const std::string bad =
      R"({"position":7,"valueType":"AUTHORIZATION","intent":"CREATED","value":{"ownerId":"x"}})";
  int32_t outcome = -1;
  EXPECT_EQ(clearance_store_apply_record(store_, bad.data(), bad.size(), &outcome, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(outcome, -1);
  const std::string message = clearance_last_error();
  EXPECT_NE(message.find("position 7"), std::string::npos) << message;
  EXPECT_NE(message.find("ownerType"), std::string::npos) << message;
  for (std::string_view junk : {"", "{", "[]", R"({"valueType":"USER"})",
                                R"({"position":-1,"valueType":"USER","intent":"CREATED"})"}) {
    EXPECT_EQ(clearance_store_apply_record(store_, junk.data(), junk.size(), nullptr, nullptr),
              CLEARANCE_INVALID_ARGUMENT)
        << junk;
  }
  uint64_t after = 0;
  ASSERT_EQ(clearance_store_generation(store_, &after), CLEARANCE_OK);
  EXPECT_EQ(before, after);
}

TEST_F(CApiTest, IngestStream) {
  const std::string stream =
      AuthorizationRecord(1, "CREATED", "a", "order-process", "\"CREATE_PROCESS_INSTANCE\"") +
      "\n\n" + R"({"position":2,"valueType":"JOB","intent":"CREATED","value":{}})" + "\n" +
      AuthorizationRecord(3, "CREATED", "b", "order-process", "\"CREATE_PROCESS_INSTANCE\"") +
      "\n" + "{broken\n" +
      AuthorizationRecord(5, "CREATED", "c", "order-process", "\"CREATE_PROCESS_INSTANCE\"");
  clearance_ingest_stats stats{};
  EXPECT_EQ(clearance_store_ingest(store_, stream.data(), stream.size(), &stats),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clearance_last_error()).find("line 5"), std::string::npos)
      << clearance_last_error();
  EXPECT_EQ(stats.applied, 2u);
  EXPECT_EQ(stats.skipped_value_type, 1u);
  EXPECT_EQ(CheckClaims(R"({"azp":"b"})").outcome, CLEARANCE_ALLOW);
  EXPECT_EQ(CheckClaims(R"({"azp":"c"})").outcome, CLEARANCE_FORBIDDEN);
  EXPECT_EQ(clearance_store_ingest(store_, nullptr, 0, nullptr), CLEARANCE_OK);
}

TEST_F(CApiTest, PrincipalsAndBatches) {
  Grant(1, "my-client");
  const std::string claims = R"({"azp":"my-client"})";
  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  clearance_decision d{};
  ASSERT_EQ(clearance_check_principal(store_, p, &request_, &d), CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_ALLOW);
  int32_t current = 0;
  ASSERT_EQ(clearance_principal_is_current(store_, p, &current), CLEARANCE_OK);
  EXPECT_EQ(current, 1);

  const char* other_ids[] = {"other-process"};
  clearance_check_request requests[3] = {request_, request_, request_};
  requests[1].resource_ids = other_ids;
  requests[2].resource_id_count = 0;
  clearance_decision out[3];
  ASSERT_EQ(clearance_check_batch(store_, p, requests, 3, out), CLEARANCE_OK);
  EXPECT_EQ(out[0].outcome, CLEARANCE_ALLOW);
  EXPECT_EQ(out[1].outcome, CLEARANCE_FORBIDDEN);
  EXPECT_EQ(out[2].outcome, CLEARANCE_FORBIDDEN);
  EXPECT_EQ(clearance_check_batch(store_, p, nullptr, 0, nullptr), CLEARANCE_OK);
  requests[1].resource_type = 9999;
  EXPECT_EQ(clearance_check_batch(store_, p, requests, 3, out), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clearance_last_error()).find("requests[1]"), std::string::npos);

  Grant(2, "someone-else");
  ASSERT_EQ(clearance_principal_is_current(store_, p, &current), CLEARANCE_OK);
  EXPECT_EQ(current, 0);
  clearance_principal_free(p);

  clearance_principal* user = nullptr;
  ASSERT_EQ(clearance_resolve_user(store_, "nobody", &user), CLEARANCE_OK);
  ASSERT_EQ(clearance_check_principal(store_, user, &request_, &d), CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_UNAUTHENTICATED_OUTCOME);
  clearance_principal_free(user);
  clearance_principal_free(nullptr);
}

TEST_F(CApiTest, UserTaskPropertiesAndTenants) {
  clearance_check_request r{};
  ASSERT_EQ(clearance_resource_type("USER_TASK", &r.resource_type), CLEARANCE_OK);
  ASSERT_EQ(clearance_permission("READ", &r.permission), CLEARANCE_OK);
  const char* users[] = {"alice", "bob"};
  r.has_user_task = 1;
  r.assignee = "alice";
  r.candidate_users = users;
  r.candidate_user_count = 2;
  r.tenant_id = "t1";
  clearance_decision d{};
  const std::string claims = R"({"sub":"alice"})";
  ASSERT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &r, &d), CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_FORBIDDEN);
  r.candidate_users = nullptr;
  EXPECT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &r, &d),
            CLEARANCE_INVALID_ARGUMENT);
  r.candidate_user_count = 0;
  const char* bad[] = {nullptr};
  r.candidate_groups = bad;
  r.candidate_group_count = 1;
  EXPECT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &r, &d),
            CLEARANCE_INVALID_ARGUMENT);
}

// The C API views the caller's strings without copying them: a few in place, more in a buffer
// reused per thread. Both must answer alike, on every check entry point.
TEST_F(CApiTest, ManyIdsAreViewedLikeFew) {
  Grant(1, "my-client");
  const std::string claims = R"({"azp":"my-client"})";
  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  const char* many[] = {"a", "b", "c", "d", "e", "f", "order-process"};
  for (size_t count : {1u, 4u, 5u, 7u, 6u, 3u}) {
    clearance_check_request r = request_;
    r.resource_ids = many + 7 - count;  // the granted id is always the last
    r.resource_id_count = count;
    clearance_check_request r_without = r;
    r_without.resource_id_count = count - 1;  // all but the granted id
    clearance_decision d{};
    ASSERT_EQ(clearance_check_principal(store_, p, &r, &d), CLEARANCE_OK);
    EXPECT_EQ(d.outcome, CLEARANCE_ALLOW) << count;
    ASSERT_EQ(clearance_check_principal(store_, p, &r_without, &d), CLEARANCE_OK);
    EXPECT_EQ(d.outcome, CLEARANCE_FORBIDDEN) << count;
    ASSERT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &r, &d), CLEARANCE_OK);
    EXPECT_EQ(d.outcome, CLEARANCE_ALLOW) << count;
    const clearance_check_request both[2] = {r_without, r};
    clearance_decision out[2] = {{-1, -1}, {-1, -1}};
    ASSERT_EQ(clearance_check_batch(store_, p, both, 2, out), CLEARANCE_OK);
    EXPECT_EQ(out[0].outcome, CLEARANCE_FORBIDDEN) << count;
    EXPECT_EQ(out[1].outcome, CLEARANCE_ALLOW) << count;
    std::string buf(4096, '\0');
    ASSERT_EQ(clearance_explain_principal(store_, p, &r, buf.data(), buf.size(), nullptr),
              CLEARANCE_OK);
    EXPECT_NE(buf.find(R"("decision":"ALLOW")"), std::string::npos) << buf;
  }
  // A NULL among many ids is named, and nothing is written.
  const char* holey[] = {"a", "b", "c", "d", "e", nullptr, "order-process"};
  clearance_check_request r = request_;
  r.resource_ids = holey;
  r.resource_id_count = 7;
  clearance_decision d{-1, -1};
  EXPECT_EQ(clearance_check_principal(store_, p, &r, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_NE(std::string(clearance_last_error()).find("request.resource_ids[5]"),
            std::string::npos)
      << clearance_last_error();
  EXPECT_EQ(d.outcome, -1);
  // Many candidate groups and users take the same path.
  const char* groups[] = {"g1", "g2", "g3", "g4", "g5", "g6"};
  r = request_;
  r.has_user_task = 1;
  r.candidate_groups = groups;
  r.candidate_group_count = 6;
  r.candidate_users = groups;
  r.candidate_user_count = 6;
  ASSERT_EQ(clearance_check_principal(store_, p, &r, &d), CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_ALLOW);
  clearance_principal_free(p);
}

TEST_F(CApiTest, Explain) {
  Grant(1, "my-client");
  const std::string claims = R"({"azp":"my-client"})";
  size_t needed = 0;
  char tiny[4] = {'x', 'x', 'x', 'x'};
  EXPECT_EQ(clearance_explain_claims(store_, claims.data(), claims.size(), &request_, tiny,
                                     sizeof tiny, &needed),
            CLEARANCE_OUT_OF_RANGE);
  EXPECT_EQ(tiny[0], 'x');
  ASSERT_GT(needed, sizeof tiny);
  std::string buf(needed, '\0');
  ASSERT_EQ(clearance_explain_claims(store_, claims.data(), claims.size(), &request_, buf.data(),
                                     buf.size(), &needed),
            CLEARANCE_OK);
  const std::string json(buf.c_str());
  EXPECT_EQ(json.size() + 1, needed);
  EXPECT_NE(json.find(R"("decision":"ALLOW")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("principal":{"type":"CLIENT","id":"my-client"})"), std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("authorization_key":)"), std::string::npos) << json;

  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  std::string buf2(needed + 64, '\0');
  ASSERT_EQ(clearance_explain_principal(store_, p, &request_, buf2.data(), buf2.size(), nullptr),
            CLEARANCE_OK);
  EXPECT_EQ(std::string(buf2.c_str()), json);
  EXPECT_EQ(clearance_explain_principal(store_, p, &request_, nullptr, 0, &needed),
            CLEARANCE_OUT_OF_RANGE);
  clearance_principal_free(p);
}

TEST_F(CApiTest, TokenChecks) {
  Grant(1, "my-client");
  const std::string jwks =
      R"({\"keys\":[{\"kty\":\"oct\",\"kid\":\"k1\",\"alg\":\"HS256\",\"k\":\")" +
      Base64Url(kSecret) + R"(\"}]})";
  const std::string config =
      R"({"issuers":[{"issuer":"https://idp","skip_audience_check":true,"algorithms":["HS256"],)"
      R"("jwks_json":")" +
      jwks + R"("}],"require_exp":false})";
  clearance_verifier* verifier = nullptr;
  ASSERT_EQ(clearance_verifier_create(config.data(), config.size(), &verifier), CLEARANCE_OK)
      << clearance_last_error();
  const std::string token = SignHs256(R"({"iss":"https://idp","azp":"my-client"})");
  clearance_decision d{};
  int32_t token_error = -1;
  ASSERT_EQ(clearance_check_token(store_, verifier, token.data(), token.size(), &request_, &d,
                                  &token_error),
            CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_ALLOW);
  EXPECT_EQ(token_error, 0);
  std::string forged = token;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  ASSERT_EQ(clearance_check_token(store_, verifier, forged.data(), forged.size(), &request_, &d,
                                  &token_error),
            CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_UNAUTHENTICATED_OUTCOME);
  EXPECT_STREQ(clearance_reason_name(d.reason), "TOKEN_REFUSED");
  EXPECT_NE(token_error, 0);
  EXPECT_EQ(clearance_check_token(store_, nullptr, token.data(), token.size(), &request_, &d,
                                  nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  clearance_verifier_free(verifier);
  clearance_verifier_free(nullptr);

  // The verifier's limits are options here too: a token above max_token_bytes is too_large.
  const std::string small = config.substr(0, config.size() - 1) + R"(,"max_token_bytes":64})";
  ASSERT_EQ(clearance_verifier_create(small.data(), small.size(), &verifier), CLEARANCE_OK)
      << clearance_last_error();
  ASSERT_EQ(clearance_check_token(store_, verifier, token.data(), token.size(), &request_, &d,
                                  &token_error),
            CLEARANCE_OK);
  EXPECT_EQ(d.outcome, CLEARANCE_UNAUTHENTICATED_OUTCOME);
  EXPECT_EQ(token_error, 1);  // clearance::TokenError::kTooLarge
  clearance_verifier_free(verifier);

  for (std::string_view bad :
       {"", "[]", R"({"issuers":[{"issuer":"x","algorithms":["XX256"]}]})",
        R"({"issuers":[],"leeway":1})", R"({"issuers":[{}]})",
        R"({"issuers":[],"max_token_bytes":0})", R"({"issuers":[],"max_json_depth":-1})",
        R"({"issuers":[],"max_lifetime_seconds":-5})"}) {
    clearance_verifier* v = nullptr;
    EXPECT_EQ(clearance_verifier_create(bad.data(), bad.size(), &v), CLEARANCE_INVALID_ARGUMENT)
        << bad;
    EXPECT_EQ(v, nullptr);
  }
}

TEST_F(CApiTest, AVerifierForTheStoreUsesTheStoredIssuers) {
  Grant(1, "my-client");
  clearance_verifier* verifier = nullptr;
  EXPECT_EQ(clearance_verifier_create_for_store(store_, &verifier), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(verifier, nullptr);
  const std::string jwks_path = dir_.Sub("jwks.json");
  {
    std::FILE* f = std::fopen(jwks_path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string jwks =
        R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" + Base64Url(kSecret) + R"("}]})";
    ASSERT_EQ(std::fwrite(jwks.data(), 1, jwks.size(), f), jwks.size());
    std::fclose(f);
  }
  const std::string config =
      R"({"client_id_claim":"azp","token_issuers":[{"issuer":"https://idp","jwks_file":")" +
      jwks_path + R"(","audiences":["api"],"algorithms":["HS256"]}]})";
  ASSERT_EQ(clearance_store_configure(store_, config.data(), config.size()), CLEARANCE_OK)
      << clearance_last_error();
  ASSERT_EQ(clearance_verifier_create_for_store(store_, &verifier), CLEARANCE_OK)
      << clearance_last_error();
  // exp far in the future: the store's verifier reads the system clock, the test does not.
  const int64_t exp = 4102444800;  // 2100-01-01
  const std::string token = SignHs256(R"({"iss":"https://idp","aud":"api","azp":"my-client",)"
                                      R"("exp":)" +
                                      std::to_string(exp) + "}");
  int32_t token_error = -1;
  EXPECT_EQ(CheckToken(verifier, token, &token_error).outcome, CLEARANCE_ALLOW);
  EXPECT_EQ(token_error, 0);
  // The stored audience is enforced: the store's issuer, not a skip-audience default.
  const std::string other = SignHs256(R"({"iss":"https://idp","aud":"other","azp":"my-client",)"
                                      R"("exp":)" +
                                      std::to_string(exp) + "}");
  EXPECT_EQ(CheckToken(verifier, other, &token_error).outcome, CLEARANCE_UNAUTHENTICATED_OUTCOME);
  EXPECT_EQ(token_error, 21);  // clearance::TokenError::kWrongAudience
  // Verify-only: the principal and the claims, or the reason.
  char buf[1024];
  size_t needed = 0;
  ASSERT_EQ(clearance_authenticate(store_, verifier, token.data(), token.size(), buf, sizeof buf,
                                   &needed),
            CLEARANCE_OK)
      << clearance_last_error();
  EXPECT_EQ(std::string(buf),
            R"({"authenticated":true,"principal":{"type":"CLIENT","id":"my-client"},)"
            R"("groups":null,"issuer":"https://idp","exp":4102444800,"claims":)"
            R"({"iss":"https://idp","aud":"api","azp":"my-client","exp":4102444800}})");
  EXPECT_EQ(needed, std::string(buf).size() + 1);
  ASSERT_EQ(clearance_authenticate(store_, verifier, other.data(), other.size(), buf, sizeof buf,
                                   &needed),
            CLEARANCE_OK);
  EXPECT_EQ(std::string(buf),
            R"({"authenticated":false,"reason":"wrong_audience","message":"wrong_audience"})");
  EXPECT_EQ(clearance_authenticate(store_, verifier, token.data(), token.size(), buf, 8, &needed),
            CLEARANCE_OUT_OF_RANGE);
  EXPECT_EQ(clearance_authenticate(store_, nullptr, token.data(), token.size(), buf, sizeof buf,
                                   &needed),
            CLEARANCE_INVALID_ARGUMENT);
  clearance_verifier_free(verifier);
  EXPECT_EQ(clearance_verifier_create_for_store(nullptr, &verifier), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_verifier_create_for_store(store_, nullptr), CLEARANCE_INVALID_ARGUMENT);
  const std::string bad = R"({"token_issuers":[{"issuer":"https://idp","algorithms":["XX1"]}]})";
  EXPECT_EQ(clearance_store_configure(store_, bad.data(), bad.size()), CLEARANCE_INVALID_ARGUMENT);
}

// Per-issuer claim rules and an injected "now": the same tokens give the same principal or
// reason at any wall-clock time.
TEST_F(CApiTest, AuthenticateMapsEachIssuerAtAFixedTime) {
  const std::string jwks_path = dir_.Sub("jwks-mapped.json");
  {
    std::FILE* f = std::fopen(jwks_path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    const std::string jwks =
        R"({"keys":[{"kty":"oct","kid":"k1","alg":"HS256","k":")" + Base64Url(kSecret) + R"("}]})";
    ASSERT_EQ(std::fwrite(jwks.data(), 1, jwks.size(), f), jwks.size());
    std::fclose(f);
  }
  const std::string config =
      R"({"client_id_claim":"azp","token_issuers":[{"issuer":"https://kc","jwks_file":")" +
      jwks_path + R"(","audiences":["api"],"algorithms":["HS256"]},{"issuer":"https://entra",)"
      R"("jwks_file":")" + jwks_path + R"(","audiences":["api"],"algorithms":["HS256"],)"
      R"("overrides":{"username_claim":"upn","client_id_claim":"appid","leeway_seconds":600}}]})";
  ASSERT_EQ(clearance_store_configure(store_, config.data(), config.size()), CLEARANCE_OK)
      << clearance_last_error();
  clearance_verifier* verifier = nullptr;
  ASSERT_EQ(clearance_verifier_create_for_store(store_, &verifier), CLEARANCE_OK)
      << clearance_last_error();
  constexpr int64_t kNow = 1'700'000'000;
  ASSERT_EQ(clearance_verifier_set_time(verifier, kNow), CLEARANCE_OK);
  EXPECT_EQ(clearance_verifier_set_time(nullptr, kNow), CLEARANCE_INVALID_ARGUMENT);
  auto token = [](std::string_view iss, std::string_view claims, int64_t exp) {
    return SignHs256(std::string(R"({"iss":")") + std::string(iss) + R"(","aud":"api",)" +
                     std::string(claims) + R"("exp":)" + std::to_string(exp) + "}");
  };
  auto authenticate = [&](const std::string& t) {
    char buf[1024];
    size_t needed = 0;
    EXPECT_EQ(clearance_authenticate(store_, verifier, t.data(), t.size(), buf, sizeof buf,
                                     &needed),
              CLEARANCE_OK)
        << clearance_last_error();
    const std::string out(buf);
    return out.substr(0, out.find(",\"issuer\""));
  };
  const std::string both = R"("azp":"kc-client","appid":"entra-app","upn":"a@example.com",)";
  EXPECT_EQ(authenticate(token("https://kc", both, kNow + 60)),
            R"({"authenticated":true,"principal":{"type":"CLIENT","id":"kc-client"},"groups":null)");
  EXPECT_EQ(authenticate(token("https://entra", both, kNow + 60)),
            R"({"authenticated":true,"principal":{"type":"CLIENT","id":"entra-app"},"groups":null)");
  EXPECT_EQ(authenticate(token("https://entra", R"("upn":"a@example.com",)", kNow + 60)),
            R"({"authenticated":true,"principal":{"type":"USER","id":"a@example.com"},)"
            R"("groups":null)");
  // Expired 300 s ago: inside the Entra-like issuer's 600 s leeway, outside the default 60 s.
  EXPECT_EQ(authenticate(token("https://kc", both, kNow - 300)),
            R"({"authenticated":false,"reason":"expired","message":"expired"})");
  EXPECT_EQ(authenticate(token("https://entra", both, kNow - 300)),
            R"({"authenticated":true,"principal":{"type":"CLIENT","id":"entra-app"},"groups":null)");
  EXPECT_NE(authenticate(token("https://entra", R"("azp":"kc-client",)", kNow + 60))
                .find(R"("reason":"no_principal")"),
            std::string::npos);
  std::string forged = token("https://kc", both, kNow + 60);
  char& c = forged[forged.size() - 5];  // inside the signature, clear of its padding bits
  c = c == 'A' ? 'B' : 'A';
  EXPECT_NE(authenticate(forged).find(R"("reason":"bad_signature")"), std::string::npos);
  // Later than the token's exp plus leeway: the fixed time moves on.
  const std::string valid = token("https://kc", both, kNow + 60);
  ASSERT_EQ(clearance_verifier_set_time(verifier, kNow + 3600), CLEARANCE_OK);
  EXPECT_EQ(authenticate(valid),
            R"({"authenticated":false,"reason":"expired","message":"expired"})");
  clearance_verifier_free(verifier);
}

// The shared token cases (token_parity.h): the same answers as Authenticate in C++ and
// Verifier.authenticate in Java.
TEST_F(CApiTest, AuthenticateAnswersTheSharedTokenCases) {
  const token_parity::Cases cases =
      token_parity::Load(CLEARANCE_SOURCE_DIR "/tests/embed/testdata/token_parity");
  ASSERT_EQ(cases.error, "");
  const std::string config = token_parity::StoreConfigJson(cases);
  ASSERT_EQ(clearance_store_configure(store_, config.data(), config.size()), CLEARANCE_OK)
      << clearance_last_error() << "\n" << config;
  clearance_verifier* verifier = nullptr;
  ASSERT_EQ(clearance_verifier_create_for_store(store_, &verifier), CLEARANCE_OK)
      << clearance_last_error();
  ASSERT_EQ(clearance_verifier_set_time(verifier, cases.now), CLEARANCE_OK);
  simdjson::dom::parser parser;
  for (const token_parity::Case& c : cases.cases) {
    std::string buf(4096, '\0');
    size_t needed = 0;
    ASSERT_EQ(clearance_authenticate(store_, verifier, c.token.data(), c.token.size(), buf.data(),
                                     buf.size(), &needed),
              CLEARANCE_OK)
        << c.name << ": " << clearance_last_error();
    simdjson::dom::object answer;
    ASSERT_EQ(parser.parse(buf.data(), needed - 1).get(answer), simdjson::SUCCESS) << buf;
    bool authenticated = false;
    ASSERT_EQ(answer["authenticated"].get(authenticated), simdjson::SUCCESS) << buf;
    std::string_view reason = "ok", type, id, issuer;
    std::vector<std::string> groups;
    bool groups_configured = false, has_exp = false;
    int64_t exp = 0;
    if (!authenticated) {
      ASSERT_EQ(answer["reason"].get(reason), simdjson::SUCCESS) << buf;
    } else {
      ASSERT_EQ(answer["principal"]["type"].get(type), simdjson::SUCCESS) << buf;
      ASSERT_EQ(answer["principal"]["id"].get(id), simdjson::SUCCESS) << buf;
      ASSERT_EQ(answer["issuer"].get(issuer), simdjson::SUCCESS) << buf;
      has_exp = answer["exp"].get(exp) == simdjson::SUCCESS;
      simdjson::dom::array array;
      if (answer["groups"].get(array) == simdjson::SUCCESS) {
        groups_configured = true;
        for (simdjson::dom::element g : array) {
          std::string_view name;
          ASSERT_EQ(g.get(name), simdjson::SUCCESS) << buf;
          groups.emplace_back(name);
        }
      }
    }
    EXPECT_EQ(token_parity::Format(reason, type, id, groups_configured, groups, issuer, has_exp,
                                   exp),
              c.expected)
        << c.name << ": " << buf.c_str();
  }
  clearance_verifier_free(verifier);
}

TEST_F(CApiTest, ConfigurationErrors) {
  for (std::string_view bad :
       {"", "{", R"({"mode":"LDAP"})", R"({"client_id_claim":1})", R"({"nope":true})",
        R"({"username_claim":""})"}) {
    EXPECT_NE(clearance_store_configure(store_, bad.data(), bad.size()), CLEARANCE_OK) << bad;
    EXPECT_STRNE(clearance_last_error(), "") << bad;
  }
  EXPECT_EQ(clearance_store_configure(store_, nullptr, 0), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_initialize(store_), CLEARANCE_FAILED_PRECONDITION);
}

// Errors name the member by its path in the argument, what was expected and what was found.
TEST_F(CApiTest, JsonArgumentErrorsNameTheMemberAndTheTypes) {
  const struct {
    std::string_view json;
    std::string_view message;
  } cases[] = {
      {R"({"client_id_claim":1})",
       "configuration.client_id_claim: expected a string, found a number"},
      {R"({"prefer_username_claim":null})",
       "configuration.prefer_username_claim: expected a boolean, found null"},
      {R"({"nope":true})",
       "configuration.nope: unknown field; expected only mode, authorizations_enabled, "
       "tenant_checks_enabled, username_claim, client_id_claim, groups_claim, "
       "prefer_username_claim, id_pattern, token_issuers"},
      {R"({"token_issuers":[{"issuer":"i","audiences":["a",2]}]})",
       "configuration.token_issuers[0].audiences[1]: expected a string, found a number"},
      {R"({"token_issuers":[{"issuer":"i","overrides":{"leeway_seconds":-1}}]})",
       "configuration.token_issuers[0].overrides.leeway_seconds: is -1; expected a non-negative "
       "integer"},
      {R"({"token_issuers":[{"issuer":"i","overrides":{"leeway_seconds":86401}}]})",
       "configuration.token_issuers[0].overrides.leeway_seconds: is 86401; expected at most 86400"},
      {R"({"token_issuers":[7]})",
       "configuration.token_issuers[0]: expected an object, found a number"},
      {"[]", "configuration: expected a JSON object, found an array"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(clearance_store_configure(store_, c.json.data(), c.json.size()),
              CLEARANCE_INVALID_ARGUMENT)
        << c.json;
    EXPECT_EQ(std::string_view(clearance_last_error()), c.message);
  }
  clearance_verifier* verifier = nullptr;
  const std::string_view bad = R"({"issuers":[{"issuer":"i","algorithms":["XS1"]}]})";
  EXPECT_EQ(clearance_verifier_create(bad.data(), bad.size(), &verifier),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(std::string_view(clearance_last_error()),
            "verifier.issuers[0].algorithms: is \"XS1\"; expected a JWS algorithm such as RS256");
  EXPECT_EQ(clearance_verifier_create("{}", 2, &verifier), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(std::string_view(clearance_last_error()),
            "verifier.issuers: is missing; expected an array of objects");
}

TEST_F(CApiTest, NullHandlesAndArguments) {
  clearance_decision d{};
  clearance_principal* p = nullptr;
  uint64_t u = 0;
  int32_t i = 0;
  const std::string claims = "{}";
  EXPECT_EQ(clearance_store_open(nullptr, 0, &store_), CLEARANCE_INVALID_ARGUMENT);
  clearance_store* other = nullptr;
  EXPECT_EQ(clearance_store_open(dir_.Sub("x").c_str(), 0, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_open(dir_.Sub("x").c_str(), 64, &other), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_open(dir_.Sub("missing").c_str(), CLEARANCE_OPEN_MUST_EXIST, &other),
            CLEARANCE_NOT_FOUND);
  EXPECT_EQ(clearance_store_open(dir_.Sub("db").c_str(), 0, &other), CLEARANCE_UNAVAILABLE)
      << "a second open of a locked store";
  EXPECT_EQ(other, nullptr);
  EXPECT_EQ(clearance_store_close(nullptr), CLEARANCE_INVALID_ARGUMENT);
  clearance_store_free(nullptr);
  EXPECT_EQ(clearance_store_configure(nullptr, "{}", 2), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_initialize(nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_apply_record(nullptr, "{}", 2, nullptr, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_apply_record(store_, nullptr, 2, nullptr, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_ingest(nullptr, "", 0, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_ingest(store_, nullptr, 3, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_applied_position(nullptr, &u, &i), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_applied_position(store_, nullptr, &i), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_applied_position(store_, &u, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_generation(nullptr, &u), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_store_generation(store_, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_claims(nullptr, "{}", 2, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_claims(store_, nullptr, 2, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_claims(store_, "{}", 2, nullptr, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_claims(store_, "{}", 2, &request_, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  clearance_check_request bad = request_;
  bad.permission = -3;
  EXPECT_EQ(clearance_check_claims(store_, "{}", 2, &bad, &d), CLEARANCE_INVALID_ARGUMENT);
  bad = request_;
  bad.resource_ids = nullptr;
  EXPECT_EQ(clearance_check_claims(store_, "{}", 2, &bad, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_user(nullptr, "u", &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_user(store_, nullptr, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_resolve_claims(nullptr, "{}", 2, &p), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_resolve_claims(store_, "{}", 2, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_resolve_user(store_, nullptr, &p), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_principal(store_, nullptr, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_principal_is_current(store_, nullptr, &i), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_batch(store_, nullptr, &request_, 1, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_explain_claims(nullptr, "{}", 2, &request_, nullptr, 0, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_explain_principal(store_, nullptr, &request_, nullptr, 0, nullptr),
            CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_verifier_create("{}", 2, nullptr), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_EQ(clearance_check_token(nullptr, nullptr, "", 0, &request_, &d, nullptr),
            CLEARANCE_INVALID_ARGUMENT);

  // A principal of another store is refused.
  clearance_store* second = nullptr;
  ASSERT_EQ(clearance_store_open(dir_.Sub("second").c_str(), CLEARANCE_OPEN_NO_SYNC, &second),
            CLEARANCE_OK);
  ASSERT_EQ(clearance_resolve_claims(second, claims.data(), claims.size(), &p), CLEARANCE_OK);
  EXPECT_EQ(clearance_check_principal(store_, p, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  clearance_principal_free(p);
  clearance_store_free(second);
}

// The single checks take a short path for the usual request (numbers in range, at most one id,
// no user-task properties) and the full one for everything else. Every refusal comes from the
// full path: the same code and message whichever argument is wrong, first wrong argument first,
// and nothing written.
TEST_F(CApiTest, CheckErrorsAreTheSameOnEveryShape) {
  const std::string claims = R"({"azp":"my-client"})";
  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  clearance_store* second = nullptr;
  ASSERT_EQ(clearance_store_open(dir_.Sub("second").c_str(), CLEARANCE_OPEN_NO_SYNC, &second),
            CLEARANCE_OK);
  clearance_principal* foreign = nullptr;
  ASSERT_EQ(clearance_resolve_claims(second, claims.data(), claims.size(), &foreign),
            CLEARANCE_OK);

  struct Case {
    std::string name;
    clearance_check_request request;
    std::string message;
  };
  const char* null_id[] = {nullptr};
  const char* two_ids[] = {"order-process", nullptr};
  const char* users[] = {"alice"};
  std::vector<Case> cases;
  auto bad = [&](std::string name, std::string message, auto change) {
    clearance_check_request r = request_;
    change(r);
    cases.push_back({std::move(name), r, std::move(message)});
  };
  const std::string types = std::to_string(kResourceTypeCount - 1);
  const std::string permissions = std::to_string(kPermissionCount - 1);
  bad("type one past the end",
      "request.resource_type: is " + std::to_string(kResourceTypeCount) + "; expected 0 .. " +
          types + " (clearance_resource_type)",
      [](clearance_check_request& r) { r.resource_type = kResourceTypeCount; });
  bad("negative type",
      "request.resource_type: is -1; expected 0 .. " + types + " (clearance_resource_type)",
      [](clearance_check_request& r) { r.resource_type = -1; });
  bad("permission one past the end",
      "request.permission: is " + std::to_string(kPermissionCount) + "; expected 0 .. " +
          permissions + " (clearance_permission)",
      [](clearance_check_request& r) { r.permission = kPermissionCount; });
  bad("negative permission",
      "request.permission: is -3; expected 0 .. " + permissions + " (clearance_permission)",
      [](clearance_check_request& r) { r.permission = -3; });
  bad("both numbers wrong names the type first",
      "request.resource_type: is 999; expected 0 .. " + types + " (clearance_resource_type)",
      [](clearance_check_request& r) {
        r.resource_type = 999;
        r.permission = 999;
      });
  bad("NULL ids, count 1", "request.resource_ids: is NULL; expected a pointer",
      [](clearance_check_request& r) { r.resource_ids = nullptr; });
  bad("NULL ids, count 2", "request.resource_ids: is NULL; expected a pointer",
      [](clearance_check_request& r) {
        r.resource_ids = nullptr;
        r.resource_id_count = 2;
      });
  bad("NULL id, count 1", "request.resource_ids[0]: is NULL; expected a pointer",
      [&](clearance_check_request& r) { r.resource_ids = null_id; });
  bad("NULL second id", "request.resource_ids[1]: is NULL; expected a pointer",
      [&](clearance_check_request& r) {
        r.resource_ids = two_ids;
        r.resource_id_count = 2;
      });
  bad("NULL candidate users", "request.candidate_users: is NULL; expected a pointer",
      [](clearance_check_request& r) {
        r.has_user_task = 1;
        r.candidate_user_count = 1;
      });
  bad("NULL candidate group", "request.candidate_groups[0]: is NULL; expected a pointer",
      [&](clearance_check_request& r) {
        r.has_user_task = -1;
        r.candidate_users = users;
        r.candidate_user_count = 1;
        r.candidate_groups = null_id;
        r.candidate_group_count = 1;
      });

  for (const Case& c : cases) {
    clearance_decision d{-1, -1};
    EXPECT_EQ(clearance_check_principal(store_, p, &c.request, &d), CLEARANCE_INVALID_ARGUMENT)
        << c.name;
    EXPECT_EQ(clearance_last_error(), c.message) << c.name;
    EXPECT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &c.request, &d),
              CLEARANCE_INVALID_ARGUMENT)
        << c.name;
    EXPECT_EQ(clearance_last_error(), c.message) << c.name;
    EXPECT_EQ(clearance_check_batch(store_, p, &c.request, 1, &d), CLEARANCE_INVALID_ARGUMENT)
        << c.name;
    EXPECT_EQ(clearance_last_error(), "requests[0]: " + c.message) << c.name;
    EXPECT_EQ(d.outcome, -1) << c.name;
    EXPECT_EQ(d.reason, -1) << c.name;
  }

  // The handles and pointers, each wrong with an otherwise good request, and the first wrong
  // argument named when several are. claims_fails: clearance_check_claims (which takes no
  // principal) is refused too, with the same message.
  struct HandleCase {
    std::string name;
    std::string message;
    clearance_store* store;
    const clearance_principal* principal;
    const char* claims_json;
    const clearance_check_request* request;
    bool null_out;
    bool claims_fails;
  };
  const HandleCase handle_cases[] = {
      {"NULL store", "store: is NULL; expected a handle", nullptr, p, claims.c_str(), &request_,
       false, true},
      {"everything NULL", "store: is NULL; expected a handle", nullptr, nullptr, nullptr, nullptr,
       true, true},
      {"NULL principal", "principal: is NULL; expected a pointer", store_, nullptr,
       claims.c_str(), &request_, false, false},
      {"NULL principal, request and out", "principal: is NULL; expected a pointer", store_,
       nullptr, claims.c_str(), nullptr, true, false},
      {"another store's principal",
       "principal: was resolved by another store; expected one of this store's", store_, foreign,
       claims.c_str(), &request_, false, false},
      {"NULL out", "out: is NULL; expected a pointer", store_, p, claims.c_str(), &request_, true,
       true},
      {"NULL out and request", "out: is NULL; expected a pointer", store_, p, claims.c_str(),
       nullptr, true, true},
      {"NULL request", "request: is NULL; expected a pointer", store_, p, claims.c_str(), nullptr,
       false, true},
  };
  for (const HandleCase& c : handle_cases) {
    clearance_decision d{-1, -1};
    clearance_decision* out = c.null_out ? nullptr : &d;
    EXPECT_EQ(clearance_check_principal(c.store, c.principal, c.request, out),
              CLEARANCE_INVALID_ARGUMENT)
        << c.name;
    EXPECT_EQ(clearance_last_error(), c.message) << c.name;
    if (c.claims_fails) {
      EXPECT_EQ(clearance_check_claims(c.store, c.claims_json, claims.size(), c.request, out),
                CLEARANCE_INVALID_ARGUMENT)
          << c.name;
      EXPECT_EQ(clearance_last_error(), c.message) << c.name;
    }
    EXPECT_EQ(d.outcome, -1) << c.name;
  }
  clearance_decision d{-1, -1};
  EXPECT_EQ(clearance_check_claims(store_, nullptr, 2, &request_, &d), CLEARANCE_INVALID_ARGUMENT);
  EXPECT_STREQ(clearance_last_error(), "claims_json: is NULL; expected a pointer");
  EXPECT_EQ(d.outcome, -1);

  // A closed store, with everything else right.
  clearance_principal* closing = nullptr;
  ASSERT_EQ(clearance_resolve_claims(second, claims.data(), claims.size(), &closing),
            CLEARANCE_OK);
  ASSERT_EQ(clearance_store_close(second), CLEARANCE_OK);
  EXPECT_EQ(clearance_check_principal(second, closing, &request_, &d),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_STREQ(clearance_last_error(), "store: is closed; open it again");
  EXPECT_EQ(clearance_check_claims(second, claims.data(), claims.size(), &request_, &d),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_STREQ(clearance_last_error(), "store: is closed; open it again");
  EXPECT_EQ(d.outcome, -1);
  clearance_principal_free(closing);
  clearance_principal_free(foreign);
  clearance_store_free(second);
  clearance_principal_free(p);
}

// The short path (one id or none, no user-task properties) answers exactly as the full path
// does (clearance_check_batch always takes the full one), over the request members it reads:
// the numbers at their ends of the range, no id, one id granted or not, a tenant (NULL, "",
// another), new_resource of any non-zero value, and user-task members ignored when
// has_user_task is 0.
TEST_F(CApiTest, ShortAndFullPathsAgree) {
  const std::string config = R"({"client_id_claim":"azp","tenant_checks_enabled":true})";
  ASSERT_EQ(clearance_store_configure(store_, config.data(), config.size()), CLEARANCE_OK)
      << clearance_last_error();
  Grant(1, "my-client");
  const std::string claims = R"({"azp":"my-client"})";
  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  const char* other[] = {"other-process"};
  int variants = 0;
  std::vector<int32_t> outcomes_seen;
  for (int32_t type : {request_.resource_type, int32_t{0}, int32_t{kResourceTypeCount - 1}}) {
    for (int32_t permission :
         {request_.permission, int32_t{0}, int32_t{kPermissionCount - 1}}) {
      for (size_t ids : {0, 1, 2}) {
        for (const char* tenant : {static_cast<const char*>(nullptr), "", "<default>", "t9"}) {
          for (int32_t new_resource : {0, 1, -7}) {
            clearance_check_request r = request_;
            r.resource_type = type;
            r.permission = permission;
            r.resource_id_count = ids == 0 ? 0 : 1;
            r.resource_ids = ids == 0 ? nullptr : ids == 1 ? ids_ : other;
            r.tenant_id = tenant;
            r.new_resource = new_resource;
            r.candidate_users = nullptr;  // ignored: has_user_task is 0
            r.candidate_user_count = 3;
            clearance_decision fast{-1, -1};
            clearance_decision by_claims{-1, -1};
            clearance_decision full{-2, -2};
            ASSERT_EQ(clearance_check_principal(store_, p, &r, &fast), CLEARANCE_OK)
                << clearance_last_error();
            ASSERT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &r, &by_claims),
                      CLEARANCE_OK)
                << clearance_last_error();
            ASSERT_EQ(clearance_check_batch(store_, p, &r, 1, &full), CLEARANCE_OK)
                << clearance_last_error();
            const std::string what = "type " + std::to_string(type) + " permission " +
                                     std::to_string(permission) + " ids " + std::to_string(ids) +
                                     " tenant " + (tenant ? tenant : "NULL") + " new " +
                                     std::to_string(new_resource);
            EXPECT_EQ(fast.outcome, full.outcome) << what;
            EXPECT_EQ(fast.reason, full.reason) << what;
            EXPECT_EQ(by_claims.outcome, full.outcome) << what;
            EXPECT_EQ(by_claims.reason, full.reason) << what;
            outcomes_seen.push_back(full.outcome);
            ++variants;
          }
        }
      }
    }
  }
  EXPECT_EQ(variants, 3 * 3 * 3 * 4 * 3);
  // The variants reach more than one answer (the comparison above is not vacuous).
  for (int32_t outcome : {CLEARANCE_ALLOW, CLEARANCE_FORBIDDEN, CLEARANCE_NOT_FOUND_OUTCOME}) {
    EXPECT_NE(std::find(outcomes_seen.begin(), outcomes_seen.end(), outcome),
              outcomes_seen.end())
        << outcome;
  }
  clearance_principal_free(p);
}

TEST_F(CApiTest, ClosedStoreRefusesEveryCall) {
  const std::string claims = R"({"azp":"my-client"})";
  clearance_principal* p = nullptr;
  ASSERT_EQ(clearance_resolve_claims(store_, claims.data(), claims.size(), &p), CLEARANCE_OK);
  ASSERT_EQ(clearance_store_close(store_), CLEARANCE_OK);
  ASSERT_EQ(clearance_store_close(store_), CLEARANCE_OK);
  clearance_decision d{};
  uint64_t u = 0;
  int32_t i = 0;
  size_t needed = 0;
  EXPECT_EQ(clearance_check_claims(store_, claims.data(), claims.size(), &request_, &d),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_NE(std::string(clearance_last_error()).find("closed"), std::string::npos);
  EXPECT_EQ(clearance_check_principal(store_, p, &request_, &d), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_check_batch(store_, p, &request_, 1, &d), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_check_user(store_, "u", &request_, &d), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_resolve_user(store_, "u", &p), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_principal_is_current(store_, p, &i), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_configure(store_, "{}", 2), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_initialize(store_), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_apply_record(store_, "{}", 2, nullptr, nullptr),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_ingest(store_, "", 0, nullptr), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_applied_position(store_, &u, &i), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_store_generation(store_, &u), CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_explain_claims(store_, "{}", 2, &request_, nullptr, 0, &needed),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_explain_principal(store_, p, &request_, nullptr, 0, &needed),
            CLEARANCE_FAILED_PRECONDITION);
  EXPECT_EQ(clearance_check_token(store_, nullptr, "", 0, &request_, &d, nullptr),
            CLEARANCE_FAILED_PRECONDITION);
  clearance_principal_free(p);
  // The files are released: the store opens again with what was written.
  clearance_store* again = nullptr;
  ASSERT_EQ(clearance_store_open(dir_.Sub("db").c_str(), CLEARANCE_OPEN_MUST_EXIST, &again),
            CLEARANCE_OK)
      << clearance_last_error();
  EXPECT_EQ(clearance_store_initialize(again), CLEARANCE_FAILED_PRECONDITION);  // already done
  clearance_store_free(again);
}

// Readers on several threads check while a writer grants one client after another. Every
// reader sees each grant exactly from some point on (generations are monotonic), and never an
// error. Run under TSan (CLEARANCE_SANITIZE=thread) for the data-race half of the claim.
TEST_F(CApiTest, ConcurrentChecksBesideAWriter) {
  constexpr int kClients = 40;
  constexpr int kReaders = 4;
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < kReaders; ++t) {
    readers.emplace_back([&, t] {
      std::vector<bool> seen_allow(kClients, false);
      const clearance_check_request request = request_;
      while (!done.load()) {
        for (int c = 0; c < kClients; ++c) {
          const std::string claims = "{\"azp\":\"client-" + std::to_string(c) + "\"}";
          clearance_decision d{};
          clearance_principal* p = nullptr;
          if (clearance_check_claims(store_, claims.data(), claims.size(), &request, &d) !=
                  CLEARANCE_OK ||
              clearance_resolve_claims(store_, claims.data(), claims.size(), &p) != CLEARANCE_OK) {
            ++errors;
            continue;
          }
          clearance_decision via_principal{};
          if (clearance_check_principal(store_, p, &request, &via_principal) != CLEARANCE_OK) {
            ++errors;
          }
          clearance_principal_free(p);
          const bool allowed = d.outcome == CLEARANCE_ALLOW;
          if (seen_allow[c] && !allowed) ++errors;  // a grant disappeared
          if (allowed) seen_allow[c] = true;
          if (seen_allow[c] && via_principal.outcome != CLEARANCE_ALLOW) ++errors;
        }
        (void)t;
      }
    });
  }
  for (int c = 0; c < kClients; ++c) Grant(100 + c, "client-" + std::to_string(c));
  done = true;
  for (std::thread& r : readers) r.join();
  EXPECT_EQ(errors.load(), 0);
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(CheckClaims("{\"azp\":\"client-" + std::to_string(c) + "\"}").outcome,
              CLEARANCE_ALLOW);
  }
}

}  // namespace
}  // namespace clearance
