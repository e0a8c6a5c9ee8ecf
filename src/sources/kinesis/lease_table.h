#pragma once
// Shard leases and checkpoints in a DynamoDB table (DESIGN.md, "Distributed workers"):
// one item per shard (lease_item.h), one table may serve several streams. The lease
// counter fences out a worker that lost its lease: every write of the owner is
// conditional on owner and counter, and taking a lease moves the counter, so a worker
// that was presumed dead finds each of its later writes refused (false), never applied.
//
// A failed condition is an answer (false: another worker holds the lease now), never
// retried; throttling, 5xx and network errors are retried by the HttpClient and counted
// in retries(). Other errors name the table, the lease and the operation.
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sources/kinesis/lease_item.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"
#include "store/aws/retry.h"

namespace eventlake::kinesis {

struct LeaseTableOptions {
  std::string table;
  bool create_table = false;  // EnsureTable(): create a missing table instead of failing
  std::chrono::milliseconds request_timeout{10000};
  // Table creation: DescribeTable every poll_interval until ACTIVE, at most table_wait.
  std::chrono::milliseconds poll_interval{500};
  std::chrono::milliseconds table_wait{120000};
  aws::Sleeper sleep;       // between DescribeTable polls; default: aws::RealSleeper()
  int scan_page_limit = 0;  // List(): items per Scan page (0 = DynamoDB's 1 MB pages)
};

class LeaseTable {
 public:
  // Borrows `client`: Renew() pipelines up to its in-flight limit.
  LeaseTable(const aws::AwsConfig& config, aws::HttpClient& client, LeaseTableOptions options);

  // Checks the table (hash key "lease" of type S, no range key), creating it when missing
  // and create_table is set, and waits until it is ACTIVE.
  Status EnsureTable();

  // Every lease of `stream`: a strongly consistent Scan, all pages, in shard id order.
  Result<std::vector<Lease>> List(std::string_view stream);

  // PutItem if absent; false when a lease for this shard exists already.
  Result<bool> Create(const Lease& lease);

  // Each returns false when its condition failed (the lease changed: another worker holds
  // it now), true on success (and then `lease` holds what is stored), an error otherwise.
  //
  // Condition: counter and owner as read (free: no owner). Sets owner and counter + 1;
  // `lease` gets the whole stored item (the previous owner may have checkpointed since).
  Result<bool> Take(Lease& lease, std::string_view new_owner);
  // All at once (Submit + Drain). Condition: owner and counter; sets counter + 1.
  // out[i] is the answer for leases[i].
  std::vector<Result<bool>> Renew(std::span<Lease* const> leases);
  // Condition: owner and counter; sets intent_first and intent_last (each removed when
  // empty; an empty last removes both).
  Result<bool> RecordIntent(Lease& lease, std::string_view first_sequence, std::string_view last_sequence);
  // Condition: owner and counter; sets checkpoint, watermark, finished, epoch + 1 and
  // removes intent_first and intent_last.
  Result<bool> Checkpoint(Lease& lease, std::string_view sequence, int64_t watermark, bool finished);
  // Condition: owner and counter; removes owner, sets counter + 1.
  // RecordIntent, Checkpoint, Release and Renew of a lease without an owner are errors.
  Result<bool> Release(Lease& lease);

  // Client retries (throttling, 5xx, network) of this table's calls.
  uint64_t retries() const { return retries_; }
  const std::string& table() const { return options_.table; }

 private:
  aws::HttpResponse Call(std::string_view operation, std::string body);
  aws::HttpRequest Request(std::string_view operation, std::string body) const;
  std::string What(std::string_view operation, const Lease& lease) const;
  Status CheckHeld(std::string_view operation, const Lease& lease) const;

  aws::AwsConfig config_;
  aws::HttpClient& client_;
  LeaseTableOptions options_;
  uint64_t retries_ = 0;
};

}  // namespace eventlake::kinesis
