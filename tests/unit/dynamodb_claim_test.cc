// dedup/dynamodb without DynamoDB: the request bodies, the reading of every answer, and
// the batch logic (pipelining, same uuid twice in a batch, retries, table creation)
// against a loopback fake that applies the claim condition the way DynamoDB does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>

#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>

#include "aws_fakes.h"
#include "dedup/dynamodb/claim_request.h"
#include "dedup/dynamodb/dynamodb_claim_store.h"
#include "store/aws/dynamodb_table.h"

namespace eventlake::dynamodb {
namespace {

using namespace ::eventlake::testing;  // the loopback server and the DynamoDB fakes' helpers (aws_fakes.h)
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

TEST(DynamoDbRequestTest, PutClaimBodyWritesTheWholeClaimIfAbsent) {
  const ClaimRequest r{"u-1", "shard-1/99", 1700000100, 1700000000};
  EXPECT_EQ(PutClaimBody("claims", r, 1800000000),
            R"({"TableName":"claims","Item":{"uuid":{"S":"u-1"},"token":{"S":"shard-1/99"},)"
            R"("expires_at":{"N":"1700000100"},"ttl":{"N":"1800000000"},"claims":{"SS":["shard-1/99"]}},)"
            R"x("ConditionExpression":"attribute_not_exists(#u)","ExpressionAttributeNames":{"#u":"uuid"}})x");
  // Escaping, and the same token as holder and history.
  const ClaimRequest q{"u-\"1\"\xc3\xa9", "shard-\"2\"/7", 5, 4};
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(PutClaimBody("claims", q, 9));
  EXPECT_EQ(Str(doc["Item"]["uuid"]["S"]), "u-\"1\"\xc3\xa9");
  EXPECT_EQ(Str(doc["Item"]["token"]["S"]), "shard-\"2\"/7");
  EXPECT_EQ(Str(doc["Item"]["claims"]["SS"].at(0)), "shard-\"2\"/7");
}

TEST(DynamoDbRequestTest, UpdateClaimBodyIsTheConditionalTakeover) {
  const ClaimRequest r{"u-1", "shard-1/99", 1700000100, 1700000000};
  EXPECT_EQ(UpdateClaimBody("claims", r, 1800000000),
            R"({"TableName":"claims","Key":{"uuid":{"S":"u-1"}},)"
            R"("ConditionExpression":"#t = :token OR #e < :wm",)"
            R"("UpdateExpression":"SET #t = :token, #e = :exp, #ttl = :ttl ADD #h :tokens",)"
            R"("ExpressionAttributeNames":{"#t":"token","#e":"expires_at","#ttl":"ttl","#h":"claims"},)"
            R"("ExpressionAttributeValues":{":token":{"S":"shard-1/99"},":wm":{"N":"1700000000"},)"
            R"(":exp":{"N":"1700000100"},":ttl":{"N":"1800000000"},":tokens":{"SS":["shard-1/99"]}},)"
            R"("ReturnValues":"ALL_OLD"})");
  // Escaping, and the same token in the condition, the SET and the history.
  const ClaimRequest q{"u-\"1\"\xc3\xa9", "shard-\"2\"/7", 5, 4};
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(UpdateClaimBody("claims", q, 9));
  EXPECT_EQ(Str(doc["Key"]["uuid"]["S"]), "u-\"1\"\xc3\xa9");
  EXPECT_EQ(Str(doc["ExpressionAttributeValues"][":token"]["S"]), "shard-\"2\"/7");
  EXPECT_EQ(Str(doc["ExpressionAttributeValues"][":tokens"]["SS"].at(0)), "shard-\"2\"/7");
}

TEST(DynamoDbRequestTest, ClaimGetBodyReadsTheClaimConsistently) {
  EXPECT_EQ(ClaimGetBody("claims", "u-1"),
            R"({"TableName":"claims","Key":{"uuid":{"S":"u-1"}},"ConsistentRead":true,)"
            R"("ProjectionExpression":"#t, #e, #h",)"
            R"("ExpressionAttributeNames":{"#t":"token","#e":"expires_at","#h":"claims"}})");
  simdjson::dom::parser parser;
  EXPECT_EQ(Str(parser.parse(ClaimGetBody("claims", "u-\"1\"\xc3\xa9"))["Key"]["uuid"]["S"]), "u-\"1\"\xc3\xa9");
  // A long uuid is put, read and updated under the same key.
  const std::string long_uuid(5000, 'x');
  EXPECT_EQ(Str(parser.parse(ClaimGetBody("claims", long_uuid))["Key"]["uuid"]["S"]), ClaimKey(long_uuid));
  EXPECT_EQ(Str(parser.parse(UpdateClaimBody("claims", {long_uuid, "t/1", 2, 1}, 3))["Key"]["uuid"]["S"]),
            ClaimKey(long_uuid));
  EXPECT_EQ(Str(parser.parse(PutClaimBody("claims", {long_uuid, "t/1", 2, 1}, 3))["Item"]["uuid"]["S"]),
            ClaimKey(long_uuid));
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

constexpr const char* kConditionFailed =
    R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"})";

TEST(DynamoDbResponseTest, ReadsThePutAnswer) {
  Result<bool> written = ParsePutResponse(Answer(200, "{}"), "claims");
  ASSERT_TRUE(written.ok()) << written.status().message();
  EXPECT_TRUE(*written);
  Result<bool> exists = ParsePutResponse(Answer(400, kConditionFailed, "ConditionalCheckFailedException"), "claims");
  ASSERT_TRUE(exists.ok()) << exists.status().message();
  EXPECT_FALSE(*exists);  // go on with the GetItem
  EXPECT_THAT(ParsePutResponse(Answer(400, R"({"message":"bad"})", "ValidationException"), "claims").status().message(),
              HasSubstr("claim PutItem on table 'claims': HTTP 400 ValidationException: bad"));
  EXPECT_THAT(ParsePutResponse(
                  Answer(400, R"({"message":"Requested resource not found"})", "ResourceNotFoundException"), "claims")
                  .status()
                  .message(),
              HasSubstr("table 'claims' does not exist"));
}

TEST(DynamoDbResponseTest, ReadsTheUpdateAnswer) {
  auto outcome = [](const aws::HttpResponse& r) {
    Result<std::optional<ClaimOutcome>> o = ParseUpdateResponse(r, "me/1", "claims");
    EXPECT_TRUE(o.ok()) << o.status().message();
    return o.ok() ? *o : std::optional<ClaimOutcome>(ClaimOutcome::kWon);
  };
  EXPECT_EQ(outcome(Answer(200, R"({"Attributes":{"uuid":{"S":"a"},"token":{"S":"me/1"},"expires_at":{"N":"5"}}})")),
            ClaimOutcome::kWonOwnToken);
  EXPECT_EQ(outcome(Answer(200, R"({"Attributes":{"uuid":{"S":"a"},"token":{"S":"other/2"},"expires_at":{"N":"5"}}})")),
            ClaimOutcome::kWonExpired);
  EXPECT_EQ(
      outcome(Answer(
          200, R"({"Attributes":{"uuid":{"S":"a"},"token":{"S":"other/2"},"claims":{"SS":["me/1","other/2"]}}})")),
      ClaimOutcome::kWonExpired);
  // A failed condition: no outcome, the claim changed since the GetItem; look again.
  EXPECT_EQ(outcome(Answer(400, kConditionFailed, "ConditionalCheckFailedException")), std::nullopt);
  // The condition needs an item: a success without the old one is not DynamoDB's answer.
  EXPECT_FALSE(ParseUpdateResponse(Answer(200, "{}"), "me/1", "claims").ok());
}

TEST(DynamoDbResponseTest, ReadsTheClaimGetAnswer) {
  const ClaimRequest r{"u", "me/1", 200, 100};  // watermark 100
  auto found = [&r](const std::string& body) {
    Result<Found> f = ParseClaimGetResponse(Answer(200, body), r, "claims");
    EXPECT_TRUE(f.ok()) << f.status().message();
    return f.ok() ? *f : Found::kNoItem;
  };
  // Own token: won whatever the expiry (a replay of the holder).
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"me/1"},"expires_at":{"N":"200"},"claims":{"SS":["me/1"]}}})"),
            Found::kOwnToken);
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"me/1"},"expires_at":{"N":"50"}}})"), Found::kOwnToken);
  // Own token in the history: won, live or expired.
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"300"},"claims":{"SS":["other/2","me/1"]}}})"),
            Found::kOwnHistory);
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"50"},"claims":{"SS":["me/1","other/2"]}}})"),
            Found::kOwnHistory);
  // Another record's claim: live at the watermark (expires_at >= watermark) or expired.
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"100"},"claims":{"SS":["other/2","me/10"]}}})"),
            Found::kLive);
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"99"},"claims":{"SS":["other/2"]}}})"),
            Found::kExpired);
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"-5"},"claims":{"SS":["other/2"]}}})"),
            Found::kExpired);
  // Written before claims were kept: an empty history.
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"150"}}})"), Found::kLive);
  EXPECT_EQ(found(R"({"Item":{"token":{"S":"other/2"},"expires_at":{"N":"50"}}})"), Found::kExpired);
  EXPECT_EQ(found("{}"), Found::kNoItem);  // gone (TTL) since the PutItem met it
  // Not a claim item, not DynamoDB's answer, not a success.
  for (const char* bad :
       {R"({"Item":{}})", R"({"Item":{"expires_at":{"N":"5"}}})", R"({"Item":{"token":{"S":"other/2"}}})",
        R"({"Item":{"token":{"S":"o/2"},"expires_at":{"S":"5"}}})",
        R"({"Item":{"token":{"S":"o/2"},"expires_at":{"N":"1.5"}}})",
        R"({"Item":{"token":{"S":"o/2"},"expires_at":{"N":""}}})",
        R"({"Item":{"token":{"S":"o/2"},"expires_at":{"N":"99999999999999999999"}}})"}) {
    Result<Found> f = ParseClaimGetResponse(Answer(200, bad), r, "claims");
    EXPECT_THAT(f.status().message(), HasSubstr("the item of uuid 'u' on table 'claims' has no string token or integer "
                                                "expires_at"))
        << bad;
  }
  EXPECT_THAT(
      ParseClaimGetResponse(
          Answer(200, R"({"Item":{"token":{"S":"o/2"},"expires_at":{"N":"5"},"claims":{"S":"me/1"}}})"), r, "claims")
          .status()
          .message(),
      HasSubstr("'claims' is not a string set"));
  EXPECT_FALSE(ParseClaimGetResponse(Answer(200, "not json"), r, "claims").ok());
  Result<Found> missing = ParseClaimGetResponse(
      Answer(400, R"({"__type":"x#ResourceNotFoundException","message":"Requested resource not found"})",
             "ResourceNotFoundException"),
      r, "claims");
  EXPECT_THAT(missing.status().message(), HasSubstr("table 'claims' does not exist"));
  Result<Found> invalid = ParseClaimGetResponse(
      Answer(400, R"({"__type":"x#ValidationException","message":"bad projection"})", "ValidationException"), r,
      "claims");
  EXPECT_THAT(invalid.status().message(), HasSubstr("claim GetItem on table 'claims'"));
  EXPECT_THAT(invalid.status().message(), HasSubstr("ValidationException: bad projection"));
}

