#pragma once
// AWS mode (`eventlake ingest --source kinesis://STREAM --dedup dynamodb://TABLE
// --lake s3://BUCKET/PREFIX`): one of N identical workers over a Kinesis stream.
//
// Per shard it holds a lease (sources/kinesis/lease_table: owner + counter, renewed
// every third of --lease-duration; every write of the lease is conditional on both,
// so a worker that lost the lease is fenced out). A shard's records since its
// checkpoint form the shard's current range; each event's uuid is claimed in DynamoDB
// with the event's own token (shard/sequence/line), pipelined per read round. When
// the flush policy says so, the range becomes an epoch:
//   1. intent: the range (first..last sequence number) is written into the lease;
//   2. publish: its objects are uploaded under keys made of shard id + epoch number;
//   3. checkpoint: last sequence number, the shard's watermark, epoch + 1, intent
//      removed, in one conditional write.
// Whoever takes a lease with an intent replays exactly that range first (same records,
// same claims won through the tokens, same objects, same keys), then goes on.
#include "app/ingest_options.h"
#include "app/run_report.h"
#include "core/status.h"

namespace eventlake {

Status RunStreamWorker(const IngestOptions& options, RunReport& report);

}  // namespace eventlake
