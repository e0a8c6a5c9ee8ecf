#include "app/stream_worker.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "app/claim_round.h"
#include "app/lake_lock.h"
#include "app/lease_keeper.h"
#include "app/shard_work.h"
#include "core/sync_point.h"
#include "core/time_util.h"
#include "dedup/dynamodb/dynamodb_claim_store.h"
#include "sources/kinesis/lease_observer.h"
#include "sources/kinesis/lease_table.h"
#include "sources/kinesis/shard_discovery.h"
#include "sources/kinesis/shard_graph.h"
#include "sources/kinesis/shard_reader.h"
#include "store/local/fs_util.h"
#include "store/s3/s3_store.h"

namespace eventlake {

namespace {

std::atomic<bool> g_stop{false};
void OnStopSignal(int) { g_stop = true; }

using Clock = kinesis::SteadyClock;

class StreamWorker {
 public:
  StreamWorker(const IngestOptions& o, RunReport& report)
      : o_(o), report_(report), observer_(std::chrono::milliseconds(o.lease_duration_ms)) {}

  Status Run();

 private:
  Status Setup();
  Status Tick();
  void Acquire(const kinesis::Lease& lease, const std::vector<kinesis::Lease>& all);
  void Lose(const std::string& shard_id);
  Status FlushDue(bool all);
  Status Publish(ShardWork& w);
  bool Done() const;
  void ReleaseAll();
  void CollectStats();
  std::chrono::milliseconds TickInterval() const {
    return std::chrono::milliseconds(std::max<int64_t>(100, o_.lease_duration_ms / 3));
  }
  Status CheckLeases();
  void Log(const std::string& text) const {
    if (!o_.quiet) std::fprintf(stderr, "eventlake[%s]: %s\n", o_.worker_id.c_str(), text.c_str());
  }