TEST(DynamoDbResponseTest, ErrorsAreErrors) {
  Result<std::optional<ClaimOutcome>> missing = ParseUpdateResponse(
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
  Result<std::optional<ClaimOutcome>> t = ParseUpdateResponse(throttled, "me/1", "claims");
  ASSERT_FALSE(t.ok());
  EXPECT_THAT(t.status().message(), HasSubstr("ProvisionedThroughputExceededException: slow down (after 7 retries)"));
  EXPECT_THAT(ParsePutResponse(throttled, "claims").status().message(), HasSubstr("(after 7 retries)"));
  aws::HttpResponse network;
  network.network_error = "Connection refused";
  EXPECT_THAT(ParseUpdateResponse(network, "me/1", "claims").status().message(), HasSubstr("Connection refused"));
  EXPECT_THAT(ParsePutResponse(network, "claims").status().message(), HasSubstr("Connection refused"));
  EXPECT_FALSE(ParseUpdateResponse(Answer(200, "not json"), "me/1", "claims").ok());
  EXPECT_FALSE(ParseUpdateResponse(Answer(200, R"({"Attributes":{"uuid":{"S":"a"}}})"), "me/1", "claims").ok());
  EXPECT_THAT(ParseUpdateResponse(Answer(400, R"({"message":"bad"})", "ValidationException"), "me/1", "claims")
                  .status()
                  .message(),
              HasSubstr("claim UpdateItem on table 'claims': HTTP 400 ValidationException: bad"));
}

// A DynamoDB stand-in: the claim PutItem, GetItem and UpdateItem with their conditions
// and projection (checked to be the expected ones), DescribeTable/CreateTable, optional
// throttling of the first N claim requests, an error answer to every request of one kind,
// and a hook run before each claim request that may change the items (another worker,
// TTL deletion).
class FakeDynamoDb {
 public:
  struct Item {
    std::string token;
    int64_t expires_at;
    std::optional<std::set<std::string>> claims;  // none: an item from before claims were kept
  };
  using Items = std::map<std::string, Item>;
  // (operation "PutItem"/"UpdateItem"/"GetItem", uuid, the items), before the request applies.
  using Hook = std::function<void(const std::string&, const std::string&, Items&)>;

  FakeDynamoDb() : server_([this](const CapturedRequest& r) { return Handle(r); }) {}

  aws::AwsConfig Config() const { return LoopbackAwsConfig(&aws::AwsConfig::dynamodb_endpoint, server_.Origin()); }
  // An item as a claim writes it: its history holds its own token and `earlier` ones.
  void Seed(const std::string& uuid, const std::string& token, int64_t expires_at, std::set<std::string> earlier = {}) {
    earlier.insert(token);
    std::lock_guard<std::mutex> lock(mu_);
    items_[uuid] = Item{token, expires_at, std::move(earlier)};
  }
  void SeedWithoutHistory(const std::string& uuid, const std::string& token, int64_t expires_at) {
    std::lock_guard<std::mutex> lock(mu_);
    items_[uuid] = Item{token, expires_at, std::nullopt};
  }
  Item Get(const std::string& uuid) {
    std::lock_guard<std::mutex> lock(mu_);
    return items_.at(uuid);
  }
  void Throttle(int n) { throttle_ = n; }
  void ThrottleDescribeTable(int n) { describe_throttle_ = n; }
  // Every `operation` request is answered with an error of `error_type`.
  void Fail(const std::string& operation, const std::string& error_type) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_[operation] = error_type;
  }
  void Before(Hook hook) {
    std::lock_guard<std::mutex> lock(mu_);
    hook_ = std::move(hook);
  }
  void SetTable(bool exists, int creating_polls = 0) {
    table_exists_ = exists;
    creating_polls_ = creating_polls;
  }
  int puts() const { return puts_; }
  int updates() const { return updates_; }
  int gets() const { return gets_; }
  int creates() const { return creates_; }
  LoopbackServer& server() { return server_; }

 private:
  // The item, or without uuid: what the GetItem's projection (token, expires_at, claims) returns.
  static std::string ItemJson(const std::string& uuid, const Item& item) {
    std::string out = "{";
    if (!uuid.empty()) out += R"("uuid":{"S":")" + uuid + R"("},)";
    out += R"("token":{"S":")" + item.token + R"("},"expires_at":{"N":")" + std::to_string(item.expires_at) + "\"}";
    if (item.claims) out += "," + ClaimsJson(*item.claims);
    return out + "}";
  }
  static std::string ClaimsJson(const std::set<std::string>& claims) {
    std::string out = R"("claims":{"SS":[)";
    for (const std::string& t : claims) out += (out.back() == '[' ? "\"" : ",\"") + t + "\"";
    return out + "]}";
  }

  CannedReply Handle(const CapturedRequest& r) {
    const std::string target = r.Header("x-amz-target");
    std::lock_guard<std::mutex> lock(mu_);
    if (target == "DynamoDB_20120810.DescribeTable") {
      if (describe_throttle_ > 0) {
        --describe_throttle_;
        return DynamoDbError("ThrottlingException");
      }
      if (!table_exists_) return DynamoDbError("ResourceNotFoundException", "Requested resource not found");
      return DescribeTableAnswer(creating_polls_, "uuid", "S");
    }
    if (target == "DynamoDB_20120810.CreateTable") {
      ++creates_;
      table_exists_ = true;
      return CreateTableAnswer();
    }
    if (target == "DynamoDB_20120810.UpdateTimeToLive")
      return DynamoDbError("UnknownOperationException", "no TTL here");
    const std::string op = target.substr(target.find('.') + 1);
    if (op != "PutItem" && op != "UpdateItem" && op != "GetItem") return DynamoDbError("UnknownOperationException");
    if (!table_exists_) return DynamoDbError("ResourceNotFoundException", "Requested resource not found");
    if (auto f = fail_.find(op); f != fail_.end()) return DynamoDbError(f->second);
    if (throttle_ > 0) {
      --throttle_;
      return DynamoDbError("ProvisionedThroughputExceededException");
    }
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(r.body);
    const std::string uuid = Str(op == "PutItem" ? doc["Item"]["uuid"]["S"] : doc["Key"]["uuid"]["S"]);
    if (hook_) hook_(op, uuid, items_);
    auto it = items_.find(uuid);
    if (op == "GetItem") {
      ++gets_;
      if (Str(doc["ProjectionExpression"]) != "#t, #e, #h" || !bool(doc["ConsistentRead"]))
        return DynamoDbError("ValidationException");
      if (it == items_.end()) return CannedReply{200, "{}"};
      return CannedReply{200, "{\"Item\":" + ItemJson("", it->second) + "}"};
    }
    if (op == "PutItem") {
      ++puts_;
      if (Str(doc["ConditionExpression"]) != "attribute_not_exists(#u)") return DynamoDbError("ValidationException");
      if (it != items_.end()) return DynamoDbConditionFailed();
      simdjson::dom::element item = doc["Item"];
      std::set<std::string> claims;
      for (simdjson::dom::element t : item["claims"]["SS"].get_array()) claims.insert(Str(t));
      items_[uuid] = Item{Str(item["token"]["S"]), std::stoll(Str(item["expires_at"]["N"])), std::move(claims)};
      return CannedReply{200, "{}"};
    }
    ++updates_;
    if (Str(doc["ConditionExpression"]) != "#t = :token OR #e < :wm") return DynamoDbError("ValidationException");
    simdjson::dom::element values = doc["ExpressionAttributeValues"];
    const std::string token = Str(values[":token"]["S"]);
    const int64_t expires = std::stoll(Str(values[":exp"]["N"]));
    const int64_t watermark = std::stoll(Str(values[":wm"]["N"]));
    // A missing item has neither a token nor an expiry to compare: the condition fails.
    if (it == items_.end() || (it->second.token != token && !(it->second.expires_at < watermark)))
      return DynamoDbConditionFailed();
    const std::string old = "{\"Attributes\":" + ItemJson(uuid, it->second) + "}";
    it->second.token = token;
    it->second.expires_at = expires;
    if (!it->second.claims) it->second.claims.emplace();
    it->second.claims->insert(token);
    return CannedReply{200, old};
  }

  std::mutex mu_;
  Items items_;
  std::map<std::string, std::string> fail_;
  Hook hook_;
  std::atomic<int> throttle_{0};
  std::atomic<int> describe_throttle_{0};
  std::atomic<bool> table_exists_{true};
  int creating_polls_ = 0;
  std::atomic<int> puts_{0};
  std::atomic<int> updates_{0};
  std::atomic<int> gets_{0};
  std::atomic<int> creates_{0};
  LoopbackServer server_;  // last: its threads stop before the state above goes
};

