#pragma once
// Firehose-style buffering: one buffer per partition, flushed by size, record count or
// age, plus one memory budget across all of them (the largest flush first when over).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/histogram.h"
#include "dedup/dedup_store.h"
#include "encode/encoder.h"

namespace eventlake {

// The first record a buffer holds from one source: the checkpoint cannot pass it
// until the buffer is committed.
struct SourceMark {
  uint32_t source = 0;
  uint64_t offset = 0;
  uint64_t line_no = 0;
  int64_t watermark = 0;  // the dedup watermark just before this record
};

struct Buffer {
  std::string key;  // relative directory in the lake, e.g. "event_type=a/event_date=2022-02-14"
  std::unique_ptr<Encoder> encoder;
  ClaimList claims;
  std::vector<SourceMark> first_marks;
  uint64_t events = 0;
  int64_t opened_us = 0;  // monotonic
  // Metrics: (receive time, events) runs and lag of created_at behind receive (s).
  std::vector<std::pair<int64_t, uint32_t>> receive_runs;
  Histogram lag_at_receive;
  int64_t first_receive_wall_us = 0;

  size_t memory() const { return encoder->buffered_bytes() + claims.memory() + 64 * first_marks.size(); }
  // One more event, received at recv_us (monotonic) / recv_wall_s, created at created_s.
  void NoteReceived(int64_t recv_us, int64_t recv_wall_s, int64_t created_s);
  void NoteSource(uint32_t source, uint64_t offset, uint64_t line_no, int64_t watermark);
};

struct FlushPolicy {
  uint64_t max_bytes = 64ULL << 20;
  uint64_t max_events = 0;  // 0: no count limit
  int64_t max_age_us = 60LL * 1000 * 1000;
  uint64_t memory_budget = 128ULL << 20;
  // Memory held elsewhere for each buffered event's claim until its commit (the
  // deduplicator's pending table: a slot and the uuid), counted against the budget.
  uint64_t pending_claim_bytes = 0;
};

class PartitionBuffers {
 public:
  using EncoderFactory = std::function<std::unique_ptr<Encoder>()>;
  PartitionBuffers(FlushPolicy policy, EncoderFactory factory) : policy_(policy), factory_(std::move(factory)) {}

  // The buffer for a partition directory, created on first use.
  Buffer& Get(std::string_view key, int64_t now_us);
  // Removes and returns the buffers the policy says to flush now (all when `all`).
  std::vector<std::unique_ptr<Buffer>> TakeDue(int64_t now_us, bool all);
  // Removes and returns one buffer (to flush it out of turn).
  std::unique_ptr<Buffer> Take(std::string_view key);
  // Buffers still held, for checkpoint computation.
  template <typename F>
  void ForEach(F&& f) const {
    for (const auto& [k, b] : buffers_) f(*b);
  }
  size_t size() const { return buffers_.size(); }
  size_t memory() const;
  // Earliest time the age policy will fire, or INT64_MAX.
  int64_t NextAgeDeadline() const;

 private:
  FlushPolicy policy_;
  EncoderFactory factory_;
  std::unordered_map<std::string, std::unique_ptr<Buffer>> buffers_;
  Buffer* last_ = nullptr;  // one-entry cache: consecutive events often share a partition
};

}  // namespace eventlake
