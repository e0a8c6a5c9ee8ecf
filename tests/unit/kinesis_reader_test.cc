// sources/kinesis readers against an in-process fake Kinesis (the loopback listener of
// the AWS client tests): paginated discovery, all shards in flight at once, pacing on a
// fake clock (no sleeps), NextShardIterator chaining, shard end, expired iterators with
// no record lost or repeated, throttling retried by the client, caught-up, resharding.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <mutex>

#include "aws_fakes.h"
#include "core/json_write.h"
#include "sources/kinesis/shard_discovery.h"
#include "sources/kinesis/shard_reader.h"
#include "sources/kinesis/stream_reader.h"

namespace eventlake::kinesis {
namespace {

using eventlake::testing::CannedReply;
using eventlake::testing::CapturedRequest;
using eventlake::testing::FastHttp;
using eventlake::testing::LoopbackAwsConfig;
using eventlake::testing::LoopbackServer;
using std::chrono::milliseconds;

// A fake Kinesis: shards hold records; an iterator is "<shard>@<index>".
class FakeKinesis {
 public:
  struct FakeShard {
    std::string parent, adjacent;
    std::vector<std::string> data;
    bool closed = false;
  };

  FakeKinesis() : server_([this](const CapturedRequest& r) { return Handle(r); }) {}

  void AddShard(const std::string& id, std::vector<std::string> data, bool closed = false, std::string parent = "",
                std::string adjacent = "") {
    std::lock_guard<std::mutex> lock(mu_);
    shards_[id] = FakeShard{std::move(parent), std::move(adjacent), std::move(data), closed};
  }
  void Append(const std::string& id, std::string data) {
    std::lock_guard<std::mutex> lock(mu_);
    shards_[id].data.push_back(std::move(data));
  }
  // The next `n` GetRecords answer ExpiredIteratorException / throttling.
  void ExpireNext(int n) { expire_next_ = n; }
  void ThrottleNext(int n) { throttle_next_ = n; }
  void set_list_page_size(size_t n) { list_page_size_ = n; }
  int Count(const std::string& op) {
    std::lock_guard<std::mutex> lock(mu_);
    return counts_[op];
  }

  LoopbackServer& server() { return server_; }
  aws::AwsConfig Config() const { return LoopbackAwsConfig(&aws::AwsConfig::kinesis_endpoint, server_.Origin()); }

  // A sequence number: shard index * 10^6 + position, zero-padded like Kinesis's long ones.
  static std::string Seq(const std::string& shard, size_t i) {
    const int idx = std::stoi(shard.substr(shard.size() - 3));
    std::string s = std::to_string(1000000 * (idx + 1) + i);
    return std::string(30 - s.size(), '0') + s;
  }

 private:
  static std::string Str(simdjson::dom::element doc, const char* key) {
    std::string_view v;
    if (doc[key].get_string().get(v) != simdjson::SUCCESS) return {};
    return std::string(v);
  }