// The claim store's retries: up to 6 attempts, capped at 4 ms.
aws::HttpClientOptions Fast(size_t in_flight = 16) { return FastHttp(in_flight, 6, milliseconds(4)); }

DynamoDbClaimStoreOptions StoreOptions() {
  DynamoDbClaimStoreOptions o;
  o.table = "claims";
  o.wall_clock = [] { return int64_t{1'000'000}; };
  o.sleep = [](milliseconds) {};
  return o;
}

// The requests the fake saw for one uuid, in arrival order: "P token", "U token" or "G".
std::vector<std::string> Sent(FakeDynamoDb& db, const std::string& uuid) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  for (const CapturedRequest& r : db.server().requests()) {
    const std::string target = r.Header("x-amz-target");
    simdjson::dom::element doc = parser.parse(r.body);
    if (target == "DynamoDB_20120810.PutItem") {
      if (Str(doc["Item"]["uuid"]["S"]) == uuid) out.push_back("P " + Str(doc["Item"]["token"]["S"]));
      continue;
    }
    if (Str(doc["Key"]["uuid"]["S"]) != uuid) continue;
    if (target == "DynamoDB_20120810.GetItem")
      out.push_back("G");
    else
      out.push_back("U " + Str(doc["ExpressionAttributeValues"][":token"]["S"]));
  }
  return out;
}

