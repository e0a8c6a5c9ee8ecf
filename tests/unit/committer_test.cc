// commit/committer: stage -> commit -> publish, and Recover() after a crash at each
// step. Crashes are simulated with the production sync points: the handler throws,
// unwinding out of Commit() exactly where a process death would stop it.
#include "commit/committer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/sync_point.h"
#include "dedup/rocksdb/rocksdb_dedup_store.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "store/local/local_store.h"
#include "test_util.h"

namespace eventlake {
namespace {

using ::testing::ElementsAre;
using testing::Exists;
using ::testing::HasSubstr;
using testing::ListDir;
using testing::ReadFile;

struct Crash {};
std::string g_crash_at;
int g_crash_skip = 0;  // let this many hits pass first
void CrashHandler(std::string_view name) {
  if (name == g_crash_at && g_crash_skip-- == 0) throw Crash{};
}

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(root_.Join("_eventlake"));
    Open();
  }
  void TearDown() override { SetSyncPointHandler(nullptr); }

  void Open() {
    auto state = StateDb::Open(StateOptions{root_.Join("_eventlake/state")});
    ASSERT_TRUE(state.ok()) << state.status().message();
    state_ = std::move(state).value();
    store_ = MakeRocksDbDedupStore(*state_);
    dedup_ = std::make_unique<Deduplicator>(*store_, 10, state_->watermark());
    lake_ = MakeLocalObjectStore(root_.path());
    committer_ = std::make_unique<Committer>(root_.path(), *state_, *store_, *dedup_, *lake_);
  }
  // A process restart: everything in memory is gone, the disk stays.
  void Restart() {
    committer_.reset();
    lake_.reset();
    dedup_.reset();
    store_.reset();
    state_.reset();
    Open();
  }
  uint64_t Recover() {
    auto r = committer_->Recover();
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : 0;
  }

  static std::unique_ptr<Buffer> MakeBuffer(const std::string& key, const std::vector<std::string>& lines,
                                            std::vector<std::pair<std::string, Claim>> claims = {}) {
    auto b = std::make_unique<Buffer>();
    b->key = key;
    auto enc = std::make_unique<JsonlEncoder>(Compression::kNone);
    for (const auto& l : lines) enc->AddLine(l);
    b->encoder = std::move(enc);
    b->events = lines.size();
    for (const auto& [uuid, claim] : claims) b->claims.Add(uuid, claim);
    return b;
  }
  std::vector<std::unique_ptr<Buffer>> TwoBuffers() {
    std::vector<std::unique_ptr<Buffer>> buffers;
    buffers.push_back(MakeBuffer(kKeyA, {"a1", "a2"}, {{"u1", Claim{110, Token{1, 0}}}}));
    buffers.push_back(MakeBuffer(kKeyB, {"b1"}, {{"u2", Claim{110, Token{1, 3}}}}));
    return buffers;
  }
  Status Commit(std::vector<std::unique_ptr<Buffer>> buffers, EpochResult& result) {
    return committer_->Commit(buffers, {{7, Checkpoint{100, 5, 0, 0}}}, 100, result);
  }
  std::optional<Claim> Lookup(std::string_view uuid) {
    std::vector<std::string_view> uuids = {uuid};
    std::vector<std::optional<Claim>> out(1);
    EXPECT_TRUE(store_->Lookup(uuids, std::vector<Token>(uuids.size(), Token{~0ULL, 0}), out).ok());
    return out[0];
  }
  void CrashAt(const std::string& point, int skip = 0) {
    g_crash_at = point;
    g_crash_skip = skip;
    SetSyncPointHandler(&CrashHandler);
  }
  std::string Final(const std::string& key) const { return root_.Join(key); }
  std::string Staging() const { return root_.Join("_eventlake/staging"); }

  static constexpr char kKeyA[] = "event_type=a/event_date=2022-02-14";
  static constexpr char kKeyB[] = "event_type=b/event_date=2022-02-15";
  static constexpr char kFileA1[] = "event_type=a/event_date=2022-02-14/part-0000000001-00000.jsonl";
  static constexpr char kFileB1[] = "event_type=b/event_date=2022-02-15/part-0000000001-00001.jsonl";

  testing::TempDir root_;
  std::unique_ptr<StateDb> state_;
  std::unique_ptr<DedupStore> store_;
  std::unique_ptr<Deduplicator> dedup_;
  std::unique_ptr<ObjectStore> lake_;
  std::unique_ptr<Committer> committer_;
};

TEST_F(CommitterTest, CommitPublishesFilesUnderTheirKeys) {
  EXPECT_EQ(Recover(), 0u);
  EpochResult result;
  ASSERT_TRUE(Commit(TwoBuffers(), result).ok());
  EXPECT_EQ(result.epoch, 1u);
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[0].key, kFileA1);
  EXPECT_EQ(result.files[0].partition, kKeyA);
  EXPECT_EQ(result.files[0].events, 2u);
  EXPECT_EQ(result.files[0].bytes, 6u);
  EXPECT_EQ(result.files[1].key, kFileB1);
  EXPECT_EQ(ReadFile(Final(kFileA1)), "a1\na2\n");
  EXPECT_EQ(ReadFile(Final(kFileB1)), "b1\n");
  EXPECT_TRUE(ListDir(Staging()).empty());
  auto manifests = state_->Manifests();
  ASSERT_TRUE(manifests.ok());
  EXPECT_TRUE(manifests->empty());
  EXPECT_EQ(state_->GetCheckpoint(7)->offset, 100u);
  EXPECT_EQ(state_->next_epoch(), 2u);
  ASSERT_TRUE(Lookup("u1").has_value());
  EXPECT_EQ(Lookup("u2")->token, (Token{1, 3}));

  // The next epoch gets new names; nothing is overwritten.
  std::vector<std::unique_ptr<Buffer>> more;
  more.push_back(MakeBuffer(kKeyA, {"a3"}));
  ASSERT_TRUE(Commit(std::move(more), result).ok());
  EXPECT_EQ(result.epoch, 2u);
  EXPECT_THAT(ListDir(Final(kKeyA)), ElementsAre("part-0000000001-00000.jsonl", "part-0000000002-00000.jsonl"));
  EXPECT_EQ(ReadFile(Final(kFileA1)), "a1\na2\n");
}

