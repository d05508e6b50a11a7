#include "index/claims_cache.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <new>

namespace clearance::index_internal {

ClaimsCache::~ClaimsCache() = default;

void ClaimsCache::NodeDeleter::operator()(Node* node) const {
  node->~Node();
  ::operator delete(node);
}

ClaimsCache::NodePtr ClaimsCache::NewNode(size_t bytes) {
  // Rounded up so that a node evicted for a document of about its size can take it in place.
  const size_t room = (bytes + 127) & ~size_t{127};
  void* raw = ::operator new(sizeof(Node) + room);
  NodePtr node(new (raw) Node);
  node->room = static_cast<uint32_t>(room);
  return node;
}

namespace {
// The sketch's second slot for a hash: from its high bits, mixed (size_t may be 32 bits).
size_t SecondSlot(size_t hash) {
  return static_cast<size_t>((uint64_t{hash} * 0x9E3779B97F4A7C15u) >> 32);
}
}  // namespace

void ClaimsCache::Count(size_t hash) {
  const size_t mask = sketch_.size() - 1;
  uint8_t& a = sketch_[hash & mask];
  uint8_t& b = sketch_[SecondSlot(hash) & mask];
  if (a < 15) ++a;
  if (b < 15) ++b;
  if (++counted_ >= kAgeAfter * capacity_) {
    for (uint8_t& c : sketch_) c >>= 1;
    counted_ /= 2;
  }
}

uint8_t ClaimsCache::Frequency(size_t hash) const {
  const size_t mask = sketch_.size() - 1;
  return std::min(sketch_[hash & mask], sketch_[SecondSlot(hash) & mask]);
}

ClaimsCache::Entry* ClaimsCache::Find(std::string_view json, size_t hash) {
  if (sketch_.empty()) return nullptr;  // nothing was ever admitted
  Count(hash);
  if (size_ == 0) return nullptr;
  const size_t mask = table_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Bucket& b = table_[i];
    if (b.node == nullptr) return nullptr;
    // The full bytes: documents whose hashes collide both stay findable, each as itself.
    if (b.hash == hash && b.node->document() == json) {
      b.node->referenced = true;
      return &b.node->entry;
    }
  }
}

void ClaimsCache::Link(Node* node) {
  if (2 * (size_ + 1) > table_.size()) {
    std::vector<Bucket> old(std::max<size_t>(16, 2 * table_.size()));
    old.swap(table_);
    const size_t mask = table_.size() - 1;
    for (const Bucket& b : old) {
      if (b.node == nullptr) continue;
      size_t i = b.hash & mask;
      while (table_[i].node != nullptr) i = (i + 1) & mask;
      table_[i] = b;
    }
  }
  const size_t mask = table_.size() - 1;
  size_t i = node->hash & mask;
  while (table_[i].node != nullptr) i = (i + 1) & mask;
  table_[i] = Bucket{node->hash, node};
  ++size_;
}

void ClaimsCache::Unlink(const Node* node) {
  const size_t mask = table_.size() - 1;
  size_t i = node->hash & mask;
  while (table_[i].node != node) i = (i + 1) & mask;
  // Backward shift: move up each later bucket of the run that may live at the hole (its home is
  // not cyclically within (hole, bucket]), so every probe still reaches its node.
  for (size_t j = (i + 1) & mask; table_[j].node != nullptr; j = (j + 1) & mask) {
    const size_t home = table_[j].hash & mask;
    if (((j - home) & mask) >= ((j - i) & mask)) {
      table_[i] = table_[j];
      i = j;
    }
  }
  table_[i] = Bucket{};
  --size_;
}

size_t ClaimsCache::Victim() {
  // Terminates: one full turn clears every bit, the next finds an entry (ring_ is full).
  for (;;) {
    if (hand_ >= ring_.size()) hand_ = 0;
    Node& node = *ring_[hand_];
    if (!node.referenced) return hand_;
    node.referenced = false;
    ++hand_;
  }
}

ClaimsCache::Entry* ClaimsCache::Admit(std::string_view json, size_t hash) {
  if (capacity_ == 0 || json.size() > kMaxBytes) return nullptr;
  if (sketch_.empty()) {
    sketch_.assign(std::bit_ceil(std::clamp<size_t>(8 * capacity_, 256, size_t{1} << 22)), 0);
    Count(hash);  // Find counts from now on
  }
  size_t at;
  if (ring_.size() < capacity_) {
    at = ring_.size();
    ring_.push_back(NewNode(json.size()));
  } else {
    at = Victim();
    // A newcomer displaces the hand's victim only when asked for more often lately.
    if (Frequency(hash) <= Frequency(ring_[at]->hash)) return nullptr;
    Unlink(ring_[at].get());
    ++hand_;
    if (ring_[at]->room < json.size()) ring_[at] = NewNode(json.size());
  }
  Node& node = *ring_[at];
  std::memcpy(node.bytes(), json.data(), json.size());
  node.size = static_cast<uint32_t>(json.size());
  node.hash = hash;
  node.referenced = false;  // a second use earns it a pass of the hand
  node.entry.generation = ~uint64_t{0};
  node.entry.p.reset();  // the evicted document's profiles are not pinned meanwhile
  node.entry.m.reset();
  Link(&node);
  return &node.entry;
}

}  // namespace clearance::index_internal