TEST(DynamoDbClaimStoreTest, DecidesEachOutcome) {
  FakeDynamoDb db;
  db.Seed("held", "other/1", 200);
  db.Seed("expired", "other/2", 99);
  db.Seed("mine", "me/3", 200);
  db.Seed("mine-expired", "me/6", 50);
  db.Seed("won-before", "other/4", 200, {"me/4"});  // me/4 won it once, then lost it to an expiry takeover
  db.Seed("won-before-expired", "other/7", 50, {"me/7"});
  db.SeedWithoutHistory("old-item", "me/5", 200);  // claimed by me/5 before claims were kept...
  const std::vector<ClaimRequest> in = {{"fresh", "me/0", 200, 100},
                                        {"held", "me/1", 200, 100},
                                        {"expired", "me/2", 200, 100},
                                        {"mine", "me/3", 200, 100},
                                        {"mine-expired", "me/6", 200, 100},
                                        {"won-before", "me/4", 200, 100},
                                        {"won-before-expired", "me/7", 200, 100},
                                        {"old-item", "other/5", 200, 100}};
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  using O = ClaimOutcome;
  EXPECT_THAT(out, ::testing::ElementsAre(O::kWon, O::kLost, O::kWonExpired, O::kWonOwnToken, O::kWonOwnToken,
                                          O::kWonOwnToken, O::kWonOwnToken, O::kLost));
  // The cost of each outcome: a new uuid one PutItem, a duplicate or a replay (of the holder
  // or from history) PutItem + GetItem, a takeover PutItem + GetItem + UpdateItem.
  EXPECT_THAT(Sent(db, "fresh"), ::testing::ElementsAre("P me/0"));
  EXPECT_THAT(Sent(db, "held"), ::testing::ElementsAre("P me/1", "G"));
  EXPECT_THAT(Sent(db, "expired"), ::testing::ElementsAre("P me/2", "G", "U me/2"));
  EXPECT_THAT(Sent(db, "mine"), ::testing::ElementsAre("P me/3", "G"));
  EXPECT_THAT(Sent(db, "mine-expired"), ::testing::ElementsAre("P me/6", "G"));
  EXPECT_THAT(Sent(db, "won-before"), ::testing::ElementsAre("P me/4", "G"));
  EXPECT_THAT(Sent(db, "won-before-expired"), ::testing::ElementsAre("P me/7", "G"));
  EXPECT_THAT(Sent(db, "old-item"), ::testing::ElementsAre("P other/5", "G"));
  EXPECT_EQ(db.Get("fresh").token, "me/0");
  EXPECT_THAT(*db.Get("fresh").claims, ::testing::ElementsAre("me/0"));
  EXPECT_EQ(db.Get("expired").token, "me/2");
  EXPECT_EQ(db.Get("expired").expires_at, 200);
  EXPECT_THAT(*db.Get("expired").claims, ::testing::ElementsAre("me/2", "other/2"));
  EXPECT_EQ(db.Get("held").token, "other/1");
  // A replay writes nothing, expired or not: the item already records its win.
  EXPECT_EQ(db.Get("mine-expired").expires_at, 50);
  EXPECT_EQ(db.Get("won-before").token, "other/4");
  EXPECT_EQ(db.Get("won-before-expired").token, "other/7");
  EXPECT_EQ(db.Get("won-before-expired").expires_at, 50);
  EXPECT_EQ(store.stats().won, 1u);
  EXPECT_EQ(store.stats().lost, 2u);
  EXPECT_EQ(store.stats().won_expired, 1u);
  EXPECT_EQ(store.stats().won_own_token, 4u);
  EXPECT_EQ(store.stats().won_from_history, 2u);
  EXPECT_EQ(store.stats().put_requests, 8u);
  EXPECT_EQ(store.stats().get_requests, 7u);     // one per existing uuid
  EXPECT_EQ(store.stats().update_requests, 1u);  // one per expired claim of another record
  EXPECT_EQ(store.stats().update_conflicts, 0u);
  EXPECT_EQ(store.stats().put_again, 0u);
  EXPECT_EQ(db.puts(), 8);
  EXPECT_EQ(db.gets(), 7);
  EXPECT_EQ(db.updates(), 1);
  // TTL: max(expires_at, wall clock) + ttl_seconds, in the PutItem and the UpdateItem.
  const std::string ttl = std::to_string(1'000'000 + 7 * 24 * 3600);
  simdjson::dom::parser parser;
  for (const CapturedRequest& r : db.server().requests()) {
    simdjson::dom::element doc = parser.parse(r.body);
    const std::string target = r.Header("x-amz-target");
    if (target == "DynamoDB_20120810.PutItem")
      EXPECT_EQ(Str(doc["Item"]["ttl"]["N"]), ttl);
    else if (target == "DynamoDB_20120810.UpdateItem")
      EXPECT_EQ(Str(doc["ExpressionAttributeValues"][":ttl"]["N"]), ttl);
    else
      EXPECT_TRUE(bool(doc["ConsistentRead"]));
    EXPECT_EQ(r.Header("content-type"), "application/x-amz-json-1.0");
    EXPECT_THAT(r.Header("authorization"), HasSubstr("/us-east-1/dynamodb/aws4_request"));
  }
}

