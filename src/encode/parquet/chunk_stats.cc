#include "encode/parquet/chunk_stats.h"

#include <cmath>
#include <cstring>

namespace eventlake::parquet {

namespace {

template <typename T>
std::string Le(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));  // x86-64 and aarch64 are little-endian (checked in chunk_writer.cc)
  return s;
}

}  // namespace

Statistics ComputeStatistics(const ColumnBuffer& c) {
  Statistics s;
  s.null_count = static_cast<int64_t>(c.rows() - c.non_null());
  const size_t n = c.non_null();
  switch (PhysicalType(c.kind())) {
    case Type::kInt64: {
      if (n == 0) break;
      int64_t lo = c.ints()[0], hi = lo;
      for (int64_t v : c.ints()) {
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      s.min_value = Le(lo);
      s.max_value = Le(hi);
      break;
    }
    case Type::kDouble: {
      int64_t nans = 0;
      bool any = false;
      double lo = 0, hi = 0;
      for (double v : c.doubles()) {
        if (std::isnan(v)) {
          ++nans;
          continue;
        }
        if (!any || v < lo) lo = v;
        if (!any || v > hi) hi = v;
        any = true;
      }
      s.nan_count = nans;
      if (!any) break;
      if (lo == 0) lo = -0.0;  // the spec: a zero min is written as -0.0, a zero max as +0.0
      if (hi == 0) hi = +0.0;
      s.min_value = Le(lo);
      s.max_value = Le(hi);
      break;
    }
    case Type::kBoolean: {
      if (n == 0) break;
      uint8_t lo = 1, hi = 0;
      for (uint8_t v : c.bools()) {
        lo &= v;
        hi |= v;
      }
      s.min_value = std::string(1, static_cast<char>(lo));
      s.max_value = std::string(1, static_cast<char>(hi));
      break;
    }
    default: {
      if (n == 0) break;
      // std::string_view compares as unsigned char: the byte-wise order the spec asks for.
      std::string_view lo = c.bytes(0), hi = lo;
      for (size_t i = 1; i < n; ++i) {
        const std::string_view v = c.bytes(i);
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (lo.size() <= kMaxStatBytes && hi.size() <= kMaxStatBytes) {
        s.min_value = std::string(lo);
        s.max_value = std::string(hi);
      }
      break;
    }
  }
  return s;
}

}  // namespace eventlake::parquet
