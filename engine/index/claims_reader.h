// ClaimsReader: one pass over a claims object (simdjson DOM's tape) that validates it exactly as
// a full parse would (valid JSON, unique member names in every object, nothing trailing) and
// collects, for every claim path the engine cares about, the values that path reaches. For bytes
// a TokenVerifier already validated (ClaimsTrust::kPrevalidated) the pass skips what that
// validation guarantees.
//
// DOM rather than On-Demand: simdjson's DOM parser dispatches at run time to its SIMD kernels
// (AVX2 / AVX-512), while On-Demand is compiled only for the kernel the compiler may always use,
// which for a portable x86-64 build is the scalar fallback (bench/RESULTS-index.md).
//
// The paths (principal claims of the configuration, and the distinct claim paths of mapping
// rules) are compiled into one ClaimTrie; a path is a "slot". Only the values a slot reaches are
// recorded, so the cost depends on the token, not on how many rules exist.
//
// This is deliberately an implementation independent of principal/principal.cc (DOM): the
// differential test compares the two.
//
// Thread-safety: a ClaimTrie is immutable once built. A ClaimsReader is single-threaded (one per
// thread); its results stay valid until its next Read().
#ifndef CLEARANCE_ENGINE_INDEX_CLAIMS_READER_H_
#define CLEARANCE_ENGINE_INDEX_CLAIMS_READER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "clearance/claim_path.h"
#include "simdjson.h"

namespace clearance::index_internal {

// A member name's tag: its length and its first, middle and last bytes, scrambled by an odd
// multiplier (a bijection, so equal tags mean equal length and equal sampled bytes). Its top nine
// bits pick a bit of a 512-bit filter: a trie node's filter of its member names (most names of a
// token are rejected without a compare), and an object's filter of the names seen so far (a
// name is compared with the earlier ones only when its bit is already set).
inline uint32_t NameTag(std::string_view name) {
  const size_t n = name.size();
  if (n == 0) return 0;
  const auto byte = [name](size_t i) {
    return static_cast<uint32_t>(static_cast<uint8_t>(name[i]));
  };
  return ((static_cast<uint32_t>(n) & 0xFF) | byte(0) << 8 | byte(n / 2) << 16 |
          byte(n - 1) << 24) *
         0x9E3779B1u;
}

// A 512-bit set of NameTag()s.
struct NameFilter {
  uint64_t words[8] = {};
  static uint64_t Bit(uint32_t tag) { return uint64_t{1} << ((tag >> 23) & 63); }
  bool Contains(uint32_t tag) const { return (words[tag >> 29] & Bit(tag)) != 0; }
  void Insert(uint32_t tag) { words[tag >> 29] |= Bit(tag); }
};

class ClaimTrie {
 public:
  struct Node {
    int slot = -1;  // the slot whose path ends here
    absl::flat_hash_map<std::string, uint32_t> members;
    // The same members as a list while there are few: a length compare rejects most names of a
    // token without hashing them (hashing every member name was a third of a 1 KB check).
    std::vector<std::pair<std::string, uint32_t>> few_members;
    std::vector<std::pair<uint64_t, uint32_t>> indexes;
    int wildcard = -1;
    NameFilter member_tags;  // NameTag of every member: Member() only when the tag is in it
  };

  ClaimTrie() : nodes_(1) {}
  // Adds the path of `slot`. Paths with equal steps must share one slot.
  void Add(const ClaimPath& path, int slot);

  const Node& node(uint32_t i) const { return nodes_[i]; }
  // The child of node `i` through member `name`, or -1.
  int64_t Member(uint32_t i, std::string_view name) const;
  // Member() after the filter: -1 at once for most names of a token. `tag` is NameTag(name).
  int64_t FilteredMember(uint32_t i, std::string_view name, uint32_t tag) const {
    return nodes_[i].member_tags.Contains(tag) ? Member(i, name) : -1;
  }
  bool empty() const { return nodes_.size() == 1 && nodes_[0].slot < 0; }