TEST(DynamoDbClaimStoreTest, AnItemWithoutClaimsIsAnEmptyHistory) {
  FakeDynamoDb db;
  db.SeedWithoutHistory("u", "other/1", 200);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"u", "me/1", 200, 100}};
  std::vector<ClaimOutcome> out(1);
  ASSERT_TRUE(store.Claim(in, out).ok());
  EXPECT_EQ(out[0], ClaimOutcome::kLost);  // an item, not a vanished one: no PutItem again
  EXPECT_THAT(Sent(db, "u"), ::testing::ElementsAre("P me/1", "G"));
  EXPECT_EQ(store.stats().won_from_history, 0u);
  EXPECT_EQ(store.stats().put_again, 0u);
  // The next takeover starts the history.
  const std::vector<ClaimRequest> later = {{"u", "me/2", 600, 500}};
  ASSERT_TRUE(store.Claim(later, out).ok());
  EXPECT_EQ(out[0], ClaimOutcome::kWonExpired);
  EXPECT_THAT(Sent(db, "u"), ::testing::ElementsAre("P me/1", "G", "P me/2", "G", "U me/2"));
  EXPECT_THAT(*db.Get("u").claims, ::testing::ElementsAre("me/2"));
}

// The item the PutItem met is deleted (TTL) before the GetItem, or the expired one the
// GetItem saw before the UpdateItem (whose condition then fails on the missing item): the
// GetItem finds none, and the claim starts over with a PutItem.
TEST(DynamoDbClaimStoreTest, AVanishedItemIsClaimedAgainWithAPutItem) {
  FakeDynamoDb db;
  db.Seed("v", "other/1", 200);
  db.Seed("v2", "other/2", 200);
  db.Seed("v3", "other/3", 50);   // expired at the watermark 100
  std::set<std::string> deleted;  // the hook runs under the fake's lock
  db.Before([&deleted](const std::string& op, const std::string& uuid, FakeDynamoDb::Items& items) {
    // v, v2: deleted after the first PutItem met them, before the GetItem.
    if (op == "GetItem" && uuid != "v3" && deleted.insert(uuid).second) items.erase(uuid);
    // v3: deleted after the GetItem found it expired, before the UpdateItem.
    if (op == "UpdateItem" && uuid == "v3" && deleted.insert(uuid).second) items.erase(uuid);
    // v2: another worker claims it between the GetItem and the second PutItem.
    if (op == "PutItem" && uuid == "v2" && items.count(uuid) == 0) items[uuid] = {"other/9", 300, {{"other/9"}}};
  });
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"v", "me/1", 200, 100}, {"v2", "me/2", 200, 100}, {"v3", "me/3", 200, 100}};
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  EXPECT_THAT(out, ::testing::ElementsAre(ClaimOutcome::kWon, ClaimOutcome::kLost, ClaimOutcome::kWon));
  EXPECT_THAT(Sent(db, "v"), ::testing::ElementsAre("P me/1", "G", "P me/1"));
  EXPECT_EQ(db.Get("v").token, "me/1");
  EXPECT_THAT(Sent(db, "v2"), ::testing::ElementsAre("P me/2", "G", "P me/2", "G"));
  EXPECT_EQ(db.Get("v2").token, "other/9");
  EXPECT_THAT(Sent(db, "v3"), ::testing::ElementsAre("P me/3", "G", "U me/3", "G", "P me/3"));
  EXPECT_EQ(db.Get("v3").token, "me/3");
  EXPECT_THAT(*db.Get("v3").claims, ::testing::ElementsAre("me/3"));
  EXPECT_EQ(store.stats().put_again, 3u);
  EXPECT_EQ(store.stats().put_requests, 6u);
  EXPECT_EQ(store.stats().get_requests, 5u);
  EXPECT_EQ(store.stats().update_requests, 1u);
  EXPECT_EQ(store.stats().update_conflicts, 1u);
}

