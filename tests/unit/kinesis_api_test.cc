// sources/kinesis without a network: base64, the events inside a record and their
// tokens, request bodies, response parsing, sequence number order, the shard graph.
#include "sources/kinesis/kinesis_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/json_write.h"
#include "sources/kinesis/base64.h"
#include "sources/kinesis/record_events.h"
#include "sources/kinesis/shard_graph.h"

namespace eventlake::kinesis {
namespace {

using ::testing::ElementsAre;

std::string Decode(std::string_view in, bool* ok = nullptr) {
  std::string out = "keep:";
  const bool r = AppendBase64Decoded(out, in);
  if (ok != nullptr) *ok = r;
  return r ? out.substr(5) : out;
}

TEST(Base64Test, Rfc4648Vectors) {
  EXPECT_EQ(Decode(""), "");
  EXPECT_EQ(Decode("Zg=="), "f");
  EXPECT_EQ(Decode("Zm8="), "fo");
  EXPECT_EQ(Decode("Zm9v"), "foo");
  EXPECT_EQ(Decode("Zm9vYg=="), "foob");
  EXPECT_EQ(Decode("Zm9vYmE="), "fooba");
  EXPECT_EQ(Decode("Zm9vYmFy"), "foobar");
}

TEST(Base64Test, PaddingIsNotData) {
  // EVP_DecodeBlock would report 3 bytes for "Zg==" (padding as zeros); we must not.
  EXPECT_EQ(Decode("Zg==").size(), 1u);
  EXPECT_EQ(Decode("Zm8=").size(), 2u);
  EXPECT_EQ(Decode("AAA=").size(), 2u);
  EXPECT_EQ(Decode("AA=="), std::string(1, '\0'));
}

TEST(Base64Test, AllByteValuesRoundTrip) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= bytes.size(); len += 37) {
    for (size_t cut : {len, len + 1, len + 2}) {
      if (cut > bytes.size()) continue;
      std::string enc;
      AppendBase64(enc, std::string_view(bytes).substr(0, cut));
      EXPECT_EQ(Decode(enc), bytes.substr(0, cut)) << cut;
    }
  }
}

TEST(Base64Test, RejectsMalformedInputAndLeavesOutputAlone) {
  for (std::string_view bad : {"Zg", "Zg=", "Zm9", "Z===", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm-v", "Zm_v",
                               "Zm9v====", "=Zm9", "Zg=a", "Z\xff==", "Zm9v*A=="}) {
    bool ok = true;
    EXPECT_EQ(Decode(bad, &ok), "keep:") << bad;
    EXPECT_FALSE(ok) << bad;
  }
}

TEST(RecordEventsTest, OneEventWithoutNewline) {
  auto ev = SplitRecordEvents(R"({"event_uuid":"a"})");
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0].line_index, 0u);
  EXPECT_EQ(ev[0].bytes, R"({"event_uuid":"a"})");
}

TEST(RecordEventsTest, NdjsonLinesKeepTheirIndexBlankLinesSkipped) {
  auto ev = SplitRecordEvents("{\"a\":1}\n\n{\"b\":2}\r\n  \n{\"c\":3}\n");
  ASSERT_EQ(ev.size(), 3u);
  EXPECT_EQ(ev[0].line_index, 0u);
  EXPECT_EQ(ev[0].bytes, "{\"a\":1}");
  EXPECT_EQ(ev[1].line_index, 2u);
  EXPECT_EQ(ev[1].bytes, "{\"b\":2}");  // '\r' dropped
  EXPECT_EQ(ev[2].line_index, 4u);
  EXPECT_EQ(ev[2].bytes, "{\"c\":3}");
  EXPECT_TRUE(SplitRecordEvents("").empty());
  EXPECT_TRUE(SplitRecordEvents("\n\n").empty());
}

TEST(RecordEventsTest, SourceTokenIsShardSequenceLine) {
  EXPECT_EQ(SourceToken("shardId-000000000003", "4959", 2), "shardId-000000000003/4959/2");
  EXPECT_NE(SourceToken("shardId-000000000003", "4959", 0), SourceToken("shardId-000000000003", "4959", 1));
}

TEST(KinesisRequestTest, ListShardsFirstPageNamesTheStreamLaterPagesOnlyTheToken) {
  EXPECT_EQ(ListShardsBody("events", "", 1000), R"({"StreamName":"events","MaxResults":1000})");
  EXPECT_EQ(ListShardsBody("events", "tok/1", 50), R"({"NextToken":"tok/1","MaxResults":50})");
  EXPECT_EQ(ListShardsBody("events", "", 5000), R"({"StreamName":"events","MaxResults":1000})");
}

