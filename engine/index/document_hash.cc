#include "index/document_hash.h"

#include <cstdint>
#include <cstring>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace clearance::index_internal {
namespace {

#if defined(__x86_64__)

// Two AES rounds per 16 bytes in each of eight independent lanes (the rounds of one lane wait on
// each other; eight lanes keep the AES unit busy). Two rounds, not one: through one round a
// difference in one block could be cancelled in the next with a few dozen guesses.
struct AesHashKey {
  bool usable = false;
  __m128i round[2];
  __m128i lane[8];
};

const AesHashKey& GetAesHashKey() {
  static const AesHashKey key = [] {
    AesHashKey k;
    __builtin_cpu_init();
    k.usable = __builtin_cpu_supports("aes");
    // Abseil's hash is seeded per process: keying from it adds no source of randomness.
    const auto word = [](uint64_t i) { return static_cast<long long>(absl::Hash<uint64_t>()(i)); };
    for (int i = 0; i < 2; ++i) k.round[i] = _mm_set_epi64x(word(2 * i), word(2 * i + 1));
    for (int i = 0; i < 8; ++i) k.lane[i] = _mm_set_epi64x(word(4 + 2 * i), word(5 + 2 * i));
    return k;
  }();
  return key;
}

[[gnu::target("aes")]] inline __m128i AesMix(__m128i state, __m128i block, const AesHashKey& key) {
  state = _mm_aesenc_si128(_mm_xor_si128(state, block), key.round[0]);
  return _mm_aesenc_si128(state, key.round[1]);
}

[[gnu::target("aes")]] uint64_t AesHash(const char* p, size_t n, const AesHashKey& key) {
  const __m128i length = _mm_set1_epi64x(static_cast<long long>(n));
  __m128i s[8];
#pragma GCC unroll 8
  for (int l = 0; l < 8; ++l) s[l] = _mm_xor_si128(key.lane[l], length);
  const char* const last = p + n;
  for (; last - p >= 128; p += 128) {
#pragma GCC unroll 8
    for (int l = 0; l < 8; ++l) {
      s[l] = AesMix(s[l], _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * l)), key);
    }
  }
  int l = 0;
  for (; last - p >= 16; p += 16, ++l) {
    s[l] = AesMix(s[l], _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)), key);
  }
  if (p < last) {
    // The last partial block: the input's last 16 bytes when it has that many (bytes hashed
    // twice are still a function of the input), else the bytes followed by zeros.
    __m128i block;
    if (n >= 16) {
      block = _mm_loadu_si128(reinterpret_cast<const __m128i*>(last - 16));
    } else {
      alignas(16) char bytes[16] = {};
      std::memcpy(bytes, p, static_cast<size_t>(last - p));
      block = _mm_load_si128(reinterpret_cast<const __m128i*>(bytes));
    }
    s[l] = AesMix(s[l], block, key);
  }
  // Fold the lanes pairwise (aesenc(a, b) is a round of a, then xor b), then two keyed rounds.
  const __m128i a = _mm_aesenc_si128(s[0], s[1]);
  const __m128i b = _mm_aesenc_si128(s[2], s[3]);
  const __m128i c = _mm_aesenc_si128(s[4], s[5]);
  const __m128i d = _mm_aesenc_si128(s[6], s[7]);
  __m128i h = _mm_aesenc_si128(_mm_aesenc_si128(a, b), _mm_aesenc_si128(c, d));
  h = _mm_aesenc_si128(_mm_aesenc_si128(h, key.round[0]), key.round[1]);
  return static_cast<uint64_t>(_mm_cvtsi128_si64(h)) ^
         static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(h, h)));
}

#endif

}  // namespace

size_t ClaimsDocumentHash(std::string_view json) {
#if defined(__x86_64__)
  const AesHashKey& key = GetAesHashKey();
  if (key.usable) return static_cast<size_t>(AesHash(json.data(), json.size(), key));
#endif
  return absl::Hash<absl::string_view>()(absl::string_view(json.data(), json.size()));
}

}  // namespace clearance::index_internal
