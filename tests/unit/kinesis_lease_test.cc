// Shard leases without DynamoDB: the ensure-table logic and every lease request body
// (exact), the reading of every answer, LeaseTable against a scripted loopback fake
// (condition failure = false, other errors = errors, pagination, pipelined renewals,
// retries), and the lease-balancing logic on a fake clock, alone and in a simulation
// of several workers sharing one table (join, leave, death, restart, finished shards).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <functional>
#include <map>
#include <mutex>
#include <regex>

#include "aws_fakes.h"
#include "sources/kinesis/lease_item.h"
#include "sources/kinesis/lease_observer.h"
#include "sources/kinesis/lease_table.h"
#include "store/aws/dynamodb_table.h"

namespace eventlake::kinesis {
namespace {

using namespace ::eventlake::testing;  // the loopback server and the DynamoDB fakes' helpers (aws_fakes.h)
using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

Lease Held() {
  Lease l;
  l.stream = "orders";
  l.shard_id = "shardId-000000000001";
  l.owner = "w1";
  l.counter = 7;
  l.checkpoint = "49590338271490256608559692538361571095921575989136588898";
  l.watermark = 1700000000;
  l.epoch = 3;
  return l;
}

// DynamoDB rejects a body whose expressions use a placeholder it does not define, or
// define one they do not use: check both ways.
void ExpectPlaceholdersMatch(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(body);
  std::string expressions;
  for (const char* key : {"UpdateExpression", "ConditionExpression", "FilterExpression"}) {
    std::string_view e;
    if (!doc[key].get(e)) expressions += std::string(e) + " ";
  }
  std::set<std::string> used, defined;
  const std::regex placeholder("[#:][A-Za-z0-9_]+");
  for (auto it = std::sregex_iterator(expressions.begin(), expressions.end(), placeholder);
       it != std::sregex_iterator(); ++it)
    used.insert(it->str());
  for (const char* key : {"ExpressionAttributeNames", "ExpressionAttributeValues"}) {
    simdjson::dom::object o;
    if (doc[key].get(o)) continue;
    for (auto field : o) defined.insert(std::string(field.key));
  }
  EXPECT_EQ(used, defined) << body;
}

// ---- store/aws/dynamodb_table ----

TEST(DynamoDbTableTest, Bodies) {
  EXPECT_EQ(aws::DescribeTableBody("leases"), R"({"TableName":"leases"})");
  EXPECT_EQ(aws::CreateTableBody("leases", "lease", "S"),
            R"({"TableName":"leases","AttributeDefinitions":[{"AttributeName":"lease","AttributeType":"S"}],)"
            R"("KeySchema":[{"AttributeName":"lease","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})");
  EXPECT_EQ(aws::UpdateTimeToLiveBody("claims", "ttl"),
            R"({"TableName":"claims","TimeToLiveSpecification":{"AttributeName":"ttl","Enabled":true}})");
  EXPECT_TRUE(aws::CheckDynamoDbTableName("a.b-c_D9").ok());
  EXPECT_THAT(aws::CheckDynamoDbTableName("ab").message(), HasSubstr("3 to 255"));
  EXPECT_THAT(aws::CheckDynamoDbTableName("a/b").message(), HasSubstr("may only contain"));
}

// A control plane: DescribeTable / CreateTable / UpdateTimeToLive with a configurable
// table, scripted per test.
class FakeControlPlane {
 public:
  FakeControlPlane() : server_([this](const CapturedRequest& r) { return Handle(r); }) {}

  aws::AwsConfig Config() const { return LoopbackAwsConfig(&aws::AwsConfig::dynamodb_endpoint, server_.Origin()); }
  void SetTable(bool exists, int creating_polls = 0, std::string key = "lease", std::string type = "S") {
    std::lock_guard<std::mutex> lock(mu_);
    exists_ = exists;
    creating_polls_ = creating_polls;
    key_ = std::move(key);
    type_ = std::move(type);
  }
  void CreateAnswersInUse() { create_in_use_ = true; }
  std::vector<std::string> Targets() const {
    std::vector<std::string> out;
    for (const CapturedRequest& r : server_.requests()) out.push_back(r.Header("x-amz-target").substr(18));
    return out;
  }
  const LoopbackServer& server() const { return server_; }

