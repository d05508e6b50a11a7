// ClaimsCache (claims_cache.h): the per-thread cache of claims documents behind
// Engine::CheckClaims / CheckToken. Admission on first sight while there is room and by
// frequency once full (TinyLFU), CLOCK eviction, the capacity bound, documents over kMaxBytes,
// capacity 0, and that only the full bytes find an entry (a hash collision never answers one
// document with another's entry). The engine-level behaviour
// (stale entries re-resolve after a change) is in engine_test.cc, RepeatedClaimsFollowEveryChange;
// that a hit allocates nothing is in claims_cache_alloc_test.cc.
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"
#include "index/claims_cache.h"

namespace clearance::index_internal {
namespace {

// The hash passed to the cache. ClaimsCache::Hash is keyed per process, so which documents share
// frequency-sketch slots would change from run to run; a fixed hash keeps every run the same.
size_t H(std::string_view json) { return std::hash<std::string_view>{}(json); }

// A document of about a claims token's size, distinct per `i`.
std::string Doc(const std::string& name, size_t pad = 900) {
  return R"({"sub":")" + name + R"(","pad":")" + std::string(pad, 'x') + R"("})";
}

// Admits `json` (which must be new) and tags the entry with `tag` as its generation.
ClaimsCache::Entry* AdmitTagged(ClaimsCache& cache, const std::string& json, uint64_t tag) {
  const size_t hash = H(json);
  EXPECT_EQ(cache.Find(json, hash), nullptr) << json.substr(0, 20);
  ClaimsCache::Entry* e = cache.Admit(json, hash);
  if (e != nullptr) e->generation = tag;
  return e;
}

TEST(ClaimsCacheTest, ADocumentIsAnsweredFromItsFirstSightOn) {
  ClaimsCache cache(8);
  const std::string doc = Doc("alice");
  const size_t hash = ClaimsCache::Hash(doc);
  EXPECT_EQ(cache.Find(doc, hash), nullptr);
  ClaimsCache::Entry* e = cache.Admit(doc, hash);
  ASSERT_NE(e, nullptr) << "admitted on its first sight";
  EXPECT_NE(e->generation, 0u) << "an unfilled entry names no generation a reader could hold";
  e->generation = 7;
  EXPECT_EQ(cache.size(), 1u);
  // The same bytes from another buffer find it.
  const std::string copy = doc;
  EXPECT_EQ(cache.Find(copy, ClaimsCache::Hash(copy)), e);
  EXPECT_EQ(cache.Find(doc, hash)->generation, 7u);
  EXPECT_EQ(cache.Find(Doc("bob"), ClaimsCache::Hash(Doc("bob"))), nullptr);
}

void HotDocumentSurvivesAScan(const std::string& salt);

// A document asked for again between one-off documents survives a scan of many times the
// capacity in one-offs (FIFO or arbitrary eviction would drop it within a capacity's worth).
TEST(ClaimsCacheTest, AHotDocumentSurvivesAScanOfOneOffs) {
  for (int salt = 0; salt < 50; ++salt) {
    SCOPED_TRACE(salt);
    HotDocumentSurvivesAScan(std::to_string(salt));
  }
}

void HotDocumentSurvivesAScan(const std::string& salt) {
  constexpr size_t kCapacity = 8;
  ClaimsCache cache(kCapacity);
  const std::string hot = Doc(salt + "hot");
  const std::string warm = Doc(salt + "warm");
  ASSERT_NE(AdmitTagged(cache, hot, 1), nullptr);
  ASSERT_NE(AdmitTagged(cache, warm, 2), nullptr);
  for (int i = 0; i < 3; ++i) {  // both were asked for before the scan starts
    ASSERT_NE(cache.Find(hot, H(hot)), nullptr);
    ASSERT_NE(cache.Find(warm, H(warm)), nullptr);
  }
  size_t admitted = 0;
  for (int i = 0; i < 20 * static_cast<int>(kCapacity); ++i) {
    // Each one-off twice: the second sight outweighs an entry seen once, so one-offs do enter.
    const std::string once = Doc(salt + "once" + std::to_string(i));
    for (int sight = 0; sight < 2; ++sight) {
      if (cache.Find(once, H(once)) != nullptr) break;
      if (cache.Admit(once, H(once)) != nullptr) ++admitted;
    }
    if (i % 4 == 3) {
      ClaimsCache::Entry* e = cache.Find(hot, H(hot));
      ASSERT_NE(e, nullptr) << "hot evicted after " << i + 1 << " one-offs";
      EXPECT_EQ(e->generation, 1u);
    }
    if (i % 5 == 4) {
      ClaimsCache::Entry* e = cache.Find(warm, H(warm));
      ASSERT_NE(e, nullptr) << "warm evicted after " << i + 1 << " one-offs";
      EXPECT_EQ(e->generation, 2u);
    }
    ASSERT_LE(cache.size(), kCapacity);
  }
  EXPECT_GT(admitted, 4 * kCapacity) << "the scan must have gone through the cache";
}

// While there is room every document enters on its first sight; once full, a newcomer replaces
// the hand's victim only when asked for more often lately than it.
TEST(ClaimsCacheTest, OnceFullANewcomerMustBeAskedForMoreOften) {
  ClaimsCache cache(2);
  const std::string a = Doc("a"), b = Doc("b"), c = Doc("c");
  ASSERT_NE(AdmitTagged(cache, a, 1), nullptr);
  ASSERT_NE(AdmitTagged(cache, b, 2), nullptr);
  EXPECT_EQ(AdmitTagged(cache, c, 3), nullptr) << "seen once, like the entries";
  EXPECT_EQ(cache.size(), 2u);
  ClaimsCache::Entry* e = AdmitTagged(cache, c, 3);
  ASSERT_NE(e, nullptr) << "seen twice: more than an entry seen once";
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(cache.Find(c, H(c)), e);
  EXPECT_TRUE((cache.Find(a, H(a)) == nullptr) !=
              (cache.Find(b, H(b)) == nullptr))
      << "exactly one of a and b was evicted";
}

TEST(ClaimsCacheTest, TheCapacityBoundsTheEntries) {
  for (size_t capacity : {size_t{1}, size_t{2}, size_t{16}, size_t{100}}) {
    ClaimsCache cache(capacity);
    std::vector<std::string> docs;
    size_t admitted = 0;
    for (int i = 0; i < 500; ++i) {
      docs.push_back(Doc("u" + std::to_string(i), 50 + i % 300));
      // Three sights: enough to displace entries seen once.
      for (int sight = 0; sight < 3; ++sight) {
        if (cache.Find(docs.back(), H(docs.back())) != nullptr) continue;
        ClaimsCache::Entry* e = cache.Admit(docs.back(), H(docs.back()));
        if (e == nullptr) continue;
        e->generation = i + 1;
        ++admitted;
      }
      ASSERT_EQ(cache.size(), std::min<size_t>(capacity, i + 1)) << capacity;
    }
    EXPECT_GT(admitted, capacity + 20) << "entries must have been replaced";
    size_t found = 0;
    for (size_t i = 0; i < docs.size(); ++i) {
      ClaimsCache::Entry* e = cache.Find(docs[i], H(docs[i]));
      if (e == nullptr) continue;
      ++found;
      EXPECT_EQ(e->generation, i + 1) << "entry found for the wrong document";
    }
    EXPECT_EQ(found, capacity);
  }
}

TEST(ClaimsCacheTest, DocumentsOverTheLimitAreNeverRemembered) {
  ClaimsCache cache(8);
  const std::string big = Doc("big", ClaimsCache::kMaxBytes);
  ASSERT_GT(big.size(), ClaimsCache::kMaxBytes);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.Find(big, H(big)), nullptr);
    EXPECT_EQ(cache.Admit(big, H(big)), nullptr);
  }
  EXPECT_EQ(cache.size(), 0u);
  const std::string at_limit(ClaimsCache::kMaxBytes, ' ');
  EXPECT_NE(cache.Admit(at_limit, H(at_limit)), nullptr);
  EXPECT_NE(cache.Find(at_limit, H(at_limit)), nullptr);
}

