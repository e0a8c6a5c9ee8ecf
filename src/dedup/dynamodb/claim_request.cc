#include "dedup/dynamodb/claim_request.h"

#include <simdjson.h>

#include "core/json_write.h"
#include "store/aws/payload_hash.h"

namespace eventlake::dynamodb {
namespace {

void Field(std::string& out, std::string_view name) {
  AppendJsonString(out, name);
  out += ':';
}

void StringValue(std::string& out, std::string_view s) {
  out += "{\"S\":";
  AppendJsonString(out, s);
  out += '}';
}

void NumberValue(std::string& out, int64_t n) {
  out += "{\"N\":\"";
  out += std::to_string(n);
  out += "\"}";
}

std::string TableOnly(std::string_view table) {
  std::string out = "{";
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += '}';
  return out;
}

// The "message"/"Message" of a JSON error body (DynamoDB spells it both ways).
std::string ErrorMessage(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(body.data(), body.size()).get(obj)) return "";
  for (const char* key : {"message", "Message"}) {
    std::string_view m;
    if (!obj.at_key(key).get(m)) return std::string(m);
  }
  return "";
}

}  // namespace

std::string_view OutcomeName(ClaimOutcome o) {
  switch (o) {
    case ClaimOutcome::kWon:
      return "won";
    case ClaimOutcome::kWonExpired:
      return "won_expired";
    case ClaimOutcome::kWonOwnToken:
      return "won_own_token";
    case ClaimOutcome::kLost:
      return "lost";
  }
  return "?";
}

std::string FormatToken(std::string_view source, std::string_view position) {
  std::string out;
  out.reserve(source.size() + 1 + position.size());
  out.append(source).append("/").append(position);
  return out;
}

std::string FormatToken(const Token& token) {
  return std::to_string(token.source_id) + "/" + std::to_string(token.offset);
}

Result<std::string> ParseDynamoDbLocation(std::string_view location) {
  constexpr std::string_view kScheme = "dynamodb://";
  if (location.substr(0, kScheme.size()) != kScheme)
    return Status::Error("dedup location '" + std::string(location) + "' must look like dynamodb://TABLE");
  const std::string_view table = location.substr(kScheme.size());
  if (table.size() < 3 || table.size() > 255)
    return Status::Error("DynamoDB table name '" + std::string(table) + "' must be 3 to 255 characters");
  for (char c : table) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok)
      return Status::Error("DynamoDB table name '" + std::string(table) +
                           "' may only contain letters, digits, '_', '-' and '.'");
  }
  return std::string(table);
}

std::string ClaimKey(std::string_view uuid) {
  if (uuid.size() <= kMaxKeyBytes) return std::string(uuid);
  return "sha256:" + aws::Sha256Hex(uuid);
}

std::string PutClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds) {
  std::string out;
  out.reserve(320 + r.uuid.size() + 2 * r.token.size());
  out += '{';
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ',';
  Field(out, "Item");
  out += '{';
  Field(out, kUuidAttr);
  StringValue(out, ClaimKey(r.uuid));
  out += ',';
  Field(out, kTokenAttr);
  StringValue(out, r.token);
  out += ',';
  Field(out, kExpiresAttr);
  NumberValue(out, r.expires_at);
  out += ',';
  Field(out, kTtlAttr);
  NumberValue(out, ttl_epoch_seconds);
  out += "},";
  Field(out, "ConditionExpression");
  AppendJsonString(out, "attribute_not_exists(#u) OR #t = :t OR #e < :w");
  out += ',';
  Field(out, "ExpressionAttributeNames");
  out += "{\"#u\":";
  AppendJsonString(out, kUuidAttr);
  out += ",\"#t\":";
  AppendJsonString(out, kTokenAttr);
  out += ",\"#e\":";
  AppendJsonString(out, kExpiresAttr);
  out += "},";
  Field(out, "ExpressionAttributeValues");
  out += "{\":t\":";
  StringValue(out, r.token);
  out += ",\":w\":";
  NumberValue(out, r.watermark);
  out += "},";
  Field(out, "ReturnValues");
  AppendJsonString(out, "ALL_OLD");
  out += '}';
  return out;
}

