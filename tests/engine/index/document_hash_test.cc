#include "index/document_hash.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace clearance::index_internal {
namespace {

// The claims cache's document hash: a function of the bytes alone (not of where they are), and
// every byte counts, at every length around the 16- and 128-byte blocks it reads.
TEST(ClaimsDocumentHashTest, DependsOnEveryByteAndOnlyOnTheBytes) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) bytes.push_back(static_cast<char>('a' + i * 7 % 26));
  std::vector<size_t> seen;
  for (size_t n = 0; n <= bytes.size(); ++n) {
    const std::string doc = bytes.substr(0, n);
    const std::string copy = " " + doc;
    ASSERT_EQ(ClaimsDocumentHash(doc), ClaimsDocumentHash(std::string_view(copy).substr(1)));
    seen.push_back(ClaimsDocumentHash(doc));
    for (size_t at = 0; at < n; ++at) {
      std::string changed = doc;
      changed[at] = static_cast<char>(changed[at] ^ 1);
      seen.push_back(ClaimsDocumentHash(changed));
    }
  }
  // Every prefix and every one-bit change of each: all different (64-bit values: a chance
  // collision among these ~45 000 is about 1e-10).
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end());
  // Zero bytes are bytes: a document of zeros differs from a shorter one.
  EXPECT_NE(ClaimsDocumentHash(std::string(5, '\0')), ClaimsDocumentHash(std::string(4, '\0')));
}

}  // namespace
}  // namespace clearance::index_internal