 private:
  CannedReply Handle(const CapturedRequest& r) {
    const std::string target = r.Header("x-amz-target");
    std::lock_guard<std::mutex> lock(mu_);
    if (target == "DynamoDB_20120810.DescribeTable") {
      if (!exists_) return DynamoDbError("ResourceNotFoundException", "Requested resource not found");
      return DescribeTableAnswer(creating_polls_, key_, type_);
    }
    if (target == "DynamoDB_20120810.CreateTable") {
      exists_ = true;
      if (create_in_use_) return DynamoDbError("ResourceInUseException", "Table already exists");
      return CreateTableAnswer();
    }
    return DynamoDbError("UnknownOperationException", "no such operation here");
  }

  std::mutex mu_;
  bool exists_ = true;
  int creating_polls_ = 0;
  std::string key_ = "lease", type_ = "S";
  std::atomic<bool> create_in_use_{false};
  LoopbackServer server_;  // last: its threads stop before the state above goes
};

aws::DynamoDbTableSpec Spec() {
  aws::DynamoDbTableSpec s;
  s.table = "leases";
  s.hash_key = "lease";
  s.poll_interval = milliseconds(100);
  s.sleep = [](milliseconds) {};
  return s;
}

TEST(DynamoDbTableTest, MissingTableNamesTableEndpointAndFlag) {
  FakeControlPlane db;
  db.SetTable(false);
  aws::HttpClient client(db.Config(), FastHttp());
  const Status s = aws::EnsureDynamoDbTable(client, db.Config(), Spec());
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(),
              HasSubstr("DynamoDB table 'leases' at " + db.Config().dynamodb_endpoint +
                        " does not exist: create it (hash key 'lease' of type S) or pass --create-tables"));
  EXPECT_THAT(db.Targets(), ElementsAre("DescribeTable"));
}

TEST(DynamoDbTableTest, CreatesPollsUntilActiveAndReportsTtl) {
  FakeControlPlane db;
  db.SetTable(false, /*creating_polls=*/2);
  aws::HttpClient client(db.Config(), FastHttp());
  aws::DynamoDbTableSpec spec = Spec();
  spec.create = true;
  spec.enable_ttl_attribute = "ttl";
  std::vector<milliseconds> sleeps;
  spec.sleep = [&](milliseconds d) { sleeps.push_back(d); };
  aws::DynamoDbTableOutcome outcome;
  const Status s = aws::EnsureDynamoDbTable(client, db.Config(), spec, &outcome);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_TRUE(outcome.created);
  EXPECT_THAT(outcome.ttl_warning, HasSubstr("could not enable TTL on attribute 'ttl'"));
  EXPECT_THAT(outcome.ttl_warning, HasSubstr("UnknownOperationException: no such operation here"));
  EXPECT_THAT(sleeps, ElementsAre(milliseconds(100), milliseconds(100)));
  EXPECT_THAT(db.Targets(), ElementsAre("DescribeTable", "CreateTable", "DescribeTable", "DescribeTable",
                                        "DescribeTable", "UpdateTimeToLive"));
  EXPECT_EQ(db.server().requests()[1].body, aws::CreateTableBody("leases", "lease", "S"));
}

TEST(DynamoDbTableTest, AnotherCreatorIsFineAndNoTtlUnlessAsked) {
  FakeControlPlane db;
  db.SetTable(false);
  db.CreateAnswersInUse();
  aws::HttpClient client(db.Config(), FastHttp());
  aws::DynamoDbTableSpec spec = Spec();
  spec.create = true;
  aws::DynamoDbTableOutcome outcome;
  ASSERT_TRUE(aws::EnsureDynamoDbTable(client, db.Config(), spec, &outcome).ok());
  EXPECT_TRUE(outcome.ttl_warning.empty());
  EXPECT_THAT(db.Targets(), ElementsAre("DescribeTable", "CreateTable", "DescribeTable"));
}

TEST(DynamoDbTableTest, WrongKeyAndNeverActiveAreErrors) {
  FakeControlPlane db;
  db.SetTable(true, 0, "uuid", "S");
  aws::HttpClient client(db.Config(), FastHttp());
  Status s = aws::EnsureDynamoDbTable(client, db.Config(), Spec());
  EXPECT_THAT(s.message(), HasSubstr("has hash key 'uuid' (S); it needs hash key 'lease' of type S"));
  db.SetTable(true, 0, "lease", "N");
  EXPECT_THAT(aws::EnsureDynamoDbTable(client, db.Config(), Spec()).message(), HasSubstr("(N)"));
  db.SetTable(true, 1000);
  aws::DynamoDbTableSpec spec = Spec();
  spec.table_wait = milliseconds(300);
  s = aws::EnsureDynamoDbTable(client, db.Config(), spec);
  EXPECT_THAT(s.message(), HasSubstr("is not ACTIVE after 300 ms"));
}

