// dedup/dynamodb without DynamoDB: the request bodies, the reading of every answer, and
// the batch logic (pipelining, same uuid twice in a batch, retries, table creation)
// against a loopback fake that applies the claim condition the way DynamoDB does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <mutex>

#include "aws_loopback.h"
#include "dedup/dynamodb/claim_request.h"
#include "dedup/dynamodb/dynamodb_claim_store.h"

namespace eventlake::dynamodb {
namespace {

using ::eventlake::testing::CannedReply;
using ::eventlake::testing::CapturedRequest;
using ::eventlake::testing::LoopbackServer;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

std::string Str(simdjson::dom::element e) { return std::string(std::string_view(e)); }

TEST(DynamoDbLocationTest, ParsesAndChecksTableName) {
  Result<std::string> t = ParseDynamoDbLocation("dynamodb://claims-prod.v1_x");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(*t, "claims-prod.v1_x");
  EXPECT_THAT(ParseDynamoDbLocation("dynamo://claims").status().message(), HasSubstr("dynamodb://TABLE"));
  EXPECT_THAT(ParseDynamoDbLocation("dynamodb://ab").status().message(), HasSubstr("3 to 255"));
  EXPECT_THAT(ParseDynamoDbLocation("dynamodb://a/b/c").status().message(), HasSubstr("may only contain"));
  EXPECT_FALSE(ParseDynamoDbLocation("dynamodb://" + std::string(256, 'a')).ok());
}

TEST(DynamoDbTokenTest, Formats) {
  EXPECT_EQ(FormatToken("shardId-000000000001", "49590338271490256608559692538361571095921575989136588898"),
            "shardId-000000000001/49590338271490256608559692538361571095921575989136588898");
  EXPECT_EQ(FormatToken(Token{7, 42}), "7/42");
}

TEST(DynamoDbRequestTest, PutClaimBodyIsTheConditionalWrite) {
  const ClaimRequest r{"u-\"1\"\xc3\xa9", "shard-1/99", 1700000100, 1700000000};
  const std::string body = PutClaimBody("claims", r, 1800000000);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(body);
  EXPECT_EQ(Str(doc["TableName"]), "claims");
  EXPECT_EQ(Str(doc["Item"]["uuid"]["S"]), "u-\"1\"\xc3\xa9");
  EXPECT_EQ(Str(doc["Item"]["token"]["S"]), "shard-1/99");
  EXPECT_EQ(Str(doc["Item"]["expires_at"]["N"]), "1700000100");
  EXPECT_EQ(Str(doc["Item"]["ttl"]["N"]), "1800000000");
  EXPECT_EQ(Str(doc["ConditionExpression"]), "attribute_not_exists(#u) OR #t = :t OR #e < :w");
  EXPECT_EQ(Str(doc["ExpressionAttributeNames"]["#u"]), "uuid");
  EXPECT_EQ(Str(doc["ExpressionAttributeNames"]["#t"]), "token");
  EXPECT_EQ(Str(doc["ExpressionAttributeNames"]["#e"]), "expires_at");
  EXPECT_EQ(Str(doc["ExpressionAttributeValues"][":t"]["S"]), "shard-1/99");
  EXPECT_EQ(Str(doc["ExpressionAttributeValues"][":w"]["N"]), "1700000000");
  EXPECT_EQ(Str(doc["ReturnValues"]), "ALL_OLD");
}

TEST(DynamoDbRequestTest, LongUuidIsClaimedUnderItsHash) {
  const std::string long_uuid(5000, 'x');
  EXPECT_EQ(ClaimKey("short"), "short");
  const std::string key = ClaimKey(long_uuid);
  EXPECT_EQ(key.size(), 7u + 64u);
  EXPECT_EQ(key.rfind("sha256:", 0), 0u);
  EXPECT_EQ(key, ClaimKey(long_uuid));
  EXPECT_NE(key, ClaimKey(long_uuid + "y"));
}

TEST(DynamoDbRequestTest, ControlPlaneBodies) {
  simdjson::dom::parser parser;
  simdjson::dom::element c = parser.parse(CreateTableBody("claims"));
  EXPECT_EQ(Str(c["TableName"]), "claims");
  EXPECT_EQ(Str(c["BillingMode"]), "PAY_PER_REQUEST");
  EXPECT_EQ(Str(c["KeySchema"].at(0)["AttributeName"]), "uuid");
  EXPECT_EQ(Str(c["KeySchema"].at(0)["KeyType"]), "HASH");
  EXPECT_EQ(Str(c["AttributeDefinitions"].at(0)["AttributeType"]), "S");
  simdjson::dom::element t = parser.parse(UpdateTimeToLiveBody("claims"));
  EXPECT_EQ(Str(t["TimeToLiveSpecification"]["AttributeName"]), "ttl");
  EXPECT_TRUE(bool(t["TimeToLiveSpecification"]["Enabled"]));
  EXPECT_EQ(DescribeTableBody("claims"), R"({"TableName":"claims"})");
}

aws::HttpResponse Answer(long status, std::string body, std::string code = "") {
  aws::HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  r.error_code = std::move(code);
  return r;
}

TEST(DynamoDbResponseTest, ReadsEveryAnswer) {
  auto outcome = [](const aws::HttpResponse& r) {
    Result<ClaimOutcome> o = ParseClaimResponse(r, "me/1", "claims");
    EXPECT_TRUE(o.ok()) << o.status().message();
    return o.ok() ? *o : ClaimOutcome::kLost;
  };
  EXPECT_EQ(outcome(Answer(200, "{}")), ClaimOutcome::kWon);
  EXPECT_EQ(outcome(Answer(200, R"({"Attributes":{"uuid":{"S":"a"},"token":{"S":"me/1"},"expires_at":{"N":"5"}}})")),
            ClaimOutcome::kWonOwnToken);
  EXPECT_EQ(outcome(Answer(200, R"({"Attributes":{"uuid":{"S":"a"},"token":{"S":"other/2"},"expires_at":{"N":"5"}}})")),
            ClaimOutcome::kWonExpired);
  EXPECT_EQ(
      outcome(Answer(
          400,
          R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})",
          "ConditionalCheckFailedException")),
      ClaimOutcome::kLost);
}

