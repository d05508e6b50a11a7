// jwks_uri refresh policy through an injected fetcher and executor: refresh interval, the
// unknown-kid refetch limit, "a failed fetch keeps the last good key set", and "a check never
// fetches": unknown-kid refetches run on the executor, which these tests drive by hand.
#include <deque>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "clearance/token.h"
#include "gtest/gtest.h"
#include "test_util.h"

namespace clearance {
namespace {

using token_test::FakeClock;
using token_test::Minted;
using token_test::SignJws;

class ScriptedFetcher final : public JwksFetcher {
 public:
  absl::StatusOr<std::string> Fetch(std::string_view url) override {
    std::lock_guard lock(mu_);
    ++calls_;
    last_url_ = std::string(url);
    threads_.push_back(std::this_thread::get_id());
    if (throw_next_) {
      throw_next_ = false;
      throw std::runtime_error("fetcher bug");
    }
    return response_;
  }
  void ThrowNext() {
    std::lock_guard lock(mu_);
    throw_next_ = true;
  }
  std::vector<std::thread::id> threads() {
    std::lock_guard lock(mu_);
    return threads_;
  }
  void Respond(absl::StatusOr<std::string> r) {
    std::lock_guard lock(mu_);
    response_ = std::move(r);
  }
  int calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::string last_url() {
    std::lock_guard lock(mu_);
    return last_url_;
  }

