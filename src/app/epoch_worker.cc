#include "app/epoch_worker.h"

#include "core/time_util.h"

namespace eventlake {

EpochWorker::EpochWorker(Committer& committer, bool async) : committer_(committer), async_(async) {
  if (async_) thread_ = std::thread([this] { Work(); });
}

EpochWorker::~EpochWorker() {
  if (!async_) return;
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void EpochWorker::Run(std::unique_ptr<EpochJob>& job) {
  job->status = committer_.CommitEpoch(job->buffers, job->checkpoints, job->watermark, job->result);
  job->commit_us = MonoMicros();
  job->commit_wall_us = WallMicros();
}

std::vector<std::unique_ptr<EpochJob>> EpochWorker::Submit(std::unique_ptr<EpochJob> job) {
  if (!async_) {
    Run(job);
    std::vector<std::unique_ptr<EpochJob>> done;
    done.push_back(std::move(job));
    return done;
  }
  std::vector<std::unique_ptr<EpochJob>> done;
  {
    std::unique_lock lock(mu_);
    // One epoch in flight at most: what the buffers held stays bounded by the budget
    // plus that epoch.
    cv_.wait(lock, [this] { return queued_.empty() && !busy_; });
    queued_.push_back(std::move(job));
    while (!done_.empty()) {
      done.push_back(std::move(done_.front()));
      done_.pop_front();
    }
  }
  cv_.notify_all();
  return done;
}

std::vector<std::unique_ptr<EpochJob>> EpochWorker::TakeDone(bool all) {
  std::vector<std::unique_ptr<EpochJob>> done;
  if (!async_) return done;
  std::unique_lock lock(mu_);
  if (all) cv_.wait(lock, [this] { return queued_.empty() && !busy_; });
  while (!done_.empty()) {
    done.push_back(std::move(done_.front()));
    done_.pop_front();
  }
  return done;
}

void EpochWorker::Work() {
  for (;;) {
    std::unique_ptr<EpochJob> job;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queued_.empty(); });
      if (queued_.empty()) return;  // stop, nothing left
      job = std::move(queued_.front());
      queued_.pop_front();
      busy_ = true;
    }
    cv_.notify_all();  // a submitter may queue the next one now
    // After a failed epoch no later one may commit: its checkpoints would pass the lost data.
    bool failed = false;
    {
      std::lock_guard lock(mu_);
      for (const auto& d : done_) failed |= !d->status.ok();
      failed |= failed_;
    }
    if (failed) {
      job->status = Status::Error("an earlier epoch failed");
    } else {
      Run(job);
    }
    {
      std::lock_guard lock(mu_);
      failed_ |= !job->status.ok();
      done_.push_back(std::move(job));
      busy_ = false;
    }
    cv_.notify_all();
  }
}

}  // namespace eventlake
