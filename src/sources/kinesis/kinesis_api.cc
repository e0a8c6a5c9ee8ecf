#include "sources/kinesis/kinesis_api.h"

#include <simdjson.h>

#include <algorithm>
#include <cstdio>

#include "core/json_write.h"
#include "sources/kinesis/base64.h"

namespace eventlake::kinesis {
namespace {

using simdjson::dom::element;
using simdjson::dom::object;

void AppendField(std::string& out, std::string_view name, std::string_view value) {
  if (out.size() > 1) out.push_back(',');
  AppendJsonString(out, name);
  out.push_back(':');
  AppendJsonString(out, value);
}

// An optional string member ("" when absent or not a string).
std::string StringOr(object obj, std::string_view key) {
  std::string_view v;
  if (obj[key].get_string().get(v) != simdjson::SUCCESS) return {};
  return std::string(v);
}

Result<simdjson::dom::element> ParseDocument(simdjson::dom::parser& parser, std::string_view body,
                                             std::string_view what) {
  element doc;
  if (auto err = parser.parse(body.data(), body.size()).get(doc); err != simdjson::SUCCESS)
    return Status::Error(std::string(what) + ": malformed JSON answer: " + simdjson::error_message(err));
  if (!doc.is_object()) return Status::Error(std::string(what) + ": answer is not a JSON object");
  return doc;
}

// A JSON number as double, integer or not.
bool NumberOf(element e, double* out) {
  if (e.is_double()) return e.get_double().get(*out) == simdjson::SUCCESS;
  int64_t i;
  if (e.get_int64().get(i) == simdjson::SUCCESS) {
    *out = static_cast<double>(i);
    return true;
  }
  uint64_t u;
  if (e.get_uint64().get(u) == simdjson::SUCCESS) {
    *out = static_cast<double>(u);
    return true;
  }
  return false;
}

}  // namespace

std::string_view IteratorTypeName(IteratorType type) {
  switch (type) {
    case IteratorType::kTrimHorizon:
      return "TRIM_HORIZON";
    case IteratorType::kLatest:
      return "LATEST";
    case IteratorType::kAtTimestamp:
      return "AT_TIMESTAMP";
    case IteratorType::kAtSequenceNumber:
      return "AT_SEQUENCE_NUMBER";
    case IteratorType::kAfterSequenceNumber:
      return "AFTER_SEQUENCE_NUMBER";
  }
  return "TRIM_HORIZON";
}

std::string ListShardsBody(std::string_view stream, std::string_view next_token, int max_results) {
  std::string out = "{";
  if (next_token.empty()) {
    AppendField(out, "StreamName", stream);
  } else {
    AppendField(out, "NextToken", next_token);
  }
  out += ",\"MaxResults\":" + std::to_string(std::clamp(max_results, 1, kMaxListShardsResults)) + "}";
  return out;
}

std::string GetShardIteratorBody(std::string_view stream, std::string_view shard_id, const StartPosition& start) {
  std::string out = "{";
  AppendField(out, "StreamName", stream);
  AppendField(out, "ShardId", shard_id);
  AppendField(out, "ShardIteratorType", IteratorTypeName(start.type));
  if (start.type == IteratorType::kAtSequenceNumber || start.type == IteratorType::kAfterSequenceNumber) {
    AppendField(out, "StartingSequenceNumber", start.sequence_number);
  } else if (start.type == IteratorType::kAtTimestamp) {
    // Unix seconds with millisecond precision (the API's resolution).
    char buf[48];
    std::snprintf(buf, sizeof buf, ",\"Timestamp\":%.3f", start.timestamp);
    out += buf;
  }
  out.push_back('}');
  return out;
}

std::string GetRecordsBody(std::string_view shard_iterator, int limit) {
  std::string out = "{";
  AppendField(out, "ShardIterator", shard_iterator);
  out += ",\"Limit\":" + std::to_string(std::clamp(limit, 1, kMaxGetRecordsLimit)) + "}";
  return out;
}

Result<ListShardsPage> ParseListShards(std::string_view body) {
  simdjson::dom::parser parser;
  auto doc = ParseDocument(parser, body, "ListShards");
  if (!doc.ok()) return doc.status();
  object root = doc->get_object().value_unsafe();
  ListShardsPage page;
  page.next_token = StringOr(root, "NextToken");
  simdjson::dom::array shards;
  if (root["Shards"].get_array().get(shards) != simdjson::SUCCESS)
    return Status::Error("ListShards: answer has no Shards array");
  for (element e : shards) {
    object s;
    if (e.get_object().get(s) != simdjson::SUCCESS) return Status::Error("ListShards: a shard is not an object");
    ShardInfo info;
    info.shard_id = StringOr(s, "ShardId");
    if (info.shard_id.empty()) return Status::Error("ListShards: a shard has no ShardId");
    info.parent_shard_id = StringOr(s, "ParentShardId");
    info.adjacent_parent_shard_id = StringOr(s, "AdjacentParentShardId");
    object range;
    if (s["HashKeyRange"].get_object().get(range) == simdjson::SUCCESS) {
      info.starting_hash_key = StringOr(range, "StartingHashKey");
      info.ending_hash_key = StringOr(range, "EndingHashKey");
    }
    if (s["SequenceNumberRange"].get_object().get(range) == simdjson::SUCCESS) {
      info.starting_sequence_number = StringOr(range, "StartingSequenceNumber");
      info.ending_sequence_number = StringOr(range, "EndingSequenceNumber");
    }
    page.shards.push_back(std::move(info));
  }
  return page;
}

Result<std::string> ParseGetShardIterator(std::string_view body) {
  simdjson::dom::parser parser;
  auto doc = ParseDocument(parser, body, "GetShardIterator");
  if (!doc.ok()) return doc.status();
  std::string it = StringOr(doc->get_object().value_unsafe(), "ShardIterator");
  if (it.empty()) return Status::Error("GetShardIterator: answer has no ShardIterator");
  return it;
}

Result<GetRecordsPage> ParseGetRecords(std::string_view body) {
  // One parser per thread, reused: GetRecords answers are the reader's hot path.
  thread_local simdjson::dom::parser parser;
  auto doc = ParseDocument(parser, body, "GetRecords");
  if (!doc.ok()) return doc.status();
  object root = doc->get_object().value_unsafe();
  GetRecordsPage page;
  page.next_iterator = StringOr(root, "NextShardIterator");
  int64_t behind;
  if (root["MillisBehindLatest"].get_int64().get(behind) == simdjson::SUCCESS) page.millis_behind_latest = behind;
  simdjson::dom::array records;
  if (root["Records"].get_array().get(records) != simdjson::SUCCESS)
    return Status::Error("GetRecords: answer has no Records array");
  page.records.reserve(records.size());
  for (element e : records) {
    object r;
    if (e.get_object().get(r) != simdjson::SUCCESS) return Status::Error("GetRecords: a record is not an object");
    KinesisRecord rec;
    rec.sequence_number = StringOr(r, "SequenceNumber");
    if (rec.sequence_number.empty()) return Status::Error("GetRecords: a record has no SequenceNumber");
    rec.partition_key = StringOr(r, "PartitionKey");
    element ts;
    if (r["ApproximateArrivalTimestamp"].get(ts) == simdjson::SUCCESS) NumberOf(ts, &rec.approximate_arrival);
    std::string_view data;
    if (r["Data"].get_string().get(data) != simdjson::SUCCESS)
      return Status::Error("GetRecords: record " + rec.sequence_number + " has no Data");
    if (!AppendBase64Decoded(rec.data, data))
      return Status::Error("GetRecords: record " + rec.sequence_number + " has Data that is not valid base64");
    page.records.push_back(std::move(rec));
  }
  return page;
}

int CompareSequenceNumbers(std::string_view a, std::string_view b) {
  while (a.size() > 1 && a.front() == '0') a.remove_prefix(1);
  while (b.size() > 1 && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace eventlake::kinesis

namespace eventlake::kinesis {

Result<std::string> ParseKinesisUri(std::string_view uri) {
  constexpr std::string_view kScheme = "kinesis://";
  if (uri.substr(0, kScheme.size()) != kScheme)
    return Status::Error("not a kinesis:// source: '" + std::string(uri) + "'");
  std::string_view name = uri.substr(kScheme.size());
  if (name.empty() || name.size() > 128) return Status::Error("kinesis stream name must be 1-128 characters");
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return Status::Error("kinesis stream name '" + std::string(name) + "' may only hold [a-zA-Z0-9_.-]");
  }
  return std::string(name);
}

}  // namespace eventlake::kinesis