 private:
  std::mutex mu_;
  absl::StatusOr<std::string> response_ = absl::UnavailableError("down");
  int calls_ = 0;
  std::string last_url_;
  std::vector<std::thread::id> threads_;
  bool throw_next_ = false;
};

// Queues tasks; the test runs them, on its own thread, when it chooses.
class ManualExecutor final : public KeyFetchExecutor {
 public:
  void Schedule(std::function<void()> task) override {
    std::lock_guard lock(mu_);
    tasks_.push_back(std::move(task));
  }
  size_t pending() {
    std::lock_guard lock(mu_);
    return tasks_.size();
  }
  void RunAll() {
    while (true) {
      std::function<void()> task;
      {
        std::lock_guard lock(mu_);
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

 private:
  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
};

constexpr char kUri[] = "https://idp.example.test/jwks";

std::string Jwks(std::string_view kid_to_keep) {
  // The minted set filtered to one kid (crude but exact: keys are single-line objects).
  const std::string& all = Minted().jwks_json;
  const size_t kid = all.find("\"kid\":\"" + std::string(kid_to_keep) + "\"");
  const size_t begin = all.rfind("{\"", kid);
  const size_t end = all.find('}', kid);
  return "{\"keys\":[" + all.substr(begin, end - begin + 1) + "]}";
}

class JwksRefreshTest : public ::testing::Test {
 protected:
  JwksRefreshTest()
      : clock_(Minted().now),
        fetcher_(std::make_shared<ScriptedFetcher>()),
        executor_(std::make_shared<ManualExecutor>()) {}

  // manual_executor false: the verifier's own fetch thread.
  std::unique_ptr<TokenVerifier> Make(bool manual_executor = true) {
    TokenVerifierOptions o = token_test::MintedOptions(&clock_);
    o.issuers.resize(1);
    o.issuers[0].jwks_json.clear();
    o.issuers[0].jwks_uri = kUri;
    o.issuers[0].refresh_interval = absl::Minutes(10);
    o.issuers[0].unknown_kid_refetch_period = absl::Minutes(1);
    o.fetcher = fetcher_;
    if (manual_executor) o.key_fetch_executor = executor_;
    auto v = TokenVerifier::Create(o);
    EXPECT_TRUE(v.ok()) << v.status();
    return *std::move(v);
  }

  std::string Token(std::string_view kid, std::string_view extra = "") {
    const std::string claims = "{\"iss\":\"" + Minted().issuer + "\",\"aud\":\"" +
                               Minted().audience + "\",\"exp\":1700003600" + std::string(extra) +
                               "}";
    if (kid == "rsa-1") {
      return SignJws("RS256", Minted().private_keys_pem.at("rsa"),
                     R"({"alg":"RS256","kid":"rsa-1"})", claims);
    }
    return SignJws("EdDSA", Minted().private_keys_pem.at("ed25519"),
                   R"({"alg":"EdDSA","kid":"ed-1"})", claims);
  }

  TokenError Verify(const TokenVerifier& v, std::string_view token) {
    std::shared_ptr<const VerifiedToken> out;
    return v.Verify(token, &out);
  }

  FakeClock clock_;
  std::shared_ptr<ScriptedFetcher> fetcher_;
  std::shared_ptr<ManualExecutor> executor_;
};

TEST_F(JwksRefreshTest, StartsWithoutKeysWhenTheFirstFetchFailsAndRecovers) {
  auto v = Make();
  EXPECT_EQ(fetcher_->calls(), 1);
  EXPECT_EQ(fetcher_->last_url(), kUri);
  EXPECT_EQ(Verify(*v, Token("rsa-1")), TokenError::kUnknownKey);
  executor_->RunAll();
  EXPECT_EQ(fetcher_->calls(), 2);  // the unknown kid triggered one refetch (still failing)
  fetcher_->Respond(Jwks("rsa-1"));
  clock_.Advance(absl::Minutes(9));  // inside the refresh interval: nothing is fetched
  EXPECT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(fetcher_->calls(), 2);
  clock_.Advance(absl::Minutes(1));
  EXPECT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(fetcher_->calls(), 3);
  EXPECT_EQ(Verify(*v, Token("rsa-1")), TokenError::kOk);
}

TEST_F(JwksRefreshTest, TheKeyLoadReportSaysWhyARemoteSetIsMissingOrStale) {
  auto v = Make();  // the first fetch fails ("down")
  std::vector<KeyLoadReport> reports = v->KeyLoadReports();
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_EQ(reports[0].source, std::string("jwks_uri ") + kUri);
  EXPECT_FALSE(reports[0].loaded);
  EXPECT_NE(reports[0].last_error.find("down"), std::string::npos) << reports[0].last_error;
  fetcher_->Respond(Jwks("rsa-1"));
  clock_.Advance(absl::Minutes(10));
  ASSERT_TRUE(v->RefreshKeys().ok());
  reports = v->KeyLoadReports();
  EXPECT_TRUE(reports[0].loaded);
  EXPECT_EQ(reports[0].last_error, "");
  ASSERT_EQ(reports[0].keys.size(), 1u);
  EXPECT_EQ(reports[0].keys[0].kid, "rsa-1");
  // A failed refresh keeps the keys and says why.
  fetcher_->Respond(absl::UnavailableError("503 from the IdP"));
  clock_.Advance(absl::Minutes(10));
  EXPECT_FALSE(v->RefreshKeys().ok());
  reports = v->KeyLoadReports();
  EXPECT_TRUE(reports[0].loaded);
  EXPECT_EQ(reports[0].keys.size(), 1u);
  EXPECT_NE(reports[0].last_error.find("503 from the IdP"), std::string::npos);
}

TEST_F(JwksRefreshTest, RefreshFollowsTheInterval) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  EXPECT_EQ(Verify(*v, Token("rsa-1")), TokenError::kOk);
  clock_.Advance(absl::Minutes(9));
  EXPECT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(fetcher_->calls(), 1);
  clock_.Advance(absl::Minutes(1));
  EXPECT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(fetcher_->calls(), 2);
}

TEST_F(JwksRefreshTest, FailedFetchKeepsTheLastGoodKeys) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  const uint64_t generation = v->key_generation();
  fetcher_->Respond(absl::UnavailableError("503"));
  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(v->RefreshKeys().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(Verify(*v, Token("rsa-1", ",\"n\":1")), TokenError::kOk);
  fetcher_->Respond(std::string("{\"keys\":[{\"kty\":\"RSA\",\"n\":\"AQAB\",\"e\":\"AQAB\"}]}"));
  clock_.Advance(absl::Minutes(10));
  EXPECT_EQ(v->RefreshKeys().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Verify(*v, Token("rsa-1", ",\"n\":2")), TokenError::kOk);
  EXPECT_EQ(v->key_generation(), generation);
}

TEST_F(JwksRefreshTest, UnknownKidRefetchesAtMostOncePerPeriod) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  ASSERT_EQ(fetcher_->calls(), 1);
  // The issuer rotated to ed-1 but we have not refreshed yet.
  fetcher_->Respond(Jwks("ed-1"));
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey);  // refused with the keys we have
  executor_->RunAll();                                            // one refetch finds it
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kOk);
  EXPECT_EQ(fetcher_->calls(), 2);
  // Forged kids: one more refetch only after the period.
  EXPECT_EQ(Verify(*v, Token("rsa-1", ",\"n\":1")), TokenError::kUnknownKey);
  EXPECT_EQ(Verify(*v, Token("rsa-1", ",\"n\":2")), TokenError::kUnknownKey);
  executor_->RunAll();
  EXPECT_EQ(fetcher_->calls(), 2);
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(Verify(*v, Token("rsa-1", ",\"n\":3")), TokenError::kUnknownKey);
  executor_->RunAll();
  EXPECT_EQ(fetcher_->calls(), 3);
}

TEST_F(JwksRefreshTest, AnUnknownKidNeverFetchesOnTheCheckThread) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  ASSERT_EQ(fetcher_->calls(), 1);  // Create() loads on the creating thread
  fetcher_->Respond(Jwks("ed-1"));
  std::thread check([&] { EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey); });
  const std::thread::id check_thread = check.get_id();
  check.join();
  EXPECT_EQ(fetcher_->calls(), 1);  // nothing fetched while the check ran
  ASSERT_EQ(executor_->pending(), 1u);
  executor_->RunAll();
  ASSERT_EQ(fetcher_->calls(), 2);
  EXPECT_NE(fetcher_->threads().back(), check_thread);
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kOk);
}

