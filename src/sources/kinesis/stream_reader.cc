#include "sources/kinesis/stream_reader.h"

#include "sources/kinesis/shard_discovery.h"

namespace eventlake::kinesis {

StreamReader::StreamReader(aws::HttpClient& client, const aws::AwsConfig& config, ShardReaderOptions options,
                           StartPosition initial, StreamCheckpoint checkpoint)
    : client_(client),
      config_(config),
      stream_(options.stream),
      initial_(std::move(initial)),
      checkpoint_(std::move(checkpoint)),
      reader_(std::make_unique<ShardReader>(client, config, std::move(options))),
      finished_(checkpoint_.finished) {}

Result<std::unique_ptr<StreamReader>> StreamReader::Open(aws::HttpClient& client, const aws::AwsConfig& config,
                                                         ShardReaderOptions options, StartPosition initial,
                                                         StreamCheckpoint checkpoint) {
  if (options.stream.empty()) return Status::Error("kinesis: no stream name");
  std::unique_ptr<StreamReader> r(
      new StreamReader(client, config, std::move(options), std::move(initial), std::move(checkpoint)));
  EL_RETURN_IF_ERROR(r->Refresh());
  if (r->initial_.type == IteratorType::kLatest) {
    for (const std::string& id : r->graph_->ClosedShards()) {
      if (r->checkpoint_.after_sequence.count(id) == 0 && r->finished_.insert(id).second) r->skipped_.insert(id);
    }
  }
  r->AssignReadable();
  return r;
}

Status StreamReader::Refresh() {
  auto shards = ListAllShards(client_, config_, stream_);
  if (!shards.ok()) return shards.status();
  graph_ = std::make_unique<ShardGraph>(std::move(shards.value()));
  ++refreshes_;
  return Status::Ok();
}

StartPosition StreamReader::StartFor(const std::string& shard_id) const {
  auto cp = checkpoint_.after_sequence.find(shard_id);
  if (cp != checkpoint_.after_sequence.end()) return StartPosition::After(cp->second);
  if (initial_.type != IteratorType::kLatest) return initial_;
  // LATEST applies to the shards open at the start; a child of a shard read here holds
  // only records written after that, all of which must be read.
  for (const std::string& p : graph_->KnownParents(shard_id)) {
    if (skipped_.count(p) == 0) return StartPosition::TrimHorizon();
  }
  return initial_;
}

void StreamReader::AssignReadable() {
  for (const std::string& id : graph_->Readable(finished_)) reader_->Assign(id, StartFor(id));
}

ReadBatch StreamReader::Poll() {
  ReadBatch batch = reader_->Poll();
  for (const ShardBatch& s : batch.shards) {
    if (s.shard_ended && finished_.insert(s.shard_id).second) refresh_pending_ = true;
  }
  if (refresh_pending_) {
    Status st = Refresh();
    if (st.ok()) {
      refresh_pending_ = false;
      AssignReadable();
    } else if (batch.status.ok()) {
      batch.status = st;  // tried again next round
    }
  }
  return batch;
}

bool StreamReader::CaughtUp() const {
  if (refresh_pending_ || !reader_->CaughtUp()) return false;
  for (const std::string& id : graph_->Readable(finished_)) {
    if (!reader_->IsAssigned(id)) return false;
  }
  return true;
}

}  // namespace eventlake::kinesis