// A second GetItem that finds no item (something else deletes claims) ends the claim: an
// error for the batch, not a loop.
TEST(DynamoDbClaimStoreTest, AnItemThatVanishesTwiceIsAnErrorNotALoop) {
  FakeDynamoDb db;
  // The item exists for every PutItem and is gone for every GetItem.
  db.Before([](const std::string& op, const std::string& uuid, FakeDynamoDb::Items& items) {
    if (op == "PutItem")
      items[uuid] = {"other/1", 200, {{"other/1"}}};
    else
      items.erase(uuid);
  });
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"f", "me/1", 200, 100}, {"f", "me/2", 200, 100}};
  std::vector<ClaimOutcome> out(in.size());
  const Status s = store.Claim(in, out);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("claim of uuid 'f' on table 'claims': its item vanished twice"));
  // Exactly one PutItem again, and the next request for the uuid never goes out.
  EXPECT_THAT(Sent(db, "f"), ::testing::ElementsAre("P me/1", "G", "P me/1", "G"));
  EXPECT_EQ(store.stats().put_again, 1u);
}

// Another worker changes an expired claim between this claim's GetItem and its UpdateItem:
// the UpdateItem's condition decides, and a failed one sends the claim back to the GetItem.
TEST(DynamoDbClaimStoreTest, ATakeoverRaceIsDecidedAgain) {
  FakeDynamoDb db;
  for (const char* uuid : {"r-lost", "r-own", "r-hist", "r-again"}) db.Seed(uuid, "other/1", 50);  // expired at 100
  std::map<std::string, int> seen;  // (op uuid) -> requests so far; the hook runs under the fake's lock
  db.Before([&seen](const std::string& op, const std::string& uuid, FakeDynamoDb::Items& items) {
    const int n = ++seen[op + " " + uuid];
    if (op == "UpdateItem" && n == 1) {
      if (uuid == "r-lost") items[uuid] = {"other/2", 300, {{"other/1", "other/2"}}};  // taken over, live at 100
      // A copy of this same record, claimed by another worker (after a lease steal).
      if (uuid == "r-own") items[uuid] = {"me/2", 200, {{"other/1", "me/2"}}};
      if (uuid == "r-hist") items[uuid] = {"other/3", 300, {{"other/1", "me/3", "other/3"}}};
      if (uuid == "r-again") items[uuid] = {"other/4", 300, {{"other/1", "other/4"}}};
    }
    // r-again: deleted and claimed again by a lagging worker (watermark 10) before the GetItem.
    if (op == "GetItem" && uuid == "r-again" && n == 2) items[uuid] = {"other/5", 60, {{"other/5"}}};
  });
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"r-lost", "me/1", 200, 100},
                                        {"r-own", "me/2", 200, 100},
                                        {"r-hist", "me/3", 200, 100},
                                        {"r-again", "me/4", 200, 100}};
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  using O = ClaimOutcome;
  EXPECT_THAT(out, ::testing::ElementsAre(O::kLost, O::kWonOwnToken, O::kWonOwnToken, O::kWonExpired));
  // Lost the race to a live claim: the second GetItem says lost.
  EXPECT_THAT(Sent(db, "r-lost"), ::testing::ElementsAre("P me/1", "G", "U me/1", "G"));
  EXPECT_EQ(db.Get("r-lost").token, "other/2");
  // The same token holds it by then: the condition holds, the old token says a replay.
  EXPECT_THAT(Sent(db, "r-own"), ::testing::ElementsAre("P me/2", "G", "U me/2"));
  EXPECT_THAT(Sent(db, "r-hist"), ::testing::ElementsAre("P me/3", "G", "U me/3", "G"));
  EXPECT_EQ(db.Get("r-hist").token, "other/3");
  // Expired again at the second look: the second UpdateItem takes it over.
  EXPECT_THAT(Sent(db, "r-again"), ::testing::ElementsAre("P me/4", "G", "U me/4", "G", "U me/4"));
  EXPECT_EQ(db.Get("r-again").token, "me/4");
  EXPECT_THAT(*db.Get("r-again").claims, ::testing::ElementsAre("me/4", "other/5"));
  EXPECT_EQ(store.stats().put_requests, 4u);
  EXPECT_EQ(store.stats().get_requests, 7u);
  EXPECT_EQ(store.stats().update_requests, 5u);
  EXPECT_EQ(store.stats().update_conflicts, 3u);
  EXPECT_EQ(store.stats().won_from_history, 1u);
  EXPECT_EQ(store.stats().won_own_token, 2u);
  EXPECT_EQ(store.stats().put_again, 0u);
}

