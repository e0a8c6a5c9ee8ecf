#include "dedup/dynamodb/dynamodb_claim_store.h"

#include <algorithm>
#include <optional>
#include <unordered_map>
#include <utility>

#include "store/aws/dynamodb_table.h"
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
  std::vector<bool> put_again;    // sent back to the PutItem once already (its item vanished)
  std::vector<uint8_t> updates;   // UpdateItems sent for the claim (takeover attempts)
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

Status DynamoDbClaimStore::EnsureTable() {
  aws::DynamoDbTableSpec spec;
  spec.table = options_.table;
  spec.hash_key = std::string(kUuidAttr);  // of type S (the spec's default)
  spec.create = options_.create_table;
  spec.request_timeout = options_.request_timeout;
  spec.poll_interval = options_.poll_interval;
  spec.table_wait = options_.table_wait;
  spec.sleep = options_.sleep;
  spec.enable_ttl_attribute = std::string(kTtlAttr);
  aws::DynamoDbTableOutcome outcome;
  const Status s = aws::EnsureDynamoDbTable(client_, config_, spec, &outcome);
  stats_.retries += outcome.retries;
  if (!outcome.ttl_warning.empty())
    ttl_warning_ = outcome.ttl_warning + ": expired claims stay in the table (the claim condition ignores them)";
  return s;
}

Status DynamoDbClaimStore::Claim(std::span<const ClaimRequest> in, std::span<ClaimOutcome> out) {
  if (out.size() < in.size()) return Status::Error("Claim: fewer outcome slots than requests");
  Batch batch;
  batch.in = in;
  batch.out = out;
  batch.now = options_.wall_clock();
  batch.next_same.assign(in.size(), kNone);
  batch.put_again.assign(in.size(), false);
  batch.updates.assign(in.size(), 0);
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
  for (size_t i : first) SendPut(batch, i);
  client_.Drain();
  return batch.error;
}

void DynamoDbClaimStore::Submit(std::string_view operation, std::string body, aws::HttpClient::Callback done) {
  aws::HttpRequest req = aws::MakeJsonRequest(config_, aws::Service::kDynamoDb, operation, std::move(body));
  req.timeout = options_.request_timeout;
  client_.Submit(std::move(req), std::move(done));
}

int64_t DynamoDbClaimStore::Ttl(const Batch& batch, size_t i) const {
  return std::max(batch.in[i].expires_at, batch.now) + options_.ttl_seconds;
}

void DynamoDbClaimStore::SendPut(Batch& batch, size_t i) {
  Submit("PutItem", PutClaimBody(options_.table, batch.in[i], Ttl(batch, i)),
         [this, &batch, i](const aws::HttpResponse& resp) { PutAnswered(batch, i, resp); });
}

void DynamoDbClaimStore::PutAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp) {
  ++stats_.put_requests;
  stats_.retries += static_cast<uint64_t>(resp.retries);
  if (!batch.error.ok()) return;  // the batch failed already: keep the first error
  Result<bool> written = ParsePutResponse(resp, options_.table);
  if (!written.ok()) {
    batch.error = written.status();
    return;
  }
  if (*written) return Decided(batch, i, ClaimOutcome::kWon);
  SendGet(batch, i);  // the uuid exists: a replay, a duplicate or a takeover
}

void DynamoDbClaimStore::SendGet(Batch& batch, size_t i) {
  Submit("GetItem", ClaimGetBody(options_.table, batch.in[i].uuid),
         [this, &batch, i](const aws::HttpResponse& resp) { GetAnswered(batch, i, resp); });
}

void DynamoDbClaimStore::GetAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp) {
  ++stats_.get_requests;
  stats_.retries += static_cast<uint64_t>(resp.retries);
  if (!batch.error.ok()) return;
  Result<Found> found = ParseClaimGetResponse(resp, batch.in[i], options_.table);
  if (!found.ok()) {
    batch.error = found.status();
    return;
  }
  switch (*found) {
    case Found::kOwnToken:
      return Decided(batch, i, ClaimOutcome::kWonOwnToken);
    case Found::kOwnHistory:
      ++stats_.won_from_history;
      return Decided(batch, i, ClaimOutcome::kWonOwnToken);
    case Found::kLive:
      return Decided(batch, i, ClaimOutcome::kLost);
    case Found::kExpired:
      return SendUpdate(batch, i);
    case Found::kNoItem:
      break;
  }
  // The item the PutItem (or the UpdateItem) met is gone (TTL deletion in between): the
  // uuid is free, so the claim starts over, once. Gone a second time means something else
  // deletes claims.
  if (batch.put_again[i]) {
    batch.error = Status::Error("claim of uuid '" + ClaimKey(batch.in[i].uuid) + "' on table '" + options_.table +
                                "': its item vanished twice while claiming (deleted by something other than TTL?)");
    return;
  }
  batch.put_again[i] = true;
  ++stats_.put_again;
  SendPut(batch, i);
}

void DynamoDbClaimStore::SendUpdate(Batch& batch, size_t i) {
  ++batch.updates[i];
  Submit("UpdateItem", UpdateClaimBody(options_.table, batch.in[i], Ttl(batch, i)),
         [this, &batch, i](const aws::HttpResponse& resp) { UpdateAnswered(batch, i, resp); });
}

void DynamoDbClaimStore::UpdateAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp) {
  ++stats_.update_requests;
  stats_.retries += static_cast<uint64_t>(resp.retries);
  if (!batch.error.ok()) return;
  Result<std::optional<ClaimOutcome>> outcome = ParseUpdateResponse(resp, batch.in[i].token, options_.table);
  if (!outcome.ok()) {
    batch.error = outcome.status();
    return;
  }
  if (*outcome) return Decided(batch, i, **outcome);
  // The condition failed: another worker changed the claim since the GetItem (took it
  // over, or it vanished). Look again, a bounded number of times.
  ++stats_.update_conflicts;
  if (batch.updates[i] >= kMaxTakeovers) {
    batch.error = Status::Error("claim of uuid '" + ClaimKey(batch.in[i].uuid) + "' on table '" + options_.table +
                                "': its expired claim changed under " + std::to_string(kMaxTakeovers) +
                                " takeover attempts in a row (UpdateItem condition failed each time after a GetItem "
                                "found it expired); other workers keep taking it over");
    return;
  }
  SendGet(batch, i);
}

void DynamoDbClaimStore::Count(ClaimOutcome outcome) {
  ++stats_.claims;
  switch (outcome) {
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
}

void DynamoDbClaimStore::Decided(Batch& batch, size_t i, ClaimOutcome outcome) {
  batch.out[i] = outcome;
  Count(outcome);
  // Later requests for the same uuid, in input order: a repeat of a token that won wins
  // again (nothing to write); the first other one is sent, and its answer goes on.
  for (size_t j = batch.next_same[i]; j != kNone; j = batch.next_same[j]) {
    if (!Won(outcome) || batch.in[j].token != batch.in[i].token) return SendPut(batch, j);
    batch.out[j] = ClaimOutcome::kWonOwnToken;
    ++stats_.decided_in_batch;
    Count(ClaimOutcome::kWonOwnToken);
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
