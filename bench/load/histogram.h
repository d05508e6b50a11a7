// A latency histogram for the load driver: log-linear buckets (16 per power of two, so any
// percentile is within 1/16 = 6 % of the true value), fixed size, no allocation when recording.
// One per thread and operation type; merged after the run.
//
// Thread-safety: none; each thread records into its own.
#ifndef CLEARANCE_BENCH_LOAD_HISTOGRAM_H_
#define CLEARANCE_BENCH_LOAD_HISTOGRAM_H_

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>

namespace clearance::load {

class Histogram {
 public:
  void Record(uint64_t nanos) {
    ++counts_[Bucket(nanos)];
    ++count_;
    sum_ += nanos;
    max_ = std::max(max_, nanos);
  }
  void Merge(const Histogram& o) {
    for (size_t i = 0; i < kBuckets; ++i) counts_[i] += o.counts_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    max_ = std::max(max_, o.max_);
  }
  uint64_t count() const { return count_; }
  uint64_t max() const { return max_; }
  double mean() const {
    return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0;
  }
  // The upper bound of the bucket holding the q-quantile (0 < q <= 1); the max for q == 1.
  uint64_t Percentile(double q) const {
    if (count_ == 0) return 0;
    if (q >= 1) return max_;
    const uint64_t rank = static_cast<uint64_t>(q * static_cast<double>(count_ - 1)) + 1;
    uint64_t seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts_[i];
      if (seen >= rank) return std::min(UpperBound(i), max_);
    }
    return max_;
  }

 private:
  static constexpr int kSubBits = 4;  // 16 buckets per power of two
  static constexpr size_t kBuckets = (64 - kSubBits + 1) << kSubBits;
  static size_t Bucket(uint64_t v) {
    if (v < (1u << kSubBits)) return static_cast<size_t>(v);
    const int shift = std::bit_width(v) - 1 - kSubBits;
    return (static_cast<size_t>(shift + 1) << kSubBits) + ((v >> shift) & ((1u << kSubBits) - 1));
  }
  static uint64_t UpperBound(size_t bucket) {
    if (bucket < (1u << kSubBits)) return bucket;
    const int shift = static_cast<int>(bucket >> kSubBits) - 1;
    const uint64_t sub = bucket & ((1u << kSubBits) - 1);
    return (((1ull << kSubBits) + sub + 1) << shift) - 1;
  }
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t sum_ = 0;
  uint64_t max_ = 0;
};

}  // namespace clearance::load

#endif  // CLEARANCE_BENCH_LOAD_HISTOGRAM_H_
