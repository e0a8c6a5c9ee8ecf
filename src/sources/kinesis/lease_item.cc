#include "sources/kinesis/lease_item.h"

#include <simdjson.h>

#include <charconv>
#include <utility>

#include "core/json_write.h"
#include "store/aws/dynamodb_table.h"

namespace eventlake::kinesis {
namespace {

using simdjson::dom::object;

constexpr std::string_view kOwnerAttr = "owner";
constexpr std::string_view kCounterAttr = "counter";
constexpr std::string_view kCheckpointAttr = "checkpoint";
constexpr std::string_view kWatermarkAttr = "watermark";
constexpr std::string_view kEpochAttr = "epoch";
constexpr std::string_view kFinishedAttr = "finished";
constexpr std::string_view kIntentFirstAttr = "intent_first";
constexpr std::string_view kIntentAttr = "intent_last";

// DynamoDB AttributeValues as JSON.
std::string S(std::string_view s) {
  std::string out = "{\"S\":";
  AppendJsonString(out, s);
  out += '}';
  return out;
}
template <typename Int>
std::string N(Int n) {
  return "{\"N\":\"" + std::to_string(n) + "\"}";
}
std::string Bool(bool b) { return b ? "{\"BOOL\":true}" : "{\"BOOL\":false}"; }

std::string KeyObject(std::string_view key) {
  std::string out = "{";
  AppendJsonString(out, kLeaseKeyAttr);
  out += ':' + S(key) + '}';
  return out;
}

// A conditional write: the parts of its body besides the table.
struct Write {
  std::string update;                                                // UpdateExpression (UpdateItem); empty for PutItem
  std::string condition;                                             // ConditionExpression
  std::vector<std::pair<std::string_view, std::string_view>> names;  // "#o" -> "owner"
  std::vector<std::pair<std::string_view, std::string>> values;      // ":o" -> {"S":"w1"}
  std::string_view return_values;                                    // empty: NONE
};

void Member(std::string& out, std::string_view name) {
  out += ',';
  AppendJsonString(out, name);
  out += ':';
}

// {"TableName":..., <key_or_item>, "UpdateExpression":..., "ConditionExpression":..., names, values}.
std::string Body(std::string_view table, std::string_view key_member, std::string_view key_json, const Write& w) {
  std::string out = "{\"TableName\":";
  AppendJsonString(out, table);
  Member(out, key_member);
  out += key_json;
  if (!w.update.empty()) {
    Member(out, "UpdateExpression");
    AppendJsonString(out, w.update);
  }
  Member(out, "ConditionExpression");
  AppendJsonString(out, w.condition);
  Member(out, "ExpressionAttributeNames");
  out += '{';
  for (size_t i = 0; i < w.names.size(); ++i) {
    if (i > 0) out += ',';
    AppendJsonString(out, w.names[i].first);
    out += ':';
    AppendJsonString(out, w.names[i].second);
  }
  out += '}';
  if (!w.values.empty()) {
    Member(out, "ExpressionAttributeValues");
    out += '{';
    for (size_t i = 0; i < w.values.size(); ++i) {
      if (i > 0) out += ',';
      AppendJsonString(out, w.values[i].first);
      out += ':' + w.values[i].second;
    }
    out += '}';
  }
  if (!w.return_values.empty()) {
    Member(out, "ReturnValues");
    AppendJsonString(out, w.return_values);
  }
  out += '}';
  return out;
}

std::string UpdateBody(std::string_view table, const Lease& lease, const Write& w) {
  return Body(table, "Key", KeyObject(LeaseKey(lease.stream, lease.shard_id)), w);
}

// The owner's writes: "#o = :o AND #c = :c".
Write Owned(const Lease& lease) {
  Write w;
  w.condition = "#o = :o AND #c = :c";
  w.names = {{"#o", kOwnerAttr}, {"#c", kCounterAttr}};
  w.values = {{":o", S(lease.owner)}, {":c", N(lease.counter)}};
  return w;
}

bool ParseUnsigned(std::string_view s, uint64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}
bool ParseSigned(std::string_view s, int64_t* out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

// An optional typed member of an item: absent is fine, another type is not.
Status OptionalString(object item, std::string_view attr, std::string* out) {
  simdjson::dom::element v;
  if (item.at_key(attr).get(v)) return Status::Ok();
  std::string_view s;
  if (v.at_key("S").get(s)) return Status::Error("attribute '" + std::string(attr) + "' is not a string (S)");
  *out = std::string(s);
  return Status::Ok();
}
template <typename Int, typename Parse>
Status OptionalNumber(object item, std::string_view attr, Int* out, Parse parse) {
  simdjson::dom::element v;
  if (item.at_key(attr).get(v)) return Status::Ok();
  std::string_view s;
  if (v.at_key("N").get(s) || !parse(s, out))
    return Status::Error("attribute '" + std::string(attr) + "' is not a whole number (N) in range");
  return Status::Ok();
}

Result<Lease> ParseItem(object item) {
  Lease lease;
  std::string key;
  EL_RETURN_IF_ERROR(OptionalString(item, kLeaseKeyAttr, &key));
  const size_t slash = key.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == key.size())
    return Status::Error("lease item key '" + key + "' is not <stream>/<shard id>");
  lease.stream = key.substr(0, slash);
  lease.shard_id = key.substr(slash + 1);
  Status s = OptionalString(item, kOwnerAttr, &lease.owner);
  if (s.ok()) s = OptionalNumber(item, kCounterAttr, &lease.counter, ParseUnsigned);
  if (s.ok()) s = OptionalString(item, kCheckpointAttr, &lease.checkpoint);
  if (s.ok()) s = OptionalNumber(item, kWatermarkAttr, &lease.watermark, ParseSigned);
  if (s.ok()) s = OptionalNumber(item, kEpochAttr, &lease.epoch, ParseUnsigned);
  if (s.ok()) s = OptionalString(item, kIntentFirstAttr, &lease.intent_first);
  if (s.ok()) s = OptionalString(item, kIntentAttr, &lease.intent_last);
  if (s.ok()) {
    simdjson::dom::element v;
    if (!item.at_key(kFinishedAttr).get(v) && v.at_key("BOOL").get(lease.finished))
      s = Status::Error("attribute 'finished' is not a BOOL");
  }
  if (!s.ok()) return s.Context("lease item '" + key + "'");
  return lease;
}

}  // namespace

std::string LeaseKey(std::string_view stream, std::string_view shard_id) {
  std::string out;
  out.reserve(stream.size() + 1 + shard_id.size());
  out.append(stream).append("/").append(shard_id);
  return out;
}

std::string CreateLeaseBody(std::string_view table, const Lease& lease) {
  std::string item = "{";
  AppendJsonString(item, kLeaseKeyAttr);
  item += ':' + S(LeaseKey(lease.stream, lease.shard_id));
  auto add = [&item](std::string_view attr, const std::string& value) {
    item += ',';
    AppendJsonString(item, attr);
    item += ':' + value;
  };
  if (!lease.owner.empty()) add(kOwnerAttr, S(lease.owner));
  add(kCounterAttr, N(lease.counter));
  if (!lease.checkpoint.empty()) add(kCheckpointAttr, S(lease.checkpoint));
  add(kWatermarkAttr, N(lease.watermark));
  add(kEpochAttr, N(lease.epoch));
  add(kFinishedAttr, Bool(lease.finished));
  if (!lease.intent_first.empty()) add(kIntentFirstAttr, S(lease.intent_first));
  if (!lease.intent_last.empty()) add(kIntentAttr, S(lease.intent_last));
  item += '}';
  Write w;
  w.condition = "attribute_not_exists(#k)";
  w.names = {{"#k", kLeaseKeyAttr}};
  return Body(table, "Item", item, w);
}

std::string TakeLeaseBody(std::string_view table, const Lease& lease, std::string_view new_owner) {
  Write w;
  w.update = "SET #o = :n, #c = :c1";
  w.names = {{"#o", kOwnerAttr}, {"#c", kCounterAttr}};
  w.values = {{":n", S(new_owner)}, {":c", N(lease.counter)}, {":c1", N(lease.counter + 1)}};
  if (lease.owner.empty()) {
    w.condition = "(attribute_not_exists(#o) AND #c = :c) OR (#o = :n AND #c = :c1)";
  } else {
    w.condition = "(#o = :o AND #c = :c) OR (#o = :n AND #c = :c1)";
    w.values.emplace_back(":o", S(lease.owner));
  }
  w.return_values = "ALL_NEW";
  return UpdateBody(table, lease, w);
}

std::string RenewLeaseBody(std::string_view table, const Lease& lease) {
  Write w = Owned(lease);
  w.update = "SET #c = :c1";
  w.condition = "#o = :o AND (#c = :c OR #c = :c1)";
  w.values.emplace_back(":c1", N(lease.counter + 1));
  return UpdateBody(table, lease, w);
}

std::string RecordIntentBody(std::string_view table, const Lease& lease, std::string_view first_sequence,
                             std::string_view last_sequence) {
  Write w = Owned(lease);
  w.names.emplace_back("#if", kIntentFirstAttr);
  w.names.emplace_back("#i", kIntentAttr);
  if (last_sequence.empty()) {
    w.update = "REMOVE #if, #i";
  } else if (first_sequence.empty()) {
    w.update = "SET #i = :i REMOVE #if";
    w.values.emplace_back(":i", S(last_sequence));
  } else {
    w.update = "SET #if = :if, #i = :i";
    w.values.emplace_back(":if", S(first_sequence));
    w.values.emplace_back(":i", S(last_sequence));
  }
  return UpdateBody(table, lease, w);
}

std::string CheckpointLeaseBody(std::string_view table, const Lease& lease, std::string_view sequence,
                                int64_t watermark, bool finished) {
  Write w = Owned(lease);
  for (auto name : {std::pair{"#cp", kCheckpointAttr}, std::pair{"#w", kWatermarkAttr}, std::pair{"#f", kFinishedAttr},
                    std::pair{"#e", kEpochAttr}, std::pair{"#if", kIntentFirstAttr}, std::pair{"#i", kIntentAttr}})
    w.names.emplace_back(name);
  w.values.emplace_back(":w", N(watermark));
  w.values.emplace_back(":f", Bool(finished));
  w.values.emplace_back(":e1", N(lease.epoch + 1));
  if (sequence.empty()) {
    w.update = "SET #w = :w, #f = :f, #e = :e1 REMOVE #if, #i, #cp";
  } else {
    w.update = "SET #cp = :cp, #w = :w, #f = :f, #e = :e1 REMOVE #if, #i";
    w.values.emplace_back(":cp", S(sequence));
  }
  return UpdateBody(table, lease, w);
}

std::string ReleaseLeaseBody(std::string_view table, const Lease& lease) {
  Write w = Owned(lease);
  w.update = "SET #c = :c1 REMOVE #o";
  w.condition = "(#o = :o AND #c = :c) OR (attribute_not_exists(#o) AND #c = :c1)";
  w.values.emplace_back(":c1", N(lease.counter + 1));
  return UpdateBody(table, lease, w);
}

std::string ScanLeasesBody(std::string_view table, std::string_view stream, std::string_view start_key, int limit) {
  std::string out = "{\"TableName\":";
  AppendJsonString(out, table);
  out += ",\"ConsistentRead\":true,\"FilterExpression\":\"begins_with(#k, :p)\",\"ExpressionAttributeNames\":{\"#k\":";
  AppendJsonString(out, kLeaseKeyAttr);
  out += "},\"ExpressionAttributeValues\":{\":p\":" + S(LeaseKey(stream, "")) + '}';
  if (limit > 0) out += ",\"Limit\":" + std::to_string(limit);
  if (!start_key.empty()) out += ",\"ExclusiveStartKey\":" + KeyObject(start_key);
  out += '}';
  return out;
}

Result<LeasePage> ParseScanLeases(std::string_view body, std::string_view stream) {
  simdjson::dom::parser parser;
  object root;
  if (parser.parse(body.data(), body.size()).get(root))
    return Status::Error("Scan: answer is not a JSON object: " + std::string(body.substr(0, 200)));
  simdjson::dom::array items;
  if (root.at_key("Items").get(items)) return Status::Error("Scan: answer has no Items array");
  LeasePage page;
  for (simdjson::dom::element e : items) {
    object item;
    if (e.get(item)) return Status::Error("Scan: an item is not an object");
    Result<Lease> lease = ParseItem(item);
    if (!lease.ok()) return lease.status().Context("Scan");
    if (lease->stream == stream) page.leases.push_back(std::move(*lease));
  }
  object last;
  if (!root.at_key("LastEvaluatedKey").get(last)) {
    std::string_view key;
    if (last.at_key(kLeaseKeyAttr).at_key("S").get(key) || key.empty())
      return Status::Error("Scan: LastEvaluatedKey has no string 'lease'");
    page.last_key = std::string(key);
  }
  return page;
}

Result<Lease> ParseLeaseAttributes(std::string_view body) {
  simdjson::dom::parser parser;
  object attrs;
  if (parser.parse(body.data(), body.size()).at_key("Attributes").get(attrs))
    return Status::Error("UpdateItem: answer has no Attributes: " + std::string(body.substr(0, 200)));
  return ParseItem(attrs);
}

Result<bool> ReadConditionalAnswer(const aws::HttpResponse& resp, std::string_view what) {
  if (resp.ok()) return true;
  if (resp.error_code == "ConditionalCheckFailedException") return false;
  std::string message = std::string(what) + ": " + aws::DescribeDynamoDbError(resp);
  if (resp.error_code == "ResourceNotFoundException") message += " (does the table exist?)";
  return Status::Error(message);
}

}  // namespace eventlake::kinesis
