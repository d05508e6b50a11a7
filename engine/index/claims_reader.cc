#include "index/claims_reader.h"

#include <algorithm>
#include <cstring>

#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace clearance::index_internal {

using simdjson::SUCCESS;

constexpr size_t kFewMembers = 8;

int64_t ClaimTrie::Member(uint32_t i, std::string_view name) const {
  const Node& node = nodes_[i];
  if (node.members.size() <= kFewMembers) {
    for (const auto& [member, child] : node.few_members) {
      // Token member names are often the same length ("sub", "iss", "aud", "exp"): compare
      // the first byte before the rest.
      if (member.size() == name.size() && (name.empty() || member[0] == name[0]) &&
          member == name) {
        return child;
      }
    }
    return -1;
  }
  auto it = node.members.find(absl::string_view(name.data(), name.size()));
  return it == node.members.end() ? -1 : static_cast<int64_t>(it->second);
}

void ClaimTrie::Add(const ClaimPath& path, int slot) {
  uint32_t at = 0;
  for (const ClaimPath::Step& step : path.steps()) {
    uint32_t next = 0;
    switch (step.kind) {
      case ClaimPath::Step::Kind::kMember: {
        auto it = nodes_[at].members.find(step.member);
        if (it != nodes_[at].members.end()) {
          next = it->second;
        } else {
          next = static_cast<uint32_t>(nodes_.size());
          nodes_[at].members.emplace(step.member, next);
          nodes_[at].member_tags.Insert(NameTag(step.member));
          if (nodes_[at].members.size() <= kFewMembers) {
            nodes_[at].few_members.emplace_back(step.member, next);
          } else {
            nodes_[at].few_members.clear();
          }
          nodes_.emplace_back();
        }
        break;
      }
      case ClaimPath::Step::Kind::kIndex: {
        auto& indexes = nodes_[at].indexes;
        auto it = std::find_if(indexes.begin(), indexes.end(),
                               [&](const auto& e) { return e.first == step.index; });
        if (it != indexes.end()) {
          next = it->second;
        } else {
          next = static_cast<uint32_t>(nodes_.size());
          indexes.emplace_back(step.index, next);
          nodes_.emplace_back();
        }
        break;
      }
      case ClaimPath::Step::Kind::kWildcard:
        if (nodes_[at].wildcard >= 0) {
          next = static_cast<uint32_t>(nodes_[at].wildcard);
        } else {
          next = static_cast<uint32_t>(nodes_.size());
          nodes_[at].wildcard = static_cast<int>(next);
          nodes_.emplace_back();
        }
        break;
    }
    at = next;
  }
  nodes_[at].slot = slot;
}

uint32_t ClaimsReader::Terminals(uint32_t active_begin, uint32_t active_end) {
  uint32_t count = 0;
  for (uint32_t i = active_begin; i < active_end; ++i) {
    const int slot = trie_->node(active_[i]).slot;
    if (slot >= 0) {
      reached_.push_back({slot, ValueKind::kOther, {}, 0, 0});
      ++count;
    }
  }
  return count;
}

void ClaimsReader::Finish(uint32_t first_record, uint32_t count, ValueKind kind,
                          std::string_view str, uint32_t elem_begin, uint32_t elem_end) {
  for (uint32_t i = first_record; i < first_record + count; ++i) {
    reached_[i].kind = kind;
    reached_[i].str = str;
    reached_[i].elem_begin = elem_begin;
    reached_[i].elem_end = elem_end;
  }
}

// Forced inline: both sit inside the per-element loop of the hot path.
[[gnu::always_inline]] inline uint32_t ClaimsReader::ActivateElement(uint32_t active_begin,
                                                                     uint32_t active_end,
                                                                     uint64_t index) {
  const uint32_t children = static_cast<uint32_t>(active_.size());
  for (uint32_t i = active_begin; i < active_end; ++i) {
    const ClaimTrie::Node& node = trie_->node(active_[i]);
    for (const auto& [at, child] : node.indexes) {
      if (at == index) active_.push_back(child);
    }
    if (node.wildcard >= 0) active_.push_back(static_cast<uint32_t>(node.wildcard));
  }
  return children;
}

[[gnu::always_inline]] inline void ClaimsReader::FinishArray(uint32_t first_record, uint32_t count,
                                                             size_t pending_begin) {
  const uint32_t elem_begin = static_cast<uint32_t>(elements_.size());
  elements_.insert(elements_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(pending_begin),
                   pending_.end());
  pending_.resize(pending_begin);
  Finish(first_record, count, ValueKind::kArray, {}, elem_begin,
         static_cast<uint32_t>(elements_.size()));
}

