#pragma once
// Renews this worker's shard leases on a thread of its own, every third of the lease
// duration, whatever the pipeline is doing: a long claim round or a slow upload must
// not make the other workers presume this one dead and take its shards.
//
// The leases live in the pipeline's ShardWork objects; a renewal moves their counter.
// Every write of a held lease (renewal here; intent, checkpoint, release on the
// pipeline's thread) happens under mutex(), so the counter a conditional write checks
// is always the stored one. A refused renewal means another worker took the shard: it
// is reported through TakeLost() and the pipeline lets the shard go.
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/status.h"
#include "sources/kinesis/lease_table.h"
#include "store/aws/aws_config.h"
#include "store/aws/http_client.h"

namespace eventlake {

class LeaseKeeper {
 public:
  LeaseKeeper(const aws::AwsConfig& config, kinesis::LeaseTableOptions options, std::chrono::milliseconds every);
  ~LeaseKeeper();  // stops the thread
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  // Hold while writing a held lease, and while calling Hold/Drop.
  std::mutex& mutex() { return mu_; }
  // Renew `lease` from now on (it must stay valid until Drop). Caller holds mutex().
  void Hold(kinesis::Lease* lease);
  // Stop renewing it. Caller holds mutex().
  void Drop(const std::string& shard_id);

  // Shards whose renewal was refused since the last call (they are dropped already).
  std::vector<std::string> TakeLost();
  // The first renewal that failed for another reason than a refusal (after retries).
  Status error();
  uint64_t retries();

 private:
  void Loop();

  kinesis::LeaseTableOptions options_;
  std::chrono::milliseconds every_;
  std::unique_ptr<aws::HttpClient> http_;
  std::unique_ptr<kinesis::LeaseTable> table_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::map<std::string, kinesis::Lease*> held_;
  std::vector<std::string> lost_;
  Status error_;
  std::thread thread_;  // last: starts once everything above exists
};

}  // namespace eventlake
