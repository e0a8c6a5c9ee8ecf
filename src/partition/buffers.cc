#include "partition/buffers.h"

#include <algorithm>

namespace eventlake {

void Buffer::NoteSource(uint32_t source, uint64_t offset, uint64_t line_no, int64_t watermark) {
  if (!first_marks.empty() && first_marks.back().source == source) return;
  for (const auto& m : first_marks)
    if (m.source == source) return;
  first_marks.push_back({source, offset, line_no, watermark});
}

void Buffer::NoteReceived(int64_t recv_us, int64_t recv_wall_s, int64_t created_s) {
  ++events;
  if (receive_runs.empty() || receive_runs.back().first != recv_us) {
    receive_runs.emplace_back(recv_us, 0);
    if (first_receive_wall_us == 0) first_receive_wall_us = recv_wall_s * 1000000;
  }
  ++receive_runs.back().second;
  lag_at_receive.Add(static_cast<double>(recv_wall_s - created_s));
}

Buffer& PartitionBuffers::Get(std::string_view key, int64_t now_us) {
  if (last_ != nullptr && last_->key == key) return *last_;
  auto it = buffers_.find(std::string(key));
  if (it == buffers_.end()) {
    auto b = std::make_unique<Buffer>();
    b->key = std::string(key);
    b->encoder = factory_();
    b->opened_us = now_us;
    it = buffers_.emplace(b->key, std::move(b)).first;
  }
  last_ = it->second.get();
  return *last_;
}

std::unique_ptr<Buffer> PartitionBuffers::Take(std::string_view key) {
  auto it = buffers_.find(std::string(key));
  if (it == buffers_.end()) return nullptr;
  std::unique_ptr<Buffer> b = std::move(it->second);
  buffers_.erase(it);
  last_ = nullptr;
  return b;
}

size_t PartitionBuffers::memory() const {
  size_t total = 0;
  for (const auto& [k, b] : buffers_) total += b->memory() + b->claims.size() * policy_.pending_claim_bytes;
  return total;
}

int64_t PartitionBuffers::NextAgeDeadline() const {
  int64_t next = INT64_MAX;
  for (const auto& [k, b] : buffers_) next = std::min(next, b->opened_us + policy_.max_age_us);
  return next;
}

std::vector<std::unique_ptr<Buffer>> PartitionBuffers::TakeDue(int64_t now_us, bool all) {
  std::vector<std::unique_ptr<Buffer>> due;
  size_t remaining = 0;
  std::vector<std::pair<size_t, std::string>> by_size;
  for (auto it = buffers_.begin(); it != buffers_.end();) {
    Buffer& b = *it->second;
    const size_t mem = b.memory() + b.claims.size() * policy_.pending_claim_bytes;
    const bool full =
        b.encoder->buffered_bytes() >= policy_.max_bytes || (policy_.max_events > 0 && b.events >= policy_.max_events);
    if (all || full || now_us - b.opened_us >= policy_.max_age_us) {
      due.push_back(std::move(it->second));
      it = buffers_.erase(it);
      continue;
    }
    remaining += mem;
    by_size.emplace_back(mem, it->first);
    ++it;
  }
  if (remaining > policy_.memory_budget) {
    // Over budget: flush the largest until under it.
    std::sort(by_size.begin(), by_size.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (const auto& [mem, key] : by_size) {
      if (remaining <= policy_.memory_budget / 2) break;  // leave room, so budget flushes are not every chunk
      auto it = buffers_.find(key);
      due.push_back(std::move(it->second));
      buffers_.erase(it);
      remaining -= mem;
    }
  }
  last_ = nullptr;
  return due;
}

}  // namespace eventlake