template <typename NameAt>
bool ClaimsReader::DistinctNames(size_t n, NameAt name_at) {
  // Open addressing over a seeded hash of the whole name (a fingerprint of a few bytes would let
  // crafted names share one bucket and make this quadratic); names are compared only when their
  // hashes' low 32 bits are equal.
  int bits = 4;
  while ((size_t{1} << bits) < 2 * n) ++bits;
  const size_t capacity = size_t{1} << bits;
  key_table_.assign(capacity, KeySlot{0, 0});
  for (size_t i = 0; i < n; ++i) {
    const std::string_view name = name_at(i);
    const size_t hash =
        absl::Hash<absl::string_view>()(absl::string_view(name.data(), name.size()));
    const uint32_t fp = static_cast<uint32_t>(hash);
    size_t at = static_cast<size_t>(static_cast<uint64_t>(hash) >> 32) & (capacity - 1);
    while (key_table_[at].index != 0) {
      if (key_table_[at].fingerprint == fp && name_at(key_table_[at].index - 1) == name) {
        return false;
      }
      at = (at + 1) & (capacity - 1);
    }
    key_table_[at] = KeySlot{fp, static_cast<uint32_t>(i + 1)};
  }
  return true;
}

ReadResult ClaimsReader::Read(std::string_view json, const ClaimTrie& trie, ClaimsTrust trust) {
  trie_ = &trie;
  reached_.clear();
  elements_.clear();
  pending_.clear();
  active_.clear();
  buffer_.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer_.assign(json.data(), json.size());
  if (trust == ClaimsTrust::kPrevalidated) return ReadDom<false>();
  return ReadDom<true>();
}

namespace {

// simdjson's tape (simdjson::internal::tape_type): the type in the top byte of each word; a
// container's start word holds the index just past its end word in the low 32 bits; numbers
// take two words; a string word holds the offset of its length-prefixed bytes in string_buf.
constexpr uint64_t kTapePayload = 0x00FFFFFFFFFFFFFFull;
inline char TapeType(uint64_t word) { return static_cast<char>(word >> 56); }
inline bool IsContainer(char type) { return type == '{' || type == '['; }
inline uint32_t TapeAfter(const uint64_t* tape, uint32_t at) {
  const char type = TapeType(tape[at]);
  if (IsContainer(type)) return static_cast<uint32_t>(tape[at]);
  return type == 'l' || type == 'u' || type == 'd' ? at + 2 : at + 1;
}

}  // namespace

[[gnu::always_inline]] inline std::string_view ClaimsReader::TapeString(uint32_t at) const {
  const size_t offset = static_cast<size_t>(tape_[at] & kTapePayload);
  uint32_t length;
  std::memcpy(&length, tape_strings_ + offset, sizeof(length));
  return {reinterpret_cast<const char*>(tape_strings_ + offset + sizeof(length)), length};
}

template <bool kValidate>
ReadResult ClaimsReader::ReadDom() {
  simdjson::dom::element root;
  if (dom_parser_.parse(buffer_.data(), buffer_.size(), /*realloc_if_needed=*/false).get(root) !=
      SUCCESS) {
    return ReadResult::kMalformed;
  }
  tape_ = dom_parser_.doc.tape.get();
  tape_strings_ = dom_parser_.doc.string_buf.get();
  // Word 0 is the root marker; the root value starts at word 1.
  const bool is_object = TapeType(tape_[1]) == '{';
  if (is_object) active_.push_back(0);  // the trie's root: every path starts at the claims object
  ValueKind kind;
  std::string_view str;
  if (WalkTape<kValidate>(1, 0, is_object ? 1 : 0, &kind, &str) == 0) {
    return ReadResult::kMalformed;
  }
  return is_object ? ReadResult::kOk : ReadResult::kNotObject;
}

template <bool kValidate>
[[gnu::always_inline]] inline uint32_t ClaimsReader::SkipTape(uint32_t at) {
  const char type = TapeType(tape_[at]);
  if (IsContainer(type)) {
    if constexpr (kValidate) return UniqueNamesTape(at);
    return static_cast<uint32_t>(tape_[at]);
  }
  return type == 'l' || type == 'u' || type == 'd' ? at + 2 : at + 1;
}

// Most names of a token land on a clear bit of the object's filter and are never compared; one
// whose bit is set is compared with the object's earlier names (EarlierName). Past
// kFilteredNames members the filter would fill up and make that quadratic: such an object is
// checked whole at its end (DistinctTapeNames).
[[gnu::always_inline]] inline bool ClaimsReader::AddName(ObjectNames& names, uint32_t object_at,
                                                         uint32_t key_at, std::string_view key,
                                                         uint32_t tag) const {
  if (names.count++ >= kFilteredNames) return true;
  if (!names.seen.Contains(tag)) {
    names.seen.Insert(tag);
    return true;
  }
  return !EarlierName(object_at, key_at, key);
}

bool ClaimsReader::EarlierName(uint32_t object_at, uint32_t key_at, std::string_view key) const {
  for (uint32_t i = object_at + 1; i < key_at; i = TapeAfter(tape_, i + 1)) {
    if (TapeString(i) == key) return true;
  }
  return false;
}