  CannedReply Handle(const CapturedRequest& r) {
    std::string op = r.Header("x-amz-target");
    op = op.substr(op.find('.') + 1);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body);
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[op];
    bodies_[op].push_back(r.body);
    if (op == "ListShards") return ListShards(doc);
    if (op == "GetShardIterator") {
      const std::string shard = Str(doc, "ShardId");
      const std::string type = Str(doc, "ShardIteratorType");
      if (shards_.count(shard) == 0) return CannedReply{400, R"({"__type":"ResourceNotFoundException"})"};
      const FakeShard& s = shards_.at(shard);
      size_t pos = 0;
      if (type == "LATEST") pos = s.data.size();
      if (type == "AT_TIMESTAMP") {  // record i arrived at 1700000000 + i
        double ts = 0;
        if (doc["Timestamp"].get_double().get(ts) != simdjson::SUCCESS) ts = 0;
        while (pos < s.data.size() && 1700000000.0 + static_cast<double>(pos) < ts) ++pos;
      }
      if (type == "AFTER_SEQUENCE_NUMBER") {
        const std::string after = Str(doc, "StartingSequenceNumber");
        while (pos < s.data.size() && Seq(shard, pos) <= after) ++pos;
      }
      return CannedReply{200, R"({"ShardIterator":")" + shard + "@" + std::to_string(pos) + "\"}"};
    }
    if (op == "GetRecords") {
      if (throttle_next_ > 0) {
        --throttle_next_;
        return CannedReply{400, R"({"__type":"ProvisionedThroughputExceededException","message":"slow down"})"};
      }
      if (expire_next_ > 0) {
        --expire_next_;
        return CannedReply{400, R"({"__type":"ExpiredIteratorException","message":"Iterator expired"})"};
      }
      const std::string it = Str(doc, "ShardIterator");
      const std::string shard = it.substr(0, it.find('@'));
      size_t pos = std::stoul(it.substr(it.find('@') + 1));
      int64_t limit = 0;
      if (doc["Limit"].get_int64().get(limit) != simdjson::SUCCESS) limit = 10000;
      const FakeShard& s = shards_.at(shard);
      std::string recs;
      size_t n = 0;
      for (; pos < s.data.size() && n < static_cast<size_t>(limit); ++pos, ++n) {
        if (!recs.empty()) recs += ",";
        recs += R"({"SequenceNumber":")" + Seq(shard, pos) + R"(","PartitionKey":"k","ApproximateArrivalTimestamp":)" +
                std::to_string(1700000000 + pos) + R"(,"Data":")";
        AppendBase64(recs, s.data[pos]);
        recs += "\"}";
      }
      const size_t behind = s.data.size() - pos;
      std::string out = "{\"Records\":[" + recs + "],\"MillisBehindLatest\":" + std::to_string(behind * 1000);
      if (!(s.closed && pos == s.data.size() && n == 0))
        out += R"(,"NextShardIterator":")" + shard + "@" + std::to_string(pos) + "\"";
      return CannedReply{200, out + "}"};
    }
    return CannedReply{400, R"({"__type":"UnknownOperationException"})"};
  }

  CannedReply ListShards(simdjson::dom::element doc) {
    const std::string token = Str(doc, "NextToken");
    if (!token.empty() && !Str(doc, "StreamName").empty())
      return CannedReply{400, R"({"__type":"InvalidArgumentException","message":"NextToken and StreamName"})"};
    size_t start = token.empty() ? 0 : std::stoul(token);
    std::string out = "{\"Shards\":[";
    size_t i = 0, emitted = 0;
    for (const auto& [id, s] : shards_) {
      if (i++ < start) continue;
      if (emitted == list_page_size_) {
        out.pop_back();
        return CannedReply{200, out + "],\"NextToken\":\"" + std::to_string(start + emitted) + "\"}"};
      }
      ++emitted;
      out += R"({"ShardId":")" + id + "\"";
      if (!s.parent.empty()) out += R"(,"ParentShardId":")" + s.parent + "\"";
      if (!s.adjacent.empty()) out += R"(,"AdjacentParentShardId":")" + s.adjacent + "\"";
      out += R"(,"SequenceNumberRange":{"StartingSequenceNumber":")" + Seq(id, 0) + "\"";
      if (s.closed) out += R"(,"EndingSequenceNumber":")" + Seq(id, s.data.size()) + "\"";
      out += "}},";
    }
    if (emitted > 0) out.pop_back();
    return CannedReply{200, out + "]}"};
  }

 public:
  std::map<std::string, std::vector<std::string>> bodies_;

 private:
  std::mutex mu_;
  std::map<std::string, FakeShard> shards_;
  std::map<std::string, int> counts_;
  std::atomic<int> expire_next_{0};
  std::atomic<int> throttle_next_{0};
  size_t list_page_size_ = 1000;
  LoopbackServer server_;  // last: stopped first, while the state above still exists
};

