#pragma once
// A Source yields the bytes of one input stream (already decompressed), in order.
// Framing into records happens downstream (decode/), so every source shares it.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/status.h"

namespace eventlake {

struct ReadResult {
  size_t bytes = 0;  // bytes placed in the buffer
  bool eof = false;  // no more bytes will ever come
  // bytes == 0 && !eof: nothing arrived within the timeout (lets the caller flush by age)
};

class Source {
 public:
  virtual ~Source() = default;
  // Reads up to `cap` bytes, waiting at most `timeout_ms` for slow streams (pipes).
  virtual Result<ReadResult> Read(char* buf, size_t cap, int timeout_ms) = 0;
  // Discards the next `n` decompressed bytes (resume from a checkpoint).
  virtual Status Skip(uint64_t n) = 0;
  // Human name used in reports and dead letters ("events.ndjson", "-").
  virtual const std::string& name() const = 0;
  // For progress: bytes of the underlying file consumed so far and its size, if known.
  virtual uint64_t raw_consumed() const = 0;
  virtual std::optional<uint64_t> raw_size() const = 0;
  // True when the bytes are decompressed from gzip/zstd (offsets are not file offsets).
  virtual bool compressed() const = 0;
};

}  // namespace eventlake