bool ClaimsReader::DistinctTapeNames(uint32_t object_at) {
  // The tape index of each name, found again by one pass (only for objects this large).
  object_names_.clear();
  const uint32_t end = static_cast<uint32_t>(tape_[object_at]) - 1;
  for (uint32_t i = object_at + 1; i < end; i = TapeAfter(tape_, i + 1)) {
    object_names_.push_back(i);
  }
  return DistinctNames(object_names_.size(),
                       [this](size_t i) { return TapeString(object_names_[i]); });
}

uint32_t ClaimsReader::UniqueNamesTape(uint32_t at) {
  const char type = TapeType(tape_[at]);
  if (!IsContainer(type)) return TapeAfter(tape_, at);
  const uint32_t end = static_cast<uint32_t>(tape_[at]) - 1;  // the closing word
  uint32_t i = at + 1;
  if (type == '[') {
    while (i < end) {
      i = SkipTape<true>(i);
      if (i == 0) return 0;
    }
    return end + 1;
  }
  ObjectNames names;
  while (i < end) {
    const std::string_view key = TapeString(i);
    if (!AddName(names, at, i, key, NameTag(key))) return 0;
    i = SkipTape<true>(i + 1);
    if (i == 0) return 0;
  }
  if (names.count > kFilteredNames && !DistinctTapeNames(at)) return 0;
  return end + 1;
}

template <bool kValidate>
uint32_t ClaimsReader::WalkTape(uint32_t at, uint32_t active_begin, uint32_t active_end,
                                ValueKind* kind, std::string_view* str) {
  const char type = TapeType(tape_[at]);
  *str = {};
  if (active_begin == active_end) {
    // No path reaches into this value: its kind (and string) is all an enclosing array needs.
    *kind = type == '"'   ? ValueKind::kString
            : type == 'n' ? ValueKind::kNull
            : type == '[' ? ValueKind::kArray
                          : ValueKind::kOther;
    if (type == '"') *str = TapeString(at);
    if constexpr (kValidate) return UniqueNamesTape(at);
    return TapeAfter(tape_, at);
  }
  const uint32_t first = static_cast<uint32_t>(reached_.size());
  const uint32_t terminals = Terminals(active_begin, active_end);
  switch (type) {
    case '{': {
      const uint32_t end = static_cast<uint32_t>(tape_[at]) - 1;
      ObjectNames names;
      uint32_t i = at + 1;
      while (i < end) {
        const std::string_view key = TapeString(i);
        const uint32_t tag = NameTag(key);
        if constexpr (kValidate) {
          if (!AddName(names, at, i, key, tag)) return 0;
        }
        const uint32_t children = static_cast<uint32_t>(active_.size());
        for (uint32_t a = active_begin; a < active_end; ++a) {
          const ClaimTrie::Node& node = trie_->node(active_[a]);
          const int64_t child = trie_->FilteredMember(active_[a], key, tag);
          if (child >= 0) active_.push_back(static_cast<uint32_t>(child));
          if (node.wildcard >= 0) active_.push_back(static_cast<uint32_t>(node.wildcard));
        }
        if (active_.size() == children) {
          // No path goes into this member's value (most members of a token): skip it, checking
          // its names when validating, without a call that would only report its kind.
          i = SkipTape<kValidate>(i + 1);
          if (i == 0) return 0;
          continue;
        }
        ValueKind child_kind;
        std::string_view child_str;
        i = WalkTape<kValidate>(i + 1, children, static_cast<uint32_t>(active_.size()),
                                &child_kind, &child_str);
        if (i == 0) return 0;
        active_.resize(children);
      }
      if constexpr (kValidate) {
        if (names.count > kFilteredNames && !DistinctTapeNames(at)) return 0;
      }
      *kind = ValueKind::kOther;
      Finish(first, terminals, *kind, {}, 0, 0);
      return end + 1;
    }
    case '[': {
      const uint32_t end = static_cast<uint32_t>(tape_[at]) - 1;
      const size_t pending_begin = pending_.size();
      uint64_t index = 0;
      uint32_t i = at + 1;
      while (i < end) {
        const uint32_t children = ActivateElement(active_begin, active_end, index);
        ValueKind element_kind;
        std::string_view element_str;
        i = WalkTape<kValidate>(i, children, static_cast<uint32_t>(active_.size()), &element_kind,
                                &element_str);
        if (i == 0) return 0;
        active_.resize(children);
        if (terminals > 0) pending_.push_back({element_kind, element_str});
        ++index;
      }
      *kind = ValueKind::kArray;
      FinishArray(first, terminals, pending_begin);
      return end + 1;
    }
    case '"':
      *str = TapeString(at);
      *kind = ValueKind::kString;
      break;
    case 'n':
      *kind = ValueKind::kNull;
      break;
    default:
      *kind = ValueKind::kOther;
  }
  Finish(first, terminals, *kind, *str, 0, 0);
  return TapeAfter(tape_, at);
}

}  // namespace clearance::index_internal
