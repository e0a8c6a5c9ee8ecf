// state/state_db: what one atomic commit holds, and that it survives reopening.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "state/state_db.h"
#include "test_util.h"

namespace eventlake {

// For comparing manifests in expectations (found by ADL).
bool operator==(const StagedFile& a, const StagedFile& b) { return a.staged == b.staged && a.final == b.final; }
void PrintTo(const StagedFile& f, std::ostream* os) { *os << "{" << f.staged << " -> " << f.final << "}"; }

namespace {

using ::testing::HasSubstr;

class StateDbTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    auto s = StateDb::Open(StateOptions{dir_.Join("state")});
    ASSERT_TRUE(s.ok()) << s.status().message();
    db_ = std::move(s).value();
  }
  void Reopen() {
    db_.reset();
    Open();
  }
  std::map<uint64_t, std::vector<StagedFile>> Manifests() {
    auto m = db_->Manifests();
    EXPECT_TRUE(m.ok()) << m.status().message();
    return m.ok() ? *m : std::map<uint64_t, std::vector<StagedFile>>{};
  }

  testing::TempDir dir_;
  std::unique_ptr<StateDb> db_;
};

TEST_F(StateDbTest, FreshStore) {
  EXPECT_EQ(db_->next_epoch(), 1u);
  EXPECT_EQ(db_->watermark(), 0);
  EXPECT_FALSE(db_->GetCheckpoint(0).has_value());
  EXPECT_TRUE(Manifests().empty());
}

TEST_F(StateDbTest, CommitSurvivesReopen) {
  const std::vector<StagedFile> files = {{"_eventlake/staging/0000000001-00000.tmp", "event_type=a/part-1.jsonl"},
                                         {"_eventlake/staging/0000000001-00001.tmp", "event_type=b/part-1.jsonl"}};
  db_->PutManifest(db_->next_epoch(), files);
  db_->PutCheckpoint(7, Checkpoint{1000, 42, 900, 0xdeadbeefULL});
  db_->PutCheckpoint(8, Checkpoint{5, 1, 0, 0});
  db_->PutWatermark(1644838800);
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(db_->next_epoch(), 2u);

  Reopen();
  EXPECT_EQ(db_->next_epoch(), 2u);
  EXPECT_EQ(db_->watermark(), 1644838800);
  auto c = db_->GetCheckpoint(7);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->offset, 1000u);
  EXPECT_EQ(c->line_no, 42u);
  EXPECT_EQ(c->dlq_upto, 900u);
  EXPECT_EQ(c->tail_hash, 0xdeadbeefULL);
  EXPECT_EQ(db_->GetCheckpoint(8)->offset, 5u);
  EXPECT_FALSE(db_->GetCheckpoint(9).has_value());
  auto m = Manifests();
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m.begin()->first, 1u);
  EXPECT_EQ(m.begin()->second, files);
}

TEST_F(StateDbTest, EpochCounterAdvancesPerCommit) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(db_->Commit().ok());  // even an empty commit is an epoch
  EXPECT_EQ(db_->next_epoch(), 4u);
  Reopen();
  EXPECT_EQ(db_->next_epoch(), 4u);
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  EXPECT_EQ(db_->next_epoch(), 5u);
}

TEST_F(StateDbTest, UncommittedBatchIsNotVisibleAfterReopen) {
  db_->PutCheckpoint(1, Checkpoint{10, 1, 0, 0});
  db_->PutWatermark(100);
  ASSERT_TRUE(db_->Commit().ok());

  db_->PutCheckpoint(1, Checkpoint{20, 2, 0, 0});
  db_->PutManifest(db_->next_epoch(), {{"s", "f"}});
  db_->PutWatermark(200);
  db_->batch()
      .Put(
          "u"
          "claimed",
          "x")
      .PermitUncheckedError();
  Reopen();  // "crash" before Commit()

  EXPECT_EQ(db_->GetCheckpoint(1)->offset, 10u);
  EXPECT_EQ(db_->watermark(), 100);
  EXPECT_EQ(db_->next_epoch(), 2u);
  EXPECT_TRUE(Manifests().empty());
  std::string v;
  EXPECT_TRUE(db_->db()->Get({}, "uclaimed", &v).IsNotFound());
}

TEST_F(StateDbTest, LaterCheckpointReplacesEarlier) {
  db_->PutCheckpoint(3, Checkpoint{10, 1, 0, 0});
  ASSERT_TRUE(db_->Commit().ok());
  db_->PutCheckpoint(3, Checkpoint{99, 9, 50, 7});
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  EXPECT_EQ(db_->GetCheckpoint(3)->offset, 99u);
  EXPECT_EQ(db_->GetCheckpoint(3)->tail_hash, 7u);
}

TEST_F(StateDbTest, NegativeWatermarkRoundTrips) {
  db_->PutWatermark(-5);
  ASSERT_TRUE(db_->Commit().ok());
  Reopen();
  EXPECT_EQ(db_->watermark(), -5);
}

TEST_F(StateDbTest, ManifestsInEpochOrderAndDeleted) {
  for (uint64_t epoch : {300u, 2u, 256u, 1u}) db_->PutManifest(epoch, {{"s" + std::to_string(epoch), "f"}});
  db_->PutManifest(5, {});  // an epoch with nothing to publish
  ASSERT_TRUE(db_->Commit().ok());
  std::vector<uint64_t> epochs;
  for (const auto& [e, files] : Manifests()) epochs.push_back(e);
  EXPECT_EQ(epochs, (std::vector<uint64_t>{1, 2, 5, 256, 300}));
  EXPECT_TRUE(Manifests()[5].empty());

  ASSERT_TRUE(db_->DeleteManifest(256).ok());
  ASSERT_TRUE(db_->DeleteManifest(999).ok());  // absent: fine
  Reopen();
  epochs.clear();
  for (const auto& [e, files] : Manifests()) epochs.push_back(e);
  EXPECT_EQ(epochs, (std::vector<uint64_t>{1, 2, 5, 300}));
  EXPECT_EQ(Manifests()[300], (std::vector<StagedFile>{{"s300", "f"}}));
}

TEST_F(StateDbTest, ManifestPathsWithAnyBytes) {
  const std::string odd("a\0b/c\xff", 6);
  db_->PutManifest(1, {{odd, ""}, {"", odd}});
  ASSERT_TRUE(db_->Commit().ok());
  EXPECT_EQ(Manifests()[1], (std::vector<StagedFile>{{odd, ""}, {"", odd}}));
}

TEST_F(StateDbTest, DamagedManifestIsAnError) {
  std::string key = "p/";
  key.append(7, '\0');
  key.push_back('\x09');  // epoch 9, big-endian
  ASSERT_TRUE(db_->db()->Put({}, key, "garbage").ok());
  auto m = db_->Manifests();
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.status().message(), HasSubstr("damaged manifest for epoch 9"));
}

TEST_F(StateDbTest, OpenFailsClearly) {
  // A second handle on the same store is refused (RocksDB's LOCK).
  auto second = StateDb::Open(StateOptions{dir_.Join("state")});
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr("cannot open the state store"));
  // A path under a regular file cannot be a store.
  testing::WriteFile(dir_.Join("file"), "x");
  auto bad = StateDb::Open(StateOptions{dir_.Join("file/state")});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr(dir_.Join("file/state")));
}

}  // namespace
}  // namespace eventlake
