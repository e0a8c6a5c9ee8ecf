// Shard leases (sources/kinesis/lease_table) against dynalite from the local AWS bed
// (tests/awsbed): real conditional writes. Run under `tests/awsbed/bed.sh run DIR --
// lease_bed_test` (ctest does), which exports AWS_ENDPOINT_URL_DYNAMODB and credentials.
// The fault proxy (tests/awsbed/fault_proxy.mjs) is started here, tied to this process by
// its stdin, to lose answers of writes that were applied.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "aws_bed.h"
#include "sources/kinesis/lease_table.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake::kinesis {
namespace {

using ::eventlake::awsbed::BedConfig;
using std::chrono::milliseconds;
using ::testing::HasSubstr;

std::string TableName(const std::string& what) { return "leases-" + what + "-" + std::to_string(::getpid()); }

LeaseTableOptions Options(const std::string& table) {
  LeaseTableOptions o;
  o.table = table;
  o.create_table = true;
  o.poll_interval = milliseconds(20);  // the bed's tables turn ACTIVE after 10 ms
  return o;
}

// One worker's view: its own client and LeaseTable on the shared table.
struct Worker {
  Worker(const aws::AwsConfig& config, const std::string& table, LeaseTableOptions o = {})
      : client(config, awsbed::BedHttp(16)), leases(config, client, o.table.empty() ? Options(table) : o) {}
  aws::HttpClient client;
  LeaseTable leases;

  Lease Get(const std::string& stream, const std::string& shard) {
    Result<std::vector<Lease>> all = leases.List(stream);
    EXPECT_TRUE(all.ok()) << all.status().message();
    if (all.ok())
      for (Lease& l : *all)
        if (l.shard_id == shard) return l;
    ADD_FAILURE() << "no lease " << stream << "/" << shard;
    return {};
  }
};

Lease NewLease(const std::string& stream, const std::string& shard) {
  Lease l;
  l.stream = stream;
  l.shard_id = shard;
  return l;
}

// Unwraps a conditional answer, failing the test on an error.
bool Ok(Result<bool> r) {
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() && *r;
}

TEST(LeaseBedTest, MissingTableIsAClearErrorThenCreated) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("ensure");
  LeaseTableOptions o = Options(table);
  o.create_table = false;
  Worker no_create(config, table, o);
  const Status missing = no_create.leases.EnsureTable();
  EXPECT_THAT(missing.message(), HasSubstr("DynamoDB table '" + table + "' at " + config.dynamodb_endpoint +
                                           " does not exist: create it (hash key 'lease' of type S) or pass "
                                           "--create-tables"));
  Worker a(config, table);
  ASSERT_TRUE(a.leases.EnsureTable().ok());
  ASSERT_TRUE(no_create.leases.EnsureTable().ok());  // exists now: nothing to create
  EXPECT_TRUE(a.leases.List("orders")->empty());
}