TEST(ClaimsCacheTest, CapacityZeroDisablesIt) {
  ClaimsCache cache(0);
  const std::string doc = Doc("alice");
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(cache.Find(doc, H(doc)), nullptr);
    EXPECT_EQ(cache.Admit(doc, H(doc)), nullptr);
  }
  EXPECT_EQ(cache.size(), 0u);
}

// Security: documents whose hashes are equal are told apart by their bytes. A forged hash puts
// them all in one probe run, and each document finds only its own entry.
TEST(ClaimsCacheTest, EqualHashesNeverShareAnEntry) {
  ClaimsCache cache(32);
  constexpr size_t kHash = 12345;
  const std::string a = Doc("alice");
  const std::string b = Doc("mallory");
  ClaimsCache::Entry* ea = cache.Admit(a, kHash);
  ASSERT_NE(ea, nullptr);
  ea->generation = 1;
  EXPECT_EQ(cache.Find(b, kHash), nullptr) << "b must not get a's entry";
  ClaimsCache::Entry* eb = cache.Admit(b, kHash);
  ASSERT_NE(eb, nullptr);
  eb->generation = 2;
  EXPECT_EQ(cache.Find(a, kHash), ea);
  EXPECT_EQ(cache.Find(b, kHash), eb);
  std::vector<std::string> docs;
  for (int i = 0; i < 20; ++i) {
    docs.push_back(Doc("c" + std::to_string(i)));
    ClaimsCache::Entry* e = cache.Admit(docs.back(), kHash);
    ASSERT_NE(e, nullptr);
    e->generation = 100 + i;
  }
  for (int i = 0; i < 20; ++i) EXPECT_EQ(cache.Find(docs[i], kHash)->generation, 100u + i);
  EXPECT_EQ(cache.Find(a, kHash), ea);
  EXPECT_EQ(cache.Find(Doc("eve"), kHash), nullptr);
}

