// The DynamoDB claim store against dynalite from the local AWS bed (tests/awsbed):
// run under `tests/awsbed/bed.sh run DIR -- dynamodb_bed_test` (ctest does), which
// exports AWS_ENDPOINT_URL_DYNAMODB and credentials. The fault proxy
// (tests/awsbed/fault_proxy.mjs) is started here, tied to this process by its stdin.
//
// DYNAMODB_BENCH_CLAIMS=N makes ClaimThroughput claim N uuids (default 4000) and print
// claims/s (tests/integration/dynamodb_bench.sh compares that with ceilings.py).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "aws_bed.h"
#include "dedup/dynamodb/dynamodb_claim_store.h"
#include "store/aws/aws_config.h"
#include "store/aws/dynamodb_table.h"
#include "store/aws/http_client.h"

namespace eventlake::dynamodb {
namespace {

using ::eventlake::awsbed::BedConfig;
using ::eventlake::awsbed::FaultProxy;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

DynamoDbClaimStoreOptions Options() {
  DynamoDbClaimStoreOptions o;
  o.create_table = true;
  o.poll_interval = milliseconds(20);  // the bed's tables turn ACTIVE after 10 ms
  return o;
}

aws::HttpClientOptions Http(size_t in_flight = 32) { return awsbed::BedHttp(in_flight); }

std::string TableName(const std::string& what) { return "claims-" + what + "-" + std::to_string(::getpid()); }

std::unique_ptr<DynamoDbClaimStore> Open(const std::string& table, const aws::AwsConfig& config,
                                         aws::HttpClientOptions http = Http()) {
  auto store = MakeDynamoDbClaimStore("dynamodb://" + table, config, Options(), std::move(http));
  if (!store.ok()) {
    ADD_FAILURE() << store.status().message();
    return nullptr;
  }
  return std::move(*store);
}

std::vector<ClaimOutcome> ClaimAll(DynamoDbClaimStore& store, const std::vector<ClaimRequest>& in) {
  std::vector<ClaimOutcome> out(in.size());
  const Status s = store.Claim(in, out);
  EXPECT_TRUE(s.ok()) << s.message();
  return out;
}

// One DynamoDB request outside the store, for looking at (or seeding) items directly.
aws::HttpResponse Raw(const aws::AwsConfig& config, std::string_view operation, std::string body) {
  aws::HttpClient client(config);
  return aws::CallDynamoDb(client, config, operation, std::move(body), milliseconds(30000));
}

// The claims history of a uuid as stored, sorted; empty when the item or attribute is missing.
std::vector<std::string> StoredClaims(const aws::AwsConfig& config, const std::string& table, const std::string& uuid) {
  const aws::HttpResponse r = Raw(config, "GetItem", ClaimGetBody(table, uuid));
  EXPECT_TRUE(r.ok()) << aws::DescribeDynamoDbError(r);
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::array tokens;
  if (parser.parse(r.body)["Item"]["claims"]["SS"].get(tokens)) return out;
  for (simdjson::dom::element t : tokens) out.emplace_back(std::string_view(t));
  std::sort(out.begin(), out.end());
  return out;
}

TEST(DynamoDbBedTest, MissingTableIsAClearError) {
  const aws::AwsConfig config = BedConfig();
  DynamoDbClaimStoreOptions o = Options();
  o.create_table = false;
  const std::string table = TableName("missing");
  auto store = MakeDynamoDbClaimStore("dynamodb://" + table, config, o);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(),
              HasSubstr("DynamoDB table '" + table + "' at " + config.dynamodb_endpoint +
                        " does not exist: create it (hash key 'uuid' of type S) or pass --create-tables"));
}

TEST(DynamoDbBedTest, FirstWinsSameTokenWinsAgainOtherLoses) {
  const aws::AwsConfig config = BedConfig();
  auto store = Open(TableName("basic"), config);
  ASSERT_NE(store, nullptr);
  EXPECT_THAT(store->ttl_warning(), HasSubstr("UnknownOperationException"));  // dynalite has no TTL
  EXPECT_THAT(ClaimAll(*store, {{"e-1", "shardId-0/100", 1100, 1000}}), ::testing::ElementsAre(ClaimOutcome::kWon));
  // Replay of the same record (a crash before publishing): wins its own claim again.
  EXPECT_THAT(ClaimAll(*store, {{"e-1", "shardId-0/100", 1100, 1000}}),
              ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
  // The same uuid from other records (another shard, a producer retry): duplicates.
  EXPECT_THAT(ClaimAll(*store, {{"e-1", "shardId-1/7", 1150, 1050}, {"e-1", "shardId-0/101", 1150, 1050}}),
              ::testing::ElementsAre(ClaimOutcome::kLost, ClaimOutcome::kLost));
  // Still held by the first record.
  EXPECT_THAT(ClaimAll(*store, {{"e-1", "shardId-0/100", 1100, 1000}}),
              ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
}

TEST(DynamoDbBedTest, ExpiredClaimIsTakenOver) {
  const aws::AwsConfig config = BedConfig();
  auto store = Open(TableName("expiry"), config);
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(ClaimAll(*store, {{"e-2", "a/1", 1100, 1000}}), ::testing::ElementsAre(ClaimOutcome::kWon));
  // Live at the watermark (expires_at 1100 >= 1100): lost.
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/1", 1200, 1100}}), ::testing::ElementsAre(ClaimOutcome::kLost));
  // Expired (1100 < 1101): taken over; afterwards the old holder's replay still wins (its
  // token is in the history), the one that lost before still loses.
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/2", 1201, 1101}}), ::testing::ElementsAre(ClaimOutcome::kWonExpired));
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "a/1", 1100, 1000}}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/1", 1200, 1100}}), ::testing::ElementsAre(ClaimOutcome::kLost));
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/2", 1201, 1101}}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
}

// The replay hazard (README): A wins, A's worker dies before A's epoch is published, a copy
// from a shard whose watermark is past A's expiry takes the claim over; A's replay must
// still win, or A is never written.
TEST(DynamoDbBedTest, ReplayAfterATakeoverWinsFromHistory) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("hazard");
  auto store = Open(table, config);
  ASSERT_NE(store, nullptr);
  constexpr int64_t kWindow = 100;
  const std::string ta = "shardId-000000000000/49590338271490256608559692538361571095921575989136588898";
  const std::string tb = "shardId-000000000001/49590338271490256608559692538361571095921575989136588899";
  const ClaimRequest a{"e-hazard", ta, 100 + kWindow, 100};
  const ClaimRequest b{"e-hazard", tb, 250 + kWindow, 250};                        // watermark 250 > A's expiry 200
  const ClaimRequest c{"e-hazard", "shardId-000000000002/7", 300 + kWindow, 300};  // inside B's claim (350)
  EXPECT_THAT(ClaimAll(*store, {a}), ::testing::ElementsAre(ClaimOutcome::kWon));
  EXPECT_THAT(ClaimAll(*store, {b}), ::testing::ElementsAre(ClaimOutcome::kWonExpired));
  EXPECT_THAT(ClaimAll(*store, {a}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));  // A replayed
  EXPECT_EQ(store->stats().won_from_history, 1u);
  EXPECT_THAT(ClaimAll(*store, {c}), ::testing::ElementsAre(ClaimOutcome::kLost));
  EXPECT_THAT(ClaimAll(*store, {b}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));  // B replayed
  EXPECT_EQ(store->stats().won_from_history, 1u);  // B holds the claim: no history needed
  EXPECT_EQ(store->stats().put_requests, 5u);      // every claim starts with one
  EXPECT_EQ(store->stats().get_requests, 4u);      // all but A's first: the uuid existed
  EXPECT_EQ(store->stats().update_requests, 1u);   // B's takeover only: the replays write nothing
  EXPECT_THAT(StoredClaims(config, table, "e-hazard"), ::testing::ElementsAre(ta, tb));
  // A's replay wrote nothing: B still holds the claim with its expiry.
  const aws::HttpResponse item = Raw(
      config, "GetItem", R"({"TableName":")" + table + R"(","Key":{"uuid":{"S":"e-hazard"}},"ConsistentRead":true})");
  ASSERT_TRUE(item.ok()) << aws::DescribeDynamoDbError(item);
  simdjson::dom::parser parser;
  simdjson::dom::element doc = parser.parse(item.body);
  EXPECT_EQ(std::string_view(doc["Item"]["token"]["S"]), tb);
  EXPECT_EQ(std::string_view(doc["Item"]["expires_at"]["N"]), "350");
  // The same in one batch, with the long-uuid key: decided in input order.
  const std::string long_uuid(3000, 'h');
  const std::vector<ClaimRequest> batch = {{long_uuid, ta, 200, 100},
                                           {long_uuid, tb, 350, 250},
                                           {long_uuid, ta, 200, 100},
                                           {long_uuid, "shardId-000000000002/7", 400, 300},
                                           {long_uuid, tb, 350, 250}};
  EXPECT_THAT(ClaimAll(*store, batch),
              ::testing::ElementsAre(ClaimOutcome::kWon, ClaimOutcome::kWonExpired, ClaimOutcome::kWonOwnToken,
                                     ClaimOutcome::kLost, ClaimOutcome::kWonOwnToken));
  EXPECT_THAT(StoredClaims(config, table, long_uuid), ::testing::ElementsAre(ta, tb));
}

