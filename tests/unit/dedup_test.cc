// dedup/: the first-occurrence-wins decision (Deduplicator) over both claim stores,
// memory and RocksDB, and what the stores keep.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dedup/deduplicator.h"
#include "dedup/memory/memory_dedup_store.h"
#include "dedup/rocksdb/rocksdb_dedup_store.h"
#include "state/state_db.h"
#include "test_util.h"

namespace eventlake {

// Readable gtest output for decisions (found by ADL).
void PrintTo(Decision d, std::ostream* os) {
  *os << (d == Decision::kWrite ? "kWrite" : d == Decision::kDuplicate ? "kDuplicate" : "kAlreadyCommitted");
}

namespace {

using ::testing::ElementsAre;
using D = Decision;

Token Tok(uint64_t offset, uint64_t source = 1) { return Token{source, offset}; }
// Lookups on behalf of records of an unrelated source: they see every stored claim.
std::vector<Token> Readers(size_t n) { return std::vector<Token>(n, Token{~0ULL, 0}); }

ClaimList Claims(std::initializer_list<std::pair<std::string_view, Claim>> claims) {
  ClaimList list;
  for (const auto& [uuid, claim] : claims) list.Add(uuid, claim);
  return list;
}

enum class StoreKind { kMemory, kRocksDb };

class DedupTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    auto state = StateDb::Open(StateOptions{dir_.Join("state")});
    ASSERT_TRUE(state.ok()) << state.status().message();
    state_ = std::move(state).value();
    store_ = GetParam() == StoreKind::kMemory ? MakeMemoryDedupStore() : MakeRocksDbDedupStore(*state_);
  }
  // Simulates a restart: the memory store forgets everything, RocksDB keeps what was committed.
  void Reopen() {
    store_.reset();
    state_.reset();
    Open();
  }

  struct In {
    std::string uuid;
    int64_t seconds;
    Token token;
  };
  // Decides one batch; remembers the claims of the written records for Commit().
  std::vector<Decision> Decide(Deduplicator& dedup, const std::vector<In>& batch) {
    std::vector<DedupInput> in;
    for (const In& e : batch) in.push_back({e.uuid, e.seconds, e.token});
    std::vector<Decision> out(in.size());
    std::vector<Claim> claims(in.size());
    Status s = dedup.Decide(in, out, claims);
    EXPECT_TRUE(s.ok()) << s.message();
    last_claims_ = ClaimList();
    for (size_t i = 0; i < in.size(); ++i)
      if (out[i] == D::kWrite) last_claims_.Add(batch[i].uuid, claims[i]);
    return out;
  }
  // One epoch commit of `claims`, as the Committer does it.
  void Commit(Deduplicator* dedup, const ClaimList& claims) {
    store_->AddToCommit(claims, *state_);
    Status s = state_->Commit();
    ASSERT_TRUE(s.ok()) << s.message();
    if (dedup != nullptr) {
      dedup->Committed(claims);
    } else {
      store_->OnCommitted(claims);
    }
  }
  std::optional<Claim> Lookup(std::string_view uuid) {
    std::vector<std::string_view> uuids = {uuid};
    std::vector<std::optional<Claim>> out(1);
    Status s = store_->Lookup(uuids, Readers(uuids.size()), out);
    EXPECT_TRUE(s.ok()) << s.message();
    return out[0];
  }

  testing::TempDir dir_;
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<DedupStore> store_;
  ClaimList last_claims_;
};

TEST_P(DedupTest, FirstOccurrenceWinsInsideABatch) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}, {"b", 100, Tok(1)}, {"a", 101, Tok(2)}, {"b", 99, Tok(3)}}),
              ElementsAre(D::kWrite, D::kWrite, D::kDuplicate, D::kDuplicate));
  ASSERT_EQ(last_claims_.size(), 2u);
  EXPECT_EQ(last_claims_.uuid(0), "a");
  EXPECT_EQ(last_claims_.claim(0).expires_at, 110);  // watermark 100 + window 10
  EXPECT_EQ(last_claims_.claim(0).token, Tok(0));
  EXPECT_EQ(last_claims_.claim(1).expires_at, 110);
  EXPECT_EQ(dedup.watermark(), 101);
  EXPECT_EQ(dedup.pending(), 2u);
}