// A claim whose UpdateItem loses the race kMaxTakeovers times in a row (the item keeps
// being replaced) fails its batch: bounded, not a loop.
TEST(DynamoDbClaimStoreTest, ATakeoverThatKeepsLosingTheRaceIsAnErrorNotALoop) {
  FakeDynamoDb db;
  db.Seed("loop", "other/0", 50);
  int n = 0;  // the hook runs under the fake's lock
  db.Before([&n](const std::string& op, const std::string& uuid, FakeDynamoDb::Items& items) {
    const std::string t = "other/" + std::to_string(++n);
    if (op == "UpdateItem") items[uuid] = {t, 300, {{t}}};  // live at the watermark 100: the condition fails
    if (op == "GetItem") items[uuid] = {t, 50, {{t}}};      // expired again at the next look
  });
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {{"loop", "me/1", 200, 100}, {"loop", "me/2", 200, 100}};
  std::vector<ClaimOutcome> out(in.size());
  const Status s = store.Claim(in, out);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("claim of uuid 'loop' on table 'claims': its expired claim changed under 3 "
                                     "takeover attempts in a row"));
  // Three rounds, and the next request for the uuid never goes out.
  EXPECT_THAT(Sent(db, "loop"), ::testing::ElementsAre("P me/1", "G", "U me/1", "G", "U me/1", "G", "U me/1"));
  EXPECT_EQ(store.stats().update_requests, static_cast<uint64_t>(DynamoDbClaimStore::kMaxTakeovers));
  EXPECT_EQ(store.stats().update_conflicts, 3u);
  EXPECT_EQ(store.stats().get_requests, 3u);
}

TEST(DynamoDbClaimStoreTest, AnErrorAtAnyStepFailsTheBatch) {
  struct Case {
    std::string op, error, message;
  };
  for (const Case& c :
       {Case{"PutItem", "ValidationException", "claim PutItem on table 'claims': HTTP 400 ValidationException"},
        Case{"GetItem", "ValidationException", "claim GetItem on table 'claims': HTTP 400 ValidationException"},
        Case{"UpdateItem", "ValidationException", "claim UpdateItem on table 'claims': HTTP 400 ValidationException"},
        Case{"GetItem", "ResourceNotFoundException", "table 'claims' does not exist"},
        Case{"UpdateItem", "ResourceNotFoundException", "table 'claims' does not exist"}}) {
    SCOPED_TRACE(c.op + " " + c.error);
    FakeDynamoDb db;
    db.Seed("held", "other/1", 200);
    db.Seed("expired", "other/2", 50);
    db.Fail(c.op, c.error);
    aws::HttpClient client(db.Config(), Fast());
    DynamoDbClaimStore store(db.Config(), client, StoreOptions());
    const std::vector<ClaimRequest> in = {
        {"fresh", "me/0", 200, 100}, {"held", "me/1", 200, 100}, {"expired", "me/2", 200, 100}};
    std::vector<ClaimOutcome> out(in.size());
    const Status s = store.Claim(in, out);
    ASSERT_FALSE(s.ok());
    EXPECT_THAT(s.message(), HasSubstr(c.message));
  }
}