// The client's own limit on requests in flight: every shard's at once.
aws::HttpClientOptions FastClient() { return FastHttp(aws::HttpClientOptions{}.max_in_flight); }

// A clock the test moves by hand.
struct FakeClock {
  SteadyClock::time_point t{std::chrono::hours(1)};
  std::function<SteadyClock::time_point()> Fn() {
    return [this] { return t; };
  }
};

std::string Id(int i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "shardId-%012d", i);
  return buf;
}

struct Seen {
  std::vector<std::pair<std::string, std::string>> order;  // shard, data in hand-out order
  void Add(const ReadBatch& b) {
    for (const ShardBatch& s : b.shards)
      for (const KinesisRecord& r : s.records) order.emplace_back(s.shard_id, r.data);
  }
  std::vector<std::string> Of(const std::string& shard) const {
    std::vector<std::string> out;
    for (const auto& [s, d] : order)
      if (s == shard) out.push_back(d);
    return out;
  }
};

TEST(ShardDiscoveryTest, FollowsNextTokenWithoutStreamName) {
  FakeKinesis k;
  for (int i = 0; i < 5; ++i) k.AddShard(Id(i), {});
  k.set_list_page_size(2);
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  auto shards = ListAllShards(client, config, "events", 2);
  ASSERT_TRUE(shards.ok()) << shards.status().message();
  ASSERT_EQ(shards->size(), 5u);
  EXPECT_EQ((*shards)[4].shard_id, Id(4));
  EXPECT_EQ(k.Count("ListShards"), 3);
  ASSERT_EQ(k.bodies_["ListShards"].size(), 3u);
  EXPECT_EQ(k.bodies_["ListShards"][0], R"({"StreamName":"events","MaxResults":2})");
  EXPECT_EQ(k.bodies_["ListShards"][1], R"({"NextToken":"2","MaxResults":2})");
}

TEST(ShardReaderTest, AllShardsInFlightChainedAndPaced) {
  FakeKinesis k;
  for (int i = 0; i < 4; ++i) k.AddShard(Id(i), {"a" + std::to_string(i), "b" + std::to_string(i), "c"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .limit = 2, .now = clock.Fn()});
  for (int i = 0; i < 4; ++i) reader.Assign(Id(i), StartPosition::TrimHorizon());

  Seen seen;
  ReadBatch b1 = reader.Poll();
  ASSERT_TRUE(b1.status.ok()) << b1.status.message();
  seen.Add(b1);
  EXPECT_EQ(b1.record_count(), 8u);              // Limit 2 on each of 4 shards
  EXPECT_EQ(client.stats().peak_in_flight, 4u);  // one request per shard at once, not a loop
  EXPECT_EQ(k.Count("GetShardIterator"), 4);
  EXPECT_EQ(k.Count("GetRecords"), 4);

  // Same instant: every shard is paced (5 reads/s), nothing is sent.
  EXPECT_EQ(reader.NextReadIn(), milliseconds(200));
  EXPECT_EQ(reader.Poll().record_count(), 0u);
  EXPECT_EQ(k.Count("GetRecords"), 4);
  clock.t += milliseconds(199);
  EXPECT_EQ(reader.NextReadIn(), milliseconds(1));
  EXPECT_EQ(reader.Poll().record_count(), 0u);
  EXPECT_EQ(k.Count("GetRecords"), 4);

  clock.t += milliseconds(1);
  ReadBatch b2 = reader.Poll();
  seen.Add(b2);
  EXPECT_EQ(b2.record_count(), 4u);
  EXPECT_EQ(k.Count("GetShardIterator"), 4);  // NextShardIterator chained, no new iterator
  EXPECT_FALSE(reader.CaughtUp());
  clock.t += milliseconds(200);
  EXPECT_EQ(reader.Poll().record_count(), 0u);
  EXPECT_TRUE(reader.CaughtUp());  // no records and MillisBehindLatest 0 everywhere
  for (int i = 0; i < 4; ++i)
    EXPECT_THAT(seen.Of(Id(i)), ::testing::ElementsAre("a" + std::to_string(i), "b" + std::to_string(i), "c"));

  k.Append(Id(2), "late");
  clock.t += milliseconds(200);
  ReadBatch b3 = reader.Poll();
  ASSERT_EQ(b3.shards.size(), 1u);
  EXPECT_EQ(b3.shards[0].shard_id, Id(2));
  EXPECT_EQ(b3.shards[0].records[0].sequence_number, FakeKinesis::Seq(Id(2), 3));
  EXPECT_EQ(reader.Progress()[2].last_sequence_number, FakeKinesis::Seq(Id(2), 3));
}