TEST_P(DedupTest, DuplicatesAcrossUncommittedBatches) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(1)}}), ElementsAre(D::kDuplicate));
}

TEST_P(DedupTest, WindowExpiresExactlyWhenTheWatermarkPassesIt) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));  // claim until 110
  EXPECT_THAT(Decide(dedup, {{"x", 110, Tok(1)}, {"a", 110, Tok(2)}}), ElementsAre(D::kWrite, D::kDuplicate));
  EXPECT_THAT(Decide(dedup, {{"y", 111, Tok(3)}, {"a", 111, Tok(4)}}), ElementsAre(D::kWrite, D::kWrite));
  ASSERT_EQ(last_claims_.size(), 2u);
  EXPECT_EQ(last_claims_.claim(1).expires_at, 121);
  EXPECT_EQ(last_claims_.claim(1).token, Tok(4));
}

TEST_P(DedupTest, ExpiryFollowsTheWatermarkNotTheRecordsOwnTime) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}, {"late", 200, Tok(1)}, {"a", 105, Tok(2)}}),
              ElementsAre(D::kWrite, D::kWrite, D::kWrite));
  // The copy of "a" at 105 arrived after the watermark (200) passed its claim (110):
  // it is written again and claims until watermark + window.
  ASSERT_EQ(last_claims_.size(), 3u);
  EXPECT_EQ(last_claims_.claim(2).expires_at, 210);
  EXPECT_EQ(dedup.watermark(), 200);
}

TEST_P(DedupTest, InitialWatermarkCounts) {
  Deduplicator dedup(*store_, 10, 1000);
  EXPECT_THAT(Decide(dedup, {{"a", 5, Tok(0)}}), ElementsAre(D::kWrite));
  EXPECT_EQ(last_claims_.claim(0).expires_at, 1010);
  EXPECT_EQ(dedup.watermark(), 1000);
}

TEST_P(DedupTest, CommittedClaimsAreFoundInTheStore) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}, {"b", 100, Tok(1)}}), ElementsAre(D::kWrite, D::kWrite));
  Commit(&dedup, last_claims_);
  EXPECT_EQ(dedup.pending(), 0u);
  const std::optional<Claim> a = Lookup("a");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->expires_at, 110);
  EXPECT_EQ(a->token, Tok(0));
  EXPECT_FALSE(Lookup("zzz").has_value());
  // Now only the store knows "a".
  EXPECT_THAT(Decide(dedup, {{"a", 105, Tok(7)}, {"c", 105, Tok(8)}}), ElementsAre(D::kDuplicate, D::kWrite));
  // A fresh deduplicator (same process) sees them too.
  Deduplicator fresh(*store_, 10, 105);
  EXPECT_THAT(Decide(fresh, {{"b", 106, Tok(9)}}), ElementsAre(D::kDuplicate));
  EXPECT_THAT(Decide(fresh, {{"b", 111, Tok(9)}}), ElementsAre(D::kWrite));  // watermark 111 > 110
}

TEST_P(DedupTest, ReplayOfACommittedRecordIsAlreadyCommitted) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(42)}}), ElementsAre(D::kWrite));
  Commit(&dedup, last_claims_);
  Deduplicator replay(*store_, 10, 0);
  EXPECT_THAT(Decide(replay, {{"a", 100, Tok(42)}, {"a", 100, Tok(43)}, {"a", 100, Tok(42, 2)}}),
              ElementsAre(D::kAlreadyCommitted, D::kDuplicate, D::kDuplicate));
  EXPECT_EQ(replay.pending(), 0u);
  // Its own claim is recognised even after the window passed.
  Deduplicator later(*store_, 10, 500);
  EXPECT_THAT(Decide(later, {{"a", 100, Tok(42)}}), ElementsAre(D::kAlreadyCommitted));
}

TEST_P(DedupTest, CommittingAnOlderClaimDoesNotDropTheNewerPendingOne) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));
  const ClaimList first = last_claims_;
  EXPECT_THAT(Decide(dedup, {{"a", 200, Tok(1)}}), ElementsAre(D::kWrite));  // after expiry
  const ClaimList second = last_claims_;
  EXPECT_EQ(dedup.pending(), 1u);
  Commit(&dedup, first);
  EXPECT_EQ(dedup.pending(), 1u);  // the claim by Tok(1) is still pending
  EXPECT_THAT(Decide(dedup, {{"a", 201, Tok(2)}}), ElementsAre(D::kDuplicate));
  Commit(&dedup, second);
  EXPECT_EQ(dedup.pending(), 0u);
}

