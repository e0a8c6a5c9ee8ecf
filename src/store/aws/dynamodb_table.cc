#include "store/aws/dynamodb_table.h"

#include <simdjson.h>

#include <algorithm>
#include <utility>
#include <vector>

#include "core/json_write.h"
#include "store/aws/json_request.h"

namespace eventlake::aws {
namespace {

std::string TableField(std::string_view table) {
  std::string out = "{\"TableName\":";
  AppendJsonString(out, table);
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

HttpResponse CallDynamoDb(HttpClient& client, const AwsConfig& config, std::string_view operation, std::string body,
                          std::chrono::milliseconds timeout) {
  HttpRequest req = MakeJsonRequest(config, Service::kDynamoDb, operation, std::move(body));
  req.timeout = timeout;
  std::vector<HttpRequest> one;
  one.push_back(std::move(req));
  return std::move(client.Run(std::move(one)).front());
}

Status EnsureDynamoDbTable(HttpClient& client, const AwsConfig& config, const DynamoDbTableSpec& spec,
                           DynamoDbTableOutcome* outcome) {
  DynamoDbTableOutcome local;
  DynamoDbTableOutcome& out = outcome != nullptr ? *outcome : local;
  out = {};
  const Sleeper sleep = spec.sleep ? spec.sleep : RealSleeper();
  auto call = [&](std::string_view operation, std::string body) {
    HttpResponse resp = CallDynamoDb(client, config, operation, std::move(body), spec.request_timeout);
    out.retries += static_cast<uint64_t>(resp.retries);
    return resp;
  };
  const std::string& table = spec.table;
  const std::string where = "DynamoDB table '" + table + "' at " + config.dynamodb_endpoint;
  const std::string key = "hash key '" + spec.hash_key + "' of type " + spec.hash_key_type;
  const int64_t max_polls =
      std::max<int64_t>(1, spec.table_wait.count() / std::max<int64_t>(1, spec.poll_interval.count()));
  for (int64_t poll = 0;; ++poll) {
    const HttpResponse resp = call("DescribeTable", DescribeTableBody(table));
    if (resp.ok()) {
      Result<TableDescription> d = ParseDescribeTable(resp.body);
      if (!d.ok()) return d.status().Context(where);
      if (d->hash_key != spec.hash_key || d->hash_key_type != spec.hash_key_type || d->has_range_key)
        return Status::Error(where + " has hash key '" + d->hash_key + "' (" + d->hash_key_type + ")" +
                             (d->has_range_key ? " and a range key" : "") + "; it needs " + key + " and no range key");
      if (d->status == "ACTIVE") break;
      if (d->status == "DELETING") return Status::Error(where + " is being deleted");
    } else if (resp.error_code == "ResourceNotFoundException") {
      if (!out.created) {
        if (!spec.create)
          return Status::Error(where + " does not exist: create it (" + key + ") or pass " + spec.create_flag);
        const HttpResponse c = call("CreateTable", CreateTableBody(table, spec.hash_key, spec.hash_key_type));
        // Another worker creating it at the same time is fine: wait for it like ours.
        if (!c.ok() && c.error_code != "ResourceInUseException")
          return Status::Error("creating " + where + ": " + DescribeDynamoDbError(c));
        out.created = true;
        continue;
      }
      // Just created: DescribeTable may not see it yet (eventual consistency); poll on.
    } else {
      return Status::Error("DescribeTable on " + where + ": " + DescribeDynamoDbError(resp));
    }
    if (poll >= max_polls)
      return Status::Error(where + " is not ACTIVE after " + std::to_string(spec.table_wait.count()) + " ms");
    sleep(spec.poll_interval);
  }
  if (out.created && spec.enable_ttl_attribute) {
    const HttpResponse ttl = call("UpdateTimeToLive", UpdateTimeToLiveBody(table, *spec.enable_ttl_attribute));
    if (!ttl.ok())
      out.ttl_warning = "could not enable TTL on attribute '" + *spec.enable_ttl_attribute + "' of " + where + " (" +
                        DescribeDynamoDbError(ttl) + ")";
  }
  return Status::Ok();
}

Status CheckDynamoDbTableName(std::string_view table) {
  if (table.size() < 3 || table.size() > 255)
    return Status::Error("DynamoDB table name '" + std::string(table) + "' must be 3 to 255 characters");
  for (char c : table) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
    if (!ok)
      return Status::Error("DynamoDB table name '" + std::string(table) +
                           "' may only contain letters, digits, '_', '-' and '.'");
  }
  return Status::Ok();
}

Result<std::string> ParseDynamoDbTableUrl(std::string_view url, std::string_view what) {
  constexpr std::string_view kScheme = "dynamodb://";
  if (url.substr(0, kScheme.size()) != kScheme)
    return Status::Error(std::string(what) + " location '" + std::string(url) + "' must look like dynamodb://TABLE");
  const std::string_view table = url.substr(kScheme.size());
  EL_RETURN_IF_ERROR(CheckDynamoDbTableName(table));
  return std::string(table);
}

std::string DescribeTableBody(std::string_view table) { return TableField(table) + "}"; }

std::string CreateTableBody(std::string_view table, std::string_view hash_key, std::string_view hash_key_type) {
  std::string out = TableField(table);
  out += ",\"AttributeDefinitions\":[{\"AttributeName\":";
  AppendJsonString(out, hash_key);
  out += ",\"AttributeType\":";
  AppendJsonString(out, hash_key_type);
  out += "}],\"KeySchema\":[{\"AttributeName\":";
  AppendJsonString(out, hash_key);
  out += ",\"KeyType\":\"HASH\"}],\"BillingMode\":\"PAY_PER_REQUEST\"}";
  return out;
}

std::string UpdateTimeToLiveBody(std::string_view table, std::string_view attribute) {
  std::string out = TableField(table);
  out += ",\"TimeToLiveSpecification\":{\"AttributeName\":";
  AppendJsonString(out, attribute);
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

std::string DescribeDynamoDbError(const HttpResponse& resp) {
  std::string out = resp.Describe();
  if (resp.status != 0) {
    const std::string message = ErrorMessage(resp.body);
    if (!message.empty()) out += ": " + message;
  }
  if (resp.retries > 0) out += " (after " + std::to_string(resp.retries) + " retries)";
  return out;
}

}  // namespace eventlake::aws
