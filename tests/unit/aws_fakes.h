#pragma once
// What the fakes of AWS services on the loopback server (aws_loopback.h) share: the
// config that points a client at one, quick retries with a known jitter, DynamoDB's
// error and control-plane answers, and an HttpResponse made by hand for the parsers.
#include <chrono>
#include <string>
#include <utility>

#include "aws_loopback.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake::testing {

// Test credentials and region, with one service's endpoint (e.g.
// &aws::AwsConfig::dynamodb_endpoint) set to `origin` (LoopbackServer::Origin()).
inline aws::AwsConfig LoopbackAwsConfig(std::string aws::AwsConfig::*endpoint, std::string origin) {
  aws::AwsConfig c;
  c.credentials = {"AKIDEXAMPLE", "secret", ""};
  c.region = "us-east-1";
  c.*endpoint = std::move(origin);
  return c;
}

// Retries after 1 ms, capped at `cap`, with the jitter fixed at 0.5: no test waits long.
inline aws::HttpClientOptions FastHttp(size_t max_in_flight = 16, int max_attempts = 4,
                                       std::chrono::milliseconds cap = std::chrono::milliseconds(2)) {
  aws::HttpClientOptions o;
  o.max_in_flight = max_in_flight;
  o.retry = {.max_attempts = max_attempts, .base = std::chrono::milliseconds(1), .cap = cap};
  o.random = [] { return 0.5; };
  return o;
}

// A DynamoDB error answer: HTTP 400 with the JSON body DynamoDB sends.
inline CannedReply DynamoDbError(const std::string& type, const std::string& message = "injected") {
  return CannedReply{400,
                     R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message + "\"}"};
}
inline CannedReply DynamoDbConditionFailed() {
  return DynamoDbError("ConditionalCheckFailedException", "The conditional request failed");
}

// DescribeTable of a table with hash key `key` of type `type`: CREATING while
// `creating_polls` > 0 (counted down here), then ACTIVE.
inline CannedReply DescribeTableAnswer(int& creating_polls, const std::string& key, const std::string& type) {
  const std::string status = creating_polls > 0 ? "CREATING" : "ACTIVE";
  if (creating_polls > 0) --creating_polls;
  return CannedReply{200, R"({"Table":{"TableStatus":")" + status + R"(","KeySchema":[{"AttributeName":")" + key +
                              R"(","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":")" + key +
                              R"(","AttributeType":")" + type + R"("}]}})"};
}
inline CannedReply CreateTableAnswer() {
  return CannedReply{200, R"({"TableDescription":{"TableStatus":"CREATING"}})"};
}

// An answer as the client hands it to the parsers.
inline aws::HttpResponse Answer(long status, std::string body, std::string code = "") {
  aws::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.error_code = std::move(code);
  return r;
}

}  // namespace eventlake::testing