TEST(DynamoDbResponseTest, ErrorsAreErrors) {
  Result<ClaimOutcome> missing = ParseClaimResponse(
      Answer(400, R"({"__type":"x#ResourceNotFoundException","message":"Requested resource not found"})",
             "ResourceNotFoundException"),
      "me/1", "claims");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("table 'claims' does not exist"));
  EXPECT_THAT(missing.status().message(), HasSubstr("Requested resource not found"));
  aws::HttpResponse throttled =
      Answer(400, R"({"__type":"x#ProvisionedThroughputExceededException","message":"slow down"})",
             "ProvisionedThroughputExceededException");
  throttled.retries = 7;
  Result<ClaimOutcome> t = ParseClaimResponse(throttled, "me/1", "claims");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("ProvisionedThroughputExceededException: slow down (after 7 retries)"));
  aws::HttpResponse network;
  network.network_error = "Connection refused";
  EXPECT_THAT(ParseClaimResponse(network, "me/1", "claims").status().message(), HasSubstr("Connection refused"));
  EXPECT_FALSE(ParseClaimResponse(Answer(200, "not json"), "me/1", "claims").ok());
  EXPECT_FALSE(ParseClaimResponse(Answer(200, R"({"Attributes":{"uuid":{"S":"a"}}})"), "me/1", "claims").ok());
}

TEST(DynamoDbResponseTest, ParsesDescribeTable) {
  Result<TableDescription> d = ParseDescribeTable(
      R"({"Table":{"TableName":"claims","TableStatus":"CREATING","KeySchema":[{"AttributeName":"uuid","KeyType":"HASH"}],
          "AttributeDefinitions":[{"AttributeName":"uuid","AttributeType":"S"}]}})");
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_EQ(d->status, "CREATING");
  EXPECT_EQ(d->hash_key, "uuid");
  EXPECT_EQ(d->hash_key_type, "S");
  EXPECT_FALSE(d->has_range_key);
  Result<TableDescription> r = ParseDescribeTable(
      R"({"Table":{"TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"id","KeyType":"HASH"},{"AttributeName":"s","KeyType":"RANGE"}],
          "AttributeDefinitions":[{"AttributeName":"id","AttributeType":"N"}]}})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->hash_key, "id");
  EXPECT_EQ(r->hash_key_type, "N");
  EXPECT_TRUE(r->has_range_key);
  EXPECT_FALSE(ParseDescribeTable("{}").ok());
}

