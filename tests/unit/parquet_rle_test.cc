// encode/parquet: the RLE / bit-packing hybrid and bit packing, against bytes computed by
// hand from parquet-format Encodings.md, plus decoder round trips and corrupt input.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "encode/parquet/rle_hybrid.h"
#include "test_util.h"

namespace eventlake::parquet {
namespace {

using ::eventlake::testing::Hex;

std::string Rle(const std::vector<uint32_t>& v, int width) {
  std::string out;
  AppendRleHybrid(v, width, out);
  return out;
}

TEST(BitPackTest, SpecExampleZeroToSevenWidthThree) {
  // Encodings.md: 0..7 at bit width 3 packs to 10001000 11000110 11111010.
  std::string out;
  AppendBitPacked(std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}, 3, out);
  EXPECT_EQ(Hex(out), "88 c6 fa");
}

TEST(BitPackTest, PlainBooleansLsbFirstPadded) {
  std::string out;
  AppendBitPacked(std::vector<uint32_t>{1, 0, 1, 1, 0, 0, 0, 0, 1, 1}, 1, out);
  EXPECT_EQ(Hex(out), "0d 03");
}

TEST(BitWidthTest, Values) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(7), 3);
  EXPECT_EQ(BitWidth(8), 4);
  EXPECT_EQ(BitWidth(0xffffffffu), 32);
}

TEST(RleHybridTest, SpecExampleIsOneBitPackedRun) {
  // Eight distinct values: header (1 group << 1) | 1 = 0x03, then the spec's three bytes.
  EXPECT_EQ(Hex(Rle({0, 1, 2, 3, 4, 5, 6, 7}, 3)), "03 88 c6 fa");
}

TEST(RleHybridTest, RleRuns) {
  // 100 ones at width 1: header 100 << 1 = 200 = varint c8 01, value in one byte.
  EXPECT_EQ(Hex(Rle(std::vector<uint32_t>(100, 1), 1)), "c8 01 01");
  // Width 10 stores the repeated value in two little-endian bytes: 513 = 01 02.
  EXPECT_EQ(Hex(Rle(std::vector<uint32_t>(8, 513), 10)), "10 01 02");
  // Width 17: three bytes.
  EXPECT_EQ(Hex(Rle(std::vector<uint32_t>(9, 0x10203), 17)), "12 03 02 01");
  // Two runs back to back.
  std::vector<uint32_t> v(10, 0);
  v.insert(v.end(), 8, 1);
  EXPECT_EQ(Hex(Rle(v, 1)), "14 00 10 01");
}

TEST(RleHybridTest, LiteralGroupThenRun) {
  // 1,2,3 then 100 fives at width 3: the first group of 8 takes five of the fives
  // (d1 da b6), the remaining 95 are a run: 95 << 1 = 190 = be 01, value 05.
  std::vector<uint32_t> v{1, 2, 3};
  v.insert(v.end(), 100, 5);
  EXPECT_EQ(Hex(Rle(v, 3)), "03 d1 da b6 be 01 05");
}

TEST(RleHybridTest, LengthsNotAMultipleOfEight) {
  EXPECT_EQ(Hex(Rle({1, 0, 1}, 1)), "03 05");                       // one group, zero padded
  EXPECT_EQ(Hex(Rle({1, 0, 1, 0, 1, 0, 1, 0, 1}, 1)), "05 55 01");  // two groups
  EXPECT_EQ(Hex(Rle({}, 1)), "");
  EXPECT_EQ(Hex(Rle({3}, 2)), "03 03 00");  // a whole group: 8 values x 2 bits
  // Seven equal values are too short for a run: bit-packed.
  EXPECT_EQ(Hex(Rle({1, 1, 1, 1, 1, 1, 1}, 1)), "03 7f");
}

TEST(RleHybridTest, RoundTripEveryWidth) {
  std::mt19937 rng(42);
  for (int width = 1; width <= 32; ++width) {
    const uint64_t max = width == 32 ? 0xffffffffULL : (1ULL << width) - 1;
    for (size_t n : {1u, 7u, 8u, 9u, 63u, 100u, 1000u}) {
      std::vector<uint32_t> v;
      while (v.size() < n) {
        const auto value = static_cast<uint32_t>(rng() % (max + 1));
        const size_t repeat = rng() % 3 == 0 ? 1 + rng() % 20 : 1;  // mix runs and literals
        for (size_t k = 0; k < repeat && v.size() < n; ++k) v.push_back(value);
      }
      const std::string enc = Rle(v, width);
      std::vector<uint32_t> back;
      size_t consumed = 0;
      ASSERT_TRUE(DecodeRleHybrid<uint32_t>(enc, width, n, back, &consumed)) << width << " " << n;
      EXPECT_EQ(back, v) << width << " " << n;
      EXPECT_EQ(consumed, enc.size());
    }
  }
}

TEST(RleHybridTest, DecodeLevelsAsBytes) {
  std::vector<uint32_t> levels{1, 1, 0, 1};
  levels.insert(levels.end(), 50, 0);
  std::vector<uint8_t> back;
  ASSERT_TRUE(DecodeRleHybrid<uint8_t>(Rle(levels, 1), 1, levels.size(), back));
  ASSERT_EQ(back.size(), levels.size());
  for (size_t i = 0; i < levels.size(); ++i) EXPECT_EQ(back[i], levels[i]);
}

TEST(RleHybridTest, DecoderRejectsCorruptInput) {
  std::vector<uint32_t> out;
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>("", 1, 1, out));                          // no data
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>("\x03", 3, 8, out));                      // bit-packed run truncated
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>(std::string("\x10", 1), 10, 8, out));     // run value truncated
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>(std::string("\x10\x05", 2), 2, 8, out));  // value wider than 2 bits
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>(std::string("\x00\x00", 2), 1, 8, out));  // zero-length run
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>("\xc8\x01\x01", 1, 101, out));            // fewer values than asked
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>("\x03\x01", 33, 1, out));                 // width out of range
  std::vector<uint8_t> bytes;
  EXPECT_FALSE(DecodeRleHybrid<uint8_t>(std::string("\x10\x01\x02", 3), 10, 8, bytes));  // too wide for uint8
  EXPECT_FALSE(DecodeRleHybrid<uint32_t>("\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff", 1, 8, out));
}

}  // namespace
}  // namespace eventlake::parquet