// Random admissions and lookups with a tiny hash space (many collisions, long probe runs,
// backward-shift deletions) and varied sizes (nodes reused in place or replaced): every lookup
// finds exactly the documents a model says are present, each with its own tag.
TEST(ClaimsCacheTest, RandomOperationsMatchAModel) {
  std::mt19937_64 rng(42);
  for (size_t capacity : {size_t{3}, size_t{7}, size_t{33}}) {
    ClaimsCache cache(capacity);
    std::vector<std::string> docs;
    for (int i = 0; i < 200; ++i) docs.push_back(Doc("d" + std::to_string(i), rng() % 700));
    auto hash_of = [](size_t i) { return (i % 5) * 0x10001 + (i % 3); };
    std::vector<bool> present(docs.size(), false);
    size_t present_count = 0;
    size_t refused = 0;
    size_t evicted = 0;
    for (int op = 0; op < 20000; ++op) {
      const size_t i = rng() % (op % 2 == 0 ? docs.size() : 12);  // some documents are hot
      ClaimsCache::Entry* e = cache.Find(docs[i], hash_of(i));
      ASSERT_EQ(e != nullptr, present[i]) << "op " << op << " doc " << i;
      if (e != nullptr) {
        ASSERT_EQ(e->generation, i);
        continue;
      }
      e = cache.Admit(docs[i], hash_of(i));
      if (e == nullptr) {
        ASSERT_EQ(present_count, capacity) << "refused only when full";
        ASSERT_EQ(cache.size(), capacity);
        ++refused;
        continue;
      }
      e->generation = i;
      if (present_count == capacity) {
        ++evicted;
        // One entry went: find which, through the cache itself.
        size_t gone = 0;
        for (size_t j = 0; j < docs.size(); ++j) {
          if (present[j] && j != i && cache.Find(docs[j], hash_of(j)) == nullptr) {
            present[j] = false;
            ++gone;
          }
        }
        ASSERT_EQ(gone, 1u) << "op " << op;
        --present_count;
      }
      present[i] = true;
      ++present_count;
      ASSERT_EQ(cache.size(), present_count);
    }
    // Both paths of a full cache were taken many times.
    EXPECT_GT(evicted, 200u) << capacity;
    EXPECT_GT(refused, 200u) << capacity;
  }
}

}  // namespace
}  // namespace clearance::index_internal
