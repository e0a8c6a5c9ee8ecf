#include "dedup/dynamodb/claim_request.h"

#include <simdjson.h>

#include <charconv>

#include "core/json_write.h"
#include "store/aws/dynamodb_table.h"
#include "store/aws/payload_hash.h"

namespace eventlake::dynamodb {
namespace {

void Field(std::string& out, std::string_view name) {
  AppendJsonString(out, name);
  out += ':';
}

void StringValue(std::string& out, std::string_view s) {
  out += "{\"S\":";
  AppendJsonString(out, s);
  out += '}';
}

void NumberValue(std::string& out, int64_t n) {
  out += "{\"N\":\"";
  out += std::to_string(n);
  out += "\"}";
}

// A whole DynamoDB number that fits int64 (claims only ever hold whole seconds).
bool ParseInteger(std::string_view text, int64_t& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return !text.empty() && ec == std::errc() && ptr == end;
}

// A non-2xx answer that is not an outcome: a missing table named as such, else the AWS error.
Status AnswerError(std::string_view what, const aws::HttpResponse& resp, std::string_view table) {
  if (resp.error_code == "ResourceNotFoundException")
    return Status::Error("DynamoDB table '" + std::string(table) + "' does not exist (" +
                         aws::DescribeDynamoDbError(resp) + ")");
  return Status::Error(std::string(what) + " on table '" + std::string(table) +
                       "': " + aws::DescribeDynamoDbError(resp));
}

}  // namespace

std::string_view OutcomeName(ClaimOutcome o) {
  switch (o) {
    case ClaimOutcome::kWon:
      return "won";
    case ClaimOutcome::kWonExpired:
      return "won_expired";
    case ClaimOutcome::kWonOwnToken:
      return "won_own_token";
    case ClaimOutcome::kLost:
      return "lost";
  }
  return "?";
}

std::string FormatToken(std::string_view source, std::string_view position) {
  std::string out;
  out.reserve(source.size() + 1 + position.size());
  out.append(source).append("/").append(position);
  return out;
}

std::string FormatToken(const Token& token) {
  return std::to_string(token.source_id) + "/" + std::to_string(token.offset);
}

Result<std::string> ParseDynamoDbLocation(std::string_view location) {
  return aws::ParseDynamoDbTableUrl(location, "dedup");
}

std::string ClaimKey(std::string_view uuid) {
  if (uuid.size() <= kMaxKeyBytes) return std::string(uuid);
  return "sha256:" + aws::Sha256Hex(uuid);
}

std::string PutClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds) {
  std::string out;
  out.reserve(300 + r.uuid.size() + 2 * r.token.size());
  out += '{';
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ',';
  Field(out, "Item");
  out += '{';
  Field(out, kUuidAttr);
  StringValue(out, ClaimKey(r.uuid));
  out += ',';
  Field(out, kTokenAttr);
  StringValue(out, r.token);
  out += ',';
  Field(out, kExpiresAttr);
  NumberValue(out, r.expires_at);
  out += ',';
  Field(out, kTtlAttr);
  NumberValue(out, ttl_epoch_seconds);
  out += ',';
  Field(out, kClaimsAttr);
  out += "{\"SS\":[";
  AppendJsonString(out, r.token);
  out += "]}},";
  Field(out, "ConditionExpression");
  AppendJsonString(out, "attribute_not_exists(#u)");
  out += ',';
  Field(out, "ExpressionAttributeNames");
  out += "{\"#u\":";
  AppendJsonString(out, kUuidAttr);
  out += "}}";
  return out;
}

std::string UpdateClaimBody(std::string_view table, const ClaimRequest& r, int64_t ttl_epoch_seconds) {
  std::string out;
  out.reserve(460 + r.uuid.size() + 3 * r.token.size());
  out += '{';
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ',';
  Field(out, "Key");
  out += '{';
  Field(out, kUuidAttr);
  StringValue(out, ClaimKey(r.uuid));
  out += "},";
  Field(out, "ConditionExpression");
  AppendJsonString(out, "#t = :token OR #e < :wm");
  out += ',';
  Field(out, "UpdateExpression");
  AppendJsonString(out, "SET #t = :token, #e = :exp, #ttl = :ttl ADD #h :tokens");
  out += ',';
  // DynamoDB rejects names and values that no expression uses: no #u here.
  Field(out, "ExpressionAttributeNames");
  out += "{\"#t\":";
  AppendJsonString(out, kTokenAttr);
  out += ",\"#e\":";
  AppendJsonString(out, kExpiresAttr);
  out += ",\"#ttl\":";
  AppendJsonString(out, kTtlAttr);
  out += ",\"#h\":";
  AppendJsonString(out, kClaimsAttr);
  out += "},";
  Field(out, "ExpressionAttributeValues");
  out += "{\":token\":";
  StringValue(out, r.token);
  out += ",\":wm\":";
  NumberValue(out, r.watermark);
  out += ",\":exp\":";
  NumberValue(out, r.expires_at);
  out += ",\":ttl\":";
  NumberValue(out, ttl_epoch_seconds);
  out += ",\":tokens\":{\"SS\":[";
  AppendJsonString(out, r.token);
  out += "]}},";
  Field(out, "ReturnValues");
  AppendJsonString(out, "ALL_OLD");
  out += '}';
  return out;
}

