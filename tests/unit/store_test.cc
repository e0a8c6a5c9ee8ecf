// store/local: publishing into the lake (idempotent rename) and the durable file helpers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "store/local/fs_util.h"
#include "store/local/local_store.h"
#include "test_util.h"

namespace eventlake {
namespace {

using testing::Exists;
using ::testing::HasSubstr;
using testing::ReadFile;
using testing::WriteFile;

class LocalStoreTest : public ::testing::Test {
 protected:
  testing::TempDir root_;
  std::unique_ptr<ObjectStore> lake_ = MakeLocalObjectStore(root_.path());
};

TEST_F(LocalStoreTest, PublishMovesTheStagedFileUnderItsKey) {
  WriteFile(root_.Join("staging/s1"), "data\n");
  ASSERT_TRUE(lake_->Publish(root_.Join("staging/s1"), "event_type=a/event_date=2022-02-14/part-1.jsonl").ok());
  EXPECT_EQ(ReadFile(root_.Join("event_type=a/event_date=2022-02-14/part-1.jsonl")), "data\n");
  EXPECT_FALSE(Exists(root_.Join("staging/s1")));
  EXPECT_EQ(lake_->Describe(), root_.path());
}

TEST_F(LocalStoreTest, PublishIsIdempotent) {
  WriteFile(root_.Join("staging/s1"), "data\n");
  ASSERT_TRUE(lake_->Publish(root_.Join("staging/s1"), "k/part-1.jsonl").ok());
  ASSERT_TRUE(lake_->Publish(root_.Join("staging/s1"), "k/part-1.jsonl").ok());  // already done
  EXPECT_EQ(ReadFile(root_.Join("k/part-1.jsonl")), "data\n");
}

TEST_F(LocalStoreTest, PublishReplacesAnEarlierObject) {
  WriteFile(root_.Join("k/part-1.jsonl"), "old\n");
  WriteFile(root_.Join("staging/s1"), "new\n");
  ASSERT_TRUE(lake_->Publish(root_.Join("staging/s1"), "k/part-1.jsonl").ok());
  EXPECT_EQ(ReadFile(root_.Join("k/part-1.jsonl")), "new\n");
}

TEST_F(LocalStoreTest, PublishWithNeitherFileIsAnError) {
  Status s = lake_->Publish(root_.Join("staging/none"), "k/none.jsonl");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("both missing"));
}

TEST(FsUtilTest, MakeDirs) {
  testing::TempDir dir;
  ASSERT_TRUE(MakeDirs(dir.Join("a/b/c")).ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir.Join("a/b/c")));
  EXPECT_TRUE(MakeDirs(dir.Join("a/b/c")).ok());  // exists: fine
  WriteFile(dir.Join("f"), "x");
  Status s = MakeDirs(dir.Join("f"));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("exists and is not a directory"));
  EXPECT_FALSE(MakeDirs(dir.Join("f/sub")).ok());
}

TEST(FsUtilTest, WriteFileDurablyReplaces) {
  testing::TempDir dir;
  ASSERT_TRUE(WriteFileDurably(dir.Join("f"), "first, longer").ok());
  ASSERT_TRUE(WriteFileDurably(dir.Join("f"), "second").ok());
  EXPECT_EQ(ReadFile(dir.Join("f")), "second");
  Status s = WriteFileDurably(dir.Join("missing/f"), "x");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("cannot create " + dir.Join("missing/f")));
}

TEST(FsUtilTest, FileSinkLargeAndSmallWrites) {
  testing::TempDir dir;
  auto sink = FileSink::Create(dir.Join("f"));
  ASSERT_TRUE(sink.ok());
  std::string want;
  for (size_t size : {size_t{10}, size_t{3} << 20, size_t{1}, size_t{(1 << 20) - 5}, size_t{7}}) {
    const std::string piece(size, static_cast<char>('a' + want.size() % 26));
    ASSERT_TRUE((*sink)->Write(piece).ok());
    want += piece;
  }
  EXPECT_EQ((*sink)->bytes_written(), want.size());
  ASSERT_TRUE((*sink)->Close().ok());
  EXPECT_EQ(ReadFile(dir.Join("f")), want);
}

}  // namespace
}  // namespace eventlake
