#pragma once
// The parallel half of ingest. Framing a source and checking its records (validate +
// derive) need no shared state, so with --threads N they run ahead of the pipeline on
// N-1 worker threads, a batch at a time. The ordered half (dedup, routing, encoding,
// commits) stays on the calling thread and takes checked batches strictly in input
// order; checkpoints only ever count batches it has finished.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/status.h"
#include "decode/framer.h"
#include "decode/validate.h"
#include "transform/derive.h"

namespace eventlake {

// A valid record: its strings live in the batch's arena.
struct CheckedRecord {
  uint32_t line;  // index in batch.lines
  uint32_t uuid_pos, uuid_len, type_pos, type_len, sub_pos, sub_len;
  int64_t seconds;
  std::string_view object;
  Derived derived;
};

// An invalid record (too-large lines are left to the caller: they were never parsed).
struct RejectedRecord {
  uint32_t line;
  Reason reason;
  std::string detail;
};

struct CheckedBatch {
  Status status = Status::Ok();  // a read error ends the input
  LineBatch batch;
  std::vector<CheckedRecord> records;   // in line order
  std::vector<RejectedRecord> rejects;  // in line order
  std::string arena;
  std::string storage;  // the lines' own bytes when read ahead (the framer reuses its buffer)

  std::string_view view(uint32_t pos, uint32_t len) const { return std::string_view(arena).substr(pos, len); }
};

// Validates and derives every line of `out.batch` into out.records / out.rejects.
void CheckBatch(Validator& validator, CheckedBatch& out);

class BatchReader {
 public:
  // workers == 0: Next() frames and checks on the calling thread.
  BatchReader(Framer& framer, ValidateOptions options, int workers);
  ~BatchReader();  // stops the workers (a blocked read returns within a second)
  BatchReader(const BatchReader&) = delete;
  BatchReader& operator=(const BatchReader&) = delete;

  // The next batch in input order, or nullptr when none is ready within timeout_ms.
  // It stays valid until Release(); release each batch before asking for many more.
  CheckedBatch* Next(int timeout_ms);
  void Release(CheckedBatch* batch);

 private:
  void Work();
  // Copies the framer's batch into `b` (lines then point into b->storage).
  static void Adopt(const LineBatch& from, CheckedBatch& b);

  Framer& framer_;
  const ValidateOptions options_;
  const int workers_;
  std::unique_ptr<Validator> inline_validator_;
  std::unique_ptr<CheckedBatch> inline_batch_;

  std::mutex mu_;
  std::condition_variable ready_cv_;  // a batch became ready
  std::condition_variable space_cv_;  // a batch was released, or stop
  std::vector<std::unique_ptr<CheckedBatch>> all_;
  std::vector<CheckedBatch*> free_;
  std::map<uint64_t, CheckedBatch*> ready_;  // by sequence number
  uint64_t next_out_ = 0;
  size_t in_flight_ = 0;
  bool stop_ = false;

  std::mutex framer_mu_;  // one worker frames at a time; sequence numbers follow input order
  LineBatch scratch_;
  uint64_t next_seq_ = 0;
  std::atomic<bool> done_reading_{false};

  std::vector<std::thread> threads_;
};

}  // namespace eventlake
