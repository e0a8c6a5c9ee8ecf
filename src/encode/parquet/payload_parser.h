#pragma once
// The payload of a validated event: every top-level field except event_uuid, event_name
// and created_at (and the derived names the validator reserves), each with its kind and
// its exact JSON text.
#include <string_view>
#include <vector>

#include "encode/parquet/column_buffer.h"

namespace eventlake::parquet {

struct PayloadField {
  std::string_view key;  // unescaped
  JsonValue value;
};

// `object` must be a validated JSON object with simdjson::SIMDJSON_PADDING readable bytes
// after it. Uses one On-Demand parser per thread: the views stay valid until the next call
// on this thread (keys and strings live in the parser, `raw` texts in `object`).
// Numbers: integers that fit int64 are kInt; other finite numbers (fractions, exponents,
// integers past int64) are kDouble; a number no double can hold (1e400) is kJson with
// its text. `*created_at` gets created_at's JSON text. Returns false only when the text is
// not a JSON object.
bool ParsePayload(std::string_view object, std::vector<PayloadField>& out, std::string_view* created_at);

}  // namespace eventlake::parquet
