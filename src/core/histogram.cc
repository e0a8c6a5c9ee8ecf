#include "core/histogram.h"

#include <algorithm>
#include <cmath>

namespace eventlake {

namespace {
constexpr double kBase = 1.02;
constexpr double kMinValue = 1e-3;  // everything below lands in bucket 0
int BucketOf(double v) {
  if (!(v > kMinValue)) return 0;
  const int b = 1 + static_cast<int>(std::log(v / kMinValue) / std::log(kBase));
  return std::min(b, 1199);
}
double UpperOf(int b) { return b == 0 ? kMinValue : kMinValue * std::pow(kBase, b); }
}  // namespace

void Histogram::Add(double value, uint64_t count) {
  if (count == 0) return;
  if (value < 0) value = 0;
  if (count_ == 0) {
    min_ = max_ = value;
  } else {
    min_ = std::min(min_, value);
    max_ = std::max(max_, value);
  }
  buckets_[BucketOf(value)] += count;
  count_ += count;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  if (count_ == 0) {
    min_ = other.min_;
    max_ = other.max_;
  } else {
    min_ = std::min(min_, other.min_);
    max_ = std::max(max_, other.max_);
  }
  for (int i = 0; i < kBuckets; ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

void Histogram::MergeShifted(const Histogram& other, double shift) {
  for (int i = 0; i < kBuckets; ++i)
    if (other.buckets_[i] > 0) Add(std::clamp(UpperOf(i), other.min_, other.max_) + shift, other.buckets_[i]);
}

double Histogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  const auto target = static_cast<uint64_t>(std::ceil(q * static_cast<double>(count_)));
  uint64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i];
    if (seen >= std::max<uint64_t>(target, 1)) return std::clamp(UpperOf(i), min_, max_);
  }
  return max_;
}

}  // namespace eventlake