// A DynamoDB stand-in: PutItem with the claim condition, DescribeTable/CreateTable, and
// optional throttling of the first N PutItems.
class FakeDynamoDb {
 public:
  struct Item {
    std::string token;
    int64_t expires_at;
  };

  FakeDynamoDb() : server_([this](const CapturedRequest& r) { return Handle(r); }) {}

  aws::AwsConfig Config() const {
    aws::AwsConfig c;
    c.credentials = {"AKIDEXAMPLE", "secret", ""};
    c.region = "us-east-1";
    c.dynamodb_endpoint = server_.Origin();
    return c;
  }
  void Seed(const std::string& uuid, Item item) {
    std::lock_guard<std::mutex> lock(mu_);
    items_[uuid] = std::move(item);
  }
  Item Get(const std::string& uuid) {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.at(uuid);
  }
  void Throttle(int n) { throttle_ = n; }
  void SetTable(bool exists, int creating_polls = 0) {
    table_exists_ = exists;
    creating_polls_ = creating_polls;
  }
  int puts() const { return puts_; }
  int creates() const { return creates_; }
  LoopbackServer& server() { return server_; }

 private:
  static CannedReply Error(const std::string& type, const std::string& message = "injected") {
    return CannedReply{400,
                       R"({"__type":"com.amazonaws.dynamodb.v20120810#)" + type + R"(","message":")" + message + "\"}"};
  }

  CannedReply Handle(const CapturedRequest& r) {
    const std::string target = r.Header("x-amz-target");
    std::lock_guard<std::mutex> lock(mu_);
    if (target == "DynamoDB_20120810.DescribeTable") {
      if (!table_exists_) return Error("ResourceNotFoundException", "Requested resource not found");
      const std::string status = creating_polls_ > 0 ? "CREATING" : "ACTIVE";
      if (creating_polls_ > 0) --creating_polls_;
      return CannedReply{
          200,
          R"({"Table":{"TableStatus":")" + status +
              R"(","KeySchema":[{"AttributeName":"uuid","KeyType":"HASH"}],"AttributeDefinitions":[{"AttributeName":"uuid","AttributeType":"S"}]}})"};
    }
    if (target == "DynamoDB_20120810.CreateTable") {
      ++creates_;
      table_exists_ = true;
      return CannedReply{200, R"({"TableDescription":{"TableStatus":"CREATING"}})"};
    }
    if (target == "DynamoDB_20120810.UpdateTimeToLive") return Error("UnknownOperationException", "no TTL here");
    if (target != "DynamoDB_20120810.PutItem") return Error("UnknownOperationException");
    if (!table_exists_) return Error("ResourceNotFoundException", "Requested resource not found");
    if (throttle_ > 0) {
      --throttle_;
      return Error("ProvisionedThroughputExceededException");
    }
    ++puts_;
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body);
    const std::string uuid = Str(doc["Item"]["uuid"]["S"]);
    const std::string token = Str(doc["Item"]["token"]["S"]);
    const int64_t expires = std::stoll(Str(doc["Item"]["expires_at"]["N"]));
    const int64_t watermark = std::stoll(Str(doc["ExpressionAttributeValues"][":w"]["N"]));
    auto it = items_.find(uuid);
    std::string old;
    if (it != items_.end()) {
      if (it->second.token != token && !(it->second.expires_at < watermark))
        return Error("ConditionalCheckFailedException", "The conditional request failed");
      old = R"({"Attributes":{"uuid":{"S":")" + uuid + R"("},"token":{"S":")" + it->second.token +
            R"("},"expires_at":{"N":")" + std::to_string(it->second.expires_at) + "\"}}}";
    }
    items_[uuid] = Item{token, expires};
    return CannedReply{200, old.empty() ? "{}" : old};
  }

  std::mutex mu_;
  std::map<std::string, Item> items_;
  std::atomic<int> throttle_{0};
  std::atomic<bool> table_exists_{true};
  int creating_polls_ = 0;
  std::atomic<int> puts_{0};
  std::atomic<int> creates_{0};
  LoopbackServer server_;  // last: its threads stop before the state above goes
};