TEST(KinesisRequestTest, GetShardIteratorForEveryStartPosition) {
  EXPECT_EQ(GetShardIteratorBody("s", "shardId-000000000001", StartPosition::TrimHorizon()),
            R"({"StreamName":"s","ShardId":"shardId-000000000001","ShardIteratorType":"TRIM_HORIZON"})");
  EXPECT_EQ(GetShardIteratorBody("s", "sh", StartPosition::Latest()),
            R"({"StreamName":"s","ShardId":"sh","ShardIteratorType":"LATEST"})");
  EXPECT_EQ(GetShardIteratorBody("s", "sh", StartPosition::AtTimestamp(1644838800.25)),
            R"({"StreamName":"s","ShardId":"sh","ShardIteratorType":"AT_TIMESTAMP","Timestamp":1644838800.250})");
  EXPECT_EQ(
      GetShardIteratorBody("s", "sh", StartPosition::After("49590338271490256608559692538361571095921575989136588802")),
      R"({"StreamName":"s","ShardId":"sh","ShardIteratorType":"AFTER_SEQUENCE_NUMBER",)"
      R"("StartingSequenceNumber":"49590338271490256608559692538361571095921575989136588802"})");
}

TEST(KinesisRequestTest, GetRecordsLimitIsClamped) {
  EXPECT_EQ(GetRecordsBody("AAAA", 500), R"({"ShardIterator":"AAAA","Limit":500})");
  EXPECT_EQ(GetRecordsBody("AAAA", 20000), R"({"ShardIterator":"AAAA","Limit":10000})");
  EXPECT_EQ(GetRecordsBody("AAAA", 0), R"({"ShardIterator":"AAAA","Limit":1})");
}

TEST(KinesisResponseTest, ListShardsWithParentsRangesAndToken) {
  auto page = ParseListShards(R"({"NextToken":"next",
    "Shards":[
     {"ShardId":"shardId-000000000000","HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"170"},
      "SequenceNumberRange":{"StartingSequenceNumber":"100","EndingSequenceNumber":"200"}},
     {"ShardId":"shardId-000000000002","ParentShardId":"shardId-000000000000",
      "AdjacentParentShardId":"shardId-000000000001",
      "HashKeyRange":{"StartingHashKey":"0","EndingHashKey":"340"},
      "SequenceNumberRange":{"StartingSequenceNumber":"300"}}]})");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->next_token, "next");
  ASSERT_EQ(page->shards.size(), 2u);
  const ShardInfo& a = page->shards[0];
  EXPECT_EQ(a.shard_id, "shardId-000000000000");
  EXPECT_TRUE(a.parent_shard_id.empty());
  EXPECT_EQ(a.ending_hash_key, "170");
  EXPECT_EQ(a.starting_sequence_number, "100");
  EXPECT_EQ(a.ending_sequence_number, "200");
  EXPECT_TRUE(a.closed());
  const ShardInfo& b = page->shards[1];
  EXPECT_EQ(b.parent_shard_id, "shardId-000000000000");
  EXPECT_EQ(b.adjacent_parent_shard_id, "shardId-000000000001");
  EXPECT_FALSE(b.closed());
  EXPECT_TRUE(ParseListShards(R"({"Shards":[]})")->next_token.empty());
  EXPECT_FALSE(ParseListShards("{").ok());
  EXPECT_FALSE(ParseListShards(R"({"Shards":[{"ParentShardId":"x"}]})").ok());
}

TEST(KinesisResponseTest, GetRecordsDecodesDataAndKeepsIdentity) {
  // "eyJhIjoxfQ==" = {"a":1}; "eyJiIjoyfQp7ImMiOjN9" = {"b":2}\n{"c":3}
  auto page = ParseGetRecords(R"({"MillisBehindLatest":1500,"NextShardIterator":"it2","Records":[
    {"SequenceNumber":"4960","PartitionKey":"k1","ApproximateArrivalTimestamp":1644838800.125,"Data":"eyJhIjoxfQ=="},
    {"SequenceNumber":"4961","PartitionKey":"k2","ApproximateArrivalTimestamp":1644838801,"Data":"eyJiIjoyfQp7ImMiOjN9"}]})");
  ASSERT_TRUE(page.ok()) << page.status().message();
  EXPECT_EQ(page->next_iterator, "it2");
  EXPECT_EQ(page->millis_behind_latest, 1500);
  ASSERT_EQ(page->records.size(), 2u);
  EXPECT_EQ(page->records[0].sequence_number, "4960");
  EXPECT_EQ(page->records[0].partition_key, "k1");
  EXPECT_DOUBLE_EQ(page->records[0].approximate_arrival, 1644838800.125);
  EXPECT_EQ(page->records[0].data, R"({"a":1})");
  EXPECT_DOUBLE_EQ(page->records[1].approximate_arrival, 1644838801.0);
  EXPECT_EQ(page->records[1].data, "{\"b\":2}\n{\"c\":3}");
}