TEST(ShardReaderTest, ExpiredIteratorResumesAfterLastRecordNothingLostOrRepeated) {
  FakeKinesis k;
  std::vector<std::string> data;
  // append, not "r" + to_string: GCC 12 -O3 reports a false -Wrestrict for the latter (GCC PR 105329)
  for (int i = 0; i < 10; ++i) data.push_back(std::string("r").append(std::to_string(i)));
  k.AddShard(Id(0), data);
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .limit = 3, .now = clock.Fn()});
  reader.Assign(Id(0), StartPosition::TrimHorizon());
  Seen seen;
  seen.Add(reader.Poll());  // r0..r2
  k.ExpireNext(2);
  for (int round = 0; round < 12 && !reader.CaughtUp(); ++round) {
    clock.t += milliseconds(200);
    ReadBatch b = reader.Poll();
    EXPECT_TRUE(b.status.ok()) << b.status.message();
    seen.Add(b);
  }
  EXPECT_EQ(seen.Of(Id(0)), data);
  const ShardProgress p = reader.Progress()[0];
  EXPECT_EQ(p.expired_iterators, 2u);
  EXPECT_EQ(p.iterator_requests, 3u);  // the first, then one per expiry
  EXPECT_EQ(k.bodies_["GetShardIterator"][1],
            R"({"StreamName":"events","ShardId":")" + Id(0) +
                R"(","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":")" +
                FakeKinesis::Seq(Id(0), 2) + "\"}");
}

TEST(ShardReaderTest, StopAfterHandsOutExactlyARangeThenResumes) {
  FakeKinesis k;
  std::vector<std::string> data;
  // append, not "r" + to_string: GCC 12 -O3 reports a false -Wrestrict for the latter (GCC PR 105329)
  for (int i = 0; i < 10; ++i) data.push_back(std::string("r").append(std::to_string(i)));
  k.AddShard(Id(0), data);
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .limit = 4, .now = clock.Fn()});
  // Replay an epoch's range: after r0 up to and including r5.
  reader.Assign(Id(0), StartPosition::After(FakeKinesis::Seq(Id(0), 0)));
  reader.StopAfter(Id(0), FakeKinesis::Seq(Id(0), 5));
  Seen seen;
  for (int round = 0; round < 5; ++round) {
    seen.Add(reader.Poll());
    clock.t += milliseconds(200);
  }
  EXPECT_THAT(seen.Of(Id(0)), ::testing::ElementsAre("r1", "r2", "r3", "r4", "r5"));  // r6, r7 of page 2 dropped
  EXPECT_TRUE(reader.Progress()[0].stopped);
  EXPECT_FALSE(reader.CaughtUp());
  EXPECT_EQ(reader.NextReadIn(), milliseconds::max());
  EXPECT_EQ(k.Count("GetRecords"), 2);
  reader.Resume(Id(0));
  for (int round = 0; round < 5 && !reader.CaughtUp(); ++round) {
    seen.Add(reader.Poll());
    clock.t += milliseconds(200);
  }
  EXPECT_EQ(seen.Of(Id(0)), std::vector<std::string>(data.begin() + 1, data.end()));
  EXPECT_EQ(reader.Progress()[0].iterator_requests, 2u);  // a new one after the cut
  EXPECT_NE(k.bodies_["GetShardIterator"][1].find(FakeKinesis::Seq(Id(0), 5)), std::string::npos);
}