TEST_P(DedupTest, OutOfOrderCommitsKeepTheLongerClaim) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));
  const ClaimList older = last_claims_;  // expires 110
  EXPECT_THAT(Decide(dedup, {{"a", 200, Tok(1)}}), ElementsAre(D::kWrite));
  const ClaimList newer = last_claims_;  // expires 210
  Commit(&dedup, newer);
  Commit(&dedup, older);  // the older epoch's commit lands last
  std::optional<Claim> c = Lookup("a");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->expires_at, 210);
  EXPECT_EQ(c->token, Tok(1));
  Deduplicator fresh(*store_, 10, 205);
  EXPECT_THAT(Decide(fresh, {{"a", 205, Tok(9)}}), ElementsAre(D::kDuplicate));
}

TEST_P(DedupTest, EqualExpiryLaterCommitWins) {
  Commit(nullptr, Claims({{"a", Claim{300, Tok(1)}}}));
  Commit(nullptr, Claims({{"a", Claim{300, Tok(2)}}}));
  Commit(nullptr, Claims({{"a", Claim{299, Tok(3)}}}));
  std::optional<Claim> c = Lookup("a");
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->expires_at, 300);
  EXPECT_EQ(c->token, Tok(2));
}

TEST_P(DedupTest, BatchLookup) {
  Commit(nullptr, Claims({{"a", Claim{10, Tok(1)}}, {"c", Claim{30, Tok(3)}}}));
  std::vector<std::string_view> uuids = {"a", "b", "c", "a"};
  std::vector<std::optional<Claim>> out(4, Claim{});
  ASSERT_TRUE(store_->Lookup(uuids, Readers(uuids.size()), out).ok());
  ASSERT_TRUE(out[0] && out[2] && out[3]);
  EXPECT_FALSE(out[1].has_value());
  EXPECT_EQ(out[0]->expires_at, 10);
  EXPECT_EQ(out[2]->token, Tok(3));
  EXPECT_EQ(out[3]->expires_at, 10);
}

TEST_P(DedupTest, ClaimsSurviveReopeningOnlyInRocksDb) {
  {
    Deduplicator dedup(*store_, 10, 0);
    EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));
    Commit(&dedup, last_claims_);
  }
  Reopen();
  Deduplicator dedup(*store_, 10, 100);
  if (GetParam() == StoreKind::kRocksDb) {
    std::optional<Claim> c = Lookup("a");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->expires_at, 110);
    EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}, {"a", 101, Tok(5)}}),
                ElementsAre(D::kAlreadyCommitted, D::kDuplicate));
  } else {
    EXPECT_FALSE(Lookup("a").has_value());
    EXPECT_THAT(Decide(dedup, {{"a", 101, Tok(5)}}), ElementsAre(D::kWrite));
  }
}

TEST_P(DedupTest, UncommittedClaimsAreNotStored) {
  Deduplicator dedup(*store_, 10, 0);
  EXPECT_THAT(Decide(dedup, {{"a", 100, Tok(0)}}), ElementsAre(D::kWrite));
  store_->AddToCommit(last_claims_, *state_);  // staged in the batch, never committed
  Reopen();
  EXPECT_FALSE(Lookup("a").has_value());
}

INSTANTIATE_TEST_SUITE_P(Stores, DedupTest, ::testing::Values(StoreKind::kMemory, StoreKind::kRocksDb),
                         [](const auto& info) { return info.param == StoreKind::kMemory ? "Memory" : "RocksDb"; });

TEST(ClaimCodecTest, RoundTrip) {
  const Claim c{-5, Token{0x0102030405060708ULL, 99}};
  const std::string bytes = EncodeClaim(c);
  ASSERT_EQ(bytes.size(), 24u);
  EXPECT_EQ(bytes[0], static_cast<char>(0xfb));  // -5, little-endian
  EXPECT_EQ(bytes[8], 0x08);
  std::optional<Claim> back = DecodeClaim(bytes);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->expires_at, -5);
  EXPECT_EQ(back->token, c.token);
  EXPECT_FALSE(DecodeClaim(bytes.substr(0, 23)).has_value());
  EXPECT_FALSE(DecodeClaim("").has_value());
}

