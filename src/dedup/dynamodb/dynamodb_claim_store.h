#pragma once
// Distributed dedup claims in DynamoDB (DESIGN.md, "Distributed workers"): the claim
// itself decides, each request sent from the previous one's callback:
//   1. PutItem of the claim if the uuid is absent (the common case: one cheap write) -> kWon;
//   2. if it exists: a consistent GetItem of the claim (token, expires_at, claims), and the
//      decision from what it holds: this record's token, now or in the uuid's history (the
//      claims set) -> kWonOwnToken, nothing to write (a replay after a crash, even if another
//      record took the expired claim over since); another record's live claim
//      (expires_at >= the caller's watermark) -> kLost, for good (a claim's expires_at never
//      decreases); an expired one -> step 3. An item gone by then (TTL deletion between the
//      requests) sends the claim back to step 1, once per claim.
//   3. UpdateItem if the claim is still this token's or expired, adding the token to the
//      history -> kWonExpired (kWonOwnToken if the old token was this one). Its condition
//      fails when another worker took the claim over since the GetItem: back to step 2, at
//      most kMaxTakeovers UpdateItems per claim, then the batch fails.
// So a new uuid costs one request, a duplicate or a replay two, a takeover three.
//
// A batch of claims goes out pipelined through one HttpClient (Submit + Drain, up to
// its in-flight limit), never one blocking round trip per event. A failed condition is an
// answer and never retried; throttling, 5xx and network errors are retried by the client
// and counted.
//
// Several requests for one uuid inside a batch are resolved as if they were sent one
// after the other in input order: the first goes out, and each later one waits for the
// previous one's final answer. The only one answered without a request is a repeat of the
// token that was just answered and won (won again); with a history, "the previous one
// holds a live claim" no longer implies "this one lost". So a replay of the same batch gets
// the same outcomes, whatever order the network answers in.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "dedup/dynamodb/claim_request.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"
#include "store/aws/retry.h"

namespace eventlake::dynamodb {

struct DynamoDbClaimStoreOptions {
  std::string table;
  // EnsureTable(): create a missing table (PAY_PER_REQUEST) instead of failing.
  bool create_table = false;
  // The TTL attribute is max(expires_at, now) + ttl_seconds (epoch seconds). DynamoDB
  // TTL only collects garbage (it deletes late, never early, and the condition ignores
  // it); it must outlast any replay of the record, so by default a week, longer than
  // Kinesis' default retention.
  int64_t ttl_seconds = 7 * 24 * 3600;
  std::chrono::milliseconds request_timeout{10000};
  // Table creation: DescribeTable every poll_interval until ACTIVE, at most table_wait.
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds table_wait{120000};
  // Wall clock in epoch seconds (for the TTL attribute); default: the system clock.
  std::function<int64_t()> wall_clock;
  // Waits between DescribeTable polls; default: aws::RealSleeper().
  aws::Sleeper sleep;
};

struct DynamoDbClaimStats {
  uint64_t claims = 0;  // requests answered by Claim()
  uint64_t won = 0;
  uint64_t won_expired = 0;
  uint64_t won_own_token = 0;     // includes the two below
  uint64_t won_from_history = 0;  // another record holds the claim, but the token is in its claims history
  uint64_t lost = 0;
  uint64_t decided_in_batch = 0;  // same token as the request for the uuid just answered (and won)
  uint64_t put_requests = 0;      // PutItem requests answered (retries not counted): one per claim sent
  uint64_t get_requests = 0;      // GetItems answered: one per failed PutItem or UpdateItem condition
  uint64_t update_requests = 0;   // UpdateItems answered: one per expired claim found (a takeover)
  uint64_t update_conflicts = 0;  // UpdateItem conditions failed: the claim changed since the GetItem
  uint64_t put_again = 0;         // the GetItem found no item (deleted meanwhile): PutItem sent again
  uint64_t retries = 0;           // request and control-plane retries (throttling, 5xx, network)
};

class DynamoDbClaimStore {
 public:
  // UpdateItems per claim at most: each failed one means another worker took the expired
  // claim over between this claim's GetItem and its UpdateItem; a claim that loses that
  // race kMaxTakeovers times in a row fails its batch rather than loop.
  static constexpr int kMaxTakeovers = 3;

  // Borrows `client` (its in-flight limit is the pipeline depth).
  DynamoDbClaimStore(const aws::AwsConfig& config, aws::HttpClient& client, DynamoDbClaimStoreOptions options);
  // Owns its client.
  DynamoDbClaimStore(const aws::AwsConfig& config, std::unique_ptr<aws::HttpClient> client,
                     DynamoDbClaimStoreOptions options);

  // aws::EnsureDynamoDbTable: checks the table (hash key "uuid" of type S, no range key),
  // creating it (and enabling TTL on "ttl") when missing and create_table is set, and
  // waits until it is ACTIVE. A missing table without create_table is a clear error
  // naming the table, the endpoint and --create-tables.
  Status EnsureTable();

  // out[i] = the outcome for in[i]; out.size() >= in.size(). On an error (table gone,
  // retries exhausted, other 4xx) the outcomes are unspecified: nothing may be written.
  Status Claim(std::span<const ClaimRequest> in, std::span<ClaimOutcome> out);

  const DynamoDbClaimStats& stats() const { return stats_; }
  const aws::HttpClientStats& http_stats() const { return client_.stats(); }
  // Set by EnsureTable() when it created the table but could not enable TTL (dynalite
  // has no UpdateTimeToLive): items then stay until removed by other means.
  const std::string& ttl_warning() const { return ttl_warning_; }

 private:
  struct Batch;
  void Submit(std::string_view operation, std::string body, aws::HttpClient::Callback done);
  int64_t Ttl(const Batch& batch, size_t i) const;
  void SendPut(Batch& batch, size_t i);
  void PutAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp);
  void SendGet(Batch& batch, size_t i);
  void GetAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp);
  void SendUpdate(Batch& batch, size_t i);
  void UpdateAnswered(Batch& batch, size_t i, const aws::HttpResponse& resp);
  void Decided(Batch& batch, size_t i, ClaimOutcome outcome);
  void Count(ClaimOutcome outcome);

  aws::AwsConfig config_;
  std::unique_ptr<aws::HttpClient> owned_client_;
  aws::HttpClient& client_;
  DynamoDbClaimStoreOptions options_;
  DynamoDbClaimStats stats_;
  std::string ttl_warning_;
};

// Validate-then-build (STYLE rule 6): parses "dynamodb://TABLE", makes a client with
// `max_in_flight` requests in flight, and runs EnsureTable().
Result<std::unique_ptr<DynamoDbClaimStore>> MakeDynamoDbClaimStore(std::string_view location,
                                                                   const aws::AwsConfig& config,
                                                                   DynamoDbClaimStoreOptions options,
                                                                   aws::HttpClientOptions http = {});

}  // namespace eventlake::dynamodb
