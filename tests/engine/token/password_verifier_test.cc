#include "clearance/token_password.h"

#include <string>

#include "gtest/gtest.h"

namespace clearance {
namespace {

// Published vectors: crypt_blowfish / OpenBSD ("U*U", cost 5) and Spring Security's
// DelegatingPasswordEncoder documentation ("password", cost 10, {bcrypt} prefix).
constexpr std::string_view kUU = "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";
constexpr std::string_view kSpring =
    "{bcrypt}$2a$10$dXJ3SW6G7P50lGmMkkmwe.20cQQubK3.HZWzG3YB1tlRy.fqvM/BG";

TEST(PasswordVerifierTest, PublishedVectorsVerify) {
  PasswordVerifier v;
  EXPECT_EQ(v.Verify("u", "U*U", kUU), PasswordError::kOk);
  EXPECT_EQ(v.Verify("u2", "U*U*", kUU), PasswordError::kMismatch);
  EXPECT_EQ(v.Verify("spring", "password", kSpring), PasswordError::kOk);
  EXPECT_EQ(v.Verify("spring2", "Password", kSpring), PasswordError::kMismatch);
}

TEST(PasswordVerifierTest, AllThreeBcryptPrefixesAreAccepted) {
  // The same salt and password under $2a$, $2b$ and $2y$ (identical for ASCII passwords).
  PasswordVerifier v({.cache_capacity = 0});
  const std::string tail = "$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  for (std::string_view prefix : {"$2a", "$2b", "$2y"}) {
    const std::string hash = std::string(prefix) + tail;
    EXPECT_TRUE(PasswordVerifier::IsSupportedHash(hash));
    EXPECT_EQ(v.Verify("u", "correct horse", hash), PasswordError::kOk) << prefix;
    EXPECT_EQ(v.Verify("u", "correct horsE", hash), PasswordError::kMismatch) << prefix;
    EXPECT_EQ(v.Verify("u", "correct horse", "{bcrypt}" + hash), PasswordError::kOk) << prefix;
  }
}

TEST(PasswordVerifierTest, UnsupportedHashesAreRefused) {
  PasswordVerifier v;
  for (std::string_view h :
       {"", "password", "{noop}password",
        "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
        "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",  // cost below 4
        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",   // truncated
        "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!",  // bad alphabet
        "{BCRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "$6$salt$hash",
        "{sha256}abc"}) {
    EXPECT_FALSE(PasswordVerifier::IsSupportedHash(h)) << h;
    EXPECT_EQ(v.Verify("u", "U*U", h), PasswordError::kUnsupportedHash) << h;
  }
}

TEST(PasswordVerifierTest, PasswordsBcryptWouldTruncateAreRefused) {
  PasswordVerifier v;
  EXPECT_EQ(v.Verify("u", std::string(73, 'a'), kUU), PasswordError::kBadPassword);
  EXPECT_EQ(v.Verify("u", std::string("U*U\0tail", 8), kUU), PasswordError::kBadPassword);
  EXPECT_EQ(v.Verify("u", std::string(72, 'a'), kUU), PasswordError::kMismatch);
}

TEST(PasswordVerifierTest, SuccessIsCachedWithoutBcryptAndFailuresAreNot) {
  PasswordVerifier v;
  ASSERT_EQ(v.Verify("alice", "U*U", kUU), PasswordError::kOk);
  EXPECT_EQ(v.bcrypt_computations(), 1u);
  EXPECT_EQ(v.cached(), 1u);
  for (int i = 0; i < 5; ++i) ASSERT_EQ(v.Verify("alice", "U*U", kUU), PasswordError::kOk);
  EXPECT_EQ(v.bcrypt_computations(), 1u);  // hits: no bcrypt
  // A wrong password is never answered from the cache, and always costs bcrypt.
  EXPECT_EQ(v.Verify("alice", "U*U*", kUU), PasswordError::kMismatch);
  EXPECT_EQ(v.Verify("alice", "U*U*", kUU), PasswordError::kMismatch);
  EXPECT_EQ(v.bcrypt_computations(), 3u);
  // The same password under another user's entry is verified afresh.
  EXPECT_EQ(v.Verify("bob", "U*U", kUU), PasswordError::kOk);
  EXPECT_EQ(v.bcrypt_computations(), 4u);
}

TEST(PasswordVerifierTest, ChangedStoredHashInvalidatesTheCachedCredential) {
  PasswordVerifier v;
  ASSERT_EQ(v.Verify("alice", "U*U", kUU), PasswordError::kOk);
  // The password changed: the stored hash is another one; the old password must not pass.
  const std::string other = "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  EXPECT_EQ(v.Verify("alice", "U*U", other), PasswordError::kMismatch);
  EXPECT_EQ(v.Verify("alice", "correct horse", other), PasswordError::kOk);
}

TEST(PasswordVerifierTest, CacheIsBounded) {
  PasswordVerifier v({.cache_capacity = 2});
  const std::string h = "$2b$04$abcdefghijklmnopqrstuujydOTSfIH/d5oUHpsygqV5X9xJLQc6e";
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(v.Verify("user" + std::to_string(i), "correct horse", h), PasswordError::kOk);
  }
  EXPECT_LE(v.cached(), 2u);
}

TEST(PasswordVerifierTest, StatusNamesTheReasonOnly) {
  PasswordVerifier v;
  const absl::Status s = v.VerifyOrStatus("alice", "secret-guess", kUU);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(s.message().find("secret-guess"), absl::string_view::npos);
  EXPECT_EQ(s.message().find("CCCC"), absl::string_view::npos);
  EXPECT_TRUE(v.VerifyOrStatus("alice", "U*U", kUU).ok());
}

}  // namespace
}  // namespace clearance
