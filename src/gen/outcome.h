// What ingest must report for a generated input: counts, invalid reasons,
// per-partition event counts and uuid hashes, and the dedup rule that
// decides written vs duplicate.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eventlake::gen {

// Ingest's default created_at bounds: [0, kCreatedAtUpperBound) Unix seconds
// (2100-01-01T00:00:00Z, exclusive).
inline constexpr int64_t kCreatedAtUpperBound = 4102444800;

enum class InvalidReason : uint8_t {
  kMalformedJson,
  kNotAnObject,
  kMissingField,
  kEmptyField,
  kWrongType,
  kBadEventName,
  kCreatedAtOutOfRange,
  kTrailingContent,
  kDuplicateKey,
  kReservedField,
  kInvalidUtf8,
  kRecordTooLarge,
};
inline constexpr size_t kInvalidReasonCount = 12;

// The reason string ingest reports, e.g. "malformed_json".
std::string_view InvalidReasonName(InvalidReason reason);

struct PartitionStats {
  uint64_t events = 0;
  uint64_t uuid_hash = 0;  // XOR of Fnv1a64(uuid) over written events

  bool operator==(const PartitionStats&) const = default;
};

struct Outcome {
  uint64_t records = 0;  // non-blank lines
  uint64_t blank_lines = 0;
  uint64_t written = 0;
  uint64_t duplicates = 0;
  uint64_t invalid = 0;
  std::array<uint64_t, kInvalidReasonCount> invalid_by_reason{};
  std::map<std::string, PartitionStats> partitions;  // key "type/YYYY-MM-DD"

  bool operator==(const Outcome&) const = default;

  // {"records":N,"blank_lines":..,"written":..,"duplicates":..,"invalid":..,
  //  "invalid_by_reason":{<non-zero reasons, sorted>},
  //  "partitions":{"<type>/<date>":{"events":n,"uuid_hash":"<16 hex>"},..}}
  std::string ToJson() const;
};

// The ingest dedup rule with an event-time window. Watermark M = max floor
// created_at over valid records so far (starts at 0). For a valid record:
// M = max(M, t); a claim on the uuid with expires_at >= M makes it a
// duplicate (claim unchanged); otherwise it is written and the claim becomes
// expires_at = M + window.
class DedupSimulator {
 public:
  explicit DedupSimulator(int64_t window_seconds) : window_(window_seconds) {}

  void Reserve(size_t uuid_ids) { claimed_at_.reserve(uuid_ids); }

  // `uuid_id` is a dense integer standing for the uuid (equal uuids, equal
  // ids); `created_at` is floor(created_at) in [0, 2^32 - 1). Returns true
  // when the record is written.
  bool Offer(uint64_t uuid_id, int64_t created_at);

  int64_t watermark() const { return watermark_; }

 private:
  static constexpr uint32_t kNoClaim = UINT32_MAX;

  int64_t window_;
  int64_t watermark_ = 0;
  // Watermark at the time of the live claim (expires_at = that + window_);
  // 4 bytes per uuid keeps 100M events under half a gigabyte.
  std::vector<uint32_t> claimed_at_;
};

}  // namespace eventlake::gen
