#pragma once
// AWS mode: one read round, from Kinesis records to events in their shards' buffers.
// Each record's data is split into events (one JSON event or NDJSON), each event is
// validated (invalid ones become the shard's dead letters), and every valid event's
// uuid is claimed in DynamoDB in one pipelined batch with the event's own token
// (shard/sequence/line), its shard's watermark and expiry. The winners are written
// to their shard's partition buffers, in record order; the losers are duplicates.
#include <functional>
#include <string>
#include <vector>

#include "app/ingest_options.h"
#include "app/shard_work.h"
#include "decode/validate.h"
#include "dedup/dynamodb/dynamodb_claim_store.h"
#include "sources/kinesis/shard_reader.h"

namespace eventlake {

class ClaimRound {
 public:
  ClaimRound(const IngestOptions& options, dynamodb::DynamoDbClaimStore& claims);

  // `shard_of(id)` is the held shard's work, or nullptr when it is no longer held (its
  // records are then left out). Record data is padded in place for the validator.
  Status Run(kinesis::ReadBatch& round, const std::function<ShardWork*(const std::string&)>& shard_of);

 private:
  // An event that passed validation, waiting for its claim's answer. The strings are
  // copies: the validator's views die with its next record.
  struct PendingEvent {
    ShardWork* shard;
    std::string uuid, type, subtype, token;
    int64_t seconds;
    std::string_view object;  // in the record's data (kept alive by the read round)
    Derived derived;
    int64_t expires_at, watermark;
  };

  const IngestOptions& o_;
  dynamodb::DynamoDbClaimStore& claims_;
  Validator validator_;
  std::vector<PendingEvent> pending_;
  std::vector<dynamodb::ClaimRequest> requests_;
  std::vector<dynamodb::ClaimOutcome> outcomes_;
};

}  // namespace eventlake
