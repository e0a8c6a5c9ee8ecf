#pragma once
// The DynamoDB wire format of a claim, without any network: the conditional PutItem,
// the claim GetItem and the conditional UpdateItem bodies, the reading of their
// answers. Kept apart from the store so unit tests check exactly what is sent and how
// every answer is read. The control plane (DescribeTable, CreateTable, UpdateTimeToLive)
// is store/aws/dynamodb_table's, shared with the Kinesis lease table.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "dedup/dedup_store.h"
#include "store/aws/http_client.h"

namespace eventlake::dynamodb {

// Item attributes. "uuid", "token" and "ttl" are DynamoDB reserved words: expressions
// name every attribute through ExpressionAttributeNames only.
inline constexpr std::string_view kUuidAttr = "uuid";
inline constexpr std::string_view kTokenAttr = "token";         // the current holder
inline constexpr std::string_view kExpiresAttr = "expires_at";  // event-time seconds
inline constexpr std::string_view kTtlAttr = "ttl";             // epoch seconds, for DynamoDB TTL
// String set of every token that ever won this uuid: a replay whose token is in it won
// the uuid in an earlier life, even if another record took the claim over since.
inline constexpr std::string_view kClaimsAttr = "claims";
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
  kWonOwnToken,  // held by this same record now or earlier (claims history): a replay; write it again
  kLost,         // held by another record and live, and this record never won it: a duplicate
};
inline bool Won(ClaimOutcome o) { return o != ClaimOutcome::kLost; }
std::string_view OutcomeName(ClaimOutcome o);

// Kinesis: FormatToken(shard_id, sequence_number) -> "shardId-000000000001/4959...".
// Kinesis sequence numbers have up to 128 bits, hence a string and not Token's u64.
std::string FormatToken(std::string_view source, std::string_view position);
// The local sources' Token {source_id, offset} -> "<source_id>/<offset>".
std::string FormatToken(const Token& token);

// "dynamodb://TABLE" -> TABLE, checked against DynamoDB's naming rules (3-255 of
// [A-Za-z0-9_.-]) before any I/O: aws::ParseDynamoDbTableUrl as the dedup location.
Result<std::string> ParseDynamoDbLocation(std::string_view location);

// The hash key stored for a uuid (the uuid itself, or sha256:<hex> when too long).
std::string ClaimKey(std::string_view uuid);

// Step 1, PutItem of the whole claim {uuid, token, expires_at, ttl, claims: {token}} if
// attribute_not_exists(uuid): the common case, a uuid never seen, in one cheap write.
std::string PutClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds);

// Reads PutClaimBody's final answer (after the client's retries): true when the claim was
// written (kWon), false when the condition failed (the item exists: go on with the
// GetItem); anything else non-2xx is an error.
Result<bool> ParsePutResponse(const aws::HttpResponse& resp, std::string_view table);

// Step 2, after a failed PutItem: GetItem of the claim (token, expires_at, claims),
// strongly consistent.
std::string ClaimGetBody(std::string_view table, std::string_view uuid);

// What the GetItem found, for request r; decided in this order.
enum class Found : uint8_t {
  kNoItem,      // the item is gone (deleted since the PutItem or UpdateItem met it): PutItem again
  kOwnToken,    // it holds r.token: won again (a replay), nothing to write
  kOwnHistory,  // r.token is in its claims: won again (a replay after a takeover), nothing to write
  kLive,        // another record's claim, live (expires_at >= r.watermark): lost, for good
  kExpired,     // another record's claim, expired (expires_at < r.watermark): take it over (step 3)
};
// Reads ClaimGetBody's answer. An item without claims (written before claims were kept) is
// an empty history; an item without a string token or an integer expires_at is an error.
Result<Found> ParseClaimGetResponse(const aws::HttpResponse& resp, const ClaimRequest& r, std::string_view table);

// Step 3, after a GetItem that found an expired claim: UpdateItem if same token OR expired
// -> SET token, expires_at, ttl and ADD the token to the claims set. ReturnValues ALL_OLD
// tells a replay from a takeover. A missing item (deleted since the GetItem) fails the
// condition.
std::string UpdateClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds);

// Reads UpdateClaimBody's final answer: kWonOwnToken or kWonExpired from the old token;
// std::nullopt when the condition failed (another worker changed the claim since the
// GetItem, or it vanished): look again. Anything else non-2xx is an error.
Result<std::optional<ClaimOutcome>> ParseUpdateResponse(const aws::HttpResponse& resp, std::string_view own_token,
                                                        std::string_view table);

}  // namespace eventlake::dynamodb
