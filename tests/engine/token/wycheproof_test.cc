// Wycheproof primitive vectors through the JWS signature layer (VerifyJwsSignature over keys
// loaded by the JWK parser). Policy, from the vectors' README and RFC 7518:
//   - "valid" must verify; "invalid" and "acceptable" must be refused (a JWS verifier has no use
//     for the lenient cases, e.g. PKCS#1 DigestInfo without the NULL parameter);
//   - HMAC groups with a key or tag shorter than the hash output are refused whatever the verdict;
//   - PSS files whose salt length or MGF hash differ from PS256's are refused entirely.
// Every divergence from those expectations fails the test and is listed by tcId.
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "internal/base64url.h"
#include "internal/jwk.h"
#include "internal/signature.h"
#include "simdjson.h"
#include "test_util.h"

namespace clearance {
namespace {

using token_internal::Base64UrlEncode;
using token_internal::VerificationKey;
using token_test::El;
using token_test::HexDecode;
using token_test::ReadFileOrDie;
using token_test::Str;

struct WycheproofFile {
  const char* file;
  JwsAlgorithm alg;
  enum Kind { kEcdsa, kEd25519, kRsa, kHmac } kind;
  bool refuse_all = false;  // PSS parameters that are not the JWS ones
  int min_tests = 0;        // guards against a silently empty run
};

std::string StripLeadingZeros(std::string s) {
  size_t i = 0;
  while (i + 1 < s.size() && s[i] == '\0') ++i;
  return s.substr(i);
}

// Cases where the JWS verdict differs from Wycheproof's, each with the reason. Anything not
// listed here that diverges fails the test.
const char* KnownDivergence(std::string_view file, int64_t id) {
  // The sLen = 0 file (refused wholesale as PS256) contains one signature made with sLen = 32
  // and MGF1-SHA256: exactly PS256's parameters, so it is a valid PS256 signature even though it
  // is invalid for the file's sLen = 0 parameters.
  if (file == "rsa_pss_2048_sha256_mgf1_0_test.json" && id == 69) {
    return "signature uses sLen=32, valid under PS256";
  }
  return nullptr;
}

class WycheproofTest : public ::testing::TestWithParam<WycheproofFile> {};

TEST_P(WycheproofTest, EveryVerdictMatches) {
  const WycheproofFile f = GetParam();
  simdjson::dom::parser parser;
  simdjson::padded_string json(ReadFileOrDie(token_test::VectorsDir() + "/wycheproof/" + f.file));
  simdjson::dom::element root;
  ASSERT_FALSE(parser.parse(json).get(root));
  simdjson::dom::array groups;
  ASSERT_FALSE(root["testGroups"].get_array().get(groups));

  int run = 0, accepted = 0, policy_refused_groups = 0;
  std::vector<std::string> divergences;
  for (simdjson::dom::element group : groups) {
    std::unique_ptr<VerificationKey> key;
    bool group_refused = f.refuse_all;
    if (f.kind == WycheproofFile::kHmac) {
      int64_t key_bits = 0, tag_bits = 0;
      ASSERT_FALSE(group["keySize"].get_int64().get(key_bits));
      ASSERT_FALSE(group["tagSize"].get_int64().get(tag_bits));
      const int hash_bits = f.alg == JwsAlgorithm::kHS256   ? 256
                            : f.alg == JwsAlgorithm::kHS384 ? 384
                                                            : 512;
      group_refused = group_refused || key_bits < hash_bits || tag_bits < hash_bits;
    } else {
      std::string jwk;
      if (f.kind == WycheproofFile::kRsa) {
        // Built from the raw modulus: the PSS files without a JWK are covered too.
        const std::string n = StripLeadingZeros(HexDecode(Str(group["publicKey"]["modulus"])));
        const std::string e =
            StripLeadingZeros(HexDecode(Str(group["publicKey"]["publicExponent"])));
        jwk = "{\"kty\":\"RSA\",\"n\":\"" + Base64UrlEncode(n) + "\",\"e\":\"" +
              Base64UrlEncode(e) + "\"}";
      } else if (f.kind == WycheproofFile::kEcdsa && Str(group["publicKeyJwk"]["kty"]).empty()) {
        // Some groups (unusual coordinates) carry no JWK: build one from wx/wy, at field size.
        const size_t field = f.alg == JwsAlgorithm::kES256   ? 32
                             : f.alg == JwsAlgorithm::kES384 ? 48
                                                             : 66;
        auto coordinate = [&](const char* name) {
          std::string v = StripLeadingZeros(HexDecode(Str(group["publicKey"][name])));
          return Base64UrlEncode(std::string(field - std::min(field, v.size()), '\0') + v);
        };
        jwk = "{\"kty\":\"EC\",\"crv\":\"" + Str(group["publicKey"]["curve"]) + "\",\"x\":\"" +
              coordinate("wx") + "\",\"y\":\"" + coordinate("wy") + "\"}";
        const std::string curve = Str(group["publicKey"]["curve"]);
        const std::string jose = curve == "secp256r1"   ? "P-256"
                                 : curve == "secp384r1" ? "P-384"
                                                        : "P-521";
        jwk.replace(jwk.find(curve), curve.size(), jose);
      } else {
        jwk = simdjson::minify(El(group["publicKeyJwk"]));
      }
      auto parsed = token_internal::ParseJwk(jwk);
      if (!parsed.ok() && f.kind == WycheproofFile::kRsa &&
          Str(group["publicKey"]["publicExponent"]) == "03") {
        // Divergence by policy: the key ring refuses e = 3 (token.h: e odd and >= 65537), so a
        // JWS with such a key can never verify. The primitive is still checked against every
        // verdict, with the key loaded from its DER form behind the key ring's back.
        ++policy_refused_groups;
        const std::string der = HexDecode(Str(group["publicKeyDer"]));
        const auto* p = reinterpret_cast<const uint8_t*>(der.data());
        key = std::make_unique<VerificationKey>();
        key->family = token_internal::KeyFamily::kRsa;
        key->algorithms = {f.alg};
        key->pkey.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
        ASSERT_NE(key->pkey, nullptr);
      } else {
        ASSERT_TRUE(parsed.ok()) << f.file << ": " << parsed.status();
        key = *std::move(parsed);
      }
    }
    simdjson::dom::array tests;
    ASSERT_FALSE(group["tests"].get_array().get(tests));
    for (simdjson::dom::element t : tests) {
      int64_t id = 0;
      ASSERT_FALSE(t["tcId"].get_int64().get(id));
      const std::string result = Str(t["result"]);
      const std::string msg = HexDecode(Str(t["msg"]));
      TokenError got;
      if (f.kind == WycheproofFile::kHmac) {
        VerificationKey hmac;
        hmac.family = token_internal::KeyFamily::kOct;
        hmac.algorithms = {f.alg};
        hmac.secret = HexDecode(Str(t["key"]));
        got = token_internal::VerifyJwsSignature(f.alg, hmac, msg, HexDecode(Str(t["tag"])));
      } else {
        got = token_internal::VerifyJwsSignature(f.alg, *key, msg, HexDecode(Str(t["sig"])));
      }
      bool want = result == "valid" && !group_refused;
      if (const char* why = KnownDivergence(f.file, id)) {
        want = !want;
        std::printf("  documented divergence %s tcId %lld: %s\n", f.file,
                    static_cast<long long>(id), why);
      }
      const bool ok = got == TokenError::kOk;
      ++run;
      accepted += ok;
      if (ok != want) {
        divergences.push_back("tcId " + std::to_string(id) + " (" + result + ", " +
                              Str(t["comment"]) + "): " + (ok ? "accepted" : "refused"));
      }
    }
  }
  EXPECT_GE(run, f.min_tests) << f.file;
  // Positive cases really ran (refused files accept only their documented divergences).
  if (!f.refuse_all) {
    EXPECT_GT(accepted, 0) << f.file;
  }
  if (policy_refused_groups > 0) {
    std::printf("  %s: %d group(s) with e = 3, refused by the key ring, primitive checked\n",
                f.file, policy_refused_groups);
  }
  for (const std::string& d : divergences) ADD_FAILURE() << f.file << ": " << d;
}

INSTANTIATE_TEST_SUITE_P(
    Primitives, WycheproofTest,
    ::testing::Values(WycheproofFile{"ecdsa_secp256r1_sha256_p1363_test.json", JwsAlgorithm::kES256,
                                     WycheproofFile::kEcdsa, false, 200},
                      WycheproofFile{"ecdsa_secp384r1_sha384_p1363_test.json", JwsAlgorithm::kES384,
                                     WycheproofFile::kEcdsa, false, 200},
                      WycheproofFile{"ecdsa_secp521r1_sha512_p1363_test.json", JwsAlgorithm::kES512,
                                     WycheproofFile::kEcdsa, false, 200},
                      WycheproofFile{"ed25519_test.json", JwsAlgorithm::kEdDSA,
                                     WycheproofFile::kEd25519, false, 100},
                      WycheproofFile{"rsa_signature_2048_sha256_test.json", JwsAlgorithm::kRS256,
                                     WycheproofFile::kRsa, false, 200},
                      WycheproofFile{"rsa_signature_2048_sha384_test.json", JwsAlgorithm::kRS384,
                                     WycheproofFile::kRsa, false, 100},
                      WycheproofFile{"rsa_signature_2048_sha512_test.json", JwsAlgorithm::kRS512,
                                     WycheproofFile::kRsa, false, 100},
                      WycheproofFile{"rsa_signature_3072_sha256_test.json", JwsAlgorithm::kRS256,
                                     WycheproofFile::kRsa, false, 100},
                      WycheproofFile{"rsa_pss_2048_sha256_mgf1_32_test.json", JwsAlgorithm::kPS256,
                                     WycheproofFile::kRsa, false, 50},
                      WycheproofFile{"rsa_pss_2048_sha384_mgf1_48_test.json", JwsAlgorithm::kPS384,
                                     WycheproofFile::kRsa, false, 50},
                      WycheproofFile{"rsa_pss_4096_sha512_mgf1_64_test.json", JwsAlgorithm::kPS512,
                                     WycheproofFile::kRsa, false, 50},
                      WycheproofFile{"rsa_pss_2048_sha256_mgf1_0_test.json", JwsAlgorithm::kPS256,
                                     WycheproofFile::kRsa, true, 50},
                      WycheproofFile{"rsa_pss_2048_sha256_mgf1sha1_20_test.json",
                                     JwsAlgorithm::kPS256, WycheproofFile::kRsa, true, 50},
                      WycheproofFile{"hmac_sha256_test.json", JwsAlgorithm::kHS256,
                                     WycheproofFile::kHmac, false, 100},
                      WycheproofFile{"hmac_sha384_test.json", JwsAlgorithm::kHS384,
                                     WycheproofFile::kHmac, false, 100},
                      WycheproofFile{"hmac_sha512_test.json", JwsAlgorithm::kHS512,
                                     WycheproofFile::kHmac, false, 100}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      n = n.substr(0, n.find("_test.json"));
      for (char& ch : n)
        if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

}  // namespace
}  // namespace clearance
