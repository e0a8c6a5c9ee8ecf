// core/: calendar and unit parsing, JSON/base64 writing, histogram, hashing, Status.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/histogram.h"
#include "core/json_write.h"
#include "core/status.h"
#include "core/sync_point.h"
#include "core/time_util.h"

namespace eventlake {
namespace {

using ::testing::HasSubstr;

std::string Date(int64_t s) {
  char buf[10];
  FormatDate(s, buf);
  return std::string(buf, 10);
}

std::string DateTime(int64_t s) {
  char buf[19];
  FormatDateTime(s, buf);
  return std::string(buf, 19);
}

void ExpectCivil(int64_t days, int year, unsigned month, unsigned day) {
  const CivilDate c = CivilFromUnixDays(days);
  EXPECT_EQ(c.year, year) << "days=" << days;
  EXPECT_EQ(c.month, month) << "days=" << days;
  EXPECT_EQ(c.day, day) << "days=" << days;
}

TEST(TimeUtilTest, CivilFromUnixDaysEpochAndNeighbours) {
  ExpectCivil(0, 1970, 1, 1);
  ExpectCivil(-1, 1969, 12, 31);
  ExpectCivil(1, 1970, 1, 2);
  ExpectCivil(31, 1970, 2, 1);
  ExpectCivil(365, 1971, 1, 1);
}

TEST(TimeUtilTest, CivilFromUnixDaysLeapYears) {
  ExpectCivil(11016, 2000, 2, 29);  // 2000 is a leap year (divisible by 400)
  ExpectCivil(11017, 2000, 3, 1);
  ExpectCivil(19782, 2024, 2, 29);
  ExpectCivil(19783, 2024, 3, 1);
  ExpectCivil(18321, 2020, 2, 29);
  ExpectCivil(19416, 2023, 2, 28);  // 2023 is not
  ExpectCivil(19417, 2023, 3, 1);
  ExpectCivil(-25509, 1900, 2, 28);  // 1900 is not (divisible by 100)
  ExpectCivil(-25508, 1900, 3, 1);
}

TEST(TimeUtilTest, CivilFromUnixDaysCenturyEdges) {
  ExpectCivil(47481, 2099, 12, 31);
  ExpectCivil(47482, 2100, 1, 1);
  ExpectCivil(47540, 2100, 2, 28);  // 2100 is not a leap year
  ExpectCivil(47541, 2100, 3, 1);
  ExpectCivil(19037, 2022, 2, 14);
  ExpectCivil(2932896, 9999, 12, 31);
  ExpectCivil(2932897, 10000, 1, 1);
}

TEST(TimeUtilTest, FormatDateAndDateTime) {
  EXPECT_EQ(Date(1644838800), "2022-02-14");
  EXPECT_EQ(DateTime(1644838800), "2022-02-14T11:40:00");
  EXPECT_EQ(DateTime(0), "1970-01-01T00:00:00");
  EXPECT_EQ(DateTime(86399), "1970-01-01T23:59:59");
  EXPECT_EQ(DateTime(86400), "1970-01-02T00:00:00");
  EXPECT_EQ(DateTime(951782400), "2000-02-29T00:00:00");
  EXPECT_EQ(DateTime(4102444799), "2099-12-31T23:59:59");
  EXPECT_EQ(DateTime(4102444800), "2100-01-01T00:00:00");
  // Before the epoch the day is floored, not truncated toward zero.
  EXPECT_EQ(DateTime(-1), "1969-12-31T23:59:59");
  EXPECT_EQ(Date(-86400), "1969-12-31");
  EXPECT_EQ(Date(-86401), "1969-12-30");
}

TEST(TimeUtilTest, ParseDurationGood) {
  EXPECT_EQ(ParseDuration("90"), 90);
  EXPECT_EQ(ParseDuration("0"), 0);
  EXPECT_EQ(ParseDuration("90s"), 90);
  EXPECT_EQ(ParseDuration("15m"), 900);
  EXPECT_EQ(ParseDuration("2h"), 7200);
  EXPECT_EQ(ParseDuration("7d"), 604800);
  EXPECT_EQ(ParseDuration("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(ParseDuration("106751991167300d"), 106751991167300LL * 86400);
}

TEST(TimeUtilTest, ParseDurationBad) {
  for (const char* bad : {"", "s", "d", "7w", "-5", "+5", "1.5h", " 5", "5 ", "5 s", "7dd", "7D", "1e3",
                          "106751991167301d", "9223372036854775808", "99999999999999999999"}) {
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << "input: '" << bad << "'";
  }
}

TEST(TimeUtilTest, ParseSizeGood) {
  EXPECT_EQ(ParseSize("1048576"), 1048576u);
  EXPECT_EQ(ParseSize("10B"), 10u);
  EXPECT_EQ(ParseSize("64KiB"), 65536u);
  EXPECT_EQ(ParseSize("2K"), 2048u);
  EXPECT_EQ(ParseSize("64MiB"), 67108864u);
  EXPECT_EQ(ParseSize("64M"), 67108864u);
  EXPECT_EQ(ParseSize("1GiB"), 1073741824u);
  EXPECT_EQ(ParseSize("64KB"), 64000u);
  EXPECT_EQ(ParseSize("64MB"), 64000000u);
  EXPECT_EQ(ParseSize("3GB"), 3000000000u);
  EXPECT_EQ(ParseSize("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(ParseSize("17179869183GiB"), 18446744072635809792u);
}

TEST(TimeUtilTest, ParseSizeBad) {
  for (const char* bad : {"", "MiB", "64kb", "64mib", "64 MiB", "1.5MiB", "-1", "64TiB", "64KiBs",
                          "18446744073709551616", "17179869184GiB"}) {
    EXPECT_EQ(ParseSize(bad), std::nullopt) << "input: '" << bad << "'";
  }
}

constexpr int64_t kNow = 1644838800;

TEST(TimeUtilTest, ParseTimePointGood) {
  EXPECT_EQ(ParseTimePoint("1644838800", kNow), 1644838800);
  EXPECT_EQ(ParseTimePoint("0", kNow), 0);
  EXPECT_EQ(ParseTimePoint("2022-02-14", kNow), 1644796800);
  EXPECT_EQ(ParseTimePoint("1970-01-01", kNow), 0);
  EXPECT_EQ(ParseTimePoint("2000-02-29", kNow), 951782400);
  EXPECT_EQ(ParseTimePoint("2100-01-01", kNow), 4102444800);
  EXPECT_EQ(ParseTimePoint("1969-12-31", kNow), -86400);
  EXPECT_EQ(ParseTimePoint("9223372036854775807", kNow), INT64_MAX);
}

TEST(TimeUtilTest, ParseTimePointRelativeToNow) {
  EXPECT_EQ(ParseTimePoint("now", kNow), kNow);
  EXPECT_EQ(ParseTimePoint("now+1d", kNow), kNow + 86400);
  EXPECT_EQ(ParseTimePoint("now-30d", kNow), kNow - 30 * 86400);
  EXPECT_EQ(ParseTimePoint("now+90", kNow), kNow + 90);
  EXPECT_EQ(ParseTimePoint("now-15m", kNow), kNow - 900);
  EXPECT_EQ(ParseTimePoint("now+2h", 0), 7200);
  EXPECT_EQ(ParseTimePoint("now-9223372036854775807", -1), INT64_MIN);
  EXPECT_EQ(ParseTimePoint("now-9223372036854775807", -2), std::nullopt);  // would overflow
  for (const char* bad :
       {"now+", "now-", "now1d", "nowx", "now+-1d", "now+1w", "now +1d", "NOW", "now+9223372036854775807"}) {
    EXPECT_EQ(ParseTimePoint(bad, kNow), std::nullopt) << "input: '" << bad << "'";
  }
}

TEST(TimeUtilTest, ParseTimePointBad) {
  for (const char* bad : {"",
                          "abc",
                          "-1",
                          "1644838800x",
                          " 1644838800",
                          "9223372036854775808",
                          "2022-02-30",
                          "2021-02-29",
                          "2100-02-29",
                          "2022-13-01",
                          "2022-00-10",
                          "2022-02-00",
                          "2022-2-14",
                          "2022/02/14",
                          "2022-02-14T00:00:00Z",
                          "2022-02-1x",
                          "2022-0x-14",
                          "2022- 2-14",
                          "2022-+2-14",
                          "x022-02-14",
                          "-001-01-01"}) {
    EXPECT_EQ(ParseTimePoint(bad, kNow), std::nullopt) << "input: '" << bad << "'";
  }
}

TEST(TimeUtilTest, ClocksAreSane) {
  EXPECT_GT(WallMicros(), int64_t{1600000000} * 1000000);  // after 2020
  const int64_t a = MonoMicros();
  EXPECT_GE(MonoMicros(), a);
}

std::string Json(std::string_view s) {
  std::string out;
  AppendJsonString(out, s);
  return out;
}

TEST(JsonWriteTest, AppendJsonStringEscapes) {
  EXPECT_EQ(Json(""), R"("")");
  EXPECT_EQ(Json("plain"), R"("plain")");
  EXPECT_EQ(Json("a\"b"), R"("a\"b")");
  EXPECT_EQ(Json("a\\b"), R"("a\\b")");
  EXPECT_EQ(Json("\n\r\t\b\f"), R"("\n\r\t\b\f")");
  EXPECT_EQ(Json(std::string_view("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(Json(std::string_view("\0", 1)), R"("\u0000")");
  EXPECT_EQ(Json("\x1f"), R"("\u001f")");
  EXPECT_EQ(Json("a\x0b"
                 "b"),
            R"("a\u000bb")");
  EXPECT_EQ(Json("\x7f"), "\"\x7f\"");  // DEL needs no escape in JSON
  EXPECT_EQ(Json("/"), R"("/")");
}

TEST(JsonWriteTest, AppendJsonStringKeepsUtf8AndAppends) {
  EXPECT_EQ(Json("caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80"), "\"caf\xC3\xA9 \xE6\x97\xA5 \xF0\x9F\x98\x80\"");
  std::string out = "x=";
  AppendJsonString(out, "1\"2");
  EXPECT_EQ(out, R"(x="1\"2")");
}

std::string B64(std::string_view s) {
  std::string out;
  AppendBase64(out, s);
  return out;
}

TEST(JsonWriteTest, AppendBase64Rfc4648Vectors) {
  EXPECT_EQ(B64(""), "");
  EXPECT_EQ(B64("f"), "Zg==");
  EXPECT_EQ(B64("fo"), "Zm8=");
  EXPECT_EQ(B64("foo"), "Zm9v");
  EXPECT_EQ(B64("foob"), "Zm9vYg==");
  EXPECT_EQ(B64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(B64("foobar"), "Zm9vYmFy");
}

TEST(JsonWriteTest, AppendBase64BinaryAndAppends) {
  EXPECT_EQ(B64(std::string_view("\0", 1)), "AA==");
  EXPECT_EQ(B64("\xff\xfe\xfd"), "//79");
  EXPECT_EQ(B64("\xfb\xff"), "+/8=");
  std::string out = "b64:";
  AppendBase64(out, "foo");
  EXPECT_EQ(out, "b64:Zm9v");
}

TEST(JsonWriteTest, IsValidUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("ascii"));
  EXPECT_TRUE(IsValidUtf8("\xC3\xA9\xE6\x97\xA5\xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated sequence
  EXPECT_FALSE(IsValidUtf8("\xFF"));              // never valid
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // UTF-16 surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
}

TEST(HistogramTest, EmptyIsZero) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.min(), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.Quantile(0.5), 0);
}

TEST(HistogramTest, SingleValueIsExact) {
  Histogram h;
  h.Add(5.0, 3);
  EXPECT_EQ(h.count(), 3u);
  EXPECT_EQ(h.Quantile(0), 5.0);
  EXPECT_EQ(h.Quantile(0.5), 5.0);
  EXPECT_EQ(h.Quantile(1), 5.0);
}

TEST(HistogramTest, QuantilesOfOneToHundred) {
  Histogram h;
  for (int i = 1; i <= 100; ++i) h.Add(i);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.max(), 100);
  // An upper bound of the bucket holding the true quantile: within 2% above it.
  for (const auto& [q, want] : {std::pair{0.5, 50.0}, {0.9, 90.0}, {0.99, 99.0}, {0.01, 1.0}, {0.25, 25.0}}) {
    EXPECT_GE(h.Quantile(q), want) << q;
    EXPECT_LE(h.Quantile(q), want * 1.02) << q;
  }
  EXPECT_EQ(h.Quantile(1), 100.0);  // clamped to the max seen
}

TEST(HistogramTest, WeightedCountsAndClamping) {
  Histogram h;
  h.Add(1.0, 99);
  h.Add(1000.0, 1);
  EXPECT_LE(h.Quantile(0.99), 1.02);
  EXPECT_GE(h.Quantile(0.99), 1.0);
  EXPECT_EQ(h.Quantile(0.995), 1000.0);
  h.Add(-3.0);  // negative values count as 0, in the lowest bucket (upper bound 1e-3)
  EXPECT_EQ(h.min(), 0);
  EXPECT_DOUBLE_EQ(h.Quantile(0), 0.001);
  h.Add(7.0, 0);  // a zero count adds nothing
  EXPECT_EQ(h.count(), 101u);
}

TEST(HistogramTest, MergeAndMergeShifted) {
  Histogram a, b;
  a.Add(2.0, 2);
  b.Add(10.0, 2);
  a.Merge(b);
  EXPECT_EQ(a.count(), 4u);
  EXPECT_EQ(a.min(), 2.0);
  EXPECT_EQ(a.max(), 10.0);
  EXPECT_GE(a.Quantile(0.5), 2.0);
  EXPECT_LE(a.Quantile(0.5), 2.0 * 1.02);
  EXPECT_EQ(a.Quantile(0.75), 10.0);  // the top bucket is clamped to the max

  Histogram empty, c;
  c.Merge(empty);
  EXPECT_EQ(c.count(), 0u);
  c.MergeShifted(b, 5.0);  // every value of b, plus 5
  EXPECT_EQ(c.count(), 2u);
  EXPECT_EQ(c.min(), 15.0);
  EXPECT_EQ(c.max(), 15.0);
}

TEST(HashTest, Fnv1a64KnownVectors) {
  EXPECT_EQ(Fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(Fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(Fnv1a64("foobar"), 0x85944171f73967e8ULL);
  EXPECT_NE(Mix64(1), Mix64(2));
}

TEST(StatusTest, OkAndErrors) {
  Status ok;
  EXPECT_TRUE(ok.ok());
  EXPECT_TRUE(Status::Ok().ok());
  EXPECT_EQ(ok.message(), "");
  Status e = Status::Error("disk full");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.message(), "disk full");
  EXPECT_EQ(e.Context("writing x").message(), "writing x: disk full");
  EXPECT_TRUE(ok.Context("writing x").ok());
  // An empty message must still be an error.
  Status empty = Status::Error("");
  EXPECT_FALSE(empty.ok());
  EXPECT_EQ(empty.message(), "unknown error");
}

Status FailsAt(int step, int* reached) {
  for (int i = 0; i < 3; ++i) {
    EL_RETURN_IF_ERROR(i == step ? Status::Error("step " + std::to_string(i)) : Status::Ok());
    *reached = i;
  }
  return Status::Ok();
}

TEST(StatusTest, ReturnIfError) {
  int reached = -1;
  EXPECT_TRUE(FailsAt(5, &reached).ok());
  EXPECT_EQ(reached, 2);
  reached = -1;
  Status s = FailsAt(1, &reached);
  EXPECT_EQ(s.message(), "step 1");
  EXPECT_EQ(reached, 0);
}

TEST(ResultTest, ValueAndError) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
  Result<int> e = Status::Error("nope");
  EXPECT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "nope");

  Result<std::unique_ptr<std::string>> p = std::make_unique<std::string>("moved");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->get()->size(), 5u);
  std::unique_ptr<std::string> taken = std::move(p).value();
  EXPECT_EQ(*taken, "moved");
}

std::vector<std::string>* g_points = nullptr;
void Record(std::string_view name) { g_points->emplace_back(name); }

TEST(SyncPointTest, CallsTheInstalledHandlerOnly) {
  std::vector<std::string> points;
  g_points = &points;
  SyncPoint("before");  // no handler yet
  SetSyncPointHandler(&Record);
  SyncPoint("a");
  SyncPoint("b");
  SetSyncPointHandler(nullptr);
  SyncPoint("after");
  EXPECT_THAT(points, ::testing::ElementsAre("a", "b"));
  g_points = nullptr;
}

}  // namespace
}  // namespace eventlake
