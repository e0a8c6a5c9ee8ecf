// The DynamoDB claim store against dynalite from the local AWS bed (tests/awsbed):
// run under `tests/awsbed/bed.sh run DIR -- dynamodb_bed_test` (ctest does), which
// exports AWS_ENDPOINT_URL_DYNAMODB and credentials. The fault proxy
// (tests/awsbed/fault_proxy.mjs) is started here, tied to this process by its stdin.
//
// DYNAMODB_BENCH_CLAIMS=N makes ClaimThroughput claim N uuids (default 4000) and print
// claims/s (tests/integration/dynamodb_bench.sh compares that with ceilings.py).
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <simdjson.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "dedup/dynamodb/dynamodb_claim_store.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

#ifndef AWSBED_DIR
#error "AWSBED_DIR must point at tests/awsbed"
#endif

namespace eventlake::dynamodb {
namespace {

using std::chrono::milliseconds;
using ::testing::HasSubstr;

aws::AwsConfig BedConfig() {
  Result<aws::AwsConfig> c = aws::LoadAwsConfig(aws::ProcessEnv());
  if (!c.ok() || std::getenv("AWS_ENDPOINT_URL_DYNAMODB") == nullptr) {
    ADD_FAILURE() << "run under tests/awsbed/bed.sh run DIR -- ... (" << c.status().message() << ")";
    return {};
  }
  return *c;
}

DynamoDbClaimStoreOptions Options() {
  DynamoDbClaimStoreOptions o;
  o.create_table = true;
  o.poll_interval = milliseconds(20);  // the bed's tables turn ACTIVE after 10 ms
  return o;
}

aws::HttpClientOptions Http(size_t in_flight = 32) {
  aws::HttpClientOptions h;
  h.max_in_flight = in_flight;
  h.retry = {.max_attempts = 8, .base = milliseconds(5), .cap = milliseconds(100)};
  return h;
}

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

TEST(DynamoDbBedTest, MissingTableIsAClearError) {
  const aws::AwsConfig config = BedConfig();
  DynamoDbClaimStoreOptions o = Options();
  o.create_table = false;
  auto store = MakeDynamoDbClaimStore("dynamodb://" + TableName("missing"), config, o);
  ASSERT_FALSE(store.ok());
  EXPECT_THAT(store.status().message(), HasSubstr("does not exist"));
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
  // Expired (1100 < 1101): taken over; afterwards the old holder's copy loses.
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/2", 1201, 1101}}), ::testing::ElementsAre(ClaimOutcome::kWonExpired));
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "a/1", 1100, 1000}}), ::testing::ElementsAre(ClaimOutcome::kLost));
  EXPECT_THAT(ClaimAll(*store, {{"e-2", "b/2", 1201, 1101}}), ::testing::ElementsAre(ClaimOutcome::kWonOwnToken));
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

// node fault_proxy.mjs in front of dynalite; stdin is a pipe held here, so the proxy
// exits when this process does, however it ends.
class FaultProxy {
 public:
  explicit FaultProxy(const std::string& target) {
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      const std::string script = std::string(AWSBED_DIR) + "/fault_proxy.mjs";
      execlp("node", "node", script.c_str(), "--target", target.c_str(), "--exit-on-stdin-eof",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    FILE* f = fdopen(out[0], "r");
    char line[1024];
    if (f != nullptr && std::fgets(line, sizeof line, f) != nullptr) {
      const std::string s(line);
      const size_t at = s.find("\"url\":\"");
      if (s.rfind("ready ", 0) == 0 && at != std::string::npos) url_ = s.substr(at + 7, s.find('"', at + 7) - (at + 7));
    }
    if (f != nullptr) std::fclose(f);
  }
  ~FaultProxy() {
    if (stdin_ >= 0) close(stdin_);  // EOF: the proxy exits
    if (pid_ > 0) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == 0) {
        kill(pid_, SIGTERM);
        waitpid(pid_, &status, 0);
      }
    }
  }
  const std::string& url() const { return url_; }

  aws::HttpResponse Control(const std::string& method, const std::string& body = "") {
    aws::HttpClient client(aws::Credentials{}, "us-east-1");
    aws::HttpRequest r;
    r.method = method;
    r.url = url_ + "/__faults";
    r.body = body;
    std::vector<aws::HttpRequest> one;
    one.push_back(std::move(r));
    return std::move(client.Run(std::move(one)).front());
  }
  int64_t Injected() {
    const aws::HttpResponse r = Control("GET");
    simdjson::dom::parser parser;
    int64_t n = -1;
    if (parser.parse(r.body)["totals"]["injected"].get(n)) return -1;
    return n;
  }

 private:
  pid_t pid_ = -1;
  int stdin_ = -1;
  std::string url_;
};

TEST(DynamoDbBedTest, ThrottlingIsRetriedCountedAndChangesNoOutcome) {
  const aws::AwsConfig direct = BedConfig();
  FaultProxy proxy(direct.dynamodb_endpoint);
  ASSERT_FALSE(proxy.url().empty()) << "fault proxy did not start";
  aws::AwsConfig via_proxy = direct;
  via_proxy.dynamodb_endpoint = proxy.url();
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
  // Then the batch under test, with throttling and 5xx injected on its PutItems.
  const aws::HttpResponse set = proxy.Control(
      "POST", R"({"rules":[{"match":{"target":"PutItem"},"skip":3,"times":40,"preset":"dynamodb-throttle"},)"
              R"({"match":{"target":"PutItem"},"skip":60,"times":5,"preset":"dynamodb-request-limit"},)"
              R"({"match":{"target":"PutItem"},"skip":80,"times":5,"preset":"dynamodb-500"}]})");
  ASSERT_TRUE(set.ok()) << set.Describe() << " " << set.body;
  const int64_t injected_before = proxy.Injected();
  const uint64_t retries_before = store->stats().retries;
  Batch mine(100, "f-", "mine/");
  for (auto& r : mine.requests) r.watermark = 1000;  // the expired seeds (100) are dead at 1000
  const std::vector<ClaimOutcome> out = ClaimAll(*store, mine.requests);
  const int64_t injected = proxy.Injected() - injected_before;
  const uint64_t retries = store->stats().retries - retries_before;
  std::printf("[ faults ] injected %lld error answers, client retries %llu\n", static_cast<long long>(injected),
              static_cast<unsigned long long>(retries));
  EXPECT_EQ(injected, 50);
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
  EXPECT_EQ(store->stats().won, static_cast<uint64_t>(n));
  std::printf(
      "[ bench ] %d claims (conditional PutItem), batches of %d, %zu in flight: %.2f s, %.0f claims/s, "
      "client CPU %.0f%%, peak in flight %zu, retries %llu\n",
      n, kBatch, in_flight, seconds, n / seconds, 100 * client_cpu / seconds, store->http_stats().peak_in_flight,
      static_cast<unsigned long long>(store->stats().retries));
}

}  // namespace
}  // namespace eventlake::dynamodb