TEST(ShardReaderTest, ExpiryBeforeAnyRecordRestartsAtTheStartPosition) {
  FakeKinesis k;
  k.AddShard(Id(0), {"x", "y"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .now = clock.Fn()});
  reader.Assign(Id(0), StartPosition::After(FakeKinesis::Seq(Id(0), 0)));  // a checkpoint
  k.ExpireNext(1);
  Seen seen;
  seen.Add(reader.Poll());
  clock.t += milliseconds(200);
  seen.Add(reader.Poll());
  EXPECT_THAT(seen.Of(Id(0)), ::testing::ElementsAre("y"));
  EXPECT_NE(k.bodies_["GetShardIterator"][1].find("AFTER_SEQUENCE_NUMBER"), std::string::npos);
}

TEST(ShardReaderTest, ExpiredLatestIteratorResumesAtTheTimeItWasAskedFor) {
  FakeKinesis k;
  k.AddShard(Id(0), {"old"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .now = clock.Fn(), .wall_now = [] { return 1700000002.0; }});
  reader.Assign(Id(0), StartPosition::Latest());
  EXPECT_EQ(reader.Poll().record_count(), 0u);  // at the tip
  k.Append(Id(0), "new1");                      // arrives while the iterator is left unused until it expires
  k.Append(Id(0), "new2");
  k.ExpireNext(1);
  Seen seen;
  clock.t += milliseconds(200);
  seen.Add(reader.Poll());
  clock.t += milliseconds(200);
  seen.Add(reader.Poll());
  EXPECT_THAT(seen.Of(Id(0)), ::testing::ElementsAre("new1", "new2"));  // not skipped, "old" not read
  ASSERT_EQ(k.bodies_["GetShardIterator"].size(), 2u);
  EXPECT_NE(k.bodies_["GetShardIterator"][0].find("\"LATEST\""), std::string::npos);
  EXPECT_NE(k.bodies_["GetShardIterator"][1].find("\"AT_TIMESTAMP\",\"Timestamp\":1700000001.000"), std::string::npos);
}

TEST(ShardReaderTest, ThrottlingIsRetriedByTheClientAndCounted) {
  FakeKinesis k;
  k.AddShard(Id(0), {"x"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .now = clock.Fn()});
  reader.Assign(Id(0), StartPosition::TrimHorizon());
  k.ThrottleNext(2);
  ReadBatch b = reader.Poll();
  ASSERT_TRUE(b.status.ok()) << b.status.message();
  EXPECT_EQ(b.record_count(), 1u);
  EXPECT_EQ(reader.Progress()[0].retries, 2u);
}

TEST(ShardReaderTest, ShardEndFinishesTheShard) {
  FakeKinesis k;
  k.AddShard(Id(0), {"x", "y"}, /*closed=*/true);
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .now = clock.Fn()});
  reader.Assign(Id(0), StartPosition::TrimHorizon());
  EXPECT_EQ(reader.Poll().record_count(), 2u);
  EXPECT_FALSE(reader.IsFinished(Id(0)));
  clock.t += milliseconds(200);
  ReadBatch end = reader.Poll();
  ASSERT_EQ(end.shards.size(), 1u);
  EXPECT_TRUE(end.shards[0].shard_ended);
  EXPECT_TRUE(reader.IsFinished(Id(0)));
  EXPECT_TRUE(reader.CaughtUp());
  EXPECT_EQ(reader.NextReadIn(), milliseconds::max());
  clock.t += milliseconds(200);
  EXPECT_TRUE(reader.Poll().shards.empty());
  EXPECT_EQ(k.Count("GetRecords"), 2);  // nothing more is asked of a finished shard
}

