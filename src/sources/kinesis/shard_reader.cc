#include "sources/kinesis/shard_reader.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "store/aws/json_request.h"

namespace eventlake::kinesis {

struct ShardReader::Shard {
  ShardProgress progress;
  StartPosition start;
  std::string iterator;    // empty: ask for one before the next read
  std::string stop_after;  // empty: no stop
  SteadyClock::time_point next_read{};
  // This round's outcome, filled by the callbacks inside Drain().
  std::optional<ShardBatch> round;
  Status round_error;
};

size_t ReadBatch::record_count() const {
  size_t n = 0;
  for (const ShardBatch& s : shards) n += s.records.size();
  return n;
}

ShardReader::ShardReader(aws::HttpClient& client, const aws::AwsConfig& config, ShardReaderOptions options)
    : client_(client), config_(config), options_(std::move(options)) {
  if (!options_.now) options_.now = [] { return SteadyClock::now(); };
  if (!options_.wall_now) {
    options_.wall_now = [] {
      return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    };
  }
  options_.limit = std::clamp(options_.limit, 1, kMaxGetRecordsLimit);
}

ShardReader::~ShardReader() = default;

void ShardReader::Assign(const std::string& shard_id, const StartPosition& start) {
  if (shards_.count(shard_id) != 0) return;
  auto s = std::make_unique<Shard>();
  s->progress.shard_id = shard_id;
  s->start = start;
  shards_.emplace(shard_id, std::move(s));
}

void ShardReader::Release(const std::string& shard_id) { shards_.erase(shard_id); }

void ShardReader::StopAfter(const std::string& shard_id, std::string sequence_number) {
  auto it = shards_.find(shard_id);
  if (it == shards_.end()) return;
  Shard& s = *it->second;
  s.stop_after = std::move(sequence_number);
  const std::string& last = s.progress.last_sequence_number;
  s.progress.stopped = !last.empty() && CompareSequenceNumbers(last, s.stop_after) >= 0;
}

void ShardReader::Resume(const std::string& shard_id) {
  auto it = shards_.find(shard_id);
  if (it == shards_.end()) return;
  it->second->stop_after.clear();
  it->second->progress.stopped = false;
}

void ShardReader::Fail(Shard& shard, Status status) {
  shard.progress.caught_up = false;
  if (shard.round_error.ok()) shard.round_error = std::move(status);
}

void ShardReader::SubmitIterator(Shard& shard) {
  // Resume right after the last record handed out: nothing skipped, nothing repeated.
  const StartPosition from = shard.progress.last_sequence_number.empty()
                                 ? shard.start
                                 : StartPosition::After(shard.progress.last_sequence_number);
  if (from.type == IteratorType::kLatest) {
    // Pin LATEST to a time, so a replacement iterator covers what arrived meanwhile.
    shard.start = StartPosition::AtTimestamp(options_.wall_now() - options_.latest_rewind_seconds);
  }
  aws::HttpRequest req = aws::MakeJsonRequest(config_, aws::Service::kKinesis, "GetShardIterator",
                                              GetShardIteratorBody(options_.stream, shard.progress.shard_id, from));
  req.timeout = options_.request_timeout;
  ++shard.progress.iterator_requests;
  client_.Submit(std::move(req), [this, &shard](const aws::HttpResponse& resp) {
    shard.progress.retries += static_cast<uint64_t>(resp.retries);
    if (!resp.ok()) {
      Fail(shard, Status::Error("GetShardIterator " + shard.progress.shard_id + ": " + resp.Describe()));
      return;
    }
    auto it = ParseGetShardIterator(resp.body);
    if (!it.ok()) {
      Fail(shard, it.status().Context(shard.progress.shard_id));
      return;
    }
    shard.iterator = std::move(it.value());
    SubmitGetRecords(shard);
  });
}

void ShardReader::SubmitGetRecords(Shard& shard) {
  aws::HttpRequest req = aws::MakeJsonRequest(config_, aws::Service::kKinesis, "GetRecords",
                                              GetRecordsBody(shard.iterator, options_.limit));
  req.timeout = options_.request_timeout;
  ++shard.progress.get_records_calls;
  client_.Submit(std::move(req), [this, &shard](const aws::HttpResponse& resp) {
    ShardProgress& p = shard.progress;
    p.retries += static_cast<uint64_t>(resp.retries);
    if (!resp.ok()) {
      if (resp.error_code == "ExpiredIteratorException") {
        // Not a failure: the next round asks for a new iterator after the last record.
        ++p.expired_iterators;
        shard.iterator.clear();
        p.caught_up = false;
        return;
      }
      Fail(shard, Status::Error("GetRecords " + p.shard_id + ": " + resp.Describe()));
      return;
    }
    auto page = ParseGetRecords(resp.body);
    if (!page.ok()) {
      Fail(shard, page.status().Context(p.shard_id));
      return;
    }
    ShardBatch batch;
    batch.shard_id = p.shard_id;
    batch.millis_behind_latest = page->millis_behind_latest;
    batch.records.reserve(page->records.size());
    bool cut = false;  // records past stop_after were dropped
    for (KinesisRecord& r : page->records) {
      // Defence in depth: a record at or before the last one handed out is never repeated.
      if (!p.last_sequence_number.empty() && CompareSequenceNumbers(r.sequence_number, p.last_sequence_number) <= 0)
        continue;
      if (!shard.stop_after.empty() && CompareSequenceNumbers(r.sequence_number, shard.stop_after) > 0) {
        cut = true;
        break;
      }
      p.last_sequence_number = r.sequence_number;
      batch.records.push_back(std::move(r));
    }
    p.records += batch.records.size();
    p.millis_behind_latest = page->millis_behind_latest;
    // After a cut the iterator points past dropped records: ask for a new one on Resume().
    shard.iterator = cut ? std::string() : std::move(page->next_iterator);
    batch.shard_ended = !cut && shard.iterator.empty();
    p.finished = batch.shard_ended;
    p.stopped = cut || (!shard.stop_after.empty() && !p.last_sequence_number.empty() &&
                        CompareSequenceNumbers(p.last_sequence_number, shard.stop_after) >= 0);
    p.caught_up = p.finished || (!p.stopped && batch.records.empty() && page->millis_behind_latest <= 0);
    shard.round = std::move(batch);
  });
}

ReadBatch ShardReader::Poll() {
  const SteadyClock::time_point now = options_.now();
  std::vector<Shard*> polled;
  for (auto& [id, s] : shards_) {
    if (s->progress.finished || s->progress.stopped || s->next_read > now) continue;
    s->next_read = now + options_.min_read_interval;
    s->round.reset();
    s->round_error = Status::Ok();
    polled.push_back(s.get());
    if (s->iterator.empty()) {
      SubmitIterator(*s);
    } else {
      SubmitGetRecords(*s);
    }
  }
  ReadBatch out;
  if (polled.empty()) return out;
  client_.Drain();
  for (Shard* s : polled) {  // map order = shard id order
    if (!s->round_error.ok() && out.status.ok()) out.status = s->round_error;
    if (s->round && (!s->round->records.empty() || s->round->shard_ended)) out.shards.push_back(std::move(*s->round));
    s->round.reset();
  }
  return out;
}

std::chrono::milliseconds ShardReader::NextReadIn() const {
  const SteadyClock::time_point now = options_.now();
  auto best = std::chrono::milliseconds::max();
  for (const auto& [id, s] : shards_) {
    if (s->progress.finished || s->progress.stopped) continue;
    if (s->next_read <= now) return std::chrono::milliseconds(0);
    best = std::min(best, std::chrono::ceil<std::chrono::milliseconds>(s->next_read - now));
  }
  return best;
}

bool ShardReader::CaughtUp() const {
  return std::all_of(shards_.begin(), shards_.end(),
                     [](const auto& kv) { return kv.second->progress.finished || kv.second->progress.caught_up; });
}

bool ShardReader::IsFinished(const std::string& shard_id) const {
  auto it = shards_.find(shard_id);
  return it != shards_.end() && it->second->progress.finished;
}

std::vector<ShardProgress> ShardReader::Progress() const {
  std::vector<ShardProgress> out;
  for (const auto& [id, s] : shards_) out.push_back(s->progress);
  return out;
}

}  // namespace eventlake::kinesis