TEST(RocksDbDedupStoreTest, CompactionDropsExpiredClaims) {
  testing::TempDir dir;
  auto state = StateDb::Open(StateOptions{dir.Join("state")});
  ASSERT_TRUE(state.ok()) << state.status().message();
  std::unique_ptr<DedupStore> store = MakeRocksDbDedupStore(**state);
  const ClaimList claims = Claims({{"dead", Claim{110, Tok(1)}}, {"live", Claim{500, Tok(2)}}});
  store->AddToCommit(claims, **state);
  ASSERT_TRUE((*state)->Commit().ok());
  store->PurgeBelow(200);
  rocksdb::DB* db = (*state)->db();
  for (int i = 0; i < 2; ++i) {  // merge operands become a value in the first compaction
    ASSERT_TRUE(db->Flush(rocksdb::FlushOptions(), (*state)->claims()).ok());
    ASSERT_TRUE(db->CompactRange(rocksdb::CompactRangeOptions(), (*state)->claims(), nullptr, nullptr).ok());
  }
  std::vector<std::string_view> uuids = {"dead", "live"};
  std::vector<std::optional<Claim>> out(2);
  ASSERT_TRUE(store->Lookup(uuids, Readers(uuids.size()), out).ok());
  EXPECT_FALSE(out[0].has_value());
  ASSERT_TRUE(out[1].has_value());
  EXPECT_EQ(out[1]->expires_at, 500);
}

TEST(MemoryDedupStoreTest, PurgeDropsExpiredClaimsOnceLarge) {
  std::unique_ptr<DedupStore> store = MakeMemoryDedupStore();
  ClaimList old_claims;
  for (int i = 0; i < 60000; ++i) old_claims.Add("old" + std::to_string(i), Claim{110, Tok(i)});
  store->OnCommitted(old_claims);
  store->PurgeBelow(200);
  ClaimList new_claims;
  for (int i = 0; i < 10000; ++i) new_claims.Add("new" + std::to_string(i), Claim{300, Tok(i)});
  store->OnCommitted(new_claims);  // 70000 claims: past the purge threshold (65536)
  std::vector<std::string_view> uuids = {"old0", "old59999", "new0", "new9999"};
  std::vector<std::optional<Claim>> out(4);
  ASSERT_TRUE(store->Lookup(uuids, Readers(uuids.size()), out).ok());
  EXPECT_FALSE(out[0].has_value());
  EXPECT_FALSE(out[1].has_value());
  EXPECT_TRUE(out[2].has_value());
  EXPECT_TRUE(out[3].has_value());
}

// `--dedup memory` shares the store's table with the deduplicator: one table, one insert
// per event. Within one process the decisions must be exactly those of the general path.
TEST(MemoryDedupStoreTest, SharedTableDecidesLikeTheGeneralPath) {
  std::unique_ptr<DedupStore> general_store = MakeMemoryDedupStore();
  std::unique_ptr<DedupStore> shared_store = MakeMemoryDedupStore(/*shared_table=*/true);
  ASSERT_EQ(general_store->in_process_table(), nullptr);
  ASSERT_NE(shared_store->in_process_table(), nullptr);
  Deduplicator general(*general_store, 50, 0);
  Deduplicator shared(*shared_store, 50, 0);
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  std::vector<std::string> names;
  size_t writes = 0, duplicates = 0;
  for (int batch = 0; batch < 200; ++batch) {
    std::vector<DedupInput> in;
    names.clear();
    for (int i = 0; i < 100; ++i) names.push_back(std::to_string(next() % 3000));
    for (int i = 0; i < 100; ++i)
      in.push_back({names[i], static_cast<int64_t>(batch * 2 + next() % 5), Tok(static_cast<uint64_t>(batch * 100 + i))});
    std::vector<Decision> a(in.size()), b(in.size());
    std::vector<Claim> ca(in.size()), cb(in.size());
    ASSERT_TRUE(general.Decide(in, a, ca).ok());
    ASSERT_TRUE(shared.Decide(in, b, cb).ok());
    ClaimList la, lb;
    for (size_t i = 0; i < in.size(); ++i) {
      ASSERT_EQ(a[i], b[i]) << "batch " << batch << " record " << i;
      if (a[i] != Decision::kWrite) {
        ++duplicates;
        continue;
      }
      ++writes;
      EXPECT_EQ(ca[i].expires_at, cb[i].expires_at);
      la.Add(in[i].uuid, general.hash(i), ca[i]);
      lb.Add(in[i].uuid, shared.hash(i), cb[i]);
    }
    if (batch % 7 == 6) {  // an epoch commit, as the Committer does it (memory: no state writes)
      general.Committed(la);
      general_store->PurgeBelow(general.watermark() - 60);
      shared.Committed(lb);
      shared_store->PurgeBelow(shared.watermark() - 60);
    }
  }
  EXPECT_GT(writes, 3000u);  // windows expire: uuids are written again
  EXPECT_GT(duplicates, 1000u);
  EXPECT_EQ(shared.pending(), 0u);
}