TEST(LeaseBedTest, TheLoserOfALeaseIsFencedOut) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("fight");
  Worker a(config, table), b(config, table);
  ASSERT_TRUE(a.leases.EnsureTable().ok());
  EXPECT_TRUE(Ok(a.leases.Create(NewLease("orders", "shardId-000000000000"))));
  EXPECT_FALSE(Ok(b.leases.Create(NewLease("orders", "shardId-000000000000"))));  // exists: false

  Lease mine = a.Get("orders", "shardId-000000000000");
  Lease stale_b = b.Get("orders", "shardId-000000000000");  // read while free
  ASSERT_TRUE(Ok(a.leases.Take(mine, "worker-a")));
  EXPECT_EQ(mine.owner, "worker-a");
  EXPECT_EQ(mine.counter, 1u);
  EXPECT_FALSE(Ok(b.leases.Take(stale_b, "worker-b")));  // a took it since b read it
  ASSERT_TRUE(Ok(a.leases.RecordIntent(mine, "", "100")));
  ASSERT_TRUE(Ok(a.leases.Checkpoint(mine, "100", 1700000000, false)));
  Lease* one[] = {&mine};
  std::vector<Result<bool>> renewed = a.leases.Renew(one);
  ASSERT_TRUE(Ok(renewed[0]));
  EXPECT_EQ(mine.counter, 2u);

  // b decides a is dead and takes the lease from what it reads now.
  Lease theirs = b.Get("orders", "shardId-000000000000");
  EXPECT_EQ(theirs, mine);
  ASSERT_TRUE(Ok(b.leases.Take(theirs, "worker-b")));
  EXPECT_EQ(theirs.owner, "worker-b");
  EXPECT_EQ(theirs.counter, 3u);
  EXPECT_EQ(theirs.checkpoint, "100");
  EXPECT_EQ(theirs.epoch, 1u);

  // Every write of a's from now on is refused, and changes nothing.
  renewed = a.leases.Renew(one);
  EXPECT_FALSE(Ok(renewed[0]));
  EXPECT_FALSE(Ok(a.leases.RecordIntent(mine, "101", "200")));
  EXPECT_FALSE(Ok(a.leases.Checkpoint(mine, "200", 1700000100, true)));
  EXPECT_FALSE(Ok(a.leases.Release(mine)));
  EXPECT_FALSE(Ok(a.leases.Take(mine, "worker-a")));  // with its old copy
  EXPECT_EQ(a.Get("orders", "shardId-000000000000"), theirs);

  // b publishes an epoch: intent, then checkpoint (which clears the intent, bumps the epoch).
  ASSERT_TRUE(Ok(b.leases.RecordIntent(theirs, "201", "300")));
  const Lease intent = a.Get("orders", "shardId-000000000000");
  EXPECT_EQ(intent.intent_first, "201");
  EXPECT_EQ(intent.intent_last, "300");
  ASSERT_TRUE(Ok(b.leases.Checkpoint(theirs, "300", 1700000200, false)));
  Lease stored = a.Get("orders", "shardId-000000000000");
  EXPECT_EQ(stored, theirs);
  EXPECT_EQ(stored.intent_first, "");
  EXPECT_EQ(stored.intent_last, "");
  EXPECT_EQ(stored.checkpoint, "300");
  EXPECT_EQ(stored.watermark, 1700000200);
  EXPECT_EQ(stored.epoch, 2u);
  EXPECT_EQ(stored.counter, 3u);  // intent and checkpoint do not move the counter

  // Released: free (no owner attribute), and a may take it again from a fresh read.
  ASSERT_TRUE(Ok(b.leases.Release(theirs)));
  Lease free = a.Get("orders", "shardId-000000000000");
  EXPECT_EQ(free.owner, "");
  EXPECT_EQ(free.counter, 4u);
  EXPECT_FALSE(Ok(a.leases.Take(mine, "worker-a")));
  ASSERT_TRUE(Ok(a.leases.Take(free, "worker-a")));
  EXPECT_EQ(free.counter, 5u);
  EXPECT_EQ(free.checkpoint, "300");
  EXPECT_EQ(a.leases.retries() + b.leases.retries(), 0u);
}

TEST(LeaseBedTest, EmptyAndFullLeasesRoundTrip) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("roundtrip");
  Worker w(config, table);
  ASSERT_TRUE(w.leases.EnsureTable().ok());
  const Lease empty = NewLease("orders", "shardId-000000000001");
  Lease full = NewLease("orders", "shardId-000000000002");
  full.owner = "worker-x";
  full.counter = 41;
  full.checkpoint = "49590338271490256608559692538361571095921575989136588898";
  full.watermark = -12;
  full.epoch = 9;
  full.finished = true;
  full.intent_first = "49590338271490256608559692538361571095921575989136589000";
  full.intent_last = "49590338271490256608559692538361571095921575989136589999";
  ASSERT_TRUE(Ok(w.leases.Create(empty)));
  ASSERT_TRUE(Ok(w.leases.Create(full)));
  Result<std::vector<Lease>> all = w.leases.List("orders");
  ASSERT_TRUE(all.ok()) << all.status().message();
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0], empty);
  EXPECT_EQ((*all)[1], full);
  // A checkpoint with no sequence number (a closed shard that had no records) removes it.
  Lease held = full;
  ASSERT_TRUE(Ok(w.leases.Checkpoint(held, "", 5, true)));
  EXPECT_EQ(w.Get("orders", "shardId-000000000002"), held);
  EXPECT_EQ(held.checkpoint, "");
  // An intent set and removed again.
  ASSERT_TRUE(Ok(w.leases.RecordIntent(held, "6", "7")));
  EXPECT_EQ(w.Get("orders", "shardId-000000000002"), held);
  ASSERT_TRUE(Ok(w.leases.RecordIntent(held, "", "8")));  // intent_first removed
  EXPECT_EQ(w.Get("orders", "shardId-000000000002"), held);
  EXPECT_EQ(held.intent_first, "");
  ASSERT_TRUE(Ok(w.leases.RecordIntent(held, "", "")));
  EXPECT_EQ(w.Get("orders", "shardId-000000000002"), held);
}

TEST(LeaseBedTest, ListReadsEveryPageOfItsStreamOnly) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("pages");
  LeaseTableOptions o = Options(table);
  o.scan_page_limit = 2;
  Worker w(config, table, o);
  ASSERT_TRUE(w.leases.EnsureTable().ok());
  for (int i = 6; i >= 0; --i)
    ASSERT_TRUE(Ok(w.leases.Create(NewLease("orders", "shardId-00000000000" + std::to_string(i)))));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Ok(w.leases.Create(NewLease("orders-2", "shardId-" + std::to_string(i)))));
  const uint64_t before = w.client.stats().requests;
  Result<std::vector<Lease>> orders = w.leases.List("orders");
  ASSERT_TRUE(orders.ok()) << orders.status().message();
  ASSERT_EQ(orders->size(), 7u);
  for (int i = 0; i < 7; ++i) EXPECT_EQ((*orders)[i].shard_id, "shardId-00000000000" + std::to_string(i));
  EXPECT_GE(w.client.stats().requests - before, 5u);  // 10 items, 2 per page
  Result<std::vector<Lease>> other = w.leases.List("orders-2");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->size(), 3u);
  EXPECT_TRUE(w.leases.List("order")->empty());  // a prefix of a stream name is another stream
}

