#pragma once
// The DynamoDB wire format of a claim, without any network: the conditional PutItem
// body, the reading of its answer, and the control-plane bodies (CreateTable,
// DescribeTable, UpdateTimeToLive). Kept apart from the store so unit tests check
// exactly what is sent and how every answer is read.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "dedup/dedup_store.h"
#include "store/aws/http_client.h"

namespace eventlake::dynamodb {

// Item attributes. "token" and "ttl" are DynamoDB reserved words: expressions name
// them through ExpressionAttributeNames only.
inline constexpr std::string_view kUuidAttr = "uuid";
inline constexpr std::string_view kTokenAttr = "token";
inline constexpr std::string_view kExpiresAttr = "expires_at";  // event-time seconds
inline constexpr std::string_view kTtlAttr = "ttl";             // epoch seconds, for DynamoDB TTL
// DynamoDB's limit for a partition key is 2048 bytes; longer uuids are claimed under
// "sha256:<hex of the uuid>" (deterministic, so copies still meet).
inline constexpr size_t kMaxKeyBytes = 1024;

struct ClaimRequest {
  std::string_view uuid;
  // The record's own source identity (FormatToken): a replay of the same record carries
  // the same token, any other copy of the uuid a different one.
  std::string_view token;
  int64_t expires_at = 0;  // event-time second until which this claim dedupes (watermark + window)
  int64_t watermark = 0;   // the caller's watermark for this record: claims below it are dead
};

enum class ClaimOutcome : uint8_t {
  kWon,          // the uuid was free
  kWonExpired,   // another record's claim had expired (expires_at < watermark): taken over
  kWonOwnToken,  // already held by this same record: a replay after a crash; write it again
  kLost,         // held by another record and live: a duplicate
};
inline bool Won(ClaimOutcome o) { return o != ClaimOutcome::kLost; }
std::string_view OutcomeName(ClaimOutcome o);

// Kinesis: FormatToken(shard_id, sequence_number) -> "shardId-000000000001/4959...".
// Kinesis sequence numbers have up to 128 bits, hence a string and not Token's u64.
std::string FormatToken(std::string_view source, std::string_view position);
// The local sources' Token {source_id, offset} -> "<source_id>/<offset>".
std::string FormatToken(const Token& token);

// "dynamodb://TABLE" -> TABLE, checked against DynamoDB's naming rules (3-255 of
// [A-Za-z0-9_.-]) before any I/O.
Result<std::string> ParseDynamoDbLocation(std::string_view location);

// The hash key stored for a uuid (the uuid itself, or sha256:<hex> when too long).
std::string ClaimKey(std::string_view uuid);

// PutItem: absent, OR same token, OR expired -> write {uuid, token, expires_at, ttl}.
// ReturnValues ALL_OLD tells a fresh claim from a replay and from a takeover.
std::string PutClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds);

// Reads the final answer to PutClaimBody's request (after the client's retries).
// ConditionalCheckFailedException is an answer (kLost); anything else non-2xx is an error.
Result<ClaimOutcome> ParseClaimResponse(const aws::HttpResponse& resp, std::string_view own_token,
                                        std::string_view table);

std::string DescribeTableBody(std::string_view table);
std::string CreateTableBody(std::string_view table);  // hash key uuid (S), PAY_PER_REQUEST
std::string UpdateTimeToLiveBody(std::string_view table);

struct TableDescription {
  std::string status;  // CREATING, ACTIVE, UPDATING, DELETING, ...
  std::string hash_key;
  std::string hash_key_type;  // "S"
  bool has_range_key = false;
};
Result<TableDescription> ParseDescribeTable(std::string_view body);

// "HTTP 400 ValidationException: <message from the body>" for error messages.
std::string DescribeError(const aws::HttpResponse& resp);

}  // namespace eventlake::dynamodb