// A replay after a crash re-decides a record after a later record of the same source
// may have committed a newer claim on its uuid (in another partition): the record must
// see what it saw the first time, not the later claim (the e2e window crash test found
// this as lost events).
TEST_P(DedupTest, AReplayIgnoresClaimsOfLaterRecordsOfItsSource) {
  if (GetParam() == StoreKind::kMemory) GTEST_SKIP() << "nothing in memory survives a crash";
  // First run (window 100): "a" written at offset 10 (watermark 10: claim until 110);
  // at offset 20 (watermark 121) written again (claim until 221), at offset 30
  // (watermark 230) again (claim until 330). The epoch with offset 30 committed, the
  // one with offset 20 did not: the crash came first.
  Commit(nullptr, Claims({{"a", Claim{110, Tok(10)}}}));
  Commit(nullptr, Claims({{"a", Claim{330, Tok(30)}}}));
  // The replay from the checkpoint meets offset 20 again: a record of the same source
  // written between the two (its claim had expired when it came).
  Deduplicator replay(*store_, 100, 0);
  EXPECT_THAT(Decide(replay, {{"x", 120, Tok(15)}, {"a", 121, Tok(20)}, {"a", 205, Tok(25)}, {"a", 230, Tok(30)}}),
              ElementsAre(D::kWrite, D::kWrite, D::kDuplicate, D::kAlreadyCommitted));
  // Another source sees the newest claim.
  std::vector<std::string_view> uuids = {"a"};
  std::vector<std::optional<Claim>> out(1);
  ASSERT_TRUE(store_->Lookup(uuids, std::vector<Token>{Tok(5, 2)}, out).ok());
  ASSERT_TRUE(out[0].has_value());
  EXPECT_EQ(out[0]->token, Tok(30));
}

TEST(ClaimCodecTest, MergeKeepsEarlierClaimsUntilPurged) {
  const std::string one = EncodeClaim(Claim{110, Tok(10)});
  const std::string two = MergeClaims(one, EncodeClaim(Claim{330, Tok(30)}), INT64_MIN);
  ASSERT_EQ(two.size(), 2 * kClaimBytes);
  EXPECT_EQ(VisibleClaim(two, Tok(20))->token, Tok(10));   // before offset 30: the earlier claim
  EXPECT_EQ(VisibleClaim(two, Tok(30))->token, Tok(30));   // its own
  EXPECT_EQ(VisibleClaim(two, Tok(40))->token, Tok(30));   // after: the newest
  EXPECT_EQ(VisibleClaim(two, Tok(5, 2))->token, Tok(30)); // another source: the newest
  EXPECT_FALSE(VisibleClaim(EncodeClaim(Claim{330, Tok(30)}), Tok(20)).has_value());
  // Purged below 200: the earlier claim goes, the newest always stays.
  EXPECT_EQ(MergeClaims(two, {}, 200).size(), kClaimBytes);
  EXPECT_EQ(MergeClaims(two, {}, 1000).size(), kClaimBytes);
  // Re-committing the same token keeps one entry.
  EXPECT_EQ(MergeClaims(two, EncodeClaim(Claim{330, Tok(30)}), INT64_MIN).size(), 2 * kClaimBytes);
}

}  // namespace
}  // namespace eventlake
