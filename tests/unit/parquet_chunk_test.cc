// encode/parquet: column chunks — PLAIN bytes per type, dictionary encoding and its
// fallback to PLAIN, page splitting, statistics, and the chunk reader on all of them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "encode/parquet/chunk_stats.h"
#include "encode/parquet/chunk_writer.h"
#include "encode/parquet/column_reader.h"
#include "encode/parquet/metadata_io.h"

namespace eventlake::parquet {
namespace {

struct Page {
  PageHeader header;
  std::string body;  // uncompressed (the tests use UNCOMPRESSED)
};

std::vector<Page> Pages(const EncodedChunk& c) {
  std::vector<Page> pages;
  size_t pos = 0;
  while (pos < c.bytes.size()) {
    Page p;
    size_t hs = 0;
    EXPECT_TRUE(ReadPageHeader(std::string_view(c.bytes).substr(pos), &p.header, &hs).ok());
    pos += hs;
    p.body = c.bytes.substr(pos, static_cast<size_t>(p.header.compressed_page_size));
    pos += p.body.size();
    pages.push_back(p);
    if (hs == 0) break;
  }
  return pages;
}

ChunkOptions Uncompressed(bool optional = true) {
  ChunkOptions o;
  o.codec = Codec::kUncompressed;
  o.optional = optional;
  return o;
}

// Reads the chunk back through the reader as if it sat at offset 4 of a file.
ColumnData ReadBack(const EncodedChunk& c, Type type, bool optional, size_t rows) {
  SchemaElement e;
  e.name = "c";
  e.type = type;
  e.repetition = optional ? Repetition::kOptional : Repetition::kRequired;
  ColumnMetaData m = c.meta;
  m.data_page_offset += 4;
  if (m.dictionary_page_offset) *m.dictionary_page_offset += 4;
  const std::string file = "PAR1" + c.bytes;
  ColumnData d;
  const Status s = ReadColumnChunk(file, e, m, static_cast<int64_t>(rows), &d);
  EXPECT_TRUE(s.ok()) << s.message();
  return d;
}

TEST(ChunkWriterTest, PlainInt64Required) {
  ColumnBuffer b(ValueKind::kInt);
  b.AppendInt(1);
  b.AppendInt(-1);
  b.AppendInt(INT64_MAX);
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, Uncompressed(false), &c).ok());
  const auto pages = Pages(c);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].header.data_page->encoding, Encoding::kPlain);
  EXPECT_EQ(pages[0].header.data_page->num_values, 3);
  // No definition levels for a REQUIRED column: just 3 x 8 little-endian bytes.
  const std::string want("\x01\0\0\0\0\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 24);
  EXPECT_EQ(pages[0].body, want);
  EXPECT_FALSE(c.meta.dictionary_page_offset.has_value());
  EXPECT_EQ(c.meta.data_page_offset, 0);
  EXPECT_EQ(c.meta.num_values, 3);
  EXPECT_EQ(c.meta.encodings, (std::vector<int32_t>{0, 3}));
  ColumnData d = ReadBack(c, Type::kInt64, false, 3);
  EXPECT_EQ(d.ints, (std::vector<int64_t>{1, -1, INT64_MAX}));
}

TEST(ChunkWriterTest, PlainOptionalDoubleWithLevels) {
  ColumnBuffer b(ValueKind::kDouble);
  b.AppendDouble(1.5);
  b.PadNulls(2);
  b.AppendDouble(-2.0);
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, Uncompressed(), &c).ok());
  const auto pages = Pages(c);
  ASSERT_EQ(pages.size(), 1u);
  // Levels 1,0,1 at width 1: <length 2, LE u32> 03 05, then 1.5 and -2.0 as IEEE LE.
  std::string want("\x02\0\0\0\x03\x05", 6);
  double v1 = 1.5, v2 = -2.0;
  want.append(reinterpret_cast<const char*>(&v1), 8).append(reinterpret_cast<const char*>(&v2), 8);
  EXPECT_EQ(pages[0].body, want);
  ColumnData d = ReadBack(c, Type::kDouble, true, 3);
  EXPECT_EQ(d.defined, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(d.doubles, (std::vector<double>{1.5, -2.0}));
}