std::string ClaimGetBody(std::string_view table, std::string_view uuid) {
  std::string out;
  out.reserve(220 + uuid.size());
  out += '{';
  Field(out, "TableName");
  AppendJsonString(out, table);
  out += ',';
  Field(out, "Key");
  out += '{';
  Field(out, kUuidAttr);
  StringValue(out, ClaimKey(uuid));
  out += "},";
  Field(out, "ConsistentRead");
  out += "true,";
  Field(out, "ProjectionExpression");
  AppendJsonString(out, "#t, #e, #h");
  out += ',';
  Field(out, "ExpressionAttributeNames");
  out += "{\"#t\":";
  AppendJsonString(out, kTokenAttr);
  out += ",\"#e\":";
  AppendJsonString(out, kExpiresAttr);
  out += ",\"#h\":";
  AppendJsonString(out, kClaimsAttr);
  out += "}}";
  return out;
}

Result<bool> ParsePutResponse(const aws::HttpResponse& resp, std::string_view table) {
  if (resp.ok()) return true;
  if (resp.error_code == "ConditionalCheckFailedException") return false;
  return AnswerError("claim PutItem", resp, table);
}

Result<Found> ParseClaimGetResponse(const aws::HttpResponse& resp, const ClaimRequest& r, std::string_view table) {
  if (!resp.ok()) return AnswerError("claim GetItem", resp, table);
  static thread_local simdjson::dom::parser parser;  // one per thread, reused (STYLE rule 10)
  simdjson::dom::object doc;
  if (parser.parse(resp.body.data(), resp.body.size()).get(doc))
    return Status::Error("claim GetItem: answer is not a JSON object: " + resp.body.substr(0, 200));
  simdjson::dom::object item;
  if (doc.at_key("Item").get(item)) return Found::kNoItem;
  // Every claim write sets token and expires_at (and the UpdateItem's condition never holds
  // on a missing item, so it creates none): an item without them is not a claim.
  std::string_view token, expires_text;
  int64_t expires_at = 0;
  if (item.at_key(kTokenAttr).at_key("S").get(token) || item.at_key(kExpiresAttr).at_key("N").get(expires_text) ||
      !ParseInteger(expires_text, expires_at))
    return Status::Error("claim GetItem: the item of uuid '" + ClaimKey(r.uuid) + "' on table '" + std::string(table) +
                         "' has no string token or integer expires_at: " + resp.body.substr(0, 200));
  if (token == r.token) return Found::kOwnToken;
  simdjson::dom::element claims;
  if (!item.at_key(kClaimsAttr).get(claims)) {  // missing: written before claims were kept
    simdjson::dom::array tokens;
    if (claims.at_key("SS").get(tokens))
      return Status::Error("claim GetItem: 'claims' is not a string set: " + resp.body.substr(0, 200));
    for (simdjson::dom::element t : tokens) {
      std::string_view earlier;
      if (!t.get(earlier) && earlier == r.token) return Found::kOwnHistory;
    }
  }
  return expires_at >= r.watermark ? Found::kLive : Found::kExpired;
}

Result<std::optional<ClaimOutcome>> ParseUpdateResponse(const aws::HttpResponse& resp, std::string_view own_token,
                                                        std::string_view table) {
  if (!resp.ok()) {
    if (resp.error_code == "ConditionalCheckFailedException") return std::optional<ClaimOutcome>();
    return AnswerError("claim UpdateItem", resp, table);
  }
  static thread_local simdjson::dom::parser parser;
  simdjson::dom::object doc;
  if (parser.parse(resp.body.data(), resp.body.size()).get(doc))
    return Status::Error("claim UpdateItem: answer is not a JSON object: " + resp.body.substr(0, 200));
  // The condition needs an item (a token or an expiry to compare), so there always is an
  // old one: an answer without is not DynamoDB's.
  simdjson::dom::object old;
  std::string_view old_token;
  if (doc.at_key("Attributes").get(old) || old.at_key(kTokenAttr).at_key("S").get(old_token))
    return Status::Error("claim UpdateItem: the replaced item has no string token: " + resp.body.substr(0, 200));
  return std::optional<ClaimOutcome>(old_token == own_token ? ClaimOutcome::kWonOwnToken : ClaimOutcome::kWonExpired);
}

}  // namespace eventlake::dynamodb