TEST(DynamoDbClaimStoreTest, SameUuidInABatchIsDecidedInInputOrder) {
  FakeDynamoDb db;
  db.Seed("taken", "other/9", 500);
  db.Seed("h", "other/8", 500, {"s/7"});  // s/7 won "h" once; other/8 took it over
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  const std::vector<ClaimRequest> in = {
      {"a", "s/1", 200, 100},      // 0 first: won
      {"a", "s/2", 210, 110},      // 1 another record, s/1 live at 110: sent, lost (history: s/1 only)
      {"a", "s/1", 220, 120},      // 2 s/1 again after a loss: sent, its own token
      {"a", "s/1", 220, 120},      // 3 the token just answered and won: no request
      {"a", "s/3", 500, 300},      // 4 s/1's claim (200) dead at 300: sent, takes it over
      {"a", "s/1", 230, 130},      // 5 held by s/3, live: sent, wins from history
      {"a", "s/1", 230, 130},      // 6 same token, just won (from history): no request
      {"a", "s/2", 240, 140},      // 7 never won: sent, lost
      {"taken", "s/4", 200, 100},  // 8 held elsewhere: lost
      {"taken", "s/5", 200, 100},  // 9 the previous one lost: sent, lost
      {"h", "s/7", 200, 100},      // 10 the first request answered from history
      {"h", "s/7", 200, 100},      // 11 same token: no request
      {"h", "s/6", 200, 100},      // 12 sent, lost
  };
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  using O = ClaimOutcome;
  EXPECT_THAT(out, ::testing::ElementsAre(O::kWon, O::kLost, O::kWonOwnToken, O::kWonOwnToken, O::kWonExpired,
                                          O::kWonOwnToken, O::kWonOwnToken, O::kLost, O::kLost, O::kLost,
                                          O::kWonOwnToken, O::kWonOwnToken, O::kLost));
  // Each request went out after the previous one's final answer.
  EXPECT_THAT(Sent(db, "a"), ::testing::ElementsAre("P s/1", "P s/2", "G", "P s/1", "G", "P s/3", "G", "U s/3", "P s/1",
                                                    "G", "P s/2", "G"));
  EXPECT_THAT(Sent(db, "taken"), ::testing::ElementsAre("P s/4", "G", "P s/5", "G"));
  EXPECT_THAT(Sent(db, "h"), ::testing::ElementsAre("P s/7", "G", "P s/6", "G"));
  EXPECT_EQ(store.stats().decided_in_batch, 3u);
  EXPECT_EQ(store.stats().won_from_history, 2u);
  EXPECT_EQ(store.stats().put_requests, 10u);
  EXPECT_EQ(store.stats().get_requests, 9u);
  EXPECT_EQ(store.stats().update_requests, 1u);
  EXPECT_EQ(db.Get("a").token, "s/3");
  EXPECT_THAT(*db.Get("a").claims, ::testing::ElementsAre("s/1", "s/3"));
  // The same batch again (a replay): every record that won wins again, every one that
  // lost loses again, whoever holds the claim now.
  std::vector<ClaimOutcome> again(in.size());
  ASSERT_TRUE(store.Claim(in, again).ok());
  for (size_t i = 0; i < in.size(); ++i) EXPECT_EQ(Won(again[i]), Won(out[i])) << "request " << i;
  EXPECT_EQ(again[0], ClaimOutcome::kWonOwnToken);  // from history: s/3 holds "a" now
  EXPECT_EQ(again[4], ClaimOutcome::kWonOwnToken);
  EXPECT_EQ(store.stats().update_requests, 1u);  // a replay writes nothing
}

TEST(DynamoDbClaimStoreTest, PipelinesABatchAndRetriesThrottling) {
  FakeDynamoDb db;
  db.Throttle(5);
  aws::HttpClient client(db.Config(), Fast(16));
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  std::vector<std::string> uuids;
  // append, not "u" + to_string: GCC 12 -O3 reports a false -Wrestrict for the latter (GCC PR 105329)
  for (int i = 0; i < 200; ++i) uuids.push_back(std::string("u").append(std::to_string(i)));
  std::vector<ClaimRequest> in;
  for (const auto& u : uuids) in.push_back({u, "tok/1", 200, 100});
  std::vector<ClaimOutcome> out(in.size());
  ASSERT_TRUE(store.Claim(in, out).ok());
  for (ClaimOutcome o : out) EXPECT_EQ(o, ClaimOutcome::kWon);
  EXPECT_EQ(store.stats().retries, 5u);
  // Fresh uuids: one PutItem each, nothing else.
  EXPECT_EQ(store.stats().put_requests, 200u);
  EXPECT_EQ(store.stats().update_requests, 0u);
  EXPECT_EQ(store.stats().get_requests, 0u);
  EXPECT_EQ(db.puts(), 200);
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
  EXPECT_EQ(db.gets(), 0);
  EXPECT_EQ(db.updates(), 0);
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
  EXPECT_THAT(s.message(), HasSubstr("DynamoDB table 'claims' at " + db.Config().dynamodb_endpoint +
                                     " does not exist: create it (hash key 'uuid' of type S) or pass --create-tables"));
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
  // The claim table: hash key uuid (S), TTL asked for on "ttl".
  const std::vector<CapturedRequest> sent = db.server().requests();
  ASSERT_GE(sent.size(), 2u);
  EXPECT_EQ(sent[1].Header("x-amz-target"), "DynamoDB_20120810.CreateTable");
  EXPECT_EQ(sent[1].body, aws::CreateTableBody("claims", "uuid", "S"));
  EXPECT_EQ(sent.back().Header("x-amz-target"), "DynamoDB_20120810.UpdateTimeToLive");
  EXPECT_EQ(sent.back().body, aws::UpdateTimeToLiveBody("claims", "ttl"));
  EXPECT_THAT(store.ttl_warning(), HasSubstr("could not enable TTL on attribute 'ttl'"));
  EXPECT_THAT(store.ttl_warning(), HasSubstr("UnknownOperationException"));
  EXPECT_THAT(store.ttl_warning(), HasSubstr("expired claims stay in the table"));
}

TEST(DynamoDbClaimStoreTest, ControlPlaneRetriesAreCounted) {
  FakeDynamoDb db;
  db.ThrottleDescribeTable(2);
  aws::HttpClient client(db.Config(), Fast());
  DynamoDbClaimStore store(db.Config(), client, StoreOptions());
  ASSERT_TRUE(store.EnsureTable().ok());
  EXPECT_EQ(store.stats().retries, 2u);
  EXPECT_TRUE(store.ttl_warning().empty());  // an existing table: no TTL call, no warning
  EXPECT_EQ(db.creates(), 0);
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