  const IngestOptions& o_;
  RunReport& report_;
  aws::AwsConfig config_;
  std::unique_ptr<aws::HttpClient> kinesis_http_, lease_http_;
  std::unique_ptr<dynamodb::DynamoDbClaimStore> claims_;
  std::unique_ptr<kinesis::LeaseTable> leases_;
  std::unique_ptr<LeaseKeeper> keeper_;
  std::unique_ptr<s3::S3ObjectStore> lake_;
  std::unique_ptr<kinesis::ShardReader> reader_;
  std::unique_ptr<kinesis::ShardGraph> graph_;
  std::unique_ptr<LakeLock> lock_;
  kinesis::LeaseObserver observer_;
  std::map<std::string, std::unique_ptr<ShardWork>> held_;
  std::string staging_;
  bool nothing_to_take_ = false;
  bool all_leased_ = false;
  uint64_t ticks_ = 0;
  uint64_t released_expired_iterators_ = 0;  // of shards no longer in the reader
  int failed_rounds_ = 0;
  std::unique_ptr<ClaimRound> round_;
};

Status StreamWorker::Setup() {
  auto config = aws::LoadAwsConfig(aws::ProcessEnv(), o_.aws);
  if (!config.ok()) return config.status();
  config_ = *config;
  const auto timeout = std::chrono::milliseconds(o_.request_timeout_ms);

  EL_RETURN_IF_ERROR(MakeDirs(o_.work_dir + "/_eventlake"));
  auto lock = LakeLock::Acquire(o_.work_dir);
  if (!lock.ok()) return lock.status().Context("--work-dir " + o_.work_dir + " (one worker per work dir)");
  lock_ = std::move(*lock);
  staging_ = o_.work_dir + "/_eventlake/staging";
  EL_RETURN_IF_ERROR(MakeDirs(staging_));
  EL_RETURN_IF_ERROR(RemoveFilesIn(staging_));  // an interrupted epoch is replayed from its intent

  dynamodb::DynamoDbClaimStoreOptions co;
  co.create_table = o_.create_tables;
  co.request_timeout = timeout;
  auto claims = dynamodb::MakeDynamoDbClaimStore(o_.dedup, config_, co);
  if (!claims.ok()) return claims.status().Context("--dedup " + o_.dedup);
  claims_ = std::move(*claims);
  if (!claims_->ttl_warning().empty()) Log("note: " + claims_->ttl_warning());
  round_ = std::make_unique<ClaimRound>(o_, *claims_);

  lease_http_ = std::make_unique<aws::HttpClient>(config_);
  kinesis::LeaseTableOptions lo;
  lo.table = o_.leases_table;
  lo.create_table = o_.create_tables;
  lo.request_timeout = timeout;
  leases_ = std::make_unique<kinesis::LeaseTable>(config_, *lease_http_, lo);
  EL_RETURN_IF_ERROR(leases_->EnsureTable().Context("--leases " + o_.leases));
  keeper_ = std::make_unique<LeaseKeeper>(config_, lo, TickInterval());

  s3::S3StoreOptions so;
  so.timeout = timeout;
  lake_ = std::make_unique<s3::S3ObjectStore>(config_, o_.s3_location, so);

  kinesis_http_ = std::make_unique<aws::HttpClient>(config_);
  kinesis::ShardReaderOptions ro;
  ro.stream = o_.stream_name;
  ro.request_timeout = timeout;
  reader_ = std::make_unique<kinesis::ShardReader>(*kinesis_http_, config_, ro);
  Log("worker " + o_.worker_id + " on " + o_.source + " (" + config_.Describe() + ")");
  return Status::Ok();
}

Status StreamWorker::CheckLeases() {
  for (const std::string& id : keeper_->TakeLost()) Lose(id);
  return keeper_->error();
}

Status StreamWorker::Tick() {
  ++ticks_;
  const Clock::time_point now = Clock::now();
  // 1. Renewals happen on the keeper's thread; let go of what it found taken.
  EL_RETURN_IF_ERROR(CheckLeases());
  // 2. The shards as they are now (resharding adds children), and a lease for each.
  auto shards = kinesis::ListAllShards(*kinesis_http_, config_, o_.stream_name);
  if (!shards.ok()) return shards.status().Context("listing the shards of " + o_.source);
  graph_ = std::make_unique<kinesis::ShardGraph>(std::move(*shards));
  auto listed = leases_->List(o_.stream_name);
  if (!listed.ok()) return listed.status().Context("listing leases in " + o_.leases);
  std::set<std::string> have;
  for (const auto& l : *listed) have.insert(l.shard_id);
  bool created = false;
  for (const auto& s : graph_->shards()) {
    if (have.count(s.shard_id) != 0) continue;
    kinesis::Lease l;
    l.stream = o_.stream_name;
    l.shard_id = s.shard_id;
    auto c = leases_->Create(l);
    if (!c.ok()) return c.status().Context("creating the lease of " + s.shard_id);
    created = true;
  }
  if (created) {
    listed = leases_->List(o_.stream_name);
    if (!listed.ok()) return listed.status().Context("listing leases in " + o_.leases);
  }
  std::vector<kinesis::Lease>& all = *listed;
  all_leased_ = !created;
  observer_.Observe(all, now);
  // 3. Take what is free, expired or ours from an earlier life; steal at most one.
  std::set<std::string> finished, held;
  for (const auto& l : all)
    if (l.finished) finished.insert(l.shard_id);
  for (const auto& [id, w] : held_) held.insert(id);
  std::set<std::string> eligible;
  for (const auto& id : graph_->Readable(finished))
    if (held.count(id) == 0) eligible.insert(id);
  for (;;) {
    auto pick = observer_.Pick(all, o_.worker_id, held, eligible, now);
    if (!pick) break;
    auto it = std::find_if(all.begin(), all.end(), [&](const kinesis::Lease& l) { return l.shard_id == *pick; });
    if (it == all.end()) break;
    const auto state = observer_.StateOf(*it, o_.worker_id, held, now);
    const bool steal = state == kinesis::LeaseObserver::State::kLive;
    const std::string from = it->owner;
    auto taken = leases_->Take(*it, o_.worker_id);
    if (!taken.ok()) return taken.status().Context("taking the lease of " + *pick);
    eligible.erase(*pick);
    if (*taken) {
      ++report_.aws.leases_taken;
      if (steal || !from.empty()) Log("took " + *pick + (from.empty() ? "" : " from " + from));
      Acquire(*it, all);
      held.insert(*pick);
    }
    // Leases of this worker id's previous life come back at once. Anything else, one per
    // tick: workers starting together then split the shards between them instead of the
    // first taking all and the others stealing (a steal discards the victim's
    // uncommitted range, which the new owner reads and claims again).
    if (state != kinesis::LeaseObserver::State::kMineStale) break;
  }
  nothing_to_take_ = observer_.NothingToTake(all, o_.worker_id, held, now);
  return Status::Ok();
}

void StreamWorker::Acquire(const kinesis::Lease& lease, const std::vector<kinesis::Lease>& all) {
  auto w = std::make_unique<ShardWork>(o_, lease);
  if (lease.checkpoint.empty() && lease.watermark == 0) {
    // A child of a reshard starts where its parents ended (they are finished before it
    // is readable, so this is the same for whoever takes it).
    for (const auto& parent : graph_->KnownParents(lease.shard_id))
      for (const auto& l : all)
        if (l.shard_id == parent) w->watermark = std::max(w->watermark, l.watermark);
  }
  kinesis::StartPosition start = lease.checkpoint.empty() ? o_.start : kinesis::StartPosition::After(lease.checkpoint);
  if (!lease.intent_last.empty()) {
    w->replaying = true;
    if (!lease.intent_first.empty()) start = {kinesis::IteratorType::kAtSequenceNumber, lease.intent_first, 0};
    reader_->Assign(lease.shard_id, start);
    reader_->StopAfter(lease.shard_id, lease.intent_last);
    Log(lease.shard_id + ": replaying epoch " + std::to_string(lease.epoch) + " (" + lease.intent_first + " .. " +
        lease.intent_last + ")");
  } else {
    reader_->Assign(lease.shard_id, start);
  }
  std::lock_guard<std::mutex> lock(keeper_->mutex());
  keeper_->Hold(&w->lease);
  held_[lease.shard_id] = std::move(w);
}

void StreamWorker::Lose(const std::string& shard_id) {
  auto it = held_.find(shard_id);
  if (it == held_.end()) return;
  for (const auto& p : reader_->Progress())
    if (p.shard_id == shard_id) released_expired_iterators_ += p.expired_iterators;
  reader_->Release(shard_id);
  {
    std::lock_guard<std::mutex> lock(keeper_->mutex());
    keeper_->Drop(shard_id);
    held_.erase(it);  // its uncommitted range is read again by the new owner
  }
  ++report_.aws.leases_lost;
  Log("lost the lease of " + shard_id + " (another worker holds it now)");
}

Status StreamWorker::Publish(ShardWork& w) {
  kinesis::Lease& lease = w.lease;
  const std::string shard = lease.shard_id;
  std::vector<EpochObject> objects = w.TakeObjects(lease.epoch);
  if (!objects.empty() && !w.replaying) {
    Result<bool> recorded = false;
    {
      std::lock_guard<std::mutex> lock(keeper_->mutex());
      recorded = leases_->RecordIntent(lease, w.first_sequence(), w.last_sequence());
    }
    if (!recorded.ok()) return recorded.status().Context("recording the intent of " + shard);
    if (!*recorded) {
      Lose(shard);
      return Status::Ok();
    }
    SyncPoint("stream:intent");
  }
  const int64_t commit_us = MonoMicros();
  const int64_t commit_wall_us = WallMicros();
  for (size_t i = 0; i < objects.size(); ++i) {
    EpochObject& obj = objects[i];
    const std::string staged = staging_ + "/" + shard + "-" + std::to_string(i) + ".tmp";
    auto sink = FileSink::Create(staged);
    if (!sink.ok()) return sink.status();
    EL_RETURN_IF_ERROR(obj.buffer->encoder->Finish(**sink));
    EL_RETURN_IF_ERROR((*sink)->Close());
    const uint64_t bytes = (*sink)->bytes_written();
    EL_RETURN_IF_ERROR(lake_->Publish(staged, obj.key));
    SyncPoint("publish:file");
    report_.AddFile(obj.buffer->key, obj.buffer->events, bytes);
    report_.AddCommitted(*obj.buffer, commit_us, commit_wall_us);
  }
  Result<bool> committed = false;
  {
    std::lock_guard<std::mutex> lock(keeper_->mutex());
    committed = leases_->Checkpoint(lease, w.empty() ? lease.checkpoint : w.last_sequence(), w.watermark, w.ended);
  }
  if (!committed.ok()) return committed.status().Context("checkpointing " + shard);
  if (!*committed) {
    Lose(shard);  // the new owner replays the intent: the same objects again
    return Status::Ok();
  }
  SyncPoint("stream:checkpoint");
  const RangeCounts& c = w.counts;
  report_.read += c.read;
  report_.written += c.written;
  report_.duplicates += c.duplicates;
  report_.invalid += c.invalid;
  report_.input_bytes += c.input_bytes;
  for (int i = 0; i < kReasonCount; ++i) report_.invalid_by_reason[i] += c.invalid_by_reason[i];
  ++report_.epochs;
  if (w.replaying) {
    ++report_.aws.replayed_epochs;
    w.replaying = false;
    reader_->Resume(shard);
  }
  w.ResetRange();
  if (w.ended) {
    ++report_.aws.shards_finished;
    for (const auto& p : reader_->Progress())
      if (p.shard_id == shard) released_expired_iterators_ += p.expired_iterators;
    reader_->Release(shard);
    std::lock_guard<std::mutex> lock(keeper_->mutex());
    keeper_->Drop(shard);
    // Finished leases are never taken again; releasing it shows in the table that nobody
    // works on it (a refusal only means another worker took it meanwhile).
    auto released = leases_->Release(lease);
    if (!released.ok()) Log("could not release the finished lease of " + shard + ": " + released.status().message());
    held_.erase(shard);
    Log(shard + ": read to its end");
  }
  return Status::Ok();
}

Status StreamWorker::FlushDue(bool all) {
  const int64_t now = MonoMicros();
  std::map<std::string, const kinesis::ShardProgress*> progress;
  const std::vector<kinesis::ShardProgress> ps = reader_->Progress();
  for (const auto& p : ps) progress[p.shard_id] = &p;
  std::vector<std::string> due;
  size_t memory = 0;
  for (const auto& [id, w] : held_) {
    memory += w->memory();
    const kinesis::ShardProgress* p = progress.count(id) ? progress[id] : nullptr;
    if (w->replaying) {
      if (p != nullptr && p->stopped) due.push_back(id);  // the intent's range is read again in full
      continue;
    }
    const bool caught_up = p != nullptr && p->caught_up;
    if ((!w->empty() && (all || w->Due(now) || (o_.stop_when_caught_up && caught_up))) || w->ended) due.push_back(id);
  }
  if (due.empty() && memory > o_.flush.memory_budget) {
    // Over the budget: the largest range goes first (replays keep their exact range).
    const ShardWork* largest = nullptr;
    for (const auto& [id, w] : held_)
      if (!w->replaying && !w->empty() && (largest == nullptr || w->memory() > largest->memory())) largest = w.get();
    if (largest != nullptr) due.push_back(largest->lease.shard_id);
  }
  for (const auto& id : due) {
    auto it = held_.find(id);
    if (it != held_.end()) EL_RETURN_IF_ERROR(Publish(*it->second));
  }
  return Status::Ok();
}

bool StreamWorker::Done() const {
  if (ticks_ == 0 || !nothing_to_take_ || !all_leased_) return false;
  for (const auto& [id, w] : held_)
    if (w->replaying || !w->empty() || w->ended) return false;
  return reader_->CaughtUp();
}

void StreamWorker::ReleaseAll() {
  std::lock_guard<std::mutex> lock(keeper_->mutex());
  for (auto& [id, w] : held_) {
    keeper_->Drop(id);
    auto r = leases_->Release(w->lease);
    if (!r.ok()) Log("could not release the lease of " + id + ": " + r.status().message());
  }
}

void StreamWorker::CollectStats() {
  AwsRunStats& a = report_.aws;
  a.used = true;
  a.kinesis_retries = kinesis_http_ ? kinesis_http_->stats().retries : 0;
  a.dynamodb_retries = (claims_ ? claims_->stats().retries : 0) + (leases_ ? leases_->retries() : 0) +
                       (keeper_ ? keeper_->retries() : 0);
  a.s3_retries = lake_ ? lake_->stats().retries : 0;
  a.expired_iterators = released_expired_iterators_;
  if (reader_)
    for (const auto& p : reader_->Progress()) a.expired_iterators += p.expired_iterators;
  if (claims_) {
    const auto& s = claims_->stats();
    a.claims_won = s.won;
    a.claims_won_expired = s.won_expired;
    a.claims_won_own_token = s.won_own_token;
    a.claims_lost = s.lost;
    a.claim_puts = s.put_requests;
    a.claim_updates = s.update_requests;
    a.claim_gets = s.get_requests;
  }
  report_.http_retries = a.kinesis_retries + a.dynamodb_retries + a.s3_retries;
}

Status StreamWorker::Run() {
  Status s = Setup();
  if (s.ok()) {
    const auto tick_every = TickInterval();
    Clock::time_point next_tick = Clock::now();
    for (;;) {
      if (g_stop) {
        s = FlushDue(/*all=*/true);
        if (s.ok()) ReleaseAll();
        Log("stopped by a signal; leases released");
        break;
      }
      s = CheckLeases();
      if (!s.ok()) break;
      if (Clock::now() >= next_tick) {
        s = Tick();
        if (!s.ok()) break;
        next_tick = Clock::now() + tick_every;
      }
      if (o_.stop_when_caught_up && Done()) {
        ReleaseAll();
        Log("caught up: every shard read to its current end and committed");
        break;
      }
      if (reader_->NextReadIn().count() == 0) {
        kinesis::ReadBatch round = reader_->Poll();
        if (!round.status.ok()) {
          // The client retried already; a shard that keeps failing ends the run.
          if (++failed_rounds_ >= 5) {
            s = round.status.Context("reading " + o_.source);
            break;
          }
        } else {
          failed_rounds_ = 0;
        }
        s = round_->Run(round, [this](const std::string& shard_id) -> ShardWork* {
          auto it = held_.find(shard_id);
          return it == held_.end() ? nullptr : it->second.get();  // released while the round was in flight
        });
        if (!s.ok()) break;
      }
      s = FlushDue(false);
      if (!s.ok()) break;
      // Wait for the next thing to do: a shard's next read, the next tick, an age flush.
      auto wait = std::min<std::chrono::milliseconds>(
          reader_->NextReadIn(), std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - Clock::now()));
      int64_t deadline = INT64_MAX;
      for (const auto& [id, w] : held_) deadline = std::min(deadline, w->NextDeadline());
      if (deadline != INT64_MAX) wait = std::min(wait, std::chrono::milliseconds((deadline - MonoMicros()) / 1000 + 1));
      wait = std::clamp(wait, std::chrono::milliseconds(0), std::chrono::milliseconds(1000));
      if (wait.count() > 0) std::this_thread::sleep_for(wait);
    }
  }
  CollectStats();
  keeper_.reset();  // its thread renews leases that live in held_
  return s;
}

}  // namespace

Status RunStreamWorker(const IngestOptions& options, RunReport& report) {
  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  StreamWorker worker(options, report);
  return worker.Run();
}

}  // namespace eventlake
