#pragma once
// The validator's answer for one record: valid (with the fields the transform needs)
// or invalid with a stable, machine-readable reason.
#include <cstdint>
#include <string>
#include <string_view>

namespace eventlake {

enum class Reason : uint8_t {
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
inline constexpr int kReasonCount = 12;
// The stable name used in dead letters and reports ("malformed_json", ...).
const char* ReasonName(Reason r);

// Fields of a valid event. Views point into the validator's parser or the line and
// stay valid until the validator's next Check().
struct EventFields {
  std::string_view uuid;      // unescaped
  std::string_view type;      // event_name before the first ':' (unescaped)
  std::string_view subtype;   // after it
  int64_t seconds = 0;        // floor(created_at)
  std::string_view fraction;  // decimal digits after the point, "" when integral
  std::string_view object;    // the raw record, from '{' to '}'
};

struct Verdict {
  bool ok = false;
  Reason reason = Reason::kMalformedJson;
  std::string detail;  // human explanation for the dead letter (only set when !ok)
  EventFields fields;
};

}  // namespace eventlake
