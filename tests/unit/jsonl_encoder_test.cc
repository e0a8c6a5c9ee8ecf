// encode/jsonl: exact output lines, and gzip/zstd files that decompress back and are
// byte-for-byte reproducible.
#include "encode/jsonl/jsonl_encoder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "decode/validate.h"

namespace eventlake {
namespace {

using ::testing::HasSubstr;

class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    data += bytes;
    ++writes;
    return Status::Ok();
  }
  std::string data;
  int writes = 0;
};

// Fails every write after the first `ok_writes`.
class FailingSink final : public ByteSink {
 public:
  explicit FailingSink(int ok_writes) : ok_writes_(ok_writes) {}
  Status Write(std::string_view) override { return ok_writes_-- > 0 ? Status::Ok() : Status::Error("disk full"); }

 private:
  int ok_writes_;
};

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  EXPECT_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      ADD_FAILURE() << "inflate: " << rc;
      break;
    }
    out.append(buf, sizeof(buf) - zs.avail_out);
  }
  EXPECT_EQ(zs.avail_in, 0u) << "bytes after the gzip member";
  inflateEnd(&zs);
  return out;
}

std::string Unzstd(const std::string& in) {
  const unsigned long long size = ZSTD_getFrameContentSize(in.data(), in.size());
  EXPECT_NE(size, ZSTD_CONTENTSIZE_ERROR);
  EXPECT_NE(size, ZSTD_CONTENTSIZE_UNKNOWN);  // the encoder pledges the size
  std::string out(size, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
  EXPECT_FALSE(ZSTD_isError(n)) << ZSTD_getErrorName(n);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

EventFields Fields(std::string_view object, std::string_view type, std::string_view subtype) {
  EventFields f;
  f.object = object;
  f.type = type;
  f.subtype = subtype;
  return f;
}

Derived DatetimeOf(int64_t seconds, std::string_view fraction) {
  EventFields f;
  f.seconds = seconds;
  f.fraction = fraction;
  Derived d;
  Derive(f, d);
  return d;
}

std::string Encode(Compression c, const std::vector<std::string>& lines) {
  JsonlEncoder enc(c);
  for (const auto& l : lines) enc.AddLine(l);
  StringSink sink;
  EXPECT_TRUE(enc.Finish(sink).ok());
  return sink.data;
}

TEST(JsonlEncoderTest, OutputLineForARecord) {
  JsonlEncoder enc(Compression::kNone);
  const std::string obj = R"({"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30})";
  enc.Add(Fields(obj, "account", "created"), DatetimeOf(1644838800, ""));
  enc.Add(Fields(R"({"event_uuid":"a2","event_name":"payment:order:completed","created_at":1644838800.25})", "payment",
                 "order:completed"),
          DatetimeOf(1644838800, "25"));
  EXPECT_GE(enc.buffered_bytes(), 300u);
  StringSink sink;
  ASSERT_TRUE(enc.Finish(sink).ok());
  EXPECT_EQ(sink.data,
            R"({"event_uuid":"a1","event_name":"account:created","created_at":1644838800,"age":30,)"
            R"("event_type":"account","event_subtype":"created","created_datetime":"2022-02-14T11:40:00Z"})"
            "\n"
            R"({"event_uuid":"a2","event_name":"payment:order:completed","created_at":1644838800.25,)"
            R"("event_type":"payment","event_subtype":"order:completed","created_datetime":"2022-02-14T11:40:00.25Z"})"
            "\n");
}

TEST(JsonlEncoderTest, WhitespaceBeforeTheClosingBraceAndEscapedNames) {
  JsonlEncoder enc(Compression::kNone);
  enc.Add(Fields("{ \"k\" : 1 \t\r\n }", "a\"b\\c", "\x01\xC3\xA9"), DatetimeOf(0, ""));
  StringSink sink;
  ASSERT_TRUE(enc.Finish(sink).ok());
  EXPECT_EQ(sink.data,
            "{ \"k\" : 1,\"event_type\":\"a\\\"b\\\\c\",\"event_subtype\":\"\\u0001\xC3\xA9\","
            "\"created_datetime\":\"1970-01-01T00:00:00Z\"}\n");
}

