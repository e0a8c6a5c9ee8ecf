#pragma once
// Log-bucketed histogram (about 2% relative error) for latency and lag percentiles:
// constant memory, O(1) add, mergeable.
#include <array>
#include <cstdint>

namespace eventlake {

class Histogram {
 public:
  void Add(double value, uint64_t count = 1);
  void Merge(const Histogram& other);
  // Adds other's values, each increased by `shift` (bucket precision).
  void MergeShifted(const Histogram& other, double shift);
  uint64_t count() const { return count_; }
  double min() const { return count_ ? min_ : 0; }
  double max() const { return count_ ? max_ : 0; }
  // q in [0,1]; returns an upper-bound representative of the bucket.
  double Quantile(double q) const;

 private:
  static constexpr int kBuckets = 1200;  // 1.02^1200 covers 1e-3 .. 1e7+ with room
  std::array<uint64_t, kBuckets> buckets_{};
  uint64_t count_ = 0;
  double min_ = 0, max_ = 0;
};

}  // namespace eventlake
