#include "encode/parquet/rle_hybrid.h"

#include <algorithm>

namespace eventlake::parquet {

namespace {

void AppendVarint(uint64_t v, std::string& out) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

size_t RunLength(std::span<const uint32_t> values, size_t i) {
  size_t j = i + 1;
  while (j < values.size() && values[j] == values[i]) ++j;
  return j - i;
}

bool ReadVarint(std::string_view data, size_t& pos, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos >= data.size()) return false;
    const auto b = static_cast<uint8_t>(data[pos++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

}  // namespace

int BitWidth(uint32_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

void AppendBitPacked(std::span<const uint32_t> values, int bit_width, std::string& out) {
  uint64_t acc = 0;  // bits not yet written, LSB first
  int bits = 0;
  const uint64_t mask = bit_width >= 32 ? 0xffffffffULL : (1ULL << bit_width) - 1;
  for (uint32_t v : values) {
    acc |= (v & mask) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out.push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out.push_back(static_cast<char>(acc & 0xff));
}

void AppendRleHybrid(std::span<const uint32_t> values, int bit_width, std::string& out) {
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  size_t i = 0;
  while (i < values.size()) {
    const size_t run = RunLength(values, i);
    if (run >= 8) {
      AppendVarint(static_cast<uint64_t>(run) << 1, out);
      for (size_t b = 0; b < value_bytes; ++b) out.push_back(static_cast<char>(values[i] >> (8 * b) & 0xff));
      i += run;
      continue;
    }
    // A bit-packed run: groups of 8 until the next group starts a run of 8 or more.
    const size_t start = i;
    while (i < values.size()) {
      i = std::min(i + 8, values.size());
      if (i < values.size() && RunLength(values, i) >= 8) break;
    }
    const size_t n = i - start, groups = (n + 7) / 8;
    AppendVarint(static_cast<uint64_t>(groups) << 1 | 1, out);
    uint32_t padded[8] = {};
    const size_t whole = n / 8 * 8;
    AppendBitPacked(values.subspan(start, whole), bit_width, out);
    if (whole < n) {
      std::copy(values.begin() + static_cast<ptrdiff_t>(start + whole), values.begin() + static_cast<ptrdiff_t>(i),
                padded);
      AppendBitPacked(std::span<const uint32_t>(padded, 8), bit_width, out);
    }
  }
}

template <typename T>
bool DecodeRleHybrid(std::string_view data, int bit_width, size_t count, std::vector<T>& out, size_t* consumed) {
  if (bit_width < 0 || bit_width > static_cast<int>(8 * sizeof(T))) return false;
  const size_t value_bytes = (static_cast<size_t>(bit_width) + 7) / 8;
  const uint64_t mask = bit_width >= 32 ? 0xffffffffULL : (1ULL << bit_width) - 1;
  out.reserve(out.size() + std::min<size_t>(count, data.size() * 64));  // count may be corrupt
  size_t pos = 0, got = 0;
  while (got < count) {
    uint64_t header;
    if (!ReadVarint(data, pos, header)) return false;
    if (header & 1) {
      const uint64_t groups = header >> 1;
      if (groups == 0 || groups > (data.size() - pos) / std::max(bit_width, 1) + 1) return false;
      const uint64_t bytes = groups * static_cast<uint64_t>(bit_width);
      if (bytes > data.size() - pos) return false;
      const uint64_t n = std::min<uint64_t>(groups * 8, count - got);
      uint64_t acc = 0;
      int bits = 0;
      size_t p = pos;
      for (uint64_t k = 0; k < n; ++k) {
        while (bits < bit_width) {
          acc |= static_cast<uint64_t>(static_cast<uint8_t>(data[p++])) << bits;
          bits += 8;
        }
        out.push_back(static_cast<T>(acc & mask));
        acc >>= bit_width;
        bits -= bit_width;
      }
      pos += bytes;
      got += n;
    } else {
      const uint64_t run = header >> 1;
      if (run == 0 || value_bytes > data.size() - pos) return false;
      uint32_t v = 0;
      for (size_t b = 0; b < value_bytes; ++b)
        v |= static_cast<uint32_t>(static_cast<uint8_t>(data[pos + b])) << (8 * b);
      pos += value_bytes;
      if (v > mask) return false;
      const uint64_t n = std::min<uint64_t>(run, count - got);
      out.insert(out.end(), n, static_cast<T>(v));
      got += n;
    }
  }
  if (consumed != nullptr) *consumed = pos;
  return true;
}

template bool DecodeRleHybrid<uint8_t>(std::string_view, int, size_t, std::vector<uint8_t>&, size_t*);
template bool DecodeRleHybrid<uint32_t>(std::string_view, int, size_t, std::vector<uint32_t>&, size_t*);

}  // namespace eventlake::parquet
