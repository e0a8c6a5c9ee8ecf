// app/shard_work: a shard's range becomes objects whose keys and bytes depend only on
// the records (what makes an intent replay after a crash exact), in a fixed order.
#include "app/shard_work.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "decode/framer.h"
#include "decode/validate.h"

namespace eventlake {
namespace {

using ::testing::HasSubstr;

class StringSink final : public ByteSink {
 public:
  Status Write(std::string_view bytes) override {
    data += bytes;
    return Status::Ok();
  }
  std::string data;
};

IngestOptions Options(const std::string& format) {
  IngestOptions o;
  o.source = "kinesis://s";
  o.dedup = "dynamodb://claims";
  o.lake = "s3://bucket/prefix";
  o.format = format;
  o.flush_count = 3;
  o.max_created_at = "4000000000";
  Status s = ValidateIngestOptions(o);
  EXPECT_TRUE(s.ok()) << s.message();
  return o;
}

kinesis::Lease Lease() {
  kinesis::Lease l;
  l.stream = "s";
  l.shard_id = "shardId-000000000001";
  l.owner = "w1";
  l.epoch = 7;
  return l;
}

// Feeds `lines` (valid events; anything else is dead-lettered) as one record each.
void Feed(ShardWork& w, const std::vector<std::string>& lines) {
  Validator validator(ValidateOptions{0, 4000000000});
  int seq = 100;
  for (const std::string& line : lines) {
    std::string padded = line + std::string(Framer::kPadding, '\0');
    const std::string_view bytes(padded.data(), line.size());
    const std::string sequence = std::to_string(seq++);
    Verdict v;
    validator.Check(bytes, v);
    if (v.ok) {
      Derived d;
      Derive(v.fields, d);
      w.Write(v.fields, d, 1, 1644838800);
    } else {
      w.DeadLetter(v.reason, v.detail, sequence, 0, bytes, bytes.size());
    }
    w.TakeRecord(sequence, 1);
  }
}

std::vector<std::pair<std::string, std::string>> Objects(ShardWork& w) {
  std::vector<std::pair<std::string, std::string>> out;
  for (EpochObject& o : w.TakeObjects(w.lease.epoch)) {
    StringSink sink;
    EXPECT_TRUE(o.buffer->encoder->Finish(sink).ok());
    out.emplace_back(o.key, sink.data);
  }
  return out;
}

const std::vector<std::string> kLines = {
    R"({"event_uuid":"a1","event_name":"lesson:started","created_at":1644838800})",
    R"({"event_uuid":"a2","event_name":"account:created","created_at":1644838801.5})",
    R"({"event_uuid":"a3","event_name":"lesson:started","created_at":1644925200})",
    R"(not json)",
    R"({"event_uuid":"a4","event_name":"account:created","created_at":1644838802})",
};

TEST(ShardWork, KeysNameShardAndEpochInPartitionOrderWithDeadLettersLast) {
  const IngestOptions o = Options("json");
  ShardWork w(o, Lease());
  Feed(w, kLines);
  EXPECT_EQ(w.first_sequence(), "100");
  EXPECT_EQ(w.last_sequence(), "104");
  EXPECT_EQ(w.counts.written, 4u);
  EXPECT_EQ(w.counts.invalid, 1u);
  auto objects = Objects(w);
  ASSERT_EQ(objects.size(), 4u);
  EXPECT_EQ(objects[0].first,
            "event_type=account/event_date=2022-02-14/part-shardId-000000000001-0000000007-00000.jsonl");
  EXPECT_EQ(objects[1].first,
            "event_type=lesson/event_date=2022-02-14/part-shardId-000000000001-0000000007-00001.jsonl");
  EXPECT_EQ(objects[2].first,
            "event_type=lesson/event_date=2022-02-15/part-shardId-000000000001-0000000007-00002.jsonl");
  EXPECT_EQ(objects[3].first, "_errors/part-shardId-000000000001-0000000007-00003.jsonl");
  // Record order inside a file; the dead letter names stream, shard, sequence and line.
  EXPECT_LT(objects[0].second.find("\"a2\""), objects[0].second.find("\"a4\""));
  EXPECT_THAT(objects[3].second,
              HasSubstr(R"("source":"kinesis://s/shardId-000000000001","sequence_number":"103","line":0)"));
  EXPECT_THAT(objects[3].second, HasSubstr(R"("raw":"not json")"));
  EXPECT_TRUE(w.empty() == false);
  w.ResetRange();
  EXPECT_TRUE(w.empty());
  EXPECT_EQ(w.counts.written, 0u);
}

TEST(ShardWork, SameRecordsMakeTheSameBytesJsonAndParquet) {
  for (const char* format : {"json", "parquet"}) {
    const IngestOptions o = Options(format);
    ShardWork a(o, Lease()), b(o, Lease());
    Feed(a, kLines);
    Feed(b, kLines);
    EXPECT_EQ(Objects(a), Objects(b)) << format;
  }
}

TEST(ShardWork, ParquetSchemaConflictSealsAFileFirstInTheSameOrderEveryTime) {
  IngestOptions o = Options("parquet");
  o.row_group_bytes = 64 << 10;
  std::vector<std::string> lines;
  for (int i = 0; i < 3000; ++i)  // past one 64 KiB row group: the schema is fixed with "n" an integer
    lines.push_back(R"({"event_uuid":"b)" + std::to_string(i) +
                    R"(","event_name":"x:y","created_at":1644838800,"n":1,"pad":"................................"})");
  lines.push_back(R"({"event_uuid":"c","event_name":"x:y","created_at":1644838800,"n":"text"})");
  o.flush_count = 0;
  o.flush.max_events = 0;
  ShardWork a(o, Lease()), b(o, Lease());
  Feed(a, lines);
  Feed(b, lines);
  auto oa = Objects(a);
  EXPECT_EQ(oa, Objects(b));
  ASSERT_EQ(oa.size(), 2u);  // the sealed file, then the one the conflicting event started
  EXPECT_EQ(oa[0].first, "event_type=x/event_date=2022-02-14/part-shardId-000000000001-0000000007-00000.parquet");
  EXPECT_EQ(oa[1].first, "event_type=x/event_date=2022-02-14/part-shardId-000000000001-0000000007-00001.parquet");
}

TEST(ShardWork, DueByCountAndAge) {
  const IngestOptions o = Options("json");  // --flush-count 3, --flush-age 60s
  ShardWork w(o, Lease());
  EXPECT_FALSE(w.Due(0));
  EXPECT_EQ(w.NextDeadline(), INT64_MAX);
  Feed(w, {kLines[0]});
  EXPECT_FALSE(w.Due(2));
  EXPECT_TRUE(w.Due(1 + 60 * 1000000));
  Feed(w, {kLines[0], kLines[0]});  // same partition: 3 events
  EXPECT_TRUE(w.Due(2));
}

TEST(StreamOptions, ChecksBeforeAnyIo) {
  IngestOptions o;
  o.lake = "s3://bucket/prefix";
  o.source = "kinesis://s";
  EXPECT_THAT(ValidateIngestOptions(o).message(), HasSubstr("--dedup dynamodb://TABLE"));
  o.dedup = "dynamodb://claims";
  o.inputs = {"file.ndjson"};
  EXPECT_THAT(ValidateIngestOptions(o).message(), HasSubstr("input files"));
  o.inputs.clear();
  o.lake = "/tmp/lake";
  EXPECT_THAT(ValidateIngestOptions(o).message(), HasSubstr("s3://BUCKET/PREFIX"));
  o.lake = "s3://bucket/prefix";
  o.start_position = "yesterday";
  EXPECT_THAT(ValidateIngestOptions(o).message(), HasSubstr("--start-position"));
  o.start_position = "at_timestamp:1700000000";
  o.worker_id = "w/1";
  EXPECT_THAT(ValidateIngestOptions(o).message(), HasSubstr("--worker-id"));
  o.worker_id = "w1";
  o.work_dir.clear();
  Status ok = ValidateIngestOptions(o);
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(o.leases_table, "claims-leases");
  EXPECT_EQ(o.work_dir, "eventlake-work/w1");
  EXPECT_EQ(o.start.type, kinesis::IteratorType::kAtTimestamp);

  IngestOptions files;
  files.lake = "/tmp/lake";
  files.stop_when_caught_up = true;
  EXPECT_THAT(ValidateIngestOptions(files).message(), HasSubstr("--source kinesis://"));
  files.stop_when_caught_up = false;
  files.dedup = "dynamodb://claims";
  EXPECT_THAT(ValidateIngestOptions(files).message(), HasSubstr("--source kinesis://"));
}

}  // namespace
}  // namespace eventlake
