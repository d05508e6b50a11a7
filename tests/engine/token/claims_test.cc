#include "internal/claims.h"

#include <limits>
#include <memory>
#include <string>

#include "gtest/gtest.h"

namespace clearance::token_internal {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

class ClaimsTest : public ::testing::Test {
 protected:
  TokenError Read(std::string json) {
    const size_t len = json.size();
    json_ = std::move(json);
    json_.append(simdjson::SIMDJSON_PADDING, '\0');
    claims_ = std::make_unique<RegisteredClaims>();
    return ReadRegisteredClaims(parser_, json_.data(), len, 16, 1024, claims_.get());
  }
  simdjson::ondemand::parser parser_;
  std::string json_;
  std::unique_ptr<RegisteredClaims> claims_;
};

TEST_F(ClaimsTest, ReadsRegisteredClaims) {
  ASSERT_EQ(Read(R"({"iss":"i","exp":10,"nbf":5.7,"iat":-3,"aud":["a","b"],"x":{}})"),
            TokenError::kOk);
  EXPECT_EQ(claims_->iss, "i");
  EXPECT_EQ(claims_->exp, 10);
  EXPECT_EQ(claims_->nbf, 5);
  EXPECT_EQ(claims_->iat, -3);
  ASSERT_EQ(claims_->aud.size(), 2u);
  EXPECT_EQ(claims_->aud[1], "b");
}

TEST_F(ClaimsTest, NumericDatesClampInsteadOfWrapping) {
  ASSERT_EQ(Read(R"({"exp":1e300,"nbf":-1e300,"iat":9223372036854775808})"), TokenError::kOk);
  EXPECT_EQ(claims_->exp, kMax);
  EXPECT_EQ(claims_->nbf, kMin);
  EXPECT_EQ(claims_->iat, kMax);
  ASSERT_EQ(Read(R"({"exp":-0.5})"), TokenError::kOk);
  EXPECT_EQ(claims_->exp, -1);  // floored
}

TEST_F(ClaimsTest, WrongTypesAreBadClaimType) {
  EXPECT_EQ(Read(R"({"iss":1})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"exp":"1"})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"nbf":true})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"iat":[1]})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"aud":{"a":1}})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"aud":["a",null]})"), TokenError::kBadClaimType);
  EXPECT_EQ(Read(R"({"aud":null})"), TokenError::kBadClaimType);
}

TEST(CheckTimesTest, Boundaries) {
  RegisteredClaims c;
  c.has_exp = true;
  c.exp = 1000;
  const ClaimRules rules{60, true, 0};
  EXPECT_EQ(CheckTimes(c, rules, 1059), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, rules, 1060), TokenError::kExpired);
  c.has_nbf = true;
  c.nbf = 500;
  EXPECT_EQ(CheckTimes(c, rules, 440), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, rules, 439), TokenError::kNotYetValid);
  c.has_nbf = false;
  c.has_iat = true;
  c.iat = 800;
  EXPECT_EQ(CheckTimes(c, rules, 740), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, rules, 739), TokenError::kIssuedInFuture);
}

TEST(CheckTimesTest, SaturatesAtTheEdges) {
  RegisteredClaims c;
  c.has_exp = true;
  c.exp = kMax;
  EXPECT_EQ(CheckTimes(c, {60, true, 0}, kMax - 1), TokenError::kOk);
  c.exp = kMin;
  EXPECT_EQ(CheckTimes(c, {60, true, 0}, 0), TokenError::kExpired);
  EXPECT_EQ(CheckTimes(c, {60, true, 0}, kMin), TokenError::kOk);  // kMin < kMin + 60
  c.exp = 100;
  c.has_nbf = true;
  c.nbf = kMin;
  EXPECT_EQ(CheckTimes(c, {60, true, 0}, 0), TokenError::kOk);
  EXPECT_EQ(SaturatingAdd(kMax, 1), kMax);
  EXPECT_EQ(SaturatingSub(kMin, 1), kMin);
  EXPECT_EQ(SaturatingSub(kMax, -1), kMax);
}

TEST(CheckTimesTest, MissingExpAndLifetime) {
  RegisteredClaims c;
  EXPECT_EQ(CheckTimes(c, {60, true, 0}, 0), TokenError::kMissingExpiry);
  EXPECT_EQ(CheckTimes(c, {60, false, 0}, 0), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, {60, false, 100}, 0), TokenError::kLifetimeTooLong);
  c.has_exp = true;
  c.exp = 1100;
  c.has_iat = true;
  c.iat = 1000;
  EXPECT_EQ(CheckTimes(c, {60, true, 100}, 1000), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, {60, true, 99}, 1000), TokenError::kLifetimeTooLong);
  c.has_iat = false;  // without iat, measured from now
  EXPECT_EQ(CheckTimes(c, {60, true, 99}, 1050), TokenError::kOk);
  EXPECT_EQ(CheckTimes(c, {60, true, 99}, 1000), TokenError::kLifetimeTooLong);
}

TEST(CheckAudienceTest, AnyElementEqualToAnyConfiguredAudience) {
  RegisteredClaims c;
  EXPECT_EQ(CheckAudience(c, {"a"}), TokenError::kWrongAudience);  // absent
  c.has_aud = true;
  c.aud = {"x", "b"};
  EXPECT_EQ(CheckAudience(c, {"a"}), TokenError::kWrongAudience);
  EXPECT_EQ(CheckAudience(c, {"a", "b"}), TokenError::kOk);
  c.aud = {"ab"};
  EXPECT_EQ(CheckAudience(c, {"a", "b"}), TokenError::kWrongAudience);
}

}  // namespace
}  // namespace clearance::token_internal