// Items written by the first PutItem claim code (before claims were kept) have no history:
// a live one of another record means lost (an item without claims, not a vanished one), a
// replay of its holder wins without writing; an expired one is taken over and its history
// starts (with the new holder only).
TEST(DynamoDbBedTest, ItemWithoutHistoryFromThePutItemCode) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("legacy");
  auto store = Open(table, config);
  ASSERT_NE(store, nullptr);
  const aws::HttpResponse put =
      Raw(config, "PutItem",
          R"({"TableName":")" + table +
              R"(","Item":{"uuid":{"S":"e-old"},"token":{"S":"old/1"},"expires_at":{"N":"200"},"ttl":{"N":"9"}}})");
  ASSERT_TRUE(put.ok()) << aws::DescribeDynamoDbError(put);
  EXPECT_THAT(ClaimAll(*store, {{"e-old", "new/1", 300, 150}}), ::testing::ElementsAre(ClaimOutcome::kLost));
  EXPECT_EQ(store->stats().put_again, 0u);
  EXPECT_THAT(ClaimAll(*store, {{"e-old", "old/1", 200, 100}}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
  EXPECT_THAT(StoredClaims(config, table, "e-old"), ::testing::ElementsAre());  // nothing written
  EXPECT_EQ(store->stats().update_requests, 0u);
  EXPECT_THAT(ClaimAll(*store, {{"e-old", "new/2", 400, 300}}), ::testing::ElementsAre(ClaimOutcome::kWonExpired));
  EXPECT_THAT(StoredClaims(config, table, "e-old"), ::testing::ElementsAre("new/2"));  // ADD on a missing attribute
}

struct Batch {
  std::vector<std::string> uuids, tokens;
  std::vector<ClaimRequest> requests;
  Batch(int n, const std::string& uuid_prefix, const std::string& token_prefix) {
    for (int i = 0; i < n; ++i) {
      uuids.push_back(uuid_prefix + std::to_string(i));
      tokens.push_back(token_prefix + std::to_string(i));
    }
    for (int i = 0; i < n; ++i) requests.push_back({uuids[i], tokens[i], 5000, 4000});
  }
};

TEST(DynamoDbBedTest, ThousandClaimsInOneBatchManyInFlight) {
  const aws::AwsConfig config = BedConfig();
  auto store = Open(TableName("batch"), config);
  ASSERT_NE(store, nullptr);
  Batch first(1000, "uuid-", "shardId-0/");
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<ClaimOutcome> won = ClaimAll(*store, first.requests);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(std::count(won.begin(), won.end(), ClaimOutcome::kWon), 1000);
  const aws::HttpClientStats& http = store->http_stats();
  std::printf("[ batch ] 1000 claims in %.3f s (%.0f claims/s), peak in flight %zu, connections %llu\n", seconds,
              1000 / seconds, http.peak_in_flight, static_cast<unsigned long long>(http.connections));
  EXPECT_GE(http.peak_in_flight, 16u);
  EXPECT_LE(http.peak_in_flight, 32u);
  EXPECT_LE(http.connections, 40u);  // reused, not one per request
  // The same records again: all replays. Copies from other records: all duplicates.
  const std::vector<ClaimOutcome> again = ClaimAll(*store, first.requests);
  EXPECT_EQ(std::count(again.begin(), again.end(), ClaimOutcome::kWonOwnToken), 1000);
  Batch copies(1000, "uuid-", "shardId-1/");
  const std::vector<ClaimOutcome> lost = ClaimAll(*store, copies.requests);
  EXPECT_EQ(std::count(lost.begin(), lost.end(), ClaimOutcome::kLost), 1000);
}

// What each outcome costs, counted on the wire by the fault proxy (rules with "times": 0
// count their matches and never act): a new uuid one PutItem; a duplicate and a replay
// (of the holder or from history) PutItem + GetItem; a takeover PutItem + GetItem +
// UpdateItem.
TEST(DynamoDbBedTest, RequestsPerOutcome) {
  const aws::AwsConfig direct = BedConfig();
  FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  const aws::AwsConfig via_proxy = proxy.InFrontOf(direct);
  auto store = Open(TableName("cost"), via_proxy);
  ASSERT_NE(store, nullptr);
  const aws::HttpResponse set =
      proxy.Control("POST", R"({"rules":[{"match":{"target":"PutItem"},"times":0,"preset":"dynamodb-500"},)"
                            R"({"match":{"target":"UpdateItem"},"times":0,"preset":"dynamodb-500"},)"
                            R"({"match":{"target":"GetItem"},"times":0,"preset":"dynamodb-500"}]})");
  ASSERT_TRUE(set.ok()) << set.Describe() << " " << set.body;
  // {PutItem, UpdateItem, GetItem} seen by the proxy since the last call.
  std::vector<int64_t> seen(3, 0);
  auto sent = [&] {
    const aws::HttpResponse r = proxy.Control("GET");
    simdjson::dom::parser parser;
    simdjson::dom::array rules;
    std::vector<int64_t> now(3, -1), delta(3, -1);
    if (!parser.parse(r.body)["rules"].get(rules))
      for (size_t i = 0; i < 3; ++i)
        if (rules.at(i)["matched"].get(now[i])) now[i] = -1;
    for (size_t i = 0; i < 3; ++i) delta[i] = now[i] - seen[i];
    seen = now;
    return delta;
  };
  using ::testing::ElementsAre;
  EXPECT_THAT(ClaimAll(*store, {{"c-1", "a/1", 1100, 1000}}), ElementsAre(ClaimOutcome::kWon));
  EXPECT_THAT(sent(), ElementsAre(1, 0, 0));  // new uuid: one PutItem
  EXPECT_THAT(ClaimAll(*store, {{"c-1", "b/1", 1150, 1050}}), ElementsAre(ClaimOutcome::kLost));
  EXPECT_THAT(sent(), ElementsAre(1, 0, 1));  // duplicate
  EXPECT_THAT(ClaimAll(*store, {{"c-1", "a/1", 1100, 1000}}), ElementsAre(ClaimOutcome::kWonOwnToken));
  EXPECT_THAT(sent(), ElementsAre(1, 0, 1));  // replay of the holder
  EXPECT_THAT(ClaimAll(*store, {{"c-1", "b/2", 1300, 1200}}), ElementsAre(ClaimOutcome::kWonExpired));
  EXPECT_THAT(sent(), ElementsAre(1, 1, 1));  // takeover
  EXPECT_THAT(ClaimAll(*store, {{"c-1", "a/1", 1100, 1000}}), ElementsAre(ClaimOutcome::kWonOwnToken));
  EXPECT_THAT(sent(), ElementsAre(1, 0, 1));  // replay after the takeover: from history
  Batch fresh(200, "c-fresh-", "a/");
  const std::vector<ClaimOutcome> won = ClaimAll(*store, fresh.requests);
  EXPECT_EQ(std::count(won.begin(), won.end(), ClaimOutcome::kWon), 200);
  EXPECT_THAT(sent(), ElementsAre(200, 0, 0));
  EXPECT_EQ(store->stats().put_requests, 205u);
  EXPECT_EQ(store->stats().get_requests, 4u);
  EXPECT_EQ(store->stats().update_requests, 1u);
  EXPECT_EQ(store->stats().update_conflicts, 0u);
  EXPECT_EQ(store->stats().retries, 0u);
}

// Claims `in` while the proxy holds the first `operation` request back (delay_request_ms),
// running `meanwhile` once it is held: another worker's write or a deletion between two of
// the claim's requests. Returns the claim's status; `held` says whether it was.
Status ClaimWhileHeld(DynamoDbClaimStore& store, FaultProxy& proxy, const std::string& operation,
                      const std::vector<ClaimRequest>& in, std::vector<ClaimOutcome>& out,
                      const std::function<void()>& meanwhile, bool& held) {
  held = false;
  const aws::HttpResponse set = proxy.Control(
      "POST", R"({"rules":[{"match":{"target":")" + operation + R"("},"times":1,"delay_request_ms":2000}]})");
  if (!set.ok()) return Status::Error("fault proxy rules: " + set.Describe() + " " + set.body);
  Status claimed;
  std::thread claimer([&] { claimed = store.Claim(in, out); });
  for (int i = 0; i < 200 && !held; ++i) {
    simdjson::dom::parser parser;
    int64_t matched = 0;
    held = !parser.parse(proxy.Control("GET").body)["rules"].at(0)["matched"].get(matched) && matched >= 1;
    if (!held) std::this_thread::sleep_for(milliseconds(10));
  }
  if (held) meanwhile();
  claimer.join();
  return claimed;
}

// The item a PutItem met is deleted (as by TTL) before the GetItem, and an expired item the
// GetItem saw before the UpdateItem: dynalite fails the UpdateItem's condition on the missing
// item (it does not create one), the GetItem finds nothing, and the claim starts over with a
// PutItem, which wins. The proxy holds the request back until the item is gone.
TEST(DynamoDbBedTest, AnItemDeletedMidClaimIsClaimedAgain) {
  const aws::AwsConfig direct = BedConfig();
  FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  const aws::AwsConfig via_proxy = proxy.InFrontOf(direct);
  const std::string table = TableName("vanish");
  auto store = Open(table, via_proxy);
  ASSERT_NE(store, nullptr);
  ASSERT_THAT(ClaimAll(*store, {{"e-gone", "old/1", 9000, 100}, {"e-gone-2", "old/2", 150, 100}}),
              ::testing::ElementsAre(ClaimOutcome::kWon, ClaimOutcome::kWon));
  auto erase = [&](const std::string& uuid) {
    const aws::HttpResponse del =
        Raw(direct, "DeleteItem", R"({"TableName":")" + table + R"(","Key":{"uuid":{"S":")" + uuid + R"("}}})");
    EXPECT_TRUE(del.ok()) << aws::DescribeDynamoDbError(del);
  };
  std::vector<ClaimOutcome> out(1);
  bool held = false;
  // old/1 is live at 200: the claim would lose. Deleted before the GetItem.
  Status claimed = ClaimWhileHeld(
      *store, proxy, "GetItem", {{"e-gone", "new/1", 9100, 200}}, out, [&] { erase("e-gone"); }, held);
  ASSERT_TRUE(held) << "the GetItem never reached the proxy";
  ASSERT_TRUE(claimed.ok()) << claimed.message();
  EXPECT_EQ(out[0], ClaimOutcome::kWon);
  EXPECT_EQ(store->stats().put_again, 1u);
  EXPECT_EQ(store->stats().put_requests, 4u);  // the seed batch (2), the first try, the second
  EXPECT_EQ(store->stats().get_requests, 1u);
  EXPECT_EQ(store->stats().update_requests, 0u);
  EXPECT_THAT(StoredClaims(direct, table, "e-gone"), ::testing::ElementsAre("new/1"));
  // old/2 (150) expired at 300: a takeover. Deleted before the UpdateItem.
  claimed = ClaimWhileHeld(
      *store, proxy, "UpdateItem", {{"e-gone-2", "new/2", 9100, 300}}, out, [&] { erase("e-gone-2"); }, held);
  ASSERT_TRUE(held) << "the UpdateItem never reached the proxy";
  ASSERT_TRUE(claimed.ok()) << claimed.message();
  EXPECT_EQ(out[0], ClaimOutcome::kWon);
  EXPECT_EQ(store->stats().put_again, 2u);
  EXPECT_EQ(store->stats().put_requests, 6u);
  EXPECT_EQ(store->stats().get_requests, 3u);
  EXPECT_EQ(store->stats().update_requests, 1u);
  EXPECT_EQ(store->stats().update_conflicts, 1u);  // the condition failed on the missing item
  EXPECT_THAT(StoredClaims(direct, table, "e-gone-2"), ::testing::ElementsAre("new/2"));
}

// Two workers take the same expired claim over at once: the one whose UpdateItem comes
// second fails its condition (the claim is live again at its watermark), reads the claim
// again and loses. The proxy holds that UpdateItem back while the other worker, straight
// to dynalite, takes the claim over.
TEST(DynamoDbBedTest, ATakeoverRaceIsDecidedByTheCondition) {
  const aws::AwsConfig direct = BedConfig();
  FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  const aws::AwsConfig via_proxy = proxy.InFrontOf(direct);
  const std::string table = TableName("race");
  auto slow = Open(table, via_proxy);
  auto fast = Open(table, direct);
  ASSERT_NE(slow, nullptr);
  ASSERT_NE(fast, nullptr);
  ASSERT_THAT(ClaimAll(*fast, {{"e-race", "old/1", 1100, 1000}}), ::testing::ElementsAre(ClaimOutcome::kWon));
  std::vector<ClaimOutcome> out(1);
  bool held = false;
  // Both see old/1 expired (1100 < 1200, < 1300); the fast one's claim (1400) is live at 1200.
  const Status claimed = ClaimWhileHeld(
      *slow, proxy, "UpdateItem", {{"e-race", "a/1", 1300, 1200}}, out,
      [&] {
        EXPECT_THAT(ClaimAll(*fast, {{"e-race", "b/1", 1400, 1300}}),
                    ::testing::ElementsAre(ClaimOutcome::kWonExpired));
      },
      held);
  ASSERT_TRUE(held) << "the UpdateItem never reached the proxy";
  ASSERT_TRUE(claimed.ok()) << claimed.message();
  EXPECT_EQ(out[0], ClaimOutcome::kLost);
  EXPECT_EQ(slow->stats().put_requests, 1u);
  EXPECT_EQ(slow->stats().get_requests, 2u);  // before the UpdateItem and after its failed condition
  EXPECT_EQ(slow->stats().update_requests, 1u);
  EXPECT_EQ(slow->stats().update_conflicts, 1u);
  EXPECT_THAT(StoredClaims(direct, table, "e-race"), ::testing::ElementsAre("b/1", "old/1"));
}

TEST(DynamoDbBedTest, ThrottlingIsRetriedCountedAndChangesNoOutcome) {
  const aws::AwsConfig direct = BedConfig();
  FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  const aws::AwsConfig via_proxy = proxy.InFrontOf(direct);
  const std::string table = TableName("faults");
  auto store = Open(table, via_proxy);
  ASSERT_NE(store, nullptr);
  // Seed: half the uuids held by other records (live), a quarter by expired claims.
  Batch seed_live(100, "f-", "other/");
  std::vector<ClaimRequest> seed;
  for (int i = 0; i < 100; ++i) {
    if (i % 4 == 0) continue;                                                             // absent
    if (i % 4 == 1) seed.push_back({seed_live.uuids[i], seed_live.tokens[i], 100, 50});   // expired later
    if (i % 4 >= 2) seed.push_back({seed_live.uuids[i], seed_live.tokens[i], 9000, 50});  // live
  }
  ClaimAll(*store, seed);
  // Then the batch under test (100 PutItems, 75 GetItems for the existing uuids, 25
  // UpdateItems for the expired ones), with throttling on its PutItems, throttling and 5xx
  // on its UpdateItems, and throttling on its GetItems.
  const aws::HttpResponse set = proxy.Control(
      "POST", R"({"rules":[{"match":{"target":"PutItem"},"skip":3,"times":35,"preset":"dynamodb-throttle"},)"
              R"({"match":{"target":"UpdateItem"},"skip":5,"times":5,"preset":"dynamodb-request-limit"},)"
              R"({"match":{"target":"UpdateItem"},"skip":15,"times":5,"preset":"dynamodb-500"},)"
              R"({"match":{"target":"GetItem"},"skip":10,"times":10,"preset":"dynamodb-throttle"}]})");
  ASSERT_TRUE(set.ok()) << set.Describe() << " " << set.body;
  const int64_t injected_before = proxy.Total("injected");
  const uint64_t retries_before = store->stats().retries;
  Batch mine(100, "f-", "mine/");
  for (auto& r : mine.requests) r.watermark = 1000;  // the expired seeds (100) are dead at 1000
  const std::vector<ClaimOutcome> out = ClaimAll(*store, mine.requests);
  const int64_t injected = proxy.Total("injected") - injected_before;
  const uint64_t retries = store->stats().retries - retries_before;
  std::printf("[ faults ] injected %lld error answers, client retries %llu\n", static_cast<long long>(injected),
              static_cast<unsigned long long>(retries));
  EXPECT_EQ(injected, 55);
  EXPECT_EQ(retries, static_cast<uint64_t>(injected));
  for (int i = 0; i < 100; ++i) {
    const ClaimOutcome want = i % 4 == 0   ? ClaimOutcome::kWon
                              : i % 4 == 1 ? ClaimOutcome::kWonExpired
                                           : ClaimOutcome::kLost;
    EXPECT_EQ(out[i], want) << "claim " << i;
  }
  // The same batch without faults, straight to dynalite: replays of the winners, the
  // same losers.
  auto plain = Open(table, direct);
  ASSERT_NE(plain, nullptr);
  const std::vector<ClaimOutcome> replay = ClaimAll(*plain, mine.requests);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(replay[i], Won(out[i]) ? ClaimOutcome::kWonOwnToken : ClaimOutcome::kLost) << "claim " << i;
  EXPECT_EQ(plain->stats().retries, 0u);
}

TEST(DynamoDbBedTest, ClaimThroughput) {
  const aws::AwsConfig config = BedConfig();
  const char* env = std::getenv("DYNAMODB_BENCH_CLAIMS");
  const int n = env != nullptr ? std::atoi(env) : 4000;
  const size_t in_flight =
      std::getenv("DYNAMODB_BENCH_IN_FLIGHT") ? std::atoi(std::getenv("DYNAMODB_BENCH_IN_FLIGHT")) : 32;
  auto store = Open(TableName("bench"), config, Http(in_flight));
  ASSERT_NE(store, nullptr);
  Batch all(n, "bench-uuid-", "shardId-000000000000/4959033827149025660855969253836157109592157598913658");
  constexpr int kBatch = 1000;
  auto cpu = [] {
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  };
  const double cpu0 = cpu();
  const auto t0 = std::chrono::steady_clock::now();
  for (int at = 0; at < n; at += kBatch) {
    const int len = std::min(kBatch, n - at);
    std::vector<ClaimOutcome> out(len);
    const Status s = store->Claim(std::span(all.requests).subspan(at, len), out);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const double client_cpu = cpu() - cpu0;
  const DynamoDbClaimStats& st = store->stats();
  EXPECT_EQ(st.won, static_cast<uint64_t>(n));
  EXPECT_EQ(st.put_requests, static_cast<uint64_t>(n));  // fresh uuids: one PutItem each, nothing else
  EXPECT_EQ(st.update_requests + st.get_requests, 0u);
  std::printf(
      "[ bench ] %d claims (conditional PutItem first), batches of %d, %zu in flight: %.2f s, %.0f claims/s, "
      "client CPU %.0f%%, peak in flight %zu, requests put/update/get %llu/%llu/%llu, retries %llu\n",
      n, kBatch, in_flight, seconds, n / seconds, 100 * client_cpu / seconds, store->http_stats().peak_in_flight,
      static_cast<unsigned long long>(st.put_requests), static_cast<unsigned long long>(st.update_requests),
      static_cast<unsigned long long>(st.get_requests), static_cast<unsigned long long>(st.retries));
}

}  // namespace
}  // namespace eventlake::dynamodb