 private:
  std::vector<Node> nodes_;
};

enum class ValueKind : uint8_t { kString, kNull, kArray, kOther };

struct ReachedValue {
  int slot;
  ValueKind kind;
  std::string_view str;     // kString: the unescaped value
  uint32_t elem_begin = 0;  // kArray: its elements in ClaimsReader::elements()
  uint32_t elem_end = 0;
};

struct ArrayElement {
  ValueKind kind;
  std::string_view str;
};

enum class ReadResult : uint8_t {
  kOk,
  kMalformed,  // not valid JSON, or an object with a repeated member name
  kNotObject,  // valid JSON whose root is not an object
};

// Whether the claims bytes were already validated by a TokenVerifier (engine/token): one JSON
// object whose member names are unique at every depth, nothing trailing. kPrevalidated skips
// only what that guarantees: the duplicate-name check and the walk of the subtrees no claim path
// reaches. The document is still parsed by simdjson DOM (so a number simdjson refuses is refused
// exactly as the reference evaluator refuses it).
enum class ClaimsTrust : uint8_t { kUntrusted, kPrevalidated };

class ClaimsReader {
 public:
  ClaimsReader() = default;
  ClaimsReader(const ClaimsReader&) = delete;
  ClaimsReader& operator=(const ClaimsReader&) = delete;

  // REQUIRES for kPrevalidated: `json` passed TokenVerifier's strict JSON checks.
  ReadResult Read(std::string_view json, const ClaimTrie& trie,
                  ClaimsTrust trust = ClaimsTrust::kUntrusted);

  // Every value reached by some slot's path, in document order.
  const std::vector<ReachedValue>& reached() const { return reached_; }
  const std::vector<ArrayElement>& elements() const { return elements_; }

 private:
  // The reader walks simdjson's tape words (dom::document::tape and string_buf) rather than
  // dom::element: no per-value element objects, subtrees no path reaches are skipped by
  // the tape's end-of-container index (kPrevalidated) or only checked for duplicate names.
  // The Walk functions return the tape index after the value, 0 when the document is refused.
  template <bool kValidate>
  ReadResult ReadDom();
  template <bool kValidate>
  uint32_t WalkTape(uint32_t at, uint32_t active_begin, uint32_t active_end, ValueKind* kind,
                    std::string_view* str);
  // The index after the value at `at`, checking the member names of every object in it.
  uint32_t UniqueNamesTape(uint32_t at);
  // SkipTape: the index after the value at `at`; a container is handed to UniqueNamesTape when
  // validating, a scalar is stepped over without a call.
  template <bool kValidate>
  uint32_t SkipTape(uint32_t at);
  // The duplicate-name check of one object on the tape, member by member (AddName) while it has
  // at most kFilteredNames members, then over all its names at once (DistinctTapeNames).
  struct ObjectNames {
    NameFilter seen;
    uint32_t count = 0;
  };
  static constexpr uint32_t kFilteredNames = 64;
  bool AddName(ObjectNames& names, uint32_t object_at, uint32_t key_at, std::string_view key,
               uint32_t tag) const;
  bool EarlierName(uint32_t object_at, uint32_t key_at, std::string_view key) const;
  bool DistinctTapeNames(uint32_t object_at);
  std::string_view TapeString(uint32_t at) const;
  // Whether names(0..n-1) are distinct, through key_table_ and a seeded hash of every name:
  // expected linear time whatever the names.
  template <typename NameAt>
  bool DistinctNames(size_t n, NameAt name_at);
  uint32_t Terminals(uint32_t active_begin, uint32_t active_end);
  void Finish(uint32_t first_record, uint32_t count, ValueKind kind, std::string_view str,
              uint32_t elem_begin, uint32_t elem_end);
  // ActivateElement pushes the trie nodes that array element `index`
  // of the active nodes reaches and returns where they begin on active_. FinishArray moves the
  // elements walked since `pending_begin` into elements_ and records the array.
  uint32_t ActivateElement(uint32_t active_begin, uint32_t active_end, uint64_t index);
  void FinishArray(uint32_t first_record, uint32_t count, size_t pending_begin);

  const ClaimTrie* trie_ = nullptr;
  simdjson::dom::parser dom_parser_;
  const uint64_t* tape_ = nullptr;  // the current document
  const uint8_t* tape_strings_ = nullptr;
  std::string buffer_;            // the input, copied with simdjson's padding
  std::vector<uint32_t> active_;  // stack of active trie nodes, one segment per frame
  struct KeySlot {
    uint32_t fingerprint;
    uint32_t index;  // of the name, plus one; 0: empty
  };
  std::vector<KeySlot> key_table_;      // scratch of DistinctNames()
  std::vector<uint32_t> object_names_;  // scratch of DistinctTapeNames(): tape indexes of names
  std::vector<ReachedValue> reached_;
  std::vector<ArrayElement> elements_;
  std::vector<ArrayElement> pending_;  // elements of the arrays being walked, innermost on top
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_CLAIMS_READER_H_