TEST(ChunkWriterTest, PlainBooleansBitPacked) {
  ColumnBuffer b(ValueKind::kBool);
  JsonValue t{ValueKind::kBool, "true", {}, 0, 0, true}, f{ValueKind::kBool, "false", {}, 0, 0, false};
  for (const JsonValue* v : {&t, &f, &t, &t, &f, &f, &f, &f, &t}) b.Append(*v);
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, Uncompressed(false), &c).ok());
  const auto pages = Pages(c);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].body, std::string("\x0d\x01", 2));  // 1,0,1,1,0,0,0,0 | 1
  ColumnData d = ReadBack(c, Type::kBoolean, false, 9);
  EXPECT_EQ(d.bools, (std::vector<uint8_t>{1, 0, 1, 1, 0, 0, 0, 0, 1}));
  const Statistics s = ComputeStatistics(b);
  EXPECT_EQ(s.min_value, std::string(1, '\0'));
  EXPECT_EQ(s.max_value, std::string(1, '\x01'));
}

TEST(ChunkWriterTest, DictionaryPageThenIndices) {
  ColumnBuffer b(ValueKind::kString);
  for (const char* s : {"b", "a", "b", "b"}) b.AppendBytes(s);
  b.PadNulls(5);
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, Uncompressed(), &c).ok());
  const auto pages = Pages(c);
  ASSERT_EQ(pages.size(), 2u);
  ASSERT_TRUE(pages[0].header.dictionary_page.has_value());
  EXPECT_EQ(pages[0].header.dictionary_page->num_values, 2);
  EXPECT_EQ(pages[0].body, std::string("\x01\0\0\0b\x01\0\0\0a", 10));  // PLAIN, first-seen order
  EXPECT_EQ(pages[1].header.data_page->encoding, Encoding::kRleDictionary);
  EXPECT_EQ(pages[1].header.data_page->num_values, 5);
  // Levels 1,1,1,1,0: length 2, 03 0f. Bit width byte 1, indices 0,1,0,0: 03 02.
  EXPECT_EQ(pages[1].body, std::string("\x02\0\0\0\x03\x0f\x01\x03\x02", 9));
  EXPECT_EQ(c.meta.dictionary_page_offset, 0);
  PageHeader dict_header;
  size_t dict_header_size = 0;
  ASSERT_TRUE(ReadPageHeader(c.bytes, &dict_header, &dict_header_size).ok());
  EXPECT_EQ(c.meta.data_page_offset, static_cast<int64_t>(dict_header_size + pages[0].body.size()));
  EXPECT_EQ(c.meta.encodings, (std::vector<int32_t>{0, 3, 8}));
  ASSERT_EQ(c.meta.encoding_stats.size(), 2u);
  ColumnData d = ReadBack(c, Type::kByteArray, true, 5);
  EXPECT_EQ(d.strings, (std::vector<std::string_view>{"b", "a", "b", "b"}));
  EXPECT_EQ(d.defined, (std::vector<uint8_t>{1, 1, 1, 1, 0}));
}