std::string DescribeError(const aws::HttpResponse& resp) {
  std::string out = resp.Describe();
  if (resp.status != 0) {
    const std::string message = ErrorMessage(resp.body);
    if (!message.empty()) out += ": " + message;
  }
  if (resp.retries > 0) out += " (after " + std::to_string(resp.retries) + " retries)";
  return out;
}

Result<ClaimOutcome> ParseClaimResponse(const aws::HttpResponse& resp, std::string_view own_token,
                                        std::string_view table) {
  if (!resp.ok()) {
    if (resp.error_code == "ConditionalCheckFailedException") return ClaimOutcome::kLost;
    if (resp.error_code == "ResourceNotFoundException")
      return Status::Error("DynamoDB table '" + std::string(table) + "' does not exist (" + DescribeError(resp) + ")");
    return Status::Error("claim PutItem on table '" + std::string(table) + "': " + DescribeError(resp));
  }
  static thread_local simdjson::dom::parser parser;  // one per thread, reused (STYLE rule 10)
  simdjson::dom::object doc;
  if (parser.parse(resp.body.data(), resp.body.size()).get(doc))
    return Status::Error("claim PutItem: answer is not a JSON object: " + resp.body.substr(0, 200));
  simdjson::dom::object old;
  if (doc.at_key("Attributes").get(old)) return ClaimOutcome::kWon;  // nothing was there
  std::string_view old_token;
  if (old.at_key(kTokenAttr).at_key("S").get(old_token))
    return Status::Error("claim PutItem: the replaced item has no string token: " + resp.body.substr(0, 200));
  return old_token == own_token ? ClaimOutcome::kWonOwnToken : ClaimOutcome::kWonExpired;
}

std::string DescribeTableBody(std::string_view table) { return TableOnly(table); }

std::string CreateTableBody(std::string_view table) {
  std::string out = "{";
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ",\"AttributeDefinitions\":[{\"AttributeName\":";
  AppendJsonString(out, kUuidAttr);
  out += ",\"AttributeType\":\"S\"}],\"KeySchema\":[{\"AttributeName\":";
  AppendJsonString(out, kUuidAttr);
  out += ",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
  return out;
}

std::string UpdateTimeToLiveBody(std::string_view table) {
  std::string out = "{";
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ",\"TimeToLiveSpecification\":{\"AttributeName\":";
  AppendJsonString(out, kTtlAttr);
  out += ",\"Enabled\":true}}";
  return out;
}

Result<TableDescription> ParseDescribeTable(std::string_view body) {
  simdjson::dom::parser parser;
  simdjson::dom::object table;
  if (parser.parse(body.data(), body.size()).at_key("Table").get(table))
    return Status::Error("DescribeTable: no Table in the answer: " + std::string(body.substr(0, 200)));
  TableDescription d;
  std::string_view s;
  if (!table.at_key("TableStatus").get(s)) d.status = std::string(s);
  simdjson::dom::array keys;
  if (!table.at_key("KeySchema").get(keys)) {
    for (simdjson::dom::element k : keys) {
      std::string_view name, type;
      if (k.at_key("AttributeName").get(name) || k.at_key("KeyType").get(type)) continue;
      if (type == "HASH") d.hash_key = std::string(name);
      if (type == "RANGE") d.has_range_key = true;
    }
  }
  simdjson::dom::array defs;
  if (!table.at_key("AttributeDefinitions").get(defs)) {
    for (simdjson::dom::element a : defs) {
      std::string_view name, type;
      if (a.at_key("AttributeName").get(name) || a.at_key("AttributeType").get(type)) continue;
      if (name == d.hash_key) d.hash_key_type = std::string(type);
    }
  }
  return d;
}

}  // namespace eventlake::dynamodb