TEST(KinesisResponseTest, GetRecordsShardEndAndErrors) {
  auto end = ParseGetRecords(R"({"MillisBehindLatest":0,"Records":[]})");
  ASSERT_TRUE(end.ok());
  EXPECT_TRUE(end->next_iterator.empty());
  EXPECT_TRUE(end->records.empty());
  auto absent = ParseGetRecords(R"({"NextShardIterator":"x","Records":[]})");
  EXPECT_EQ(absent->millis_behind_latest, -1);
  EXPECT_FALSE(ParseGetRecords(R"({"Records":[{"SequenceNumber":"1","Data":"not base64!"}]})").ok());
  EXPECT_FALSE(ParseGetRecords(R"({"Records":[{"Data":"Zg=="}]})").ok());
  EXPECT_FALSE(ParseGetRecords(R"({"NextShardIterator":"x"})").ok());
  EXPECT_FALSE(ParseGetRecords("not json").ok());
  EXPECT_EQ(ParseGetShardIterator(R"({"ShardIterator":"AAAA"})").value(), "AAAA");
  EXPECT_FALSE(ParseGetShardIterator("{}").ok());
}

TEST(KinesisApiTest, SequenceNumbersCompareAsNumbers) {
  EXPECT_EQ(CompareSequenceNumbers("9", "10"), -1);
  EXPECT_EQ(CompareSequenceNumbers("49590338271490256608559692538361571095921575989136588802",
                                   "49590338271490256608559692538361571095921575989136588801"),
            1);
  EXPECT_EQ(CompareSequenceNumbers("0042", "42"), 0);
}

TEST(KinesisApiTest, ParsesKinesisUri) {
  EXPECT_EQ(ParseKinesisUri("kinesis://events-prod_1.x").value(), "events-prod_1.x");
  EXPECT_FALSE(ParseKinesisUri("kinesis://").ok());
  EXPECT_FALSE(ParseKinesisUri("kafka://x").ok());
  EXPECT_FALSE(ParseKinesisUri("kinesis://a/b").ok());
  EXPECT_FALSE(ParseKinesisUri("kinesis://" + std::string(129, 'a')).ok());
}

ShardInfo Shard(std::string id, std::string parent = "", std::string adjacent = "", bool closed = false) {
  ShardInfo s;
  s.shard_id = std::move(id);
  s.parent_shard_id = std::move(parent);
  s.adjacent_parent_shard_id = std::move(adjacent);
  s.starting_sequence_number = "1";
  if (closed) s.ending_sequence_number = "2";
  return s;
}

TEST(ShardGraphTest, SplitChildrenWaitForTheirParent) {
  // 0 split into 2 and 3; 1 untouched.
  ShardGraph g({Shard("s3", "s0"), Shard("s0", "", "", true), Shard("s1"), Shard("s2", "s0")});
  EXPECT_THAT(g.Readable({}), ElementsAre("s0", "s1"));
  EXPECT_THAT(g.Readable({"s0"}), ElementsAre("s1", "s2", "s3"));
  EXPECT_THAT(g.Children("s0"), ElementsAre("s2", "s3"));
  EXPECT_THAT(g.ClosedShards(), ElementsAre("s0"));
}

TEST(ShardGraphTest, MergeChildWaitsForBothParents) {
  ShardGraph g({Shard("s0", "", "", true), Shard("s1", "", "", true), Shard("s2", "s0", "s1")});
  EXPECT_THAT(g.Readable({}), ElementsAre("s0", "s1"));
  EXPECT_THAT(g.Readable({"s0"}), ElementsAre("s1"));
  EXPECT_THAT(g.Readable({"s1"}), ElementsAre("s0"));
  EXPECT_THAT(g.Readable({"s0", "s1"}), ElementsAre("s2"));
  EXPECT_THAT(g.Readable({"s0", "s1", "s2"}), ElementsAre());
  EXPECT_THAT(g.KnownParents("s2"), ElementsAre("s0", "s1"));
}

TEST(ShardGraphTest, ChainsAndTrimmedParents) {
  // s0 -> split s1,s2; s1 + s2 merge -> s3; s4's parent s9 is past retention (unknown).
  ShardGraph g({Shard("s0", "", "", true), Shard("s1", "s0", "", true), Shard("s2", "s0", "", true),
                Shard("s3", "s1", "s2"), Shard("s4", "s9")});
  EXPECT_THAT(g.Readable({}), ElementsAre("s0", "s4"));
  EXPECT_THAT(g.Readable({"s0"}), ElementsAre("s1", "s2", "s4"));
  EXPECT_THAT(g.Readable({"s0", "s1"}), ElementsAre("s2", "s4"));
  EXPECT_THAT(g.Readable({"s0", "s1", "s2", "s4"}), ElementsAre("s3"));
  EXPECT_TRUE(g.KnownParents("s4").empty());
  EXPECT_EQ(g.Find("s9"), nullptr);
}

}  // namespace
}  // namespace eventlake::kinesis
