#pragma once
// The ingest loop for one run: sources in order, batch by batch.
#include <memory>
#include <string>
#include <vector>

#include "app/batch_reader.h"
#include "app/epoch_worker.h"
#include "app/ingest_options.h"
#include "app/run_report.h"
#include "commit/committer.h"
#include "decode/framer.h"
#include "decode/validate.h"
#include "dedup/deduplicator.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "partition/buffers.h"
#include "state/state_db.h"

namespace eventlake {

class IngestPipeline {
 public:
  IngestPipeline(const IngestOptions& options, StateDb& state, Deduplicator& dedup, Committer& committer,
                 RunReport& report, int64_t start_us);
  Status Run();

 private:
  // Per input, what the checkpoint needs.
  struct SourceState {
    std::string path;
    uint64_t id = 0;           // identity: hash of the path and the first line
    bool verifiable = false;   // plain regular file: the checkpoint can hold a tail hash
    uint64_t read_offset = 0;  // end of the last batch handed to the buffers
    uint64_t read_line = 0;
    int64_t read_watermark = 0;  // dedup watermark at read_offset
    uint64_t dlq_upto = 0;       // from the checkpoint: invalid records before it are already dead-lettered
    uint64_t dlq_committed = 0;  // what the last checkpoint of this run said about dead letters
  };
  Status ProcessInput(uint32_t index);
  Status ProcessBatch(const CheckedBatch& checked, uint32_t index);
  void DeadLetter(const Line& line, Reason reason, const std::string& detail, const SourceState& src);
  Status MaybeFlush(bool all);
  Status Flush(std::vector<std::unique_ptr<Buffer>> due, bool with_errors);
  // A written epoch: settle its claims, count it in the report.
  Status FinishEpochs(std::vector<std::unique_ptr<EpochJob>> done);
  uint64_t TailHash(const SourceState& s, uint64_t offset) const;
  void Progress(Source& source, bool force);

  const IngestOptions& o_;
  StateDb& state_;
  Deduplicator& dedup_;
  Committer& committer_;
  RunReport& report_;
  int64_t start_us_;
  PartitionBuffers buffers_;
  std::unique_ptr<Buffer> errors_;  // dead letters of the current epoch
  std::vector<SourceState> sources_;
  std::vector<DedupInput> dedup_in_;
  std::vector<Decision> decisions_;
  std::vector<Claim> claims_;
  std::string key_;  // partition key of the last routed event
  std::string last_type_;
  std::string last_date_;
  std::string dlq_line_;
  int64_t last_progress_us_ = 0;
  std::unique_ptr<EpochWorker> epochs_;  // last: its thread stops before the rest goes
};

}  // namespace eventlake