aws::HttpClientOptions Fast(size_t in_flight = 16) {
  aws::HttpClientOptions o;
  o.max_in_flight = in_flight;
  o.retry = {.max_attempts = 6, .base = milliseconds(1), .cap = milliseconds(4)};
  o.random = [] { return 0.5; };
  return o;
}

DynamoDbClaimStoreOptions StoreOptions() {
  DynamoDbClaimStoreOptions o;
  o.table = "claims";
  o.wall_clock = [] { return int64_t{1'000'000}; };
  o.sleep = [](milliseconds) {};
  return o;
}

TEST(DynamoDbClaimStoreTest, DecidesEachOutcome) {
  FakeDynamoDb db;
  db.Seed("held", {"other/1", 200});
  db.Seed("expired", {"other/2", 99});
  db.Seed("mine", {"me/3", 200});
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"fresh", "me/0", 200, 100},
                                        {"held", "me/1", 200, 100},
                                        {"expired", "me/2", 200, 100},
                                        {"mine", "me/3", 200, 100}};
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  EXPECT_THAT(out, ::testing::ElementsAre(ClaimOutcome::kWon, ClaimOutcome::kLost, ClaimOutcome::kWonExpired,
                                          ClaimOutcome::kWonOwnToken));
  EXPECT_EQ(db.Get("expired").token, "me/2");
  EXPECT_EQ(db.Get("held").token, "other/1");
  EXPECT_EQ(store.stats().won, 1u);
  EXPECT_EQ(store.stats().lost, 1u);
  EXPECT_EQ(store.stats().won_expired, 1u);
  EXPECT_EQ(store.stats().won_own_token, 1u);
  // TTL: max(expires_at, wall clock) + ttl_seconds.
  simdjson::dom::parser parser;
  for (const CapturedRequest& r : db.server().requests()) {
    simdjson::dom::element doc = parser.parse(r.body);
    EXPECT_EQ(Str(doc["Item"]["ttl"]["N"]), std::to_string(1'000'000 + 7 * 24 * 3600));
    EXPECT_EQ(r.Header("content-type"), "application/x-amz-json-1.0");
    EXPECT_THAT(r.Header("authorization"), HasSubstr("/us-east-1/dynamodb/aws4_request"));
  }
}

TEST(DynamoDbClaimStoreTest, SameUuidTwiceInABatchIsDecidedInInputOrder) {
  FakeDynamoDb db;
  db.Seed("taken", {"other/9", 500});
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {
      {"a", "s/1", 200, 100},      // first: won
      {"a", "s/2", 210, 110},      // another record, a's claim live at 110: lost, no request
      {"a", "s/1", 220, 120},      // the first record again: won again, no request
      {"a", "s/3", 500, 300},      // a's claim (200) dead at 300: sent, takes it over
      {"taken", "s/4", 200, 100},  // held elsewhere: lost
      {"taken", "s/5", 200, 100},  // the holder is unknown here: sent, lost
  };
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  EXPECT_THAT(out, ::testing::ElementsAre(ClaimOutcome::kWon, ClaimOutcome::kLost, ClaimOutcome::kWonOwnToken,
                                          ClaimOutcome::kWonExpired, ClaimOutcome::kLost, ClaimOutcome::kLost));
  EXPECT_EQ(db.puts(), 4);
  EXPECT_EQ(store.stats().decided_in_batch, 2u);
  EXPECT_EQ(db.Get("a").token, "s/3");
  // The same batch again (a replay): every record that won wins its own claim again.
  std::vector<ClaimOutcome> again(in.size());
  ASSERT_TRUE(store.Claim(in, again).ok());
  EXPECT_EQ(again[3], ClaimOutcome::kWonOwnToken);
  EXPECT_EQ(again[4], ClaimOutcome::kLost);
}

