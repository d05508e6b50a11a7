// ClaimsReader: one pass of simdjson On-Demand over a claims object that validates it exactly as
// a full parse would (valid JSON, unique member names in every object, nothing trailing) and
// collects, for every claim path the engine cares about, the values that path reaches.
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
  };

  ClaimTrie() : nodes_(1) {}
  // Adds the path of `slot`. Paths with equal steps must share one slot.
  void Add(const ClaimPath& path, int slot);

  const Node& node(uint32_t i) const { return nodes_[i]; }
  // The child of node `i` through member `name`, or -1.
  int64_t Member(uint32_t i, std::string_view name) const;
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

// Which simdjson front end reads the claims. Both validate the whole document and collect the
// same values. A full On-Demand traversal must touch every value to validate it; kDom (simdjson's
// runtime-dispatched tape parser, then a walk of the tape) spends about 18 % less per 1 KB check.
enum class ClaimsParser : uint8_t { kOnDemand, kDom };

class ClaimsReader {
 public:
  explicit ClaimsReader(ClaimsParser parser = ClaimsParser::kOnDemand) : mode_(parser) {}
  ClaimsReader(const ClaimsReader&) = delete;
  ClaimsReader& operator=(const ClaimsReader&) = delete;

  ReadResult Read(std::string_view json, const ClaimTrie& trie);

  // Every value reached by some slot's path, in document order.
  const std::vector<ReachedValue>& reached() const { return reached_; }
  const std::vector<ArrayElement>& elements() const { return elements_; }

 private:
  template <typename Object>
  bool WalkObject(Object& object, uint32_t active_begin, uint32_t active_end);
  bool Walk(simdjson::ondemand::value value, uint32_t active_begin, uint32_t active_end,
            ValueKind* kind, std::string_view* str);
  ReadResult ReadOnDemand(const ClaimTrie& trie);
  ReadResult ReadDom(const ClaimTrie& trie);
  bool WalkDom(simdjson::dom::element value, uint32_t active_begin, uint32_t active_end,
               ValueKind* kind, std::string_view* str);
  bool UniqueKeys(size_t keys_begin);
  uint32_t Terminals(uint32_t active_begin, uint32_t active_end);
  void Finish(uint32_t first_record, uint32_t count, ValueKind kind, std::string_view str,
              uint32_t elem_begin, uint32_t elem_end);
  // Shared by both front ends. ActivateElement pushes the trie nodes that array element `index`
  // of the active nodes reaches and returns where they begin on active_. FinishArray moves the
  // elements walked since `pending_begin` into elements_ and records the array.
  uint32_t ActivateElement(uint32_t active_begin, uint32_t active_end, uint64_t index);
  void FinishArray(uint32_t first_record, uint32_t count, size_t pending_begin);

  const ClaimsParser mode_;
  const ClaimTrie* trie_ = nullptr;
  simdjson::ondemand::parser parser_;
  simdjson::dom::parser dom_parser_;
  std::string buffer_;                  // the input, copied with simdjson's padding
  std::vector<uint32_t> active_;        // stack of active trie nodes, one segment per frame
  std::vector<std::string_view> keys_;  // stack of member names, one segment per object
  struct KeySlot {
    uint64_t fingerprint;
    uint32_t index;  // into keys_, plus one; 0: empty
  };
  std::vector<KeySlot> key_table_;  // scratch of UniqueKeys()
  std::vector<ReachedValue> reached_;
  std::vector<ArrayElement> elements_;
  std::vector<ArrayElement> pending_;  // elements of the arrays being walked, innermost on top
};

}  // namespace clearance::index_internal

#endif  // CLEARANCE_ENGINE_INDEX_CLAIMS_READER_H_