TEST(JsonlEncoderTest, ValidatedRecordEndToEnd) {
  // The unescaped type goes out re-escaped; the raw object stays byte for byte.
  std::string storage =
      R"({"event_uuid":"\u0061\u0031","event_name":"acc\u0022t:cre\u003aated","created_at":1644838800})";
  const size_t n = storage.size();
  storage.append(64, ' ');
  Validator validator{ValidateOptions{}};
  Verdict v;
  validator.Check(std::string_view(storage.data(), n), v);
  ASSERT_TRUE(v.ok) << v.detail;
  Derived d;
  Derive(v.fields, d);
  JsonlEncoder enc(Compression::kNone);
  enc.Add(v.fields, d);
  StringSink sink;
  ASSERT_TRUE(enc.Finish(sink).ok());
  EXPECT_EQ(sink.data,
            R"({"event_uuid":"\u0061\u0031","event_name":"acc\u0022t:cre\u003aated","created_at":1644838800,)"
            R"("event_type":"acc\"t","event_subtype":"cre:ated","created_datetime":"2022-02-14T11:40:00Z"})"
            "\n");
}

TEST(JsonlEncoderTest, AddLineAndFinishEmpties) {
  JsonlEncoder enc(Compression::kNone);
  enc.AddLine(R"({"reason":"malformed_json"})");
  enc.AddLine("");
  StringSink sink;
  ASSERT_TRUE(enc.Finish(sink).ok());
  EXPECT_EQ(sink.data, "{\"reason\":\"malformed_json\"}\n\n");
  StringSink again;
  ASSERT_TRUE(enc.Finish(again).ok());
  EXPECT_EQ(again.data, "");  // the encoder is empty after Finish
}

TEST(JsonlEncoderTest, Extensions) {
  EXPECT_EQ(JsonlEncoder(Compression::kNone).extension(), ".jsonl");
  EXPECT_EQ(JsonlEncoder(Compression::kGzip).extension(), ".jsonl.gz");
  EXPECT_EQ(JsonlEncoder(Compression::kZstd).extension(), ".jsonl.zst");
}

std::vector<std::string> SampleLines(int n) {
  std::vector<std::string> lines;
  for (int i = 0; i < n; ++i)
    lines.push_back(R"({"event_uuid":"u)" + std::to_string(i) + R"(","event_name":"a:b","created_at":)" +
                    std::to_string(1644838800 + i) + "}");
  return lines;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += l + "\n";
  return s;
}

TEST(JsonlEncoderTest, GzipDecompressesBackAndIsDeterministic) {
  const std::vector<std::string> lines = SampleLines(1000);
  const std::string gz = Encode(Compression::kGzip, lines);
  ASSERT_GE(gz.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(gz[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(gz[1]), 0x8b);
  EXPECT_EQ(gz.substr(4, 4), std::string(4, '\0'));  // no mtime in the header
  EXPECT_LT(gz.size(), Joined(lines).size());
  EXPECT_EQ(Gunzip(gz), Joined(lines));
  EXPECT_EQ(Encode(Compression::kGzip, lines), gz);
}

TEST(JsonlEncoderTest, ZstdDecompressesBackAndIsDeterministic) {
  const std::vector<std::string> lines = SampleLines(1000);
  const std::string zst = Encode(Compression::kZstd, lines);
  ASSERT_GE(zst.size(), 4u);
  EXPECT_EQ(zst.substr(0, 4), "\x28\xb5\x2f\xfd");
  EXPECT_EQ(Unzstd(zst), Joined(lines));
  EXPECT_EQ(Encode(Compression::kZstd, lines), zst);
}

TEST(JsonlEncoderTest, EmptyFilesAreValidStreams) {
  EXPECT_EQ(Encode(Compression::kNone, {}), "");
  EXPECT_EQ(Gunzip(Encode(Compression::kGzip, {})), "");
  EXPECT_EQ(Unzstd(Encode(Compression::kZstd, {})), "");
}

// Output bigger than the 1 MiB staging buffer: written in several pieces.
TEST(JsonlEncoderTest, LargeIncompressibleOutput) {
  std::vector<std::string> lines;
  uint64_t x = 88172645463325252ULL;
  for (int i = 0; i < 20000; ++i) {
    std::string l;
    for (int k = 0; k < 16; ++k) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      l += std::to_string(x);
    }
    lines.push_back(l);
  }
  for (Compression c : {Compression::kGzip, Compression::kZstd}) {
    JsonlEncoder enc(c);
    for (const auto& l : lines) enc.AddLine(l);
    StringSink sink;
    ASSERT_TRUE(enc.Finish(sink).ok());
    EXPECT_GT(sink.writes, 1);
    EXPECT_EQ(c == Compression::kGzip ? Gunzip(sink.data) : Unzstd(sink.data), Joined(lines));
  }
}

TEST(JsonlEncoderTest, SinkErrorsPropagate) {
  for (Compression c : {Compression::kNone, Compression::kGzip, Compression::kZstd}) {
    JsonlEncoder enc(c);
    enc.AddLine("x");
    FailingSink sink(0);
    Status s = enc.Finish(sink);
    EXPECT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr("disk full"));
  }
}

}  // namespace
}  // namespace eventlake
