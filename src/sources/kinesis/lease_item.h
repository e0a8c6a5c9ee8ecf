#pragma once
// A shard lease as a DynamoDB item, without any network: the request bodies of every
// lease operation (conditional PutItem / UpdateItem, paginated Scan) and the reading of
// their answers. Kept apart from LeaseTable so unit tests check exactly what is sent.
//
// Item: {"lease": S "<stream>/<shard id>" (hash key), "owner": S (absent = free),
// "counter": N, "checkpoint": S (absent = none), "watermark": N, "epoch": N,
// "finished": BOOL, "intent_first" / "intent_last": S (absent = none)}. An empty string is never
// written: empty fields are absent attributes. Every name goes through
// ExpressionAttributeNames (DynamoDB reserves many plain words).
//
// Writes that move the counter (Take, Renew, Release) set the new value computed here
// (":c1") and also accept the state they themselves produce: when the client retries a
// write whose first attempt was applied but whose answer was lost, the retry succeeds
// instead of reporting a lease lost. Only this worker can have produced that state
// (every counter value is written by exactly one transition).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "store/aws/http_client.h"

namespace eventlake::kinesis {

struct Lease {
  std::string stream, shard_id;  // item key "lease" = stream + "/" + shard_id
  std::string owner;             // worker id; empty = free (attribute absent in the item)
  uint64_t counter = 0;          // +1 on every Take, Renew and Release
  std::string checkpoint;        // last sequence number committed (published); empty = none yet
  int64_t watermark = 0;         // the shard's dedup watermark at the checkpoint (event-time seconds)
  uint64_t epoch = 0;            // number of the shard's next epoch
  bool finished = false;         // shard closed and read to its end, everything committed
  // Epoch `epoch` is being published: it covers the records after checkpoint up to and
  // including intent_last (empty = no intent), the first of them being intent_first
  // (empty = not known: the range starts right after checkpoint, or at the start
  // position without one).
  std::string intent_first;
  std::string intent_last;

  bool operator==(const Lease&) const = default;
};

inline constexpr std::string_view kLeaseKeyAttr = "lease";

// "<stream>/<shard id>".
std::string LeaseKey(std::string_view stream, std::string_view shard_id);

// PutItem if absent (attribute_not_exists on the key).
std::string CreateLeaseBody(std::string_view table, const Lease& lease);
// UpdateItem SET owner = new_owner, counter = counter + 1; condition: counter and owner
// as read (attribute_not_exists when it was free). ReturnValues ALL_NEW: the previous
// owner may have checkpointed since `lease` was read.
std::string TakeLeaseBody(std::string_view table, const Lease& lease, std::string_view new_owner);
// SET counter + 1; condition owner and counter.
std::string RenewLeaseBody(std::string_view table, const Lease& lease);
// SET intent_first and intent_last (each REMOVEd when empty; an empty last removes both);
// condition owner and counter.
std::string RecordIntentBody(std::string_view table, const Lease& lease, std::string_view first_sequence,
                             std::string_view last_sequence);
// SET checkpoint (REMOVE when empty), watermark, finished, epoch + 1; REMOVE intent_first
// and intent_last; condition owner and counter.
std::string CheckpointLeaseBody(std::string_view table, const Lease& lease, std::string_view sequence,
                                int64_t watermark, bool finished);
// REMOVE owner, SET counter + 1; condition owner and counter.
std::string ReleaseLeaseBody(std::string_view table, const Lease& lease);

// A strongly consistent Scan of the items whose key starts with "<stream>/", from
// `start_key` (empty: the first page), at most `limit` items read per page (0 = no limit).
std::string ScanLeasesBody(std::string_view table, std::string_view stream, std::string_view start_key, int limit);

struct LeasePage {
  std::vector<Lease> leases;  // only this stream's, in the order read
  std::string last_key;       // LastEvaluatedKey; empty on the last page
};
Result<LeasePage> ParseScanLeases(std::string_view body, std::string_view stream);
// The "Attributes" of an UpdateItem answer with ReturnValues ALL_NEW.
Result<Lease> ParseLeaseAttributes(std::string_view body);

// The answer to a conditional write: true on 2xx, false on ConditionalCheckFailedException,
// an error naming `what` (operation, table, lease) otherwise.
Result<bool> ReadConditionalAnswer(const aws::HttpResponse& resp, std::string_view what);

}  // namespace eventlake::kinesis
