#include "app/batch_reader.h"

#include <chrono>

namespace eventlake {

void CheckBatch(Validator& validator, CheckedBatch& out) {
  out.records.clear();
  out.rejects.clear();
  out.arena.clear();
  auto keep = [&out](std::string_view s, uint32_t& pos, uint32_t& len) {
    pos = static_cast<uint32_t>(out.arena.size());
    len = static_cast<uint32_t>(s.size());
    out.arena.append(s);
  };
  Verdict verdict;
  const std::vector<Line>& lines = out.batch.lines;
  for (uint32_t i = 0; i < lines.size(); ++i) {
    if (lines[i].too_large) continue;
    validator.Check(lines[i].bytes, verdict);
    if (!verdict.ok) {
      out.rejects.push_back({i, verdict.reason, verdict.detail});
      continue;
    }
    const EventFields& f = verdict.fields;
    CheckedRecord& r = out.records.emplace_back();
    r.line = i;
    keep(f.uuid, r.uuid_pos, r.uuid_len);
    keep(f.type, r.type_pos, r.type_len);
    keep(f.subtype, r.sub_pos, r.sub_len);
    r.seconds = f.seconds;
    r.object = f.object;
    Derive(f, r.derived);
  }
}

BatchReader::BatchReader(Framer& framer, ValidateOptions options, int workers)
    : framer_(framer), options_(options), workers_(workers) {
  if (workers_ == 0) {
    inline_validator_ = std::make_unique<Validator>(options_);
    inline_batch_ = std::make_unique<CheckedBatch>();
    return;
  }
  for (int i = 0; i < workers_; ++i) threads_.emplace_back([this] { Work(); });
}

BatchReader::~BatchReader() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  space_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

CheckedBatch* BatchReader::Next(int timeout_ms) {
  if (workers_ == 0) {
    CheckedBatch& b = *inline_batch_;
    b.status = framer_.Next(timeout_ms, b.batch);
    if (b.status.ok()) CheckBatch(*inline_validator_, b);
    return &b;
  }
  std::unique_lock lock(mu_);
  if (!ready_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [this] { return ready_.contains(next_out_); }))
    return nullptr;
  auto it = ready_.find(next_out_++);
  CheckedBatch* b = it->second;
  ready_.erase(it);
  return b;
}

void BatchReader::Release(CheckedBatch* batch) {
  if (workers_ == 0 || batch == nullptr) return;
  {
    std::lock_guard lock(mu_);
    free_.push_back(batch);
    --in_flight_;
  }
  space_cv_.notify_one();
}

void BatchReader::Adopt(const LineBatch& from, CheckedBatch& b) {
  size_t bytes = 0;
  for (const Line& l : from.lines) bytes += l.bytes.size() + 1;
  b.storage.clear();
  b.storage.reserve(bytes + Framer::kPadding);
  b.batch.lines = from.lines;
  for (Line& l : b.batch.lines) {
    const size_t pos = b.storage.size();
    b.storage.append(l.bytes);
    b.storage.push_back('\n');
    l.bytes = std::string_view(b.storage.data() + pos, l.bytes.size());  // no reallocation: reserved
  }
  b.storage.append(Framer::kPadding, '\0');  // simdjson reads past the last line
  b.batch.blank_lines = from.blank_lines;
  b.batch.end_offset = from.end_offset;
  b.batch.end_line_no = from.end_line_no;
  b.batch.eof = from.eof;
}

void BatchReader::Work() {
  Validator validator(options_);
  // Enough batches in flight to keep every worker busy while the pipeline works on one.
  const size_t max_in_flight = 2 * static_cast<size_t>(workers_) + 2;
  for (;;) {
    CheckedBatch* b = nullptr;
    {
      std::unique_lock lock(mu_);
      space_cv_.wait(lock, [&] { return stop_ || done_reading_ || in_flight_ < max_in_flight; });
      if (stop_ || done_reading_) return;
      ++in_flight_;
      if (free_.empty()) {
        all_.push_back(std::make_unique<CheckedBatch>());
        free_.push_back(all_.back().get());
      }
      b = free_.back();
      free_.pop_back();
    }
    uint64_t seq;
    {
      std::lock_guard framing(framer_mu_);
      if (done_reading_) {
        std::lock_guard lock(mu_);
        free_.push_back(b);
        --in_flight_;
        return;
      }
      b->status = framer_.Next(1000, scratch_);
      seq = next_seq_++;
      if (b->status.ok()) Adopt(scratch_, *b);
      if (!b->status.ok() || scratch_.eof) done_reading_ = true;
    }
    if (b->status.ok()) CheckBatch(validator, *b);
    {
      std::lock_guard lock(mu_);
      ready_.emplace(seq, b);
    }
    ready_cv_.notify_all();
    if (done_reading_) space_cv_.notify_all();  // wake the others so they exit
  }
}

}  // namespace eventlake
