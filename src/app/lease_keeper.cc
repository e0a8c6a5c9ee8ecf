#include "app/lease_keeper.h"

namespace eventlake {

LeaseKeeper::LeaseKeeper(const aws::AwsConfig& config, kinesis::LeaseTableOptions options,
                         std::chrono::milliseconds every)
    : options_(std::move(options)),
      every_(every),
      http_(std::make_unique<aws::HttpClient>(config)),
      table_(std::make_unique<kinesis::LeaseTable>(config, *http_, options_)),
      thread_([this] { Loop(); }) {}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LeaseKeeper::Hold(kinesis::Lease* lease) { held_[lease->shard_id] = lease; }

void LeaseKeeper::Drop(const std::string& shard_id) { held_.erase(shard_id); }

std::vector<std::string> LeaseKeeper::TakeLost() {
  std::lock_guard<std::mutex> lock(mu_);
  return std::exchange(lost_, {});
}

Status LeaseKeeper::error() {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

uint64_t LeaseKeeper::retries() {
  std::lock_guard<std::mutex> lock(mu_);
  return table_->retries();
}

void LeaseKeeper::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait_for(lock, every_, [this] { return stop_; });
    if (stop_) return;
    if (held_.empty() || !error_.ok()) continue;
    std::vector<kinesis::Lease*> leases;
    for (const auto& [id, lease] : held_) leases.push_back(lease);
    // Under the lock: no intent or checkpoint of these leases goes out meanwhile.
    std::vector<Result<bool>> renewed = table_->Renew(leases);
    for (size_t i = 0; i < renewed.size(); ++i) {
      if (!renewed[i].ok()) {
        error_ = renewed[i].status().Context("renewing the lease of " + leases[i]->shard_id);
        continue;
      }
      if (!*renewed[i]) {
        lost_.push_back(leases[i]->shard_id);
        held_.erase(leases[i]->shard_id);
      }
    }
  }
}

}  // namespace eventlake