TEST(DynamoDbClaimStoreTest, PipelinesABatchAndRetriesThrottling) {
  FakeDynamoDb db;
  db.Throttle(5);
  aws::HttpClient client(db.Config(), Fast(16));
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  std::vector<std::string> uuids;
  for (int i = 0; i < 200; ++i) uuids.push_back("u" + std::to_string(i));
  std::vector<ClaimRequest> in;
  for (const auto& u : uuids) in.push_back({u, "tok/1", 200, 100});
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  for (ClaimOutcome o : out) EXPECT_EQ(o, ClaimOutcome::kWon);
  EXPECT_EQ(store.stats().retries, 5u);
  EXPECT_EQ(store.stats().put_requests, 200u);
  EXPECT_GT(client.stats().peak_in_flight, 1u);
  EXPECT_LE(client.stats().peak_in_flight, 16u);
}

TEST(DynamoDbClaimStoreTest, EmptyUuidOrTokenFailsBeforeAnyRequest) {
  FakeDynamoDb db;
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  std::vector<ClaimOutcome> out(2);
  const std::vector<ClaimRequest> no_token = {{"a", "s/1", 200, 100}, {"b", "", 200, 100}};
  EXPECT_THAT(store.Claim(no_token, out).message(), HasSubstr("request 1 has an empty uuid or token"));
  const std::vector<ClaimRequest> no_uuid = {{"", "s/1", 200, 100}};
  EXPECT_FALSE(store.Claim(no_uuid, out).ok());
  EXPECT_EQ(db.puts(), 0);
}

TEST(DynamoDbClaimStoreTest, ThrottledPastTheRetryBudgetIsAnError) {
  FakeDynamoDb db;
  db.Throttle(100);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"a", "s/1", 200, 100}};
  std::vector<ClaimOutcome> out(1);
  const Status s = store.Claim(in, out);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("ProvisionedThroughputExceededException"));
}

TEST(DynamoDbClaimStoreTest, MissingTableIsAClearError) {
  FakeDynamoDb db;
  db.SetTable(false);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const Status s = store.EnsureTable();
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("DynamoDB table 'claims' at " + db.Config().dynamodb_endpoint + " does not exist"));
  const std::vector<ClaimRequest> in = {{"a", "s/1", 200, 100}};
  std::vector<ClaimOutcome> out(1);
  EXPECT_THAT(store.Claim(in, out).message(), HasSubstr("does not exist"));
  EXPECT_EQ(db.creates(), 0);
}

TEST(DynamoDbClaimStoreTest, CreatesTheTableAndPollsUntilActive) {
  FakeDynamoDb db;
  db.SetTable(false, /*creating_polls=*/3);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStoreOptions o = StoreOptions();
  o.create_table = true;
  o.poll_interval = milliseconds(250);
  std::vector<milliseconds> sleeps;
  o.sleep = [&](milliseconds d) { sleeps.push_back(d); };
  DynamoDbClaimStore store(db.Config(), client, o);
  ASSERT_TRUE(store.EnsureTable().ok());
  EXPECT_EQ(db.creates(), 1);
  EXPECT_THAT(sleeps, ::testing::ElementsAre(milliseconds(250), milliseconds(250), milliseconds(250)));
  EXPECT_THAT(store.ttl_warning(), HasSubstr("UnknownOperationException"));
}

TEST(DynamoDbClaimStoreTest, GivesUpWaitingForActive) {
  FakeDynamoDb db;
  db.SetTable(true, /*creating_polls=*/1000);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStoreOptions o = StoreOptions();
  o.poll_interval = milliseconds(100);
  o.table_wait = milliseconds(500);
  int sleeps = 0;
  o.sleep = [&](milliseconds) { ++sleeps; };
  DynamoDbClaimStore store(db.Config(), client, o);
  EXPECT_THAT(store.EnsureTable().message(), HasSubstr("not ACTIVE after 500 ms"));
  EXPECT_EQ(sleeps, 5);
}

}  // namespace
}  // namespace eventlake::dynamodb
