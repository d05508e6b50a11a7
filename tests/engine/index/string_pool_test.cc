// StringPool and StringIndex (engine/index/string_pool.h): ids are dense and stable, lookups find
// exactly what was interned (across the growth of its shards, for long and empty strings and for
// strings that differ only in length or in one byte anywhere), an index a generation kept stays
// usable after the pool grew past it, and readers running beside the writer see each string
// either not at all or with its one id (run under TSan for the race side).
#include "index/string_pool.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace clearance::index_internal {
namespace {

std::string Name(int i) { return "resource-" + std::to_string(i); }

TEST(StringPoolTest, IdsAreDenseStableAndFoundAcrossGrowth) {
  StringPool pool;
  const int kStrings = 20000;  // the index starts at 1024 slots: it doubles several times
  for (int i = 0; i < kStrings; ++i) {
    ASSERT_EQ(pool.Intern(Name(i)), static_cast<uint32_t>(i));
  }
  EXPECT_EQ(pool.size(), static_cast<uint32_t>(kStrings));
  EXPECT_GE(pool.index()->capacity() * 5, static_cast<size_t>(kStrings) * 8);
  EXPECT_EQ(pool.index()->size(), static_cast<size_t>(kStrings));
  for (int i = 0; i < kStrings; ++i) {
    ASSERT_EQ(pool.Intern(Name(i)), static_cast<uint32_t>(i)) << "interned twice: " << Name(i);
    ASSERT_EQ(pool.index()->Find(Name(i)), static_cast<uint32_t>(i));
    ASSERT_EQ(pool.Get(static_cast<uint32_t>(i)), Name(i));
  }
  EXPECT_EQ(pool.size(), static_cast<uint32_t>(kStrings));
  EXPECT_EQ(pool.index()->Find("resource-"), kNoString);
  EXPECT_EQ(pool.index()->Find(Name(kStrings)), kNoString);
  EXPECT_EQ(pool.index()->Find(""), kNoString);
}

TEST(StringPoolTest, NearMissesAreNotFound) {
  StringPool pool;
  const uint32_t abc = pool.Intern("abc");
  EXPECT_EQ(pool.index()->Find("abc"), abc);
  EXPECT_EQ(pool.index()->Find("ab"), kNoString);
  EXPECT_EQ(pool.index()->Find("abd"), kNoString);
  EXPECT_EQ(pool.index()->Find("abcd"), kNoString);
  EXPECT_EQ(pool.index()->Find(std::string_view("abc\0", 4)), kNoString);
  // A string with a NUL inside is its own string.
  const uint32_t nul = pool.Intern(std::string_view("abc\0", 4));
  EXPECT_NE(nul, abc);
  EXPECT_EQ(pool.index()->Find(std::string_view("abc\0", 4)), nul);
  EXPECT_EQ(pool.Get(nul), std::string_view("abc\0", 4));
}

TEST(StringPoolTest, EmptyAndLongStrings) {
  StringPool pool;
  const uint32_t empty = pool.Intern("");
  EXPECT_EQ(pool.index()->Find(""), empty);
  EXPECT_EQ(pool.Get(empty), "");
  // Longer than the arena's share for one string (a block of its own), and a run of mid-size
  // strings that fill several blocks.
  const std::string big(300 * 1024, 'x');
  const uint32_t big_id = pool.Intern(big);
  std::vector<std::string> mids;
  for (int i = 0; i < 400; ++i) mids.push_back(std::string(1000 + i, static_cast<char>('a' + i % 26)));
  std::vector<uint32_t> mid_ids;
  for (const std::string& m : mids) mid_ids.push_back(pool.Intern(m));
  EXPECT_EQ(pool.Get(big_id), big);
  EXPECT_EQ(pool.index()->Find(big), big_id);
  for (size_t i = 0; i < mids.size(); ++i) {
    ASSERT_EQ(pool.Get(mid_ids[i]), mids[i]);
    ASSERT_EQ(pool.index()->Find(mids[i]), mid_ids[i]);
  }
  EXPECT_EQ(pool.index()->Find(std::string(300 * 1024 - 1, 'x')), kNoString);
}

// The short-string hash reads each of a string's words and its length, and the short compare
// each byte: at every length across the hash's cases (up to 16 bytes, up to 32, longer), a
// string and its copy with one byte changed hash apart and compare unequal, whichever byte it is.
TEST(StringPoolTest, EveryByteAndTheLengthCountAtEveryShortLength) {
  using string_pool_internal::EqualBytes;
  for (size_t n = 0; n <= 40; ++n) {
    std::string base(n, 'a');
    for (size_t i = 0; i < n; ++i) base[i] = static_cast<char>('a' + i % 26);
    const std::string copy = base;
    ASSERT_TRUE(EqualBytes(base.data(), copy.data(), n)) << n;
    ASSERT_EQ(StringHash(base), StringHash(copy)) << n;
    ASSERT_NE(StringHash(base), StringHash(base + 'a')) << "length " << n;
    for (size_t i = 0; i < n; ++i) {
      std::string changed = base;
      changed[i] = static_cast<char>(changed[i] ^ 0x20);
      ASSERT_FALSE(EqualBytes(base.data(), changed.data(), n)) << "length " << n << " byte " << i;
      ASSERT_NE(StringHash(base), StringHash(changed)) << "length " << n << " byte " << i;
    }
  }
  // Found through the index too: every length, and the near misses not.
  StringPool pool;
  std::vector<uint32_t> ids;
  for (size_t n = 0; n <= 40; ++n) ids.push_back(pool.Intern(std::string(n, 'x')));
  for (size_t n = 0; n <= 40; ++n) {
    ASSERT_EQ(pool.index()->Find(std::string(n, 'x')), ids[n]) << n;
    ASSERT_EQ(pool.index()->Find(std::string(n, 'y')), n == 0 ? ids[0] : kNoString) << n;
  }
}

TEST(StringPoolTest, AKeptIndexStaysValidAfterGrowth) {
  StringPool pool;
  for (int i = 0; i < 100; ++i) pool.Intern(Name(i));
  std::shared_ptr<const StringIndex> kept = pool.index();  // what a published generation holds
  const size_t kept_capacity = kept->capacity();
  for (int i = 100; i < 5000; ++i) pool.Intern(Name(i));
  ASSERT_NE(pool.index().get(), kept.get()) << "the pool was meant to grow its index";
  EXPECT_EQ(kept->capacity(), kept_capacity);
  for (int i = 0; i < 100; ++i) ASSERT_EQ(kept->Find(Name(i)), static_cast<uint32_t>(i));
  // Strings added later: the kept index shares the shards that did not grow since, so it may
  // find them (a generation looking ahead, string_pool.h), but only with their own ids.
  size_t ahead = 0;
  for (int i = 100; i < 5000; ++i) {
    const uint32_t id = kept->Find(Name(i));
    if (id == kNoString) continue;
    ASSERT_EQ(id, static_cast<uint32_t>(i));
    ++ahead;
  }
  EXPECT_LT(ahead, 4900u) << "every shard of the kept index should have been replaced by now";
  for (int i = 0; i < 5000; ++i) ASSERT_EQ(pool.index()->Find(Name(i)), static_cast<uint32_t>(i));
}

TEST(StringPoolTest, ReadersBesideTheWriterSeeEachStringWithItsOneId) {
  StringPool pool;
  const int kStrings = 60000;
  // What the engine's publication does: the writer hands out (index, count) under a mutex after
  // interning strings [0, count); readers look up with the index they were handed while the
  // writer goes on adding to it (or to a larger copy).
  std::mutex mu;
  std::shared_ptr<const StringIndex> published_index;
  int published_count = 0;
  std::atomic<bool> done{false};
  std::atomic<int> wrong{0};
  std::atomic<uint64_t> checked{0};
  auto reader = [&](int seed) {
    uint64_t n = 0;
    for (int round = 0; !done.load(std::memory_order_acquire) || round < 2; ++round) {
      std::shared_ptr<const StringIndex> index;
      int count;
      {
        std::lock_guard<std::mutex> lock(mu);
        index = published_index;
        count = published_count;
      }
      if (!index) continue;
      for (int i = (seed + round) % 53; i < count; i += 53) {
        // Interned before this index was handed out: found, with its id.
        if (index->Find(Name(i)) != static_cast<uint32_t>(i)) wrong.fetch_add(1);
        ++n;
      }
      // Ahead of the publication: the writer may be adding these to this very index right now.
      // Found with its one id, or not found.
      for (int i = count; i < count + 64 && i < kStrings; ++i) {
        const uint32_t id = index->Find(Name(i));
        if (id == kNoString) continue;
        if (id != static_cast<uint32_t>(i) || pool.Get(id) != Name(i)) wrong.fetch_add(1);
        ++n;
      }
      if (done.load(std::memory_order_acquire) && count == kStrings) break;
    }
    checked.fetch_add(n);
  };
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) readers.emplace_back(reader, r * 17);
  for (int i = 0; i < kStrings; ++i) {
    ASSERT_EQ(pool.Intern(Name(i)), static_cast<uint32_t>(i));
    if (i % 64 == 63 || i + 1 == kStrings) {
      std::lock_guard<std::mutex> lock(mu);
      published_index = pool.index();
      published_count = i + 1;
    }
  }
  done.store(true, std::memory_order_release);
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_GT(checked.load(), static_cast<uint64_t>(kStrings / 53));
}

}  // namespace
}  // namespace clearance::index_internal
