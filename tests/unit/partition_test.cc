// partition/: escaping of partition values, partition paths, and the flush policy of
// the per-partition buffers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "core/hash.h"
#include "core/json_write.h"
#include "partition/buffers.h"
#include "partition/partition_key.h"

namespace eventlake {
namespace {

using ::testing::UnorderedElementsAre;

TEST(EscapePartitionValueTest, PlainValuesUnchanged) {
  EXPECT_EQ(EscapePartitionValue("account"), "account");
  EXPECT_EQ(EscapePartitionValue("Account-2_b.c~d"), "Account-2_b.c%7Ed");
  EXPECT_EQ(EscapePartitionValue("a.b"), "a.b");
  EXPECT_EQ(EscapePartitionValue("x_"), "x_");
}

TEST(EscapePartitionValueTest, PathAndSpecialCharacters) {
  EXPECT_EQ(EscapePartitionValue("../x"), "%2E.%2Fx");
  EXPECT_EQ(EscapePartitionValue("/"), "%2F");
  EXPECT_EQ(EscapePartitionValue("a/b"), "a%2Fb");
  EXPECT_EQ(EscapePartitionValue("a\\b"), "a%5Cb");
  EXPECT_EQ(EscapePartitionValue("%"), "%25");
  EXPECT_EQ(EscapePartitionValue("%2F"), "%252F");  // an escape in the data is escaped again
  EXPECT_EQ(EscapePartitionValue("a=b"), "a%3Db");
  EXPECT_EQ(EscapePartitionValue("a:b"), "a%3Ab");
  EXPECT_EQ(EscapePartitionValue("a b"), "a%20b");
  EXPECT_EQ(EscapePartitionValue(" "), "%20");
  EXPECT_EQ(EscapePartitionValue("\"'*?<>|"), "%22%27%2A%3F%3C%3E%7C");
}

TEST(EscapePartitionValueTest, LeadingDotOrUnderscore) {
  EXPECT_EQ(EscapePartitionValue(".hidden"), "%2Ehidden");
  EXPECT_EQ(EscapePartitionValue("."), "%2E");
  EXPECT_EQ(EscapePartitionValue(".."), "%2E.");
  EXPECT_EQ(EscapePartitionValue("_x"), "%5Fx");
  EXPECT_EQ(EscapePartitionValue("__"), "%5F_");
}

TEST(EscapePartitionValueTest, NullInAnyCaseIsEscaped) {
  // Engines read a raw null partition value as SQL NULL.
  EXPECT_EQ(EscapePartitionValue("null"), "%6Eull");
  EXPECT_EQ(EscapePartitionValue("NULL"), "%4EULL");
  EXPECT_EQ(EscapePartitionValue("Null"), "%4Eull");
  EXPECT_EQ(EscapePartitionValue("nULl"), "%6EULl");
  EXPECT_EQ(EscapePartitionValue("nul"), "nul");
  EXPECT_EQ(EscapePartitionValue("nulls"), "nulls");
  EXPECT_EQ(EscapePartitionValue("xnull"), "xnull");
}

TEST(EscapePartitionValueTest, ControlCharacters) {
  EXPECT_EQ(EscapePartitionValue(std::string_view("a\0b", 3)), "a%00b");
  EXPECT_EQ(EscapePartitionValue("\x01\n\t\r\x1f\x7f"), "%01%0A%09%0D%1F%7F");
}

TEST(EscapePartitionValueTest, UnicodeKept) {
  EXPECT_EQ(EscapePartitionValue("caf\xC3\xA9"), "caf\xC3\xA9");
  EXPECT_EQ(EscapePartitionValue("\xE6\x97\xA5\xE6\x9C\xAC"), "\xE6\x97\xA5\xE6\x9C\xAC");
  EXPECT_EQ(EscapePartitionValue("\xF0\x9F\x98\x80/x"), "\xF0\x9F\x98\x80%2Fx");
}

std::string HashTail(std::string_view value) {
  char tail[18];
  std::snprintf(tail, sizeof(tail), "~%016llx", static_cast<unsigned long long>(Fnv1a64(value)));
  return tail;
}

TEST(EscapePartitionValueTest, LongValuesAreCutAndHashed) {
  EXPECT_EQ(EscapePartitionValue(std::string(200, 'a')), std::string(200, 'a'));  // at the limit: unchanged
  const std::string v201(201, 'a');
  EXPECT_EQ(EscapePartitionValue(v201), std::string(180, 'a') + HashTail(v201));
  const std::string v300(300, 'a');
  const std::string e300 = EscapePartitionValue(v300);
  EXPECT_EQ(e300, std::string(180, 'a') + HashTail(v300));
  EXPECT_EQ(e300.size(), 197u);
  // 67 '/' escape to 201 bytes: over the limit although the value is short.
  const std::string slashes(67, '/');
  std::string want;
  for (int i = 0; i < 60; ++i) want += "%2F";
  EXPECT_EQ(EscapePartitionValue(slashes), want + HashTail(slashes));
}

TEST(EscapePartitionValueTest, LongValuesNeverCutInsideAnEscapeOrUtf8) {
  // Shift the escapes and multi-byte sequences across the cut point at 180.
  for (int shift = 0; shift < 8; ++shift) {
    for (const std::string unit : {"/", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", "%"}) {
      std::string value(shift, 'a');
      while (value.size() < 400) value += unit;
      const std::string e = EscapePartitionValue(value);
      SCOPED_TRACE("shift " + std::to_string(shift) + " unit " + unit);
      ASSERT_LE(e.size(), 200u);
      const size_t tilde = e.size() - 17;
      ASSERT_EQ(e.substr(tilde), HashTail(value));
      const std::string prefix = e.substr(0, tilde);
      EXPECT_GE(prefix.size(), 177u);
      EXPECT_TRUE(IsValidUtf8(prefix));
      // The prefix is exactly the start of the full escaping.
      std::string full;
      for (char c : value) full += EscapePartitionValue(std::string(1, c));
      EXPECT_EQ(prefix, full.substr(0, prefix.size()));
      for (size_t p = prefix.find('%'); p != std::string::npos; p = prefix.find('%', p + 1))
        EXPECT_LE(p + 3, prefix.size()) << "escape cut at " << p;
    }
  }
}

TEST(EscapePartitionValueTest, DistinctLongValuesStayDistinct) {
  std::set<std::string> names;
  const std::string base(300, 'x');
  for (int i = 0; i < 200; ++i) {
    std::string v = base;
    v[250 + i % 50] = static_cast<char>('a' + i / 50);  // differ only after the kept prefix
    names.insert(EscapePartitionValue(v));
  }
  names.insert(EscapePartitionValue(base));
  EXPECT_EQ(names.size(), 201u);
}

// A short value that spells out a hashed name must not land in the long value's
// directory: the "~" before the hash is escaped in any other value.
TEST(EscapePartitionValueTest, ShortValueCannotImitateAHashedName) {
  const std::string long_value(300, 'a');
  const std::string imitation = EscapePartitionValue(long_value);  // 197 plain bytes
  EXPECT_NE(EscapePartitionValue(imitation), EscapePartitionValue(long_value));
}

TEST(EscapePartitionValueTest, NoResultCanLeaveItsDirectory) {
  std::vector<std::string> inputs = {
      ".", "..", "...", "/", "//", "./", "../..", "_", "a/../b", std::string(500, '.'), std::string(500, '/')};
  for (int c = 0; c < 256; ++c) {
    inputs.emplace_back(1, static_cast<char>(c));
    inputs.push_back(std::string(1, static_cast<char>(c)) + ".");
    inputs.push_back(std::string(".") + static_cast<char>(c));
  }
  for (const std::string& in : inputs) {
    const std::string e = EscapePartitionValue(in);
    EXPECT_EQ(e.find('/'), std::string::npos) << in;
    EXPECT_EQ(e.find('\\'), std::string::npos) << in;
    EXPECT_NE(e, ".");
    EXPECT_NE(e, "..");
    if (!in.empty()) {
      EXPECT_FALSE(e.empty());
      EXPECT_NE(e[0], '.') << in;
      EXPECT_NE(e[0], '_') << in;
    }
    for (unsigned char ch : e) EXPECT_GE(ch, 0x20) << "control byte in result for input " << in;
  }
}

TEST(PartitionPathTest, HiveStyle) {
  EXPECT_EQ(PartitionPath("account", "2022-02-14"), "event_type=account/event_date=2022-02-14");
  EXPECT_EQ(PartitionPath("../etc", "2022-02-14"), "event_type=%2E.%2Fetc/event_date=2022-02-14");
}

// An encoder whose buffered size the test sets directly.
class FakeEncoder final : public Encoder {
 public:
  explicit FakeEncoder(size_t* bytes) : bytes_(bytes) {}
  bool Add(const EventFields&, const Derived&) override { return true; }
  size_t buffered_bytes() const override { return *bytes_; }
  Status Finish(ByteSink&) override { return Status::Ok(); }
  std::string_view extension() const override { return ".fake"; }

 private:
  size_t* bytes_;
};

class PartitionBuffersTest : public ::testing::Test {
 protected:
  PartitionBuffers Make(FlushPolicy policy) {
    return PartitionBuffers(policy, [this] {
      sizes_.push_back(std::make_unique<size_t>(0));
      return std::make_unique<FakeEncoder>(sizes_.back().get());
    });
  }
  static std::vector<std::string> Keys(const std::vector<std::unique_ptr<Buffer>>& due) {
    std::vector<std::string> keys;
    for (const auto& b : due) keys.push_back(b->key);
    return keys;
  }
  std::vector<std::unique_ptr<size_t>> sizes_;  // buffered_bytes of each encoder made
};

TEST_F(PartitionBuffersTest, GetCreatesOncePerKey) {
  PartitionBuffers buffers = Make(FlushPolicy{});
  Buffer& a = buffers.Get("event_type=a/event_date=2022-02-14", 100);
  Buffer& b = buffers.Get("event_type=b/event_date=2022-02-14", 200);
  EXPECT_EQ(&buffers.Get("event_type=a/event_date=2022-02-14", 300), &a);
  EXPECT_NE(&a, &b);
  EXPECT_EQ(a.key, "event_type=a/event_date=2022-02-14");
  EXPECT_EQ(a.opened_us, 100);  // the first use opens it
  ASSERT_NE(a.encoder, nullptr);
  EXPECT_EQ(buffers.size(), 2u);
  EXPECT_EQ(sizes_.size(), 2u);
}

TEST_F(PartitionBuffersTest, FlushByAge) {
  FlushPolicy p;
  p.max_age_us = 60'000'000;
  PartitionBuffers buffers = Make(p);
  buffers.Get("old", 0);
  buffers.Get("new", 30'000'000);
  EXPECT_EQ(buffers.NextAgeDeadline(), 60'000'000);
  EXPECT_TRUE(buffers.TakeDue(59'999'999, false).empty());
  EXPECT_THAT(Keys(buffers.TakeDue(60'000'000, false)), UnorderedElementsAre("old"));
  EXPECT_EQ(buffers.NextAgeDeadline(), 90'000'000);
  EXPECT_THAT(Keys(buffers.TakeDue(60'000'001, true)), UnorderedElementsAre("new"));
  EXPECT_EQ(buffers.size(), 0u);
  EXPECT_EQ(buffers.NextAgeDeadline(), INT64_MAX);
}

TEST_F(PartitionBuffersTest, FlushBySizeAndCount) {
  FlushPolicy p;
  p.max_bytes = 1000;
  p.max_events = 3;
  PartitionBuffers buffers = Make(p);
  buffers.Get("small", 0);
  buffers.Get("bytes", 0);
  buffers.Get("count", 0).events = 3;
  *sizes_[1] = 1000;
  EXPECT_THAT(Keys(buffers.TakeDue(1, false)), UnorderedElementsAre("bytes", "count"));
  buffers.Get("small", 0).events = 2;
  *sizes_[0] = 999;
  EXPECT_TRUE(buffers.TakeDue(2, false).empty());
}

TEST_F(PartitionBuffersTest, MemoryBudgetFlushesLargestFirst) {
  FlushPolicy p;
  p.memory_budget = 500;
  PartitionBuffers buffers = Make(p);
  buffers.Get("a", 0);
  buffers.Get("b", 0);
  buffers.Get("c", 0);
  *sizes_[0] = 100;
  *sizes_[1] = 200;
  *sizes_[2] = 300;
  const size_t overhead = ClaimList().memory();  // an empty claim list's own bytes
  ASSERT_LT(overhead, 50u);
  EXPECT_EQ(buffers.memory(), 600u + 3 * overhead);
  // Over 500: flush the largest until at most half the budget (250) is left.
  EXPECT_EQ(Keys(buffers.TakeDue(1, false)), (std::vector<std::string>{"c", "b"}));
  EXPECT_EQ(buffers.memory(), 100u + overhead);
  EXPECT_TRUE(buffers.TakeDue(2, false).empty());
}

TEST_F(PartitionBuffersTest, BufferMemoryCountsClaimsAndMarks) {
  PartitionBuffers buffers = Make(FlushPolicy{});
  Buffer& b = buffers.Get("k", 0);
  *sizes_[0] = 10;
  b.claims.Add("uuid-1", Claim{110, Token{1, 2}});
  b.NoteSource(1, 100, 10, 10 * 7);
  b.NoteSource(1, 200, 20, 20 * 7);  // only the first record of each source counts
  b.NoteSource(2, 300, 30, 30 * 7);
  b.NoteSource(1, 400, 40, 40 * 7);
  ASSERT_EQ(b.first_marks.size(), 2u);
  EXPECT_EQ(b.first_marks[0].offset, 100u);
  EXPECT_EQ(b.first_marks[0].line_no, 10u);
  EXPECT_EQ(b.first_marks[1].source, 2u);
  EXPECT_EQ(b.first_marks[1].watermark, 210);
  EXPECT_GE(b.claims.memory(), 6u);
  EXPECT_EQ(b.memory(), 10u + b.claims.memory() + 2 * 64u);
}

}  // namespace
}  // namespace eventlake
