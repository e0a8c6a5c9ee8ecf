#pragma once
// The RLE / bit-packing hybrid (parquet-format Encodings.md, RLE = 3): definition levels
// and dictionary indices. Also the LSB-first bit packing that PLAIN booleans share.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace eventlake::parquet {

// Bits needed for values 0..max_value (0 for 0).
int BitWidth(uint32_t max_value);

// Appends `values` packed LSB first at `bit_width` bits each, padded with zero bits to
// a whole byte.
void AppendBitPacked(std::span<const uint32_t> values, int bit_width, std::string& out);

// Appends the hybrid <encoded-data> (no length prefix) for `values` at `bit_width` (1..32).
// Runs of 8 or more equal values become RLE runs; the rest is bit-packed in groups of 8
// (the last group zero-padded). Deterministic for the same input.
void AppendRleHybrid(std::span<const uint32_t> values, int bit_width, std::string& out);

// Decodes `count` values of `bit_width` (0..32) from hybrid data. Returns false when the
// data is truncated, malformed or shorter than `count` values. `*consumed` (optional) gets
// the bytes read.
// Instantiated for uint8_t (definition levels) and uint32_t (dictionary indices); values
// that do not fit T are an error.
template <typename T>
bool DecodeRleHybrid(std::string_view data, int bit_width, size_t count, std::vector<T>& out,
                     size_t* consumed = nullptr);

}  // namespace eventlake::parquet