TEST_F(CommitterTest, CrashAfterCommitIsFinishedByRecover) {
  EXPECT_EQ(Recover(), 0u);
  CrashAt("commit:committed");
  EpochResult result;
  EXPECT_THROW(Commit(TwoBuffers(), result).PermitUnchecked(), Crash);
  SetSyncPointHandler(nullptr);
  EXPECT_FALSE(Exists(Final(kFileA1)));  // committed, but readers see nothing yet
  EXPECT_EQ(ListDir(Staging()).size(), 2u);

  Restart();
  EXPECT_EQ(Recover(), 2u);
  EXPECT_EQ(ReadFile(Final(kFileA1)), "a1\na2\n");
  EXPECT_EQ(ReadFile(Final(kFileB1)), "b1\n");
  EXPECT_TRUE(ListDir(Staging()).empty());
  EXPECT_TRUE(state_->Manifests()->empty());
  EXPECT_TRUE(Lookup("u1").has_value());
  EXPECT_EQ(state_->GetCheckpoint(7)->offset, 100u);
  EXPECT_EQ(Recover(), 0u);  // nothing left to do
}

TEST_F(CommitterTest, CrashBeforeCommitLeavesNothingBehind) {
  EXPECT_EQ(Recover(), 0u);
  CrashAt("commit:staged");
  EpochResult result;
  EXPECT_THROW(Commit(TwoBuffers(), result).PermitUnchecked(), Crash);
  SetSyncPointHandler(nullptr);
  EXPECT_EQ(ListDir(Staging()).size(), 2u);

  Restart();
  EXPECT_EQ(Recover(), 0u);
  EXPECT_TRUE(ListDir(Staging()).empty());  // uncommitted staged files are deleted
  EXPECT_FALSE(Exists(Final(kKeyA)));
  EXPECT_FALSE(Exists(Final(kKeyB)));
  EXPECT_FALSE(state_->GetCheckpoint(7).has_value());
  EXPECT_FALSE(Lookup("u1").has_value());  // the claims were never committed either
  EXPECT_EQ(state_->next_epoch(), 1u);

  // The replayed epoch reuses the epoch number and the same keys.
  ASSERT_TRUE(Commit(TwoBuffers(), result).ok());
  EXPECT_EQ(result.epoch, 1u);
  EXPECT_EQ(ReadFile(Final(kFileA1)), "a1\na2\n");
}

TEST_F(CommitterTest, CrashInTheMiddleOfPublishing) {
  EXPECT_EQ(Recover(), 0u);
  CrashAt("publish:file");  // after the first file is published
  EpochResult result;
  EXPECT_THROW(Commit(TwoBuffers(), result).PermitUnchecked(), Crash);
  SetSyncPointHandler(nullptr);
  EXPECT_TRUE(Exists(Final(kFileA1)));
  EXPECT_FALSE(Exists(Final(kFileB1)));

  Restart();
  EXPECT_EQ(Recover(), 2u);  // the already-published file is published again, harmlessly
  EXPECT_EQ(ReadFile(Final(kFileA1)), "a1\na2\n");
  EXPECT_EQ(ReadFile(Final(kFileB1)), "b1\n");
  EXPECT_TRUE(state_->Manifests()->empty());
}

TEST_F(CommitterTest, RecoverPublishesHandMadeManifestAndDeletesStrays) {
  testing::WriteFile(root_.Join("_eventlake/staging/x.tmp"), "committed\n");
  testing::WriteFile(root_.Join("_eventlake/staging/orphan.tmp"), "never committed\n");
  state_->PutManifest(5, {{"_eventlake/staging/x.tmp", "event_type=z/event_date=2022-01-01/part-x.jsonl"}});
  ASSERT_TRUE(state_->Commit().ok());
  Restart();
  EXPECT_EQ(Recover(), 1u);
  EXPECT_EQ(ReadFile(root_.Join("event_type=z/event_date=2022-01-01/part-x.jsonl")), "committed\n");
  EXPECT_TRUE(ListDir(Staging()).empty());
  EXPECT_TRUE(state_->Manifests()->empty());
}

TEST_F(CommitterTest, RecoverFailsWhenACommittedFileIsLost) {
  state_->PutManifest(5, {{"_eventlake/staging/gone.tmp", "event_type=z/event_date=2022-01-01/part-gone.jsonl"}});
  ASSERT_TRUE(state_->Commit().ok());
  auto r = committer_->Recover();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("finishing epoch 5"));
  EXPECT_THAT(r.status().message(), HasSubstr("both missing"));
  EXPECT_EQ(state_->Manifests()->size(), 1u);  // kept: the error is not forgotten
}

TEST_F(CommitterTest, EmptyEpochCommitsCheckpointOnly) {
  EXPECT_EQ(Recover(), 0u);
  EpochResult result;
  ASSERT_TRUE(Commit({}, result).ok());
  EXPECT_EQ(result.epoch, 1u);
  EXPECT_TRUE(result.files.empty());
  EXPECT_EQ(state_->GetCheckpoint(7)->line_no, 5u);
  EXPECT_EQ(state_->watermark(), 100);
}

}  // namespace
}  // namespace eventlake