TEST(ChunkWriterTest, DictionaryFallsBackToPlainForTheRest) {
  ColumnBuffer b(ValueKind::kString);
  std::vector<std::string> values;
  values.reserve(200);
  for (int i = 0; i < 200; ++i) values.push_back("value-" + std::to_string(i % 150));
  for (const auto& v : values) b.AppendBytes(v);
  ChunkOptions o = Uncompressed(false);
  o.dictionary_bytes = 100ULL * (4 + 8);  // room for the first 100 distinct values ("value-NN" is 7-9 bytes)
  o.page_bytes = 64;                      // many pages
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, o, &c).ok());
  const auto pages = Pages(c);
  ASSERT_GE(pages.size(), 4u);
  ASSERT_TRUE(pages[0].header.dictionary_page.has_value());
  const int dict_size = pages[0].header.dictionary_page->num_values;
  EXPECT_GT(dict_size, 90);
  EXPECT_LT(dict_size, 150);
  // Dictionary pages first, then PLAIN ones, never back.
  bool seen_plain = false;
  int dict_pages = 0, plain_pages = 0;
  for (size_t i = 1; i < pages.size(); ++i) {
    const Encoding e = pages[i].header.data_page->encoding;
    if (e == Encoding::kPlain) {
      seen_plain = true;
      ++plain_pages;
    } else {
      EXPECT_FALSE(seen_plain) << "a dictionary page after the fallback";
      EXPECT_EQ(e, Encoding::kRleDictionary);
      ++dict_pages;
    }
  }
  EXPECT_GT(dict_pages, 0);
  EXPECT_GT(plain_pages, 0);
  EXPECT_EQ(c.meta.encodings, (std::vector<int32_t>{0, 3, 8}));
  ColumnData d = ReadBack(c, Type::kByteArray, false, values.size());
  ASSERT_EQ(d.strings.size(), values.size());
  for (size_t i = 0; i < values.size(); ++i) EXPECT_EQ(d.strings[i], values[i]);
}

TEST(ChunkWriterTest, NoDictionaryWhenDisabledAndAllNullChunks) {
  ColumnBuffer b(ValueKind::kString);
  b.AppendBytes("x");
  ChunkOptions o = Uncompressed(false);
  o.dictionary_bytes = 0;
  EncodedChunk c;
  ASSERT_TRUE(EncodeChunk(b, o, &c).ok());
  EXPECT_FALSE(c.meta.dictionary_page_offset.has_value());
  EXPECT_EQ(Pages(c)[0].body, std::string("\x01\0\0\0x", 5));

  ColumnBuffer nulls(ValueKind::kNull);
  nulls.PadNulls(1000);
  EncodedChunk n;
  ASSERT_TRUE(EncodeChunk(nulls, Uncompressed(), &n).ok());
  const auto pages = Pages(n);
  ASSERT_EQ(pages.size(), 1u);
  EXPECT_EQ(pages[0].header.data_page->encoding, Encoding::kPlain);
  EXPECT_EQ(pages[0].body, std::string("\x03\0\0\0\xd0\x0f\x00", 7));  // one run of 1000 zeros
  EXPECT_EQ(n.meta.statistics.null_count, 1000);
  EXPECT_FALSE(n.meta.statistics.min_value.has_value());
  ColumnData d = ReadBack(n, Type::kByteArray, true, 1000);
  EXPECT_EQ(d.defined, std::vector<uint8_t>(1000, 0));
}

TEST(ChunkWriterTest, PagesSplitBySizeAndEveryCodecReadsBack) {
  for (Codec codec : {Codec::kUncompressed, Codec::kSnappy, Codec::kGzip, Codec::kZstd}) {
    ColumnBuffer b(ValueKind::kInt);
    for (int64_t i = 0; i < 10000; ++i) {
      if (i % 7 == 0) {
        b.PadNulls(b.rows() + 1);
      } else {
        b.AppendInt(i * 1000003);
      }
    }
    ChunkOptions o;
    o.codec = codec;
    o.page_bytes = 4096;
    EncodedChunk c;
    ASSERT_TRUE(EncodeChunk(b, o, &c).ok());
    EXPECT_GT(Pages(c).size(), 10u);
    EXPECT_EQ(c.meta.codec, codec);
    ColumnData d = ReadBack(c, Type::kInt64, true, b.rows());
    ASSERT_EQ(d.ints.size(), b.non_null());
    EXPECT_EQ(d.ints, b.ints());
  }
}