TEST(LeaseBedTest, RenewManyAtOnceAnswersEachLease) {
  const aws::AwsConfig config = BedConfig();
  const std::string table = TableName("renew");
  Worker a(config, table), b(config, table);
  ASSERT_TRUE(a.leases.EnsureTable().ok());
  std::vector<Lease> held;
  for (int i = 0; i < 20; ++i) {
    Lease l = NewLease("orders", "shard-" + std::to_string(100 + i));
    ASSERT_TRUE(Ok(a.leases.Create(l)));
    ASSERT_TRUE(Ok(a.leases.Take(l, "worker-a")));
    held.push_back(l);
  }
  // b takes every fourth one.
  for (int i = 0; i < 20; i += 4) {
    Lease l = b.Get("orders", held[i].shard_id);
    ASSERT_TRUE(Ok(b.leases.Take(l, "worker-b")));
  }
  std::vector<Lease*> ptrs;
  for (Lease& l : held) ptrs.push_back(&l);
  std::vector<Result<bool>> out = a.leases.Renew(ptrs);
  ASSERT_EQ(out.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(out[i].ok()) << out[i].status().message();
    EXPECT_EQ(*out[i], i % 4 != 0) << i;
    EXPECT_EQ(held[i].counter, i % 4 != 0 ? 2u : 1u) << i;
  }
  EXPECT_GT(a.client.stats().peak_in_flight, 1u);
}

// The first attempt of each write is applied but its answer lost (the proxy forwards it,
// then closes the connection); the request is sent again, and that second attempt must
// find the state the first one produced and succeed, not report the lease lost (with
// the plain "owner and counter as read" condition, Take, Renew and Release would).
TEST(LeaseBedTest, ARetryOfAnAppliedWriteSucceeds) {
  const aws::AwsConfig direct = BedConfig();
  awsbed::FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  const aws::AwsConfig via_proxy = proxy.InFrontOf(direct);
  const std::string table = TableName("lost-answers");
  Worker w(via_proxy, table), check(direct, table);
  ASSERT_TRUE(w.leases.EnsureTable().ok());
  ASSERT_TRUE(Ok(w.leases.Create(NewLease("orders", "s0"))));
  Lease lease = check.Get("orders", "s0");
  auto lose_next_answer = [&] {
    const aws::HttpResponse set =
        proxy.Control("POST", R"({"rules":[{"match":{"target":"UpdateItem"},"times":1,"drop_after_forward":true}]})");
    ASSERT_TRUE(set.ok()) << set.Describe() << " " << set.body;
  };
  // Each write reached dynalite twice: the lost attempt and its resend (by curl, which
  // resends a request that got no answer on a reused connection, or by the client's retry).
  int64_t forwarded = proxy.Total("forwarded");
  auto expect_sent_twice = [&](const char* what) {
    const int64_t now = proxy.Total("forwarded");
    EXPECT_EQ(now - forwarded, 2) << what;
    forwarded = now;
    EXPECT_EQ(check.Get("orders", "s0"), lease) << what;
  };
  lose_next_answer();
  ASSERT_TRUE(Ok(w.leases.Take(lease, "worker-a")));
  EXPECT_EQ(lease.counter, 1u);
  expect_sent_twice("Take");
  lose_next_answer();
  Lease* one[] = {&lease};
  std::vector<Result<bool>> renewed = w.leases.Renew(one);
  ASSERT_TRUE(Ok(renewed[0]));
  EXPECT_EQ(lease.counter, 2u);  // stored once, not twice
  expect_sent_twice("Renew");
  lose_next_answer();
  ASSERT_TRUE(Ok(w.leases.RecordIntent(lease, "5", "10")));
  expect_sent_twice("RecordIntent");
  lose_next_answer();
  ASSERT_TRUE(Ok(w.leases.Checkpoint(lease, "10", 1700000000, false)));
  EXPECT_EQ(lease.epoch, 1u);  // stored once, not twice
  expect_sent_twice("Checkpoint");
  lose_next_answer();
  ASSERT_TRUE(Ok(w.leases.Release(lease)));
  EXPECT_EQ(lease.counter, 3u);
  expect_sent_twice("Release");
}

}  // namespace
}  // namespace eventlake::kinesis
