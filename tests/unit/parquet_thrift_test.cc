// encode/parquet: the Thrift compact protocol, against bytes computed by hand from
// apache/thrift doc/specs/thrift-compact-protocol.md, and read back.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "encode/parquet/metadata_io.h"
#include "encode/parquet/thrift_compact.h"
#include "test_util.h"

namespace eventlake::parquet {
namespace {

using ::eventlake::testing::Hex;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(ThriftWriterTest, ShortFieldHeadersAndBinary) {
  std::string out;
  ThriftWriter w(out);
  w.FieldI32(1, 1);        // delta 1, type 5; zigzag(1) = 2
  w.FieldBinary(4, "ab");  // delta 3, type 8; length 2
  w.EndStruct();
  EXPECT_EQ(Hex(out), "15 02 38 02 61 62 00");
}

TEST(ThriftWriterTest, LongFormHeaderNegativeZigzagAndBools) {
  std::string out;
  ThriftWriter w(out);
  w.FieldI64(1, -1);       // 0x16, zigzag(-1) = 1
  w.FieldI32(20, 300);     // delta 19 > 15: type byte 0x05, zigzag(20) = 40 = 0x28; zigzag(300) = 600 = d8 04
  w.FieldBool(21, true);   // delta 1, type 1 (BOOLEAN_TRUE)
  w.FieldBool(22, false);  // delta 1, type 2 (BOOLEAN_FALSE)
  w.EndStruct();
  EXPECT_EQ(Hex(out), "16 01 05 28 d8 04 11 12 00");
}

TEST(ThriftWriterTest, ExtremeIntegersAndI8I16) {
  std::string out;
  ThriftWriter w(out);
  w.FieldI64(1, INT64_MIN);  // zigzag = 2^64-1: nine 0xff then 0x01
  w.FieldI32(2, -3);         // zigzag 5
  w.FieldI8(3, -2);          // one raw byte
  w.FieldI16(4, -64);        // zigzag 127
  w.FieldI32(5, INT32_MAX);  // zigzag 2^32-2 = fe ff ff ff 0f
  w.EndStruct();
  EXPECT_EQ(Hex(out), "16 ff ff ff ff ff ff ff ff ff 01 15 05 13 fe 14 7f 15 fe ff ff ff 0f 00");
}

TEST(ThriftWriterTest, ListOfStructsAndNestedStructIds) {
  std::string out;
  ThriftWriter w(out);
  w.BeginStructField(3);  // 0x3c; inner ids restart at 0
  w.FieldI32(1, 1);
  w.EndStruct();
  w.BeginListField(4, TType::kStruct, 2);  // delta 1 from 3: 0x19; list header size 2, type 12: 0x2c
  for (int i = 0; i < 2; ++i) {
    w.BeginStruct();
    w.FieldI32(1, 7);  // 15 0e
    w.EndStruct();
  }
  w.FieldI32(6, 0);  // delta 2 from 4
  w.EndStruct();
  EXPECT_EQ(Hex(out), "3c 15 02 00 19 2c 15 0e 00 15 0e 00 25 00 00");
}

TEST(ThriftWriterTest, LongListHeader) {
  std::string out;
  ThriftWriter w(out);
  w.BeginListField(2, TType::kI32, 20);  // 0x29; size >= 15: 0xf5 then varint 20
  for (int i = 0; i < 20; ++i) w.ListI32(-1);
  w.EndStruct();
  EXPECT_EQ(out.substr(0, 3), Bytes({0x29, 0xf5, 20}));
  EXPECT_EQ(out.size(), 3u + 20 + 1);
  EXPECT_EQ(out[3], '\x01');
}

TEST(ThriftWriterTest, DataPageHeaderBytes) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 10;
  h.compressed_page_size = 8;
  h.data_page = DataPageHeader{3, Encoding::kPlain, Encoding::kRle, Encoding::kRle};
  std::string out;
  WritePageHeader(h, out);
  // type 0, sizes 10 and 8 (zigzag 20, 16), field 5 struct (delta 2): 3 values, PLAIN, RLE, RLE.
  EXPECT_EQ(Hex(out), "15 00 15 14 15 10 2c 15 06 15 00 15 06 15 06 00 00");
  PageHeader back;
  size_t size = 0;
  ASSERT_TRUE(ReadPageHeader(out + "trailing page bytes", &back, &size).ok());
  EXPECT_EQ(size, out.size());
  EXPECT_EQ(back.uncompressed_page_size, 10);
  EXPECT_EQ(back.compressed_page_size, 8);
  ASSERT_TRUE(back.data_page.has_value());
  EXPECT_EQ(back.data_page->num_values, 3);
  EXPECT_FALSE(back.crc.has_value());
}

TEST(ThriftReaderTest, ReadsWhatTheWriterWrites) {
  std::string out;
  ThriftWriter w(out);
  w.FieldI64(1, INT64_MIN);
  w.FieldI32(17, -123456);
  w.FieldBool(18, true);
  w.FieldBinary(40, std::string(300, 'x'));
  w.EndStruct();
  ThriftReader r(out);
  r.BeginStruct();
  int16_t id;
  TType t;
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 1);
  EXPECT_EQ(r.ReadI64(), INT64_MIN);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 17);
  EXPECT_EQ(r.ReadI32(), -123456);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 18);
  EXPECT_EQ(t, TType::kBoolTrue);
  ASSERT_TRUE(r.NextField(&id, &t));
  EXPECT_EQ(id, 40);
  EXPECT_EQ(r.ReadBinary(), std::string(300, 'x'));
  EXPECT_FALSE(r.NextField(&id, &t));
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.position(), out.size());
}