TEST_F(JwksRefreshTest, APendingRefetchIsNotScheduledTwice) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey);
  clock_.Advance(absl::Minutes(5));  // the period has passed, but the first refetch has not run
  EXPECT_EQ(Verify(*v, Token("ed-1", ",\"n\":1")), TokenError::kUnknownKey);
  EXPECT_EQ(executor_->pending(), 1u);
}

TEST_F(JwksRefreshTest, AThrowingFetcherLeavesLaterRefetchesWorking) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  fetcher_->ThrowNext();
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey);
  EXPECT_NO_THROW(executor_->RunAll());  // a failed fetch, not an exception on a worker thread
  EXPECT_EQ(fetcher_->calls(), 2);
  fetcher_->Respond(Jwks("ed-1"));
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(Verify(*v, Token("ed-1", ",\"n\":1")), TokenError::kUnknownKey);
  executor_->RunAll();
  EXPECT_EQ(fetcher_->calls(), 3);
  EXPECT_EQ(Verify(*v, Token("ed-1", ",\"n\":2")), TokenError::kOk);
  // The periodic refresh does not wait forever on a fetch lock a throwing fetch left held.
  clock_.Advance(absl::Minutes(10));
  EXPECT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(fetcher_->calls(), 4);
}

TEST_F(JwksRefreshTest, ARefetchQueuedPastTheVerifierIsDropped) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey);
  v.reset();
  executor_->RunAll();
  EXPECT_EQ(fetcher_->calls(), 1);
}

TEST_F(JwksRefreshTest, TheDefaultExecutorIsUsedWithoutOne) {
  // The test does not wait for the verifier's thread: it checks that a check with an unknown kid
  // returns at once, queues nothing on the test's executor, and the verifier shuts down cleanly.
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make(/*manual_executor=*/false);
  EXPECT_EQ(Verify(*v, Token("ed-1")), TokenError::kUnknownKey);
  EXPECT_EQ(executor_->pending(), 0u);
  EXPECT_EQ(Verify(*v, Token("rsa-1")), TokenError::kOk);
}

TEST_F(JwksRefreshTest, RotationDropsCachedTokensOfRemovedKeys) {
  fetcher_->Respond(Jwks("rsa-1"));
  auto v = Make();
  const std::string token = Token("rsa-1");
  ASSERT_EQ(Verify(*v, token), TokenError::kOk);
  fetcher_->Respond(Jwks("ed-1"));
  clock_.Advance(absl::Minutes(10));
  ASSERT_TRUE(v->RefreshKeys().ok());
  EXPECT_EQ(Verify(*v, token), TokenError::kUnknownKey);
}

}  // namespace
}  // namespace clearance
