#include "decode/framer.h"

#include <algorithm>
#include <cstring>

namespace eventlake {

namespace {
bool IsBlank(std::string_view s) {
  for (char c : s)
    if (c != ' ' && c != '\t' && c != '\r') return false;
  return true;
}
}  // namespace

Framer::Framer(Source& source, size_t read_size, size_t max_record_size, uint64_t start_offset, uint64_t start_line_no)
    : source_(source),
      read_size_(read_size),
      max_record_size_(max_record_size),
      buf_(read_size + max_record_size + 1 + kPadding),
      buf_offset_(start_offset),
      line_no_(start_line_no) {}

void Framer::EmitLine(const char* begin, size_t len, LineBatch& batch) {
  const uint64_t offset = buf_offset_ + static_cast<uint64_t>(begin - buf_.data());
  ++line_no_;
  std::string_view s(begin, len);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  if (offset == 0 && s.size() >= 3 && std::memcmp(s.data(), "\xEF\xBB\xBF", 3) == 0) s.remove_prefix(3);
  if (IsBlank(s)) {
    ++batch.blank_lines;
    return;
  }
  batch.lines.push_back(Line{s, offset, line_no_, len, false});
}

// The kept prefix is min(kTooLargePrefix, line size) bytes however the reads split the
// line, so a dead letter is the same bytes on a replay with other read boundaries.
void Framer::ExtendSkipPrefix(const char* begin, size_t len) {
  if (skip_prefix_.size() < kTooLargePrefix)
    skip_prefix_.append(begin, std::min(len, kTooLargePrefix - skip_prefix_.size()));
}

Status Framer::Next(int timeout_ms, LineBatch& batch) {
  batch.lines.clear();
  batch.blank_lines = 0;
  held_prefixes_.clear();
  // Drop the bytes handed out by the previous batch; keep the unfinished line.
  if (pending_move_from_ > 0) {
    std::memmove(buf_.data(), buf_.data() + pending_move_from_, len_ - pending_move_from_);
    len_ -= pending_move_from_;
    buf_offset_ += pending_move_from_;
    pending_move_from_ = 0;
  }
  if (eof_ && len_ == 0) {
    batch.eof = true;
    batch.end_offset = buf_offset_;
    batch.end_line_no = line_no_;
    return Status::Ok();
  }
  const size_t cap = buf_.size() - kPadding;
  auto got = source_.Read(buf_.data() + len_, std::min(read_size_, cap - len_), timeout_ms);
  if (!got.ok()) return got.status();
  len_ += got->bytes;
  if (got->eof) eof_ = true;

  size_t start = 0;
  for (;;) {
    const void* nl = std::memchr(buf_.data() + start, '\n', len_ - start);
    if (nl == nullptr) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
    if (skipping_) {
      ExtendSkipPrefix(buf_.data() + start, end - start);
      skip_size_ += end - start;
      held_prefixes_.push_back(std::move(skip_prefix_));
      ++line_no_;
      batch.lines.push_back(Line{held_prefixes_.back(), skip_offset_, line_no_, skip_size_, true});
      skipping_ = false;
    } else if (end - start > max_record_size_) {
      held_prefixes_.emplace_back(buf_.data() + start, std::min(kTooLargePrefix, end - start));
      ++line_no_;
      batch.lines.push_back(Line{held_prefixes_.back(), buf_offset_ + start, line_no_, end - start, true});
    } else {
      EmitLine(buf_.data() + start, end - start, batch);
    }
    start = end + 1;
  }
  if (eof_ && start < len_) {
    // The last line has no newline.
    if (skipping_) {
      ExtendSkipPrefix(buf_.data() + start, len_ - start);
      skip_size_ += len_ - start;
      held_prefixes_.push_back(std::move(skip_prefix_));
      ++line_no_;
      batch.lines.push_back(Line{held_prefixes_.back(), skip_offset_, line_no_, skip_size_, true});
      skipping_ = false;
    } else if (len_ - start > max_record_size_) {
      held_prefixes_.emplace_back(buf_.data() + start, std::min(kTooLargePrefix, len_ - start));
      ++line_no_;
      batch.lines.push_back(Line{held_prefixes_.back(), buf_offset_ + start, line_no_, len_ - start, true});
    } else {
      EmitLine(buf_.data() + start, len_ - start, batch);
    }
    start = len_;
  } else if (eof_ && skipping_) {
    held_prefixes_.push_back(std::move(skip_prefix_));
    ++line_no_;
    batch.lines.push_back(Line{held_prefixes_.back(), skip_offset_, line_no_, skip_size_, true});
    skipping_ = false;
  }
  batch.end_offset = buf_offset_ + start;
  batch.end_line_no = line_no_;
  batch.eof = eof_ && start == len_ && !skipping_;

  // The unfinished tail moves to the front on the next call, once the caller is done
  // with this batch's views (they point into buf_).
  const size_t tail = len_ - start;
  if (skipping_) {
    ExtendSkipPrefix(buf_.data() + start, tail);
    skip_size_ += tail;
    len_ = 0;
    buf_offset_ += start + tail;
  } else if (tail > max_record_size_) {
    // Oversized and still unfinished: keep its prefix, stream past the rest.
    skipping_ = true;
    skip_prefix_.assign(buf_.data() + start, std::min(kTooLargePrefix, tail));
    skip_offset_ = buf_offset_ + start;
    skip_size_ = tail;
    len_ = 0;
    buf_offset_ += start + tail;
  } else {
    pending_move_from_ = start;
  }
  return Status::Ok();
}

}  // namespace eventlake
