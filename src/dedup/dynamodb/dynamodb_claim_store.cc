#include "dedup/dynamodb/dynamodb_claim_store.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

#include "store/aws/json_request.h"

namespace eventlake::dynamodb {
namespace {

constexpr size_t kNone = static_cast<size_t>(-1);

int64_t SystemEpochSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

// One Claim() call while its requests are in flight.
struct DynamoDbClaimStore::Batch {
  std::span<const ClaimRequest> in;
  std::span<ClaimOutcome> out;
  std::vector<size_t> next_same;  // the next request for the same uuid, or kNone
  int64_t now = 0;
  Status error;
};

DynamoDbClaimStore::DynamoDbClaimStore(const aws::AwsConfig& config, aws::HttpClient& client,
                                       DynamoDbClaimStoreOptions options)
    : config_(config), client_(client), options_(std::move(options)) {
  if (!options_.wall_clock) options_.wall_clock = SystemEpochSeconds;
  if (!options_.sleep) options_.sleep = aws::RealSleeper();
}

DynamoDbClaimStore::DynamoDbClaimStore(const aws::AwsConfig& config, std::unique_ptr<aws::HttpClient> client,
                                       DynamoDbClaimStoreOptions options)
    : DynamoDbClaimStore(config, *client, std::move(options)) {
  owned_client_ = std::move(client);
}

aws::HttpResponse DynamoDbClaimStore::Call(std::string_view operation, std::string body) {
  aws::HttpRequest req = aws::MakeJsonRequest(config_, aws::Service::kDynamoDb, operation, std::move(body));
  req.timeout = options_.request_timeout;
  std::vector<aws::HttpRequest> one;
  one.push_back(std::move(req));
  aws::HttpResponse resp = std::move(client_.Run(std::move(one)).front());
  stats_.retries += static_cast<uint64_t>(resp.retries);
  return resp;
}

Status DynamoDbClaimStore::EnsureTable() {
  const std::string& table = options_.table;
  const std::string where = "DynamoDB table '" + table + "' at " + config_.dynamodb_endpoint;
  const int64_t max_polls =
      std::max<int64_t>(1, options_.table_wait.count() / std::max<int64_t>(1, options_.poll_interval.count()));
  bool created = false;
  for (int64_t poll = 0;; ++poll) {
    const aws::HttpResponse resp = Call("DescribeTable", DescribeTableBody(table));
    if (resp.ok()) {
      Result<TableDescription> d = ParseDescribeTable(resp.body);
      if (!d.ok()) return d.status().Context(where);
      if (d->hash_key != kUuidAttr || d->hash_key_type != "S" || d->has_range_key)
        return Status::Error(where + " has hash key '" + d->hash_key + "' (" + d->hash_key_type + ")" +
                             (d->has_range_key ? " and a range key" : "") +
                             "; a claim table needs hash key 'uuid' of type S and no range key");
      if (d->status == "ACTIVE") break;
      if (d->status == "DELETING") return Status::Error(where + " is being deleted");
    } else if (resp.error_code == "ResourceNotFoundException") {
      if (!created) {
        if (!options_.create_table)
          return Status::Error(where + " does not exist: create it (hash key 'uuid', type S) or enable table creation");
        const aws::HttpResponse c = Call("CreateTable", CreateTableBody(table));
        // Another worker creating it at the same time is fine: wait for it like ours.
        if (!c.ok() && c.error_code != "ResourceInUseException")
          return Status::Error("creating " + where + ": " + DescribeError(c));
        created = true;
        continue;
      }
      // Just created: DescribeTable may not see it yet (eventual consistency); poll on.
    } else {
      return Status::Error("DescribeTable on " + where + ": " + DescribeError(resp));
    }
    if (poll >= max_polls)
      return Status::Error(where + " is not ACTIVE after " + std::to_string(options_.table_wait.count()) + " ms");
    options_.sleep(options_.poll_interval);
  }
  if (created) {
    const aws::HttpResponse ttl = Call("UpdateTimeToLive", UpdateTimeToLiveBody(table));
    if (!ttl.ok())
      ttl_warning_ = "could not enable TTL on attribute '" + std::string(kTtlAttr) + "' of " + where + " (" +
                     DescribeError(ttl) + "): expired claims stay in the table (the claim condition ignores them)";
  }
  return Status::Ok();
}

Status DynamoDbClaimStore::Claim(std::span<const ClaimRequest> in, std::span<ClaimOutcome> out) {
  if (out.size() < in.size()) return Status::Error("Claim: fewer outcome slots than requests");
  Batch batch;
  batch.in = in;
  batch.out = out;
  batch.now = options_.wall_clock();
  batch.next_same.assign(in.size(), kNone);
  std::vector<size_t> first;
  first.reserve(in.size());
  {
    std::unordered_map<std::string_view, size_t> last;
    last.reserve(in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      // Checked before any request goes out: DynamoDB rejects empty keys, and an empty
      // token would make every replay look like every other one.
      if (in[i].uuid.empty() || in[i].token.empty())
        return Status::Error("Claim: request " + std::to_string(i) + " has an empty uuid or token");
      auto [it, fresh] = last.try_emplace(in[i].uuid, i);
      if (fresh) {
        first.push_back(i);
      } else {
        batch.next_same[it->second] = i;
        it->second = i;
      }
    }
  }
  for (size_t i : first) Send(batch, i);
  client_.Drain();
  return batch.error;
}

void DynamoDbClaimStore::Send(Batch& batch, size_t i) {
  const ClaimRequest& r = batch.in[i];
  const int64_t ttl = std::max(r.expires_at, batch.now) + options_.ttl_seconds;
  aws::HttpRequest req =
      aws::MakeJsonRequest(config_, aws::Service::kDynamoDb, "PutItem", PutClaimBody(options_.table, r, ttl));
  req.timeout = options_.request_timeout;
  client_.Submit(std::move(req), [this, &batch, i](const aws::HttpResponse& resp) { Answered(batch, i, resp); });
}

void DynamoDbClaimStore::Answered(Batch& batch, size_t i, const aws::HttpResponse& resp) {
  ++stats_.put_requests;
  stats_.retries += static_cast<uint64_t>(resp.retries);
  if (!batch.error.ok()) return;  // the batch failed already: keep the first error
  Result<ClaimOutcome> outcome = ParseClaimResponse(resp, batch.in[i].token, options_.table);
  if (!outcome.ok()) {
    batch.error = outcome.status();
    return;
  }
  auto count = [this](ClaimOutcome o) {
    ++stats_.claims;
    switch (o) {
      case ClaimOutcome::kWon:
        ++stats_.won;
        break;
      case ClaimOutcome::kWonExpired:
        ++stats_.won_expired;
        break;
      case ClaimOutcome::kWonOwnToken:
        ++stats_.won_own_token;
        break;
      case ClaimOutcome::kLost:
        ++stats_.lost;
        break;
    }
  };
  batch.out[i] = *outcome;
  count(*outcome);
  // Later requests for the same uuid, in input order: answer what this answer implies,
  // send the first one it does not (its callback continues the chain).
  const size_t holder = Won(*outcome) ? i : kNone;  // the item now holds in[holder]'s claim
  for (size_t j = batch.next_same[i]; j != kNone; j = batch.next_same[j]) {
    if (holder == kNone) return Send(batch, j);
    const ClaimRequest& h = batch.in[holder];
    if (batch.in[j].token == h.token) {
      batch.out[j] = ClaimOutcome::kWonOwnToken;
    } else if (h.expires_at >= batch.in[j].watermark) {
      batch.out[j] = ClaimOutcome::kLost;
    } else {
      return Send(batch, j);  // the claim made here has expired at j's watermark: j may take it over
    }
    ++stats_.decided_in_batch;
    count(batch.out[j]);
  }
}

Result<std::unique_ptr<DynamoDbClaimStore>> MakeDynamoDbClaimStore(std::string_view location,
                                                                   const aws::AwsConfig& config,
                                                                   DynamoDbClaimStoreOptions options,
                                                                   aws::HttpClientOptions http) {
  Result<std::string> table = ParseDynamoDbLocation(location);
  if (!table.ok()) return table.status();
  options.table = std::move(*table);
  auto client = std::make_unique<aws::HttpClient>(config, std::move(http));
  auto store = std::make_unique<DynamoDbClaimStore>(config, std::move(client), std::move(options));
  EL_RETURN_IF_ERROR(store->EnsureTable());
  return store;
}

}  // namespace eventlake::dynamodb