TEST(ShardReaderTest, AHardErrorKeepsTheOtherShardsRecords) {
  FakeKinesis k;
  k.AddShard(Id(0), {"x"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  ShardReader reader(client, config, {.stream = "events", .now = clock.Fn()});
  reader.Assign(Id(0), StartPosition::TrimHorizon());
  reader.Assign(Id(7), StartPosition::TrimHorizon());  // unknown to the fake: 400
  ReadBatch b = reader.Poll();
  EXPECT_FALSE(b.status.ok());
  EXPECT_EQ(b.record_count(), 1u);
  EXPECT_FALSE(reader.CaughtUp());
}

TEST(StreamReaderTest, ParentsDrainedBeforeChildrenSplitAndMerge) {
  // s0 split into s2, s3; s1 and s3 merged into s4.
  FakeKinesis k;
  k.AddShard(Id(0), {"p0-a", "p0-b"}, true);
  k.AddShard(Id(1), {"p1-a"}, true);
  k.AddShard(Id(2), {"c2-a"}, false, Id(0));
  k.AddShard(Id(3), {"c3-a"}, true, Id(0));
  k.AddShard(Id(4), {"m4-a", "m4-b"}, false, Id(1), Id(3));
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  auto reader =
      StreamReader::Open(client, config, {.stream = "events", .now = clock.Fn()}, StartPosition::TrimHorizon());
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Seen seen;
  for (int round = 0; round < 20 && !(*reader)->CaughtUp(); ++round) {
    ReadBatch b = (*reader)->Poll();
    ASSERT_TRUE(b.status.ok()) << b.status.message();
    seen.Add(b);
    clock.t += milliseconds(200);
  }
  ASSERT_TRUE((*reader)->CaughtUp());
  auto pos = [&](const std::string& data) {
    for (size_t i = 0; i < seen.order.size(); ++i)
      if (seen.order[i].second == data) return static_cast<int>(i);
    return -1;
  };
  ASSERT_EQ(seen.order.size(), 7u);
  EXPECT_LT(pos("p0-b"), pos("c2-a"));
  EXPECT_LT(pos("p0-b"), pos("c3-a"));
  EXPECT_LT(pos("c3-a"), pos("m4-a"));
  EXPECT_LT(pos("p1-a"), pos("m4-a"));
  EXPECT_LT(pos("m4-a"), pos("m4-b"));
  EXPECT_EQ((*reader)->finished(), (std::set<std::string>{Id(0), Id(1), Id(3)}));
}

TEST(StreamReaderTest, LatestSkipsClosedShardsAndCheckpointsResume) {
  FakeKinesis k;
  k.AddShard(Id(0), {"old"}, true);
  k.AddShard(Id(1), {"old1"}, false, Id(0));
  k.AddShard(Id(2), {"a", "b", "c"});
  aws::AwsConfig config = k.Config();
  aws::HttpClient client(config, FastClient());
  FakeClock clock;
  StreamCheckpoint cp;
  cp.after_sequence[Id(2)] = FakeKinesis::Seq(Id(2), 0);
  auto reader =
      StreamReader::Open(client, config, {.stream = "events", .now = clock.Fn()}, StartPosition::Latest(), cp);
  ASSERT_TRUE(reader.ok()) << reader.status().message();
  Seen seen;
  seen.Add((*reader)->Poll());
  EXPECT_TRUE(seen.Of(Id(0)).empty());
  EXPECT_TRUE(seen.Of(Id(1)).empty());  // LATEST: at the tip
  EXPECT_THAT(seen.Of(Id(2)), ::testing::ElementsAre("b", "c"));
  k.Append(Id(1), "new1");
  clock.t += milliseconds(200);
  seen.Add((*reader)->Poll());
  EXPECT_THAT(seen.Of(Id(1)), ::testing::ElementsAre("new1"));
}

}  // namespace
}  // namespace eventlake::kinesis