// ---- lease_item: bodies and answers ----

TEST(LeaseItemTest, KeyAndLocation) {
  EXPECT_EQ(LeaseKey("orders", "shardId-000000000001"), "orders/shardId-000000000001");
  Result<std::string> t = aws::ParseDynamoDbTableUrl("dynamodb://eventlake-leases", "leases");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, "eventlake-leases");
  EXPECT_THAT(aws::ParseDynamoDbTableUrl("eventlake-leases", "leases").status().message(),
              HasSubstr("leases location 'eventlake-leases' must look like dynamodb://TABLE"));
  EXPECT_THAT(aws::ParseDynamoDbTableUrl("dynamodb://x", "leases").status().message(), HasSubstr("3 to 255"));
}

TEST(LeaseItemTest, CreateBodyLeavesEmptyFieldsOut) {
  Lease fresh;
  fresh.stream = "orders";
  fresh.shard_id = "shardId-000000000002";
  const std::string body = CreateLeaseBody("leases", fresh);
  EXPECT_EQ(body, R"({"TableName":"leases","Item":{"lease":{"S":"orders/shardId-000000000002"},"counter":{"N":"0"},)"
                  R"("watermark":{"N":"0"},"epoch":{"N":"0"},"finished":{"BOOL":false}},)"
                  R"j("ConditionExpression":"attribute_not_exists(#k)","ExpressionAttributeNames":{"#k":"lease"}})j");
  ExpectPlaceholdersMatch(body);
  Lease full = Held();
  full.intent_first = "4950";
  full.intent_last = "4960";
  full.finished = true;
  full.watermark = -5;
  EXPECT_EQ(CreateLeaseBody("leases", full),
            R"({"TableName":"leases","Item":{"lease":{"S":"orders/shardId-000000000001"},"owner":{"S":"w1"},)"
            R"("counter":{"N":"7"},"checkpoint":{"S":"49590338271490256608559692538361571095921575989136588898"},)"
            R"("watermark":{"N":"-5"},"epoch":{"N":"3"},"finished":{"BOOL":true},)"
            R"("intent_first":{"S":"4950"},"intent_last":{"S":"4960"}},)"
            R"j("ConditionExpression":"attribute_not_exists(#k)","ExpressionAttributeNames":{"#k":"lease"}})j");
}

TEST(LeaseItemTest, TakeBodies) {
  const std::string held = TakeLeaseBody("leases", Held(), "w2");
  EXPECT_EQ(held, R"({"TableName":"leases","Key":{"lease":{"S":"orders/shardId-000000000001"}},)"
                  R"("UpdateExpression":"SET #o = :n, #c = :c1",)"
                  R"j("ConditionExpression":"(#o = :o AND #c = :c) OR (#o = :n AND #c = :c1)",)j"
                  R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter"},)"
                  R"("ExpressionAttributeValues":{":n":{"S":"w2"},":c":{"N":"7"},":c1":{"N":"8"},":o":{"S":"w1"}},)"
                  R"("ReturnValues":"ALL_NEW"})");
  ExpectPlaceholdersMatch(held);
  Lease free = Held();
  free.owner.clear();
  const std::string body = TakeLeaseBody("leases", free, "w2");
  EXPECT_EQ(body, R"({"TableName":"leases","Key":{"lease":{"S":"orders/shardId-000000000001"}},)"
                  R"("UpdateExpression":"SET #o = :n, #c = :c1",)"
                  R"j("ConditionExpression":"(attribute_not_exists(#o) AND #c = :c) OR (#o = :n AND #c = :c1)",)j"
                  R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter"},)"
                  R"("ExpressionAttributeValues":{":n":{"S":"w2"},":c":{"N":"7"},":c1":{"N":"8"}},)"
                  R"("ReturnValues":"ALL_NEW"})");
  ExpectPlaceholdersMatch(body);
}

TEST(LeaseItemTest, OwnerWriteBodies) {
  constexpr std::string_view kHead = R"({"TableName":"leases","Key":{"lease":{"S":"orders/shardId-000000000001"}},)";
  const std::string renew = RenewLeaseBody("leases", Held());
  EXPECT_EQ(renew,
            std::string(kHead) +
                R"j("UpdateExpression":"SET #c = :c1","ConditionExpression":"#o = :o AND (#c = :c OR #c = :c1)",)j"
                R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter"},)"
                R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"},":c1":{"N":"8"}}})");
  const std::string intent = RecordIntentBody("leases", Held(), "4950", "4960");
  EXPECT_EQ(
      intent,
      std::string(kHead) +
          R"("UpdateExpression":"SET #if = :if, #i = :i","ConditionExpression":"#o = :o AND #c = :c",)"
          R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter","#if":"intent_first","#i":"intent_last"},)"
          R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"},":if":{"S":"4950"},":i":{"S":"4960"}}})");
  const std::string last_only = RecordIntentBody("leases", Held(), "", "4960");
  EXPECT_EQ(last_only,
            std::string(kHead) +
                R"("UpdateExpression":"SET #i = :i REMOVE #if","ConditionExpression":"#o = :o AND #c = :c",)"
                R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter","#if":"intent_first","#i":"intent_last"},)"
                R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"},":i":{"S":"4960"}}})");
  const std::string no_intent = RecordIntentBody("leases", Held(), "4950", "");
  EXPECT_EQ(no_intent,
            std::string(kHead) +
                R"("UpdateExpression":"REMOVE #if, #i","ConditionExpression":"#o = :o AND #c = :c",)"
                R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter","#if":"intent_first","#i":"intent_last"},)"
                R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"}}})");
  const std::string checkpoint = CheckpointLeaseBody("leases", Held(), "4961", 1700000100, true);
  EXPECT_EQ(checkpoint,
            std::string(kHead) +
                R"("UpdateExpression":"SET #cp = :cp, #w = :w, #f = :f, #e = :e1 REMOVE #if, #i",)"
                R"("ConditionExpression":"#o = :o AND #c = :c",)"
                R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter","#cp":"checkpoint","#w":"watermark",)"
                R"("#f":"finished","#e":"epoch","#if":"intent_first","#i":"intent_last"},)"
                R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"},":w":{"N":"1700000100"},)"
                R"(":f":{"BOOL":true},":e1":{"N":"4"},":cp":{"S":"4961"}}})");
  const std::string empty_checkpoint = CheckpointLeaseBody("leases", Held(), "", 5, false);
  EXPECT_THAT(empty_checkpoint,
              HasSubstr(R"("UpdateExpression":"SET #w = :w, #f = :f, #e = :e1 REMOVE #if, #i, #cp")"));
  const std::string release = ReleaseLeaseBody("leases", Held());
  EXPECT_EQ(release,
            std::string(kHead) +
                R"("UpdateExpression":"SET #c = :c1 REMOVE #o",)"
                R"j("ConditionExpression":"(#o = :o AND #c = :c) OR (attribute_not_exists(#o) AND #c = :c1)",)j"
                R"("ExpressionAttributeNames":{"#o":"owner","#c":"counter"},)"
                R"("ExpressionAttributeValues":{":o":{"S":"w1"},":c":{"N":"7"},":c1":{"N":"8"}}})");
  for (const std::string& b : {renew, intent, last_only, no_intent, checkpoint, empty_checkpoint, release})
    ExpectPlaceholdersMatch(b);
}

TEST(LeaseItemTest, ScanBody) {
  const std::string first = ScanLeasesBody("leases", "orders", "", 0);
  EXPECT_EQ(first, R"j({"TableName":"leases","ConsistentRead":true,"FilterExpression":"begins_with(#k, :p)",)j"
                   R"("ExpressionAttributeNames":{"#k":"lease"},"ExpressionAttributeValues":{":p":{"S":"orders/"}}})");
  ExpectPlaceholdersMatch(first);
  EXPECT_EQ(ScanLeasesBody("leases", "orders", "orders/shardId-000000000003", 2),
            R"j({"TableName":"leases","ConsistentRead":true,"FilterExpression":"begins_with(#k, :p)",)j"
            R"("ExpressionAttributeNames":{"#k":"lease"},"ExpressionAttributeValues":{":p":{"S":"orders/"}},)"
            R"("Limit":2,"ExclusiveStartKey":{"lease":{"S":"orders/shardId-000000000003"}}})");
}

TEST(LeaseItemTest, ParsesScanPages) {
  Result<LeasePage> page = ParseScanLeases(
      R"({"Items":[
           {"lease":{"S":"orders/shardId-000000000001"},"owner":{"S":"w1"},"counter":{"N":"7"},
            "checkpoint":{"S":"49590338271490256608559692538361571095921575989136588898"},
            "watermark":{"N":"1700000000"},"epoch":{"N":"3"},"finished":{"BOOL":false}},
           {"lease":{"S":"orders/shardId-000000000000"},"counter":{"N":"18446744073709551615"},
            "watermark":{"N":"-3"},"finished":{"BOOL":true},"intent_first":{"S":"90"},"intent_last":{"S":"99"}},
           {"lease":{"S":"orders-2/shardId-000000000000"},"counter":{"N":"1"}}],
          "Count":3,"ScannedCount":3,"LastEvaluatedKey":{"lease":{"S":"orders-2/shardId-000000000000"}}})",
      "orders");
  ASSERT_TRUE(page.ok()) << page.status().message();
  ASSERT_EQ(page->leases.size(), 2u);  // the other stream's lease is left out
  EXPECT_EQ(page->leases[0], Held());
  const Lease& b = page->leases[1];
  EXPECT_EQ(b.shard_id, "shardId-000000000000");
  EXPECT_EQ(b.owner, "");
  EXPECT_EQ(b.counter, UINT64_MAX);
  EXPECT_EQ(b.checkpoint, "");
  EXPECT_EQ(b.watermark, -3);
  EXPECT_EQ(b.epoch, 0u);
  EXPECT_TRUE(b.finished);
  EXPECT_EQ(b.intent_first, "90");
  EXPECT_EQ(b.intent_last, "99");
  EXPECT_EQ(page->last_key, "orders-2/shardId-000000000000");
  Result<LeasePage> last = ParseScanLeases(R"({"Items":[],"Count":0})", "orders");
  ASSERT_TRUE(last.ok());
  EXPECT_TRUE(last->leases.empty());
  EXPECT_EQ(last->last_key, "");
}

TEST(LeaseItemTest, MalformedItemsAreErrors) {
  auto error = [](std::string_view body) {
    Result<LeasePage> p = ParseScanLeases(body, "orders");
    EXPECT_FALSE(p.ok()) << body;
    return p.ok() ? std::string() : p.status().message();
  };
  EXPECT_THAT(error("not json"), HasSubstr("not a JSON object"));
  EXPECT_THAT(error(R"({"Count":0})"), HasSubstr("no Items"));
  EXPECT_THAT(error(R"({"Items":[{"owner":{"S":"w"}}]})"), HasSubstr("is not <stream>/<shard id>"));
  EXPECT_THAT(error(R"({"Items":[{"lease":{"S":"orders/s"},"counter":{"S":"7"}}]})"),
              HasSubstr("lease item 'orders/s': attribute 'counter' is not a whole number"));
  EXPECT_THAT(error(R"({"Items":[{"lease":{"S":"orders/s"},"counter":{"N":"-1"}}]})"), HasSubstr("'counter'"));
  EXPECT_THAT(error(R"({"Items":[{"lease":{"S":"orders/s"},"epoch":{"N":"1.5"}}]})"), HasSubstr("'epoch'"));
  EXPECT_THAT(error(R"({"Items":[{"lease":{"S":"orders/s"},"owner":{"N":"1"}}]})"),
              HasSubstr("'owner' is not a string"));
  EXPECT_THAT(error(R"({"Items":[{"lease":{"S":"orders/s"},"finished":{"S":"true"}}]})"), HasSubstr("'finished'"));
  EXPECT_THAT(error(R"({"Items":[],"LastEvaluatedKey":{"x":{"S":"y"}}})"), HasSubstr("LastEvaluatedKey"));
}

TEST(LeaseItemTest, ConditionalAnswers) {
  EXPECT_TRUE(ReadConditionalAnswer(Answer(200, "{}"), "op").value());
  EXPECT_FALSE(
      ReadConditionalAnswer(
          Answer(400, R"({"__type":"x#ConditionalCheckFailedException","message":"The conditional request failed"})",
                 "ConditionalCheckFailedException"),
          "op")
          .value());
  aws::HttpResponse throttled =
      Answer(400, R"({"__type":"x#ThrottlingException","message":"slow"})", "ThrottlingException");
  throttled.retries = 3;
  Result<bool> t = ReadConditionalAnswer(throttled, "lease Renew of 'orders/s' in table 'leases'");
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().message(),
            "lease Renew of 'orders/s' in table 'leases': HTTP 400 ThrottlingException: slow (after 3 retries)");
  Result<bool> gone = ReadConditionalAnswer(
      Answer(400, R"({"__type":"x#ResourceNotFoundException","message":"Requested resource not found"})",
             "ResourceNotFoundException"),
      "op");
  EXPECT_THAT(gone.status().message(), HasSubstr("does the table exist?"));
  aws::HttpResponse network;
  network.network_error = "Connection refused";
  EXPECT_THAT(ReadConditionalAnswer(network, "op").status().message(), HasSubstr("network: Connection refused"));
}

// ---- LeaseTable against a scripted fake ----

class ScriptedDynamoDb {
 public:
  using Script = std::function<CannedReply(const CapturedRequest&)>;
  ScriptedDynamoDb() : server_([this](const CapturedRequest& r) { return Handle(r); }) {}

  aws::AwsConfig Config() const { return LoopbackAwsConfig(&aws::AwsConfig::dynamodb_endpoint, server_.Origin()); }
  void Answer(Script script) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(script);
  }
  std::vector<CapturedRequest> requests() const { return server_.requests(); }

 private:
  CannedReply Handle(const CapturedRequest& r) {
    std::lock_guard<std::mutex> lock(mu_);
    return script_ ? script_(r) : CannedReply{200, "{}"};
  }
  std::mutex mu_;
  Script script_;
  LoopbackServer server_;  // last: its threads stop before the state above goes
};

LeaseTableOptions TableOptions() {
  LeaseTableOptions o;
  o.table = "leases";
  o.sleep = [](milliseconds) {};
  return o;
}

std::string KeyOf(const CapturedRequest& r) {
  simdjson::dom::parser parser;
  std::string_view k;
  if (parser.parse(r.body)["Key"]["lease"]["S"].get(k)) return "";
  return std::string(k);
}

TEST(LeaseTableTest, EnsureTableUsesTheLeaseKey) {
  ScriptedDynamoDb db;
  db.Answer([](const CapturedRequest& r) {
    if (r.Header("x-amz-target") == "DynamoDB_20120810.DescribeTable")
      return DynamoDbError("ResourceNotFoundException", "Requested resource not found");
    return CannedReply{200, "{}"};
  });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  const Status s = table.EnsureTable();
  EXPECT_THAT(s.message(), HasSubstr("lease table: DynamoDB table 'leases' at"));
  EXPECT_THAT(s.message(), HasSubstr("create it (hash key 'lease' of type S) or pass --create-tables"));
}

TEST(LeaseTableTest, WritesSendTheirBodiesAndUpdateTheLease) {
  ScriptedDynamoDb db;
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease lease = Held();
  Result<bool> r = table.RecordIntent(lease, "4950", "4960");
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(lease.intent_first, "4950");
  EXPECT_EQ(lease.intent_last, "4960");
  r = table.Checkpoint(lease, "4960", 1700000500, false);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(lease.checkpoint, "4960");
  EXPECT_EQ(lease.watermark, 1700000500);
  EXPECT_EQ(lease.epoch, 4u);
  EXPECT_EQ(lease.intent_first, "");
  EXPECT_EQ(lease.intent_last, "");
  Lease before_release = lease;
  r = table.Release(lease);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(lease.owner, "");
  EXPECT_EQ(lease.counter, 8u);
  const std::vector<CapturedRequest> sent = db.requests();
  ASSERT_EQ(sent.size(), 3u);
  Lease expect = Held();
  EXPECT_EQ(sent[0].body, RecordIntentBody("leases", expect, "4950", "4960"));
  expect.intent_first = "4950";
  expect.intent_last = "4960";
  EXPECT_EQ(sent[1].body, CheckpointLeaseBody("leases", expect, "4960", 1700000500, false));
  EXPECT_EQ(sent[2].body, ReleaseLeaseBody("leases", before_release));
  for (const CapturedRequest& c : sent) {
    EXPECT_EQ(c.Header("x-amz-target"), "DynamoDB_20120810.UpdateItem");
    EXPECT_EQ(c.Header("content-type"), "application/x-amz-json-1.0");
    EXPECT_THAT(c.Header("authorization"), HasSubstr("/us-east-1/dynamodb/aws4_request"));
  }
  // Without an owner there is nothing to condition on: an error before any request.
  EXPECT_THAT(table.Release(lease).status().message(),
              HasSubstr("lease Release of 'orders/shardId-000000000001' in table 'leases': the lease has no owner"));
  EXPECT_FALSE(table.Checkpoint(lease, "1", 0, false).ok());
  EXPECT_EQ(db.requests().size(), 3u);
}

TEST(LeaseTableTest, ConditionFailureIsFalseAndChangesNothing) {
  ScriptedDynamoDb db;
  db.Answer([](const CapturedRequest&) { return DynamoDbConditionFailed(); });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease lease = Held();
  for (Result<bool> r : {table.Take(lease, "w2"), table.RecordIntent(lease, "4", "5"),
                         table.Checkpoint(lease, "5", 9, true), table.Release(lease), table.Create(lease)}) {
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_FALSE(*r);
  }
  EXPECT_EQ(lease, Held());
  EXPECT_EQ(db.requests().size(), 5u);  // a failed condition is an answer: never retried
  EXPECT_EQ(table.retries(), 0u);
}

TEST(LeaseTableTest, OtherErrorsNameTableLeaseAndOperation) {
  ScriptedDynamoDb db;
  db.Answer([](const CapturedRequest&) { return DynamoDbError("ValidationException", "bad expression"); });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease lease = Held();
  EXPECT_EQ(table.Checkpoint(lease, "5", 9, true).status().message(),
            "lease Checkpoint of 'orders/shardId-000000000001' in table 'leases': HTTP 400 ValidationException: "
            "bad expression");
  EXPECT_THAT(table.Take(lease, "w2").status().message(), HasSubstr("lease Take of 'orders/shardId-000000000001'"));
  EXPECT_THAT(table.List("orders").status().message(),
              HasSubstr("lease Scan of stream 'orders' in table 'leases': HTTP 400 ValidationException"));
  EXPECT_EQ(lease, Held());
}

TEST(LeaseTableTest, ThrottlingIsRetriedAndCounted) {
  ScriptedDynamoDb db;
  int throttles = 2;
  db.Answer([&](const CapturedRequest&) {
    if (throttles-- > 0) return DynamoDbError("ProvisionedThroughputExceededException");
    return CannedReply{200, "{}"};
  });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease lease = Held();
  Result<bool> r = table.RecordIntent(lease, "4", "5");
  ASSERT_TRUE(r.ok() && *r) << r.status().message();
  EXPECT_EQ(table.retries(), 2u);
  throttles = 100;  // past the retry budget: an error
  r = table.RecordIntent(lease, "5", "6");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("ProvisionedThroughputExceededException: injected (after 3 retries)"));
}

TEST(LeaseTableTest, TakeStoresWhatDynamoDbReturns) {
  ScriptedDynamoDb db;
  db.Answer([](const CapturedRequest&) {
    // The previous owner checkpointed after the lease was read: ALL_NEW shows it.
    return CannedReply{200, R"({"Attributes":{"lease":{"S":"orders/shardId-000000000001"},"owner":{"S":"w2"},)"
                            R"("counter":{"N":"8"},"checkpoint":{"S":"5000"},"watermark":{"N":"1700000900"},)"
                            R"("epoch":{"N":"4"},"finished":{"BOOL":false},"intent_first":{"S":"5001"},)"
                            R"("intent_last":{"S":"5100"}}})"};
  });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease lease = Held();
  Result<bool> r = table.Take(lease, "w2");
  ASSERT_TRUE(r.ok() && *r) << r.status().message();
  EXPECT_EQ(db.requests().at(0).body, TakeLeaseBody("leases", Held(), "w2"));
  EXPECT_EQ(lease.owner, "w2");
  EXPECT_EQ(lease.counter, 8u);
  EXPECT_EQ(lease.checkpoint, "5000");
  EXPECT_EQ(lease.epoch, 4u);
  EXPECT_EQ(lease.intent_first, "5001");
  EXPECT_EQ(lease.intent_last, "5100");
  // A 2xx without the item is an error, not a guess.
  db.Answer([](const CapturedRequest&) { return CannedReply{200, "{}"}; });
  Lease other = Held();
  EXPECT_THAT(table.Take(other, "w2").status().message(), HasSubstr("no Attributes"));
  EXPECT_FALSE(table.Take(other, "").ok());
}

TEST(LeaseTableTest, RenewIsPipelinedAndAnswersEachLease) {
  ScriptedDynamoDb db;
  std::atomic<int> arrived{0};
  db.Answer([&](const CapturedRequest& r) {
    ++arrived;
    const std::string key = KeyOf(r);
    if (key == "orders/s1") return DynamoDbConditionFailed();
    if (key == "orders/s2") return DynamoDbError("ValidationException", "nope");
    return CannedReply{200, "{}"};
  });
  aws::HttpClient client(db.Config(), FastHttp(8));
  LeaseTable table(db.Config(), client, TableOptions());
  std::vector<Lease> leases(4, Held());
  for (size_t i = 0; i < leases.size(); ++i) leases[i].shard_id = "s" + std::to_string(i);
  leases[3].owner.clear();  // not held: an error without a request
  std::vector<Lease*> ptrs;
  for (Lease& l : leases) ptrs.push_back(&l);
  std::vector<Result<bool>> out = table.Renew(ptrs);
  ASSERT_EQ(out.size(), 4u);
  ASSERT_TRUE(out[0].ok());
  EXPECT_TRUE(*out[0]);
  ASSERT_TRUE(out[1].ok());
  EXPECT_FALSE(*out[1]);
  EXPECT_THAT(out[2].status().message(), HasSubstr("lease Renew of 'orders/s2'"));
  EXPECT_THAT(out[3].status().message(), HasSubstr("the lease has no owner"));
  EXPECT_EQ(leases[0].counter, 8u);  // renewed
  EXPECT_EQ(leases[1].counter, 7u);  // lost: unchanged
  EXPECT_EQ(leases[2].counter, 7u);
  EXPECT_EQ(arrived.load(), 3);
  std::set<std::string> bodies;
  for (const CapturedRequest& r : db.requests()) bodies.insert(r.body);
  Lease s0 = Held();
  s0.shard_id = "s0";
  EXPECT_EQ(bodies.count(RenewLeaseBody("leases", s0)), 1u);
  EXPECT_LE(client.stats().connections, 3u);
}

TEST(LeaseTableTest, ListFollowsEveryPageAndSortsByShard) {
  ScriptedDynamoDb db;
  db.Answer([](const CapturedRequest& r) {
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body);
    std::string_view start;
    if (doc["ExclusiveStartKey"]["lease"]["S"].get(start)) {
      return CannedReply{200, R"({"Items":[{"lease":{"S":"orders/s3"},"counter":{"N":"1"}},)"
                              R"({"lease":{"S":"orders/s1"},"counter":{"N":"2"}}],)"
                              R"("LastEvaluatedKey":{"lease":{"S":"orders/s1"}}})"};
    }
    if (start == "orders/s1")  // a page with nothing left after the filter still goes on
      return CannedReply{200, R"({"Items":[],"LastEvaluatedKey":{"lease":{"S":"x/y"}}})"};
    return CannedReply{200, R"({"Items":[{"lease":{"S":"orders/s2"},"owner":{"S":"w"},"counter":{"N":"5"}}]})"};
  });
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTableOptions o = TableOptions();
  o.scan_page_limit = 2;
  LeaseTable table(db.Config(), client, o);
  Result<std::vector<Lease>> leases = table.List("orders");
  ASSERT_TRUE(leases.ok()) << leases.status().message();
  ASSERT_EQ(leases->size(), 3u);
  EXPECT_EQ((*leases)[0].shard_id, "s1");
  EXPECT_EQ((*leases)[1].shard_id, "s2");
  EXPECT_EQ((*leases)[1].owner, "w");
  EXPECT_EQ((*leases)[2].shard_id, "s3");
  const std::vector<CapturedRequest> sent = db.requests();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].body, ScanLeasesBody("leases", "orders", "", 2));
  EXPECT_EQ(sent[1].body, ScanLeasesBody("leases", "orders", "orders/s1", 2));
  EXPECT_EQ(sent[2].body, ScanLeasesBody("leases", "orders", "x/y", 2));
  EXPECT_EQ(sent[0].Header("x-amz-target"), "DynamoDB_20120810.Scan");
}

TEST(LeaseTableTest, CreateIsPutItemIfAbsent) {
  ScriptedDynamoDb db;
  aws::HttpClient client(db.Config(), FastHttp());
  LeaseTable table(db.Config(), client, TableOptions());
  Lease fresh;
  fresh.stream = "orders";
  fresh.shard_id = "s9";
  Result<bool> r = table.Create(fresh);
  ASSERT_TRUE(r.ok() && *r);
  EXPECT_EQ(db.requests().at(0).Header("x-amz-target"), "DynamoDB_20120810.PutItem");
  EXPECT_EQ(db.requests().at(0).body, CreateLeaseBody("leases", fresh));
}

}  // namespace
}  // namespace eventlake::kinesis