TEST(ThriftReaderTest, SkipsUnknownFieldsOfEveryType) {
  // A struct holding: double (7), map<i32,binary> (8), set<bool> as list (9), nested struct
  // with a list of bools (10), uuid (11); then i32 field 12 = 5.
  const std::string bytes =
      Bytes({0x77, 0,    0,    0,    0,    0,    0,    0xf0, 0x3f,  // field 7 double 1.0
             0x1b, 0x01, 0x58, 0x02, 0x01, 'z',                     // field 8 map: 1 entry, i32 -> binary
             0x1a, 0x22, 0x01, 0x00,                                // field 9 set<bool>: 2 elements, one byte each
             0x1c, 0x19, 0x32, 0x01, 0x00, 0x01, 0x00,              // field 10 struct { field 1 list<bool> [1,0,1] }
             0x1d, 1,    2,    3,    4,    5,    6,    7,    8,    9, 10, 11, 12, 13, 14, 15, 16,  // field 11 uuid
             0x15, 0x0a,                                                                           // field 12 i32 5
             0x00});
  ThriftReader r(bytes);
  r.BeginStruct();
  int16_t id;
  TType t;
  while (r.NextField(&id, &t)) {
    if (id == 12) {
      EXPECT_EQ(r.ReadI32(), 5);
    } else {
      r.Skip(t);
    }
  }
  EXPECT_TRUE(r.ok()) << r.error();
  EXPECT_EQ(r.position(), bytes.size());
}

TEST(ThriftReaderTest, CorruptInputFailsCleanly) {
  for (const std::string& bad :
       {Bytes({0x15}), Bytes({0x18, 0x7f}), Bytes({0x19, 0xf5, 0xff, 0xff, 0xff, 0x7f}), Bytes({0x1e}),
        Bytes({0x16, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})}) {
    ThriftReader r(bad);
    r.BeginStruct();
    int16_t id;
    TType t;
    while (r.NextField(&id, &t)) r.Skip(t);
    EXPECT_FALSE(r.ok()) << Hex(bad);
  }
  // Structs nested past the depth limit.
  std::string deep;
  for (int i = 0; i < 100; ++i) deep.push_back(0x1c);
  ThriftReader r(deep);
  r.BeginStruct();
  int16_t id;
  TType t;
  while (r.NextField(&id, &t)) r.Skip(t);
  EXPECT_FALSE(r.ok());
}

TEST(ThriftMetadataTest, FileMetaDataRoundTrip) {
  FileMetaData m;
  m.version = 1;
  m.created_by = "eventlake version 0.1.0";
  m.num_rows = 7;
  m.column_orders = 1;
  SchemaElement& root = m.schema.emplace_back();
  root.name = "schema";
  root.num_children = 1;
  SchemaElement& ts = m.schema.emplace_back();
  ts.name = "created_datetime";
  ts.type = Type::kInt64;
  ts.repetition = Repetition::kRequired;
  ts.converted_type = 10;
  ts.logical = {LogicalType::Kind::kTimestamp, true, 2};
  RowGroup& g = m.row_groups.emplace_back();
  g.num_rows = 7;
  ColumnMetaData& c = g.columns.emplace_back();
  c.type = Type::kInt64;
  c.encodings = {0, 3};
  c.path_in_schema = {"created_datetime"};
  c.codec = Codec::kZstd;
  c.num_values = 7;
  c.data_page_offset = 4;
  c.statistics.null_count = 0;
  c.statistics.min_value = std::string(8, '\0');
  std::string out;
  WriteFileMetaData(m, out);
  FileMetaData back;
  ASSERT_TRUE(ReadFileMetaData(out, &back).ok());
  EXPECT_EQ(back.created_by, m.created_by);
  ASSERT_EQ(back.schema.size(), 2u);
  EXPECT_EQ(back.schema[1].logical.kind, LogicalType::Kind::kTimestamp);
  EXPECT_TRUE(back.schema[1].logical.utc);
  EXPECT_EQ(back.schema[1].logical.unit, 2);
  EXPECT_EQ(back.schema[1].converted_type, 10);
  ASSERT_EQ(back.row_groups.size(), 1u);
  ASSERT_EQ(back.row_groups[0].columns.size(), 1u);
  EXPECT_EQ(back.row_groups[0].columns[0].codec, Codec::kZstd);
  EXPECT_EQ(back.row_groups[0].columns[0].encodings, (std::vector<int32_t>{0, 3}));
  EXPECT_EQ(back.row_groups[0].columns[0].statistics.min_value, std::string(8, '\0'));
  EXPECT_EQ(back.column_orders, 1);
  // Every truncation is an error, never a crash.
  for (size_t n = 0; n < out.size(); ++n) EXPECT_FALSE(ReadFileMetaData(out.substr(0, n), &back).ok()) << n;
}

}  // namespace
}  // namespace eventlake::parquet
