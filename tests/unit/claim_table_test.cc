// dedup/claim_table: the open-addressing claim index (pending claims, memory store)
// and ClaimList, the per-buffer list of claims.
#include "dedup/claim_table.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace eventlake {
namespace {

std::string Uuid(int i) { return "0b5c" + std::to_string(i * 2654435761u) + "-" + std::to_string(i); }

TEST(ClaimTableTest, PutFindReplace) {
  ClaimTable t;
  EXPECT_EQ(t.Find("a"), nullptr);
  t.Put("a", Claim{10, Token{1, 2}});
  t.Put("b", Claim{20, Token{1, 3}});
  ASSERT_NE(t.Find("a"), nullptr);
  EXPECT_EQ(t.Find("a")->expires_at, 10);
  EXPECT_EQ(t.Find("b")->token, (Token{1, 3}));
  EXPECT_EQ(t.size(), 2u);
  t.Put("a", Claim{30, Token{2, 0}});  // replaces
  EXPECT_EQ(t.size(), 2u);
  EXPECT_EQ(t.Find("a")->expires_at, 30);
  EXPECT_EQ(t.Find("a")->token, (Token{2, 0}));
  EXPECT_EQ(t.Find("c"), nullptr);
  EXPECT_EQ(t.Find("a", ClaimTable::HashOf("a"))->expires_at, 30);
}

TEST(ClaimTableTest, KeysAreExactBytes) {
  ClaimTable t;
  const std::string nul("a\0b", 3);
  t.Put("", Claim{1, {}});
  t.Put(nul, Claim{2, {}});
  t.Put("a", Claim{3, {}});
  t.Put("ab", Claim{4, {}});
  t.Put("12345678", Claim{5, {}});   // exactly one 8-byte word
  t.Put("123456789", Claim{6, {}});  // one word and a tail
  EXPECT_EQ(t.Find("")->expires_at, 1);
  EXPECT_EQ(t.Find(nul)->expires_at, 2);
  EXPECT_EQ(t.Find("a")->expires_at, 3);
  EXPECT_EQ(t.Find("ab")->expires_at, 4);
  EXPECT_EQ(t.Find(std::string_view("a\0", 2)), nullptr);
  EXPECT_EQ(t.Find("12345678")->expires_at, 5);
  EXPECT_EQ(t.Find("123456789")->expires_at, 6);
  EXPECT_EQ(t.Find("1234567"), nullptr);
}

TEST(ClaimTableTest, EraseOnlyWithTheSameToken) {
  ClaimTable t;
  t.Put("a", Claim{10, Token{1, 2}});
  EXPECT_FALSE(t.EraseIf("a", Token{1, 3}));
  EXPECT_FALSE(t.EraseIf("zz", Token{1, 2}));
  ASSERT_NE(t.Find("a"), nullptr);
  EXPECT_TRUE(t.EraseIf("a", Token{1, 2}));
  EXPECT_EQ(t.Find("a"), nullptr);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_FALSE(t.EraseIf("a", Token{1, 2}));
  t.Put("a", Claim{11, Token{1, 4}});  // reusable after erasing
  EXPECT_EQ(t.Find("a")->expires_at, 11);
}

TEST(ClaimTableTest, GrowsAndKeepsEverything) {
  ClaimTable t;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) t.Put(Uuid(i), Claim{i, Token{7, static_cast<uint64_t>(i)}});
  EXPECT_EQ(t.size(), static_cast<size_t>(kN));
  for (int i = 0; i < kN; ++i) {
    const Claim* c = t.Find(Uuid(i));
    ASSERT_NE(c, nullptr) << i;
    ASSERT_EQ(c->expires_at, i);
  }
  EXPECT_EQ(t.Find(Uuid(kN)), nullptr);
  // Erase every other one; the rest stay findable.
  for (int i = 0; i < kN; i += 2) ASSERT_TRUE(t.EraseIf(Uuid(i), Token{7, static_cast<uint64_t>(i)}));
  EXPECT_EQ(t.size(), static_cast<size_t>(kN / 2));
  for (int i = 0; i < kN; ++i) ASSERT_EQ(t.Find(Uuid(i)) != nullptr, i % 2 == 1) << i;
}

TEST(ClaimTableTest, ChurnDoesNotGrowWithoutBound) {
  // Put/erase cycles (pending claims of flushed buffers) must reuse space.
  ClaimTable t;
  for (int round = 0; round < 50; ++round) {
    for (int i = 0; i < 10000; ++i) t.Put(Uuid(round * 10000 + i), Claim{1, Token{0, static_cast<uint64_t>(i)}});
    for (int i = 0; i < 10000; ++i) ASSERT_TRUE(t.EraseIf(Uuid(round * 10000 + i), Token{0, static_cast<uint64_t>(i)}));
  }
  EXPECT_EQ(t.size(), 0u);
  ClaimTable fresh;
  for (int i = 0; i < 10000; ++i) fresh.Put(Uuid(i), Claim{1, {}});
  EXPECT_LE(t.memory(), 4 * fresh.memory());
  t.Put("after", Claim{5, {}});
  EXPECT_EQ(t.Find("after")->expires_at, 5);
}

TEST(ClaimTableTest, PurgeBelow) {
  ClaimTable t;
  for (int i = 0; i < 5000; ++i) t.Put(Uuid(i), Claim{i, {}});
  t.PurgeBelow(4000);
  EXPECT_EQ(t.size(), 1000u);
  EXPECT_EQ(t.Find(Uuid(3999)), nullptr);
  ASSERT_NE(t.Find(Uuid(4000)), nullptr);
  EXPECT_EQ(t.Find(Uuid(4999))->expires_at, 4999);
  t.PurgeBelow(INT64_MAX);
  EXPECT_EQ(t.size(), 0u);
  t.Put("x", Claim{1, {}});
  EXPECT_EQ(t.size(), 1u);
}

// Records may be up to 256 MiB (--max-record-size), so a uuid can be longer than
// 16 MiB; a slot keeps only 24 bits of the length, so such a uuid is never found
// again (its duplicates are written). Disabled until fixed; see the report.
TEST(ClaimTableTest, VeryLongUuid) {
  ClaimTable t;
  const std::string big(17 << 20, 'u');
  std::string other = big;
  other.back() = 'v';
  t.Put("small", Claim{1, {}});
  t.Put(big, Claim{2, {}});
  ASSERT_NE(t.Find(big), nullptr);
  EXPECT_EQ(t.Find(big)->expires_at, 2);
  EXPECT_EQ(t.Find(other), nullptr);
  EXPECT_EQ(t.Find(std::string_view(big).substr(0, 1 << 20)), nullptr);
  EXPECT_EQ(t.Find("small")->expires_at, 1);
  t.Put("after", Claim{3, {}});
  EXPECT_EQ(t.Find("after")->expires_at, 3);
}

TEST(ClaimListTest, KeepsOrderAndBytes) {
  ClaimList l;
  EXPECT_TRUE(l.empty());
  l.Add("first", Claim{1, Token{1, 1}});
  l.Add("", Claim{2, Token{1, 2}});
  l.Add(std::string_view("x\0y", 3), Claim{3, Token{1, 3}});
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l.uuid(0), "first");
  EXPECT_EQ(l.uuid(1), "");
  EXPECT_EQ(l.uuid(2), std::string_view("x\0y", 3));
  EXPECT_EQ(l.claim(2).token, (Token{1, 3}));
  EXPECT_GE(l.memory(), 8u);
}

}  // namespace
}  // namespace eventlake
