#include "app/shard_work.h"

#include <algorithm>
#include <cstdio>

#include "decode/dead_letter.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "partition/partition_key.h"

namespace eventlake {

namespace {
constexpr char kErrorsKey[] = "_errors";
}  // namespace

ShardWork::ShardWork(const IngestOptions& options, kinesis::Lease l)
    : lease(std::move(l)),
      watermark(lease.watermark),
      o_(options),
      source_("kinesis://" + lease.stream + "/" + lease.shard_id),
      factory_(EncoderFactoryFor(options)) {}

void ShardWork::TakeRecord(const std::string& sequence_number, int64_t now_us) {
  if (last_.empty()) {
    first_ = sequence_number;
    opened_us_ = now_us;
  }
  last_ = sequence_number;
}

void ShardWork::Write(const EventFields& f, const Derived& derived, int64_t receive_us, int64_t receive_wall_s) {
  if (f.type != last_type_ || derived.date_view() != last_date_) {
    last_type_.assign(f.type);
    last_date_.assign(derived.date_view());
    key_ = PartitionPath(last_type_, last_date_);
  }
  auto open = [&]() -> Buffer& {
    std::unique_ptr<Buffer>& b = buffers_[key_];
    if (!b) {
      b = std::make_unique<Buffer>();
      b->key = key_;
      b->encoder = factory_();
      b->opened_us = receive_us;
    }
    return *b;
  };
  Buffer* b = &open();
  if (!b->encoder->Add(f, derived)) {
    // The file's schema is fixed and this event conflicts: the file is finished here
    // (deterministically: the same records make the same cut) and a new one starts.
    sealed_.push_back(std::move(buffers_[key_]));
    buffers_.erase(key_);
    b = &open();
    // An empty Parquet file takes any event; a refusal here would be an encoder bug.
    if (!b->encoder->Add(f, derived)) std::abort();
  }
  b->NoteReceived(receive_us, receive_wall_s, f.seconds);
  ++counts.written;
}

void ShardWork::DeadLetter(Reason reason, std::string_view detail, std::string_view sequence_number, uint32_t line,
                           std::string_view raw, uint64_t full_size) {
  ++counts.invalid;
  ++counts.invalid_by_reason[static_cast<int>(reason)];
  if (!errors_) {
    errors_ = std::make_unique<Buffer>();
    errors_->key = kErrorsKey;
    errors_->encoder = std::make_unique<JsonlEncoder>(o_.errors_compression);
    errors_->opened_us = opened_us_;
  }
  FormatDeadLetter(line_, reason, detail, {source_, sequence_number, line, std::nullopt}, raw, full_size);
  static_cast<JsonlEncoder&>(*errors_->encoder).AddLine(line_);
  ++errors_->events;
}

bool ShardWork::Due(int64_t now_us) const {
  if (empty()) return false;
  const FlushPolicy& p = o_.flush;
  if (now_us - opened_us_ >= p.max_age_us) return true;
  auto full = [&p](const Buffer& b) {
    return b.encoder->buffered_bytes() >= p.max_bytes || (p.max_events > 0 && b.events >= p.max_events);
  };
  if (errors_ && full(*errors_)) return true;
  for (const auto& [k, b] : buffers_)
    if (full(*b)) return true;
  return !sealed_.empty() && std::any_of(sealed_.begin(), sealed_.end(), [&](const auto& b) { return full(*b); });
}

int64_t ShardWork::NextDeadline() const { return empty() ? INT64_MAX : opened_us_ + o_.flush.max_age_us; }

size_t ShardWork::memory() const {
  size_t total = errors_ ? errors_->memory() : 0;
  for (const auto& [k, b] : buffers_) total += b->memory();
  for (const auto& b : sealed_) total += b->memory();
  return total;
}

std::vector<EpochObject> ShardWork::TakeObjects(uint64_t epoch) {
  std::vector<std::unique_ptr<Buffer>> all = std::move(sealed_);
  sealed_.clear();
  for (auto& [k, b] : buffers_) all.push_back(std::move(b));
  buffers_.clear();
  if (errors_) all.push_back(std::move(errors_));
  std::vector<EpochObject> out;
  char name[48];
  for (size_t i = 0; i < all.size(); ++i) {
    std::snprintf(name, sizeof(name), "-%010llu-%05zu", static_cast<unsigned long long>(epoch), i);
    std::string key = all[i]->key + "/part-" + lease.shard_id + name + std::string(all[i]->encoder->extension());
    out.push_back({std::move(key), std::move(all[i])});
  }
  return out;
}

void ShardWork::ResetRange() {
  first_.clear();
  last_.clear();
  buffers_.clear();
  sealed_.clear();
  errors_.reset();
  counts = RangeCounts{};
  last_type_.clear();
  last_date_.clear();
}

}  // namespace eventlake