TEST(ChunkStatsTest, MinMaxPerType) {
  ColumnBuffer ints(ValueKind::kInt);
  for (int64_t v : std::vector<int64_t>{5, INT64_MIN, 0, 7}) ints.AppendInt(v);
  ints.PadNulls(6);
  Statistics s = ComputeStatistics(ints);
  int64_t lo, hi;
  std::memcpy(&lo, s.min_value->data(), 8);
  std::memcpy(&hi, s.max_value->data(), 8);
  EXPECT_EQ(lo, INT64_MIN);
  EXPECT_EQ(hi, 7);
  EXPECT_EQ(s.null_count, 2);
  EXPECT_FALSE(s.nan_count.has_value());

  ColumnBuffer doubles(ValueKind::kDouble);
  for (double v : {0.0, 2.5, -0.0}) doubles.AppendDouble(v);
  s = ComputeStatistics(doubles);
  double dlo, dhi;
  std::memcpy(&dlo, s.min_value->data(), 8);
  std::memcpy(&dhi, s.max_value->data(), 8);
  EXPECT_EQ(dlo, 0.0);
  EXPECT_TRUE(std::signbit(dlo));  // a zero min is written as -0.0
  EXPECT_EQ(dhi, 2.5);
  EXPECT_EQ(s.nan_count, 0);

  ColumnBuffer strings(ValueKind::kString);
  for (const char* v : {"b", "\xc3\xa9", "a", "B"}) strings.AppendBytes(v);
  s = ComputeStatistics(strings);
  EXPECT_EQ(s.min_value, "B");
  EXPECT_EQ(s.max_value, "\xc3\xa9");         // unsigned byte order: 0xc3 sorts after ASCII
  strings.AppendBytes(std::string(65, 'A'));  // the new min
  s = ComputeStatistics(strings);
  EXPECT_FALSE(s.min_value.has_value());  // a bound over 64 bytes: no min/max at all
  EXPECT_FALSE(s.max_value.has_value());
  EXPECT_EQ(s.null_count, 0);
}

TEST(ColumnBufferTest, PromotionAndConversionToJsonText) {
  ColumnBuffer b(ValueKind::kInt);
  b.AppendInt(3);
  b.PadNulls(2);
  b.ConvertTo(ValueKind::kDouble);
  EXPECT_EQ(b.doubles(), (std::vector<double>{3.0}));
  b.AppendDouble(0.5);
  b.ConvertTo(ValueKind::kJson);
  ASSERT_EQ(b.byte_values(), 2u);
  EXPECT_EQ(b.bytes(0), "3");
  EXPECT_EQ(b.bytes(1), "0.5");
  EXPECT_EQ(b.rows(), 3u);
  EXPECT_FALSE(b.defined(1));

  ColumnBuffer exact(ValueKind::kInt);
  exact.AppendInt(INT64_MAX);
  exact.AppendInt(7);
  exact.ConvertTo(ValueKind::kDouble);
  exact.Append(JsonValue{ValueKind::kDouble, "2.50", {}, 0, 2.5, false});
  exact.Append(JsonValue{ValueKind::kDouble, "0.25", {}, 0, 0.25, false});
  exact.ConvertTo(ValueKind::kJson);
  EXPECT_EQ(exact.bytes(0), "9223372036854775807");  // not 9.223372036854776e+18
  EXPECT_EQ(exact.bytes(1), "7");
  EXPECT_EQ(exact.bytes(2), "2.50");
  EXPECT_EQ(exact.bytes(3), "0.25");

  ColumnBuffer s(ValueKind::kString);
  s.AppendBytes("a\"b");
  s.ConvertTo(ValueKind::kJson);
  EXPECT_EQ(s.bytes(0), "\"a\\\"b\"");
  EXPECT_EQ(MergeKinds(ValueKind::kInt, ValueKind::kDouble), ValueKind::kDouble);
  EXPECT_EQ(MergeKinds(ValueKind::kDouble, ValueKind::kInt), ValueKind::kDouble);
  EXPECT_EQ(MergeKinds(ValueKind::kNull, ValueKind::kBool), ValueKind::kBool);
  EXPECT_EQ(MergeKinds(ValueKind::kBool, ValueKind::kNull), ValueKind::kBool);
  EXPECT_EQ(MergeKinds(ValueKind::kString, ValueKind::kInt), ValueKind::kJson);
  EXPECT_EQ(MergeKinds(ValueKind::kJson, ValueKind::kString), ValueKind::kJson);
  EXPECT_EQ(MergeKinds(ValueKind::kBool, ValueKind::kInt), ValueKind::kJson);
}

}  // namespace
}  // namespace eventlake::parquet
