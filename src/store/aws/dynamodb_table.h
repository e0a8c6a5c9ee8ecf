#pragma once
// "Make sure this DynamoDB table exists and has the right key", for every table eventlake
// keeps (dedup claims, Kinesis shard leases): DescribeTable; a missing table is created
// (on-demand, PAY_PER_REQUEST) only when the caller allows it, else a clear error naming
// the table, the endpoint and the flag that allows it; then DescribeTable until ACTIVE,
// and the key schema checked (the expected hash key and type, no range key). Also the
// control-plane bodies and their parsing, apart from the network so tests see exactly
// what is sent.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"
#include "store/aws/retry.h"

namespace eventlake::aws {

struct DynamoDbTableSpec {
  std::string table;
  std::string hash_key;             // attribute name of the partition key
  std::string hash_key_type = "S";  // "S", "N" or "B"
  bool create = false;              // create a missing table instead of failing
  // Named in the error for a missing table: how the user allows creating it.
  std::string create_flag = "--create-tables";
  std::chrono::milliseconds request_timeout{10000};
  // While CREATING: DescribeTable every poll_interval, for at most table_wait.
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds table_wait{120000};
  Sleeper sleep;  // waits between polls; default: RealSleeper()
  // After creating the table, enable DynamoDB TTL on this attribute. Failing to is not
  // an error (dynalite has no UpdateTimeToLive): it is reported as a warning.
  std::optional<std::string> enable_ttl_attribute;
};

struct DynamoDbTableOutcome {
  bool created = false;     // this call created the table (or raced another creator)
  std::string ttl_warning;  // set when TTL could not be enabled on a created table
  uint64_t retries = 0;     // client retries (throttling, 5xx, network) of the calls made
};

// Returns once the table is ACTIVE with the expected key, or why not. `outcome` may be null.
Status EnsureDynamoDbTable(HttpClient& client, const AwsConfig& config, const DynamoDbTableSpec& spec,
                           DynamoDbTableOutcome* outcome = nullptr);

// One DynamoDB request, synchronously (Run with a single request), after the client's retries.
HttpResponse CallDynamoDb(HttpClient& client, const AwsConfig& config, std::string_view operation, std::string body,
                          std::chrono::milliseconds timeout);

// DynamoDB's table naming rules: 3-255 characters of [A-Za-z0-9_.-].
Status CheckDynamoDbTableName(std::string_view table);

// "dynamodb://TABLE" -> TABLE, checked against the naming rules before any I/O. `what`
// names the table's use in the error ("dedup" -> "dedup location '...' must look like
// dynamodb://TABLE").
Result<std::string> ParseDynamoDbTableUrl(std::string_view url, std::string_view what);

std::string DescribeTableBody(std::string_view table);
// Hash key only, PAY_PER_REQUEST.
std::string CreateTableBody(std::string_view table, std::string_view hash_key, std::string_view hash_key_type);
std::string UpdateTimeToLiveBody(std::string_view table, std::string_view attribute);

struct TableDescription {
  std::string status;  // CREATING, ACTIVE, UPDATING, DELETING, ...
  std::string hash_key;
  std::string hash_key_type;
  bool has_range_key = false;
};
Result<TableDescription> ParseDescribeTable(std::string_view body);

// "HTTP 400 ValidationException: <message from the body> (after N retries)" for errors.
std::string DescribeDynamoDbError(const HttpResponse& resp);

}  // namespace eventlake::aws
