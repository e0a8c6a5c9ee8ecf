// sources/: file input (plain, gzip, zstd, sniffed from the bytes), Skip, clear
// errors, and the prefix-replaying source.
#include "sources/file/file_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <string>
#include <vector>

#include "sources/prefix_source.h"
#include "test_util.h"

namespace eventlake {
namespace {

using ::testing::HasSubstr;

std::string Gzip(const std::string& data) {
  z_stream zs{};
  EXPECT_EQ(deflateInit2(&zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
  std::string out(deflateBound(&zs, data.size()) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string Zstd(const std::string& data, bool checksum = false) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, checksum ? 1 : 0);
  std::string out(ZSTD_compressBound(data.size()), '\0');
  const size_t n = ZSTD_compress2(cctx, out.data(), out.size(), data.data(), data.size());
  ZSTD_freeCCtx(cctx);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

// Several MiB of varied lines, so reads cross the 1 MiB input buffer.
std::string Content(int lines = 60000) {
  std::string s;
  for (int i = 0; i < lines; ++i)
    s += R"({"event_uuid":"u)" + std::to_string(i * 7919) + R"(","n":)" + std::to_string(i) + "}\n";
  return s;
}

// Reads everything with the given buffer size; returns the error message instead on failure.
std::string ReadAll(Source& src, size_t cap = 4096, std::string* error = nullptr) {
  std::string out;
  std::vector<char> buf(cap);
  for (;;) {
    auto r = src.Read(buf.data(), buf.size(), -1);
    if (!r.ok()) {
      if (error != nullptr)
        *error = r.status().message();
      else
        ADD_FAILURE() << r.status().message();
      return out;
    }
    out.append(buf.data(), r->bytes);
    if (r->eof) return out;
  }
}

class FileSourceTest : public ::testing::Test {
 protected:
  std::unique_ptr<Source> Open(const std::string& name, const std::string& bytes) {
    const std::string path = dir_.Join(name);
    testing::WriteFile(path, bytes);
    auto src = OpenFileSource(path);
    EXPECT_TRUE(src.ok()) << src.status().message();
    return src.ok() ? std::move(src).value() : nullptr;
  }
  testing::TempDir dir_;
};

TEST_F(FileSourceTest, Plain) {
  const std::string data = Content();
  auto src = Open("events.ndjson", data);
  ASSERT_NE(src, nullptr);
  EXPECT_FALSE(src->compressed());
  EXPECT_EQ(src->name(), dir_.Join("events.ndjson"));
  EXPECT_EQ(src->raw_size(), data.size());
  EXPECT_EQ(ReadAll(*src, 7777), data);
  EXPECT_EQ(src->raw_consumed(), data.size());
}

TEST_F(FileSourceTest, TinyAndEmptyFiles) {
  for (const std::string data : {"", "a", "\x1f", "ab\n", "\x28\xb5\x2f"}) {
    auto src = Open("tiny", data);
    ASSERT_NE(src, nullptr);
    EXPECT_FALSE(src->compressed());
    EXPECT_EQ(ReadAll(*src), data);
  }
}

TEST_F(FileSourceTest, GzipIsDetectedFromTheBytesNotTheName) {
  const std::string data = Content();
  const std::string gz = Gzip(data);
  auto src = Open("events.ndjson", gz);  // no .gz suffix
  ASSERT_NE(src, nullptr);
  EXPECT_TRUE(src->compressed());
  EXPECT_EQ(src->raw_size(), gz.size());
  EXPECT_EQ(ReadAll(*src, 1000), data);
  EXPECT_EQ(src->raw_consumed(), gz.size());
}

TEST_F(FileSourceTest, ConcatenatedGzipMembers) {
  const std::string a = Content(30000), b = "{\"second\":1}\n", c = Content(10);
  auto src = Open("multi.gz", Gzip(a) + Gzip(b) + Gzip(c));
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(ReadAll(*src, 65536), a + b + c);
}

TEST_F(FileSourceTest, Zstd) {
  const std::string data = Content();
  auto src = Open("events.zst", Zstd(data));
  ASSERT_NE(src, nullptr);
  EXPECT_TRUE(src->compressed());
  EXPECT_EQ(ReadAll(*src, 3000), data);
}

TEST_F(FileSourceTest, ConcatenatedZstdFrames) {
  const std::string a = Content(20000), b = "x\n";
  auto src = Open("multi.zst", Zstd(a) + Zstd(b));
  ASSERT_NE(src, nullptr);
  EXPECT_EQ(ReadAll(*src), a + b);
}

TEST_F(FileSourceTest, TruncatedCompressedInputIsAnError) {
  const std::string data = Content();
  for (const auto& [name, bytes] : {std::pair{"cut.gz", Gzip(data)}, {"cut.zst", Zstd(data)}}) {
    for (size_t keep : {bytes.size() - 1, bytes.size() / 2, size_t{2}, size_t{4}}) {
      if (keep < 4 && std::string(name) == "cut.zst") continue;  // shorter than the zstd magic: plain
      auto src = Open(name, bytes.substr(0, keep));
      ASSERT_NE(src, nullptr);
      std::string error;
      const std::string got = ReadAll(*src, 4096, &error);
      EXPECT_THAT(error, HasSubstr("truncated")) << name << " keep " << keep;
      EXPECT_THAT(error, HasSubstr(dir_.Join(name)));
      EXPECT_EQ(got, data.substr(0, got.size()));  // what came out before is correct
    }
  }
}

TEST_F(FileSourceTest, CorruptCompressedInputIsAnError) {
  std::string gz = Gzip(Content(100));
  gz[gz.size() / 2] ^= 0x55;
  gz[gz.size() / 2 + 1] ^= 0x55;
  auto src = Open("bad.gz", gz);
  std::string error;
  ReadAll(*src, 4096, &error);
  EXPECT_THAT(error, HasSubstr("gzip"));

  auto junk = Open("junk.gz", Gzip("hello\n") + "trailing junk");
  std::string error2;
  EXPECT_EQ(ReadAll(*junk, 4096, &error2), "hello\n");
  EXPECT_THAT(error2, HasSubstr("corrupt gzip data"));

  // Without a checksum zstd cannot notice flipped literal bytes; with one it must.
  std::string zst = Zstd(Content(100), /*checksum=*/true);
  zst[zst.size() / 2] ^= 0x55;
  auto zsrc = Open("bad.zst", zst);
  std::string error3;
  ReadAll(*zsrc, 4096, &error3);
  EXPECT_THAT(error3, HasSubstr("zstd"));
}

TEST_F(FileSourceTest, SkipPlainGzipAndZstd) {
  const std::string data = Content();
  for (const auto& [name, bytes] : {std::pair{"p", data}, {"g", Gzip(data)}, {"z", Zstd(data)}}) {
    for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{3}, uint64_t{1} << 20, uint64_t{(1 << 20) + 12345},
                       uint64_t{data.size()}}) {
      auto src = Open(name, bytes);
      ASSERT_NE(src, nullptr);
      ASSERT_TRUE(src->Skip(n).ok()) << name << " " << n;
      EXPECT_EQ(ReadAll(*src, 5000), data.substr(n)) << name << " " << n;
    }
  }
}

TEST_F(FileSourceTest, SkipAfterReadingAndPastTheEnd) {
  const std::string data = Content(1000);
  auto src = Open("p", data);
  char buf[10];
  auto r = src->Read(buf, sizeof(buf), -1);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->bytes, 10u);
  ASSERT_TRUE(src->Skip(90).ok());
  EXPECT_EQ(ReadAll(*src), data.substr(100));

  auto gz = Open("g", Gzip(data));
  Status s = gz->Skip(data.size() + 1);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("shorter than its checkpoint"));
}

TEST_F(FileSourceTest, DirectoryAndMissingFileGiveClearErrors) {
  auto dir = OpenFileSource(dir_.path());
  ASSERT_FALSE(dir.ok());
  EXPECT_THAT(dir.status().message(), HasSubstr("is a directory"));
  EXPECT_THAT(dir.status().message(), HasSubstr(dir_.path()));

  auto missing = OpenFileSource(dir_.Join("nope.ndjson"));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("cannot open input " + dir_.Join("nope.ndjson")));
  EXPECT_THAT(missing.status().message(), HasSubstr("No such file or directory"));
}

TEST_F(FileSourceTest, PrefixSourceReplaysTheFirstLine) {
  const std::string data = "first line\nsecond\nthird";
  auto src = Open("p", data);
  auto first = ReadFirstLine(*src, 1 << 20);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->substr(0, 11), "first line\n");
  auto whole = MakePrefixSource(std::move(first).value(), std::move(src));
  EXPECT_EQ(whole->name(), dir_.Join("p"));
  EXPECT_FALSE(whole->compressed());
  EXPECT_EQ(ReadAll(*whole, 3), data);
}

TEST_F(FileSourceTest, PrefixSourceSkipAcrossTheBoundary) {
  const std::string data = Content(100);
  for (uint64_t n : {0, 5, 10, 11, 500}) {
    auto src = Open("p", data);
    char buf[10];
    auto r = src->Read(buf, sizeof(buf), -1);
    ASSERT_TRUE(r.ok());
    auto whole = MakePrefixSource(std::string(buf, r->bytes), std::move(src));
    ASSERT_TRUE(whole->Skip(n).ok());
    EXPECT_EQ(ReadAll(*whole), data.substr(n)) << n;
  }
}

TEST_F(FileSourceTest, ReadFirstLineStopsAtTheLimit) {
  auto src = Open("p", std::string(100, 'x'));
  auto first = ReadFirstLine(*src, 10);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(*first, std::string(10, 'x'));
}

}  // namespace
}  // namespace eventlake
