#include "encode/parquet/payload_parser.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

namespace eventlake::parquet {

namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::number_type;

bool IsEnvelopeKey(std::string_view k) {
  return k == "event_uuid" || k == "event_name" || k == "created_at" || k == "event_type" || k == "event_subtype" ||
         k == "created_datetime" || k == "event_date";
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool ReadNumber(simdjson::ondemand::value& value, JsonValue& v) {
  number_type nt;
  if (value.get_number_type().get(nt) == simdjson::SUCCESS) {
    if (nt == number_type::signed_integer && value.get_int64().get(v.i) == simdjson::SUCCESS) {
      v.kind = ValueKind::kInt;
      return true;
    }
    if (nt == number_type::floating_point_number && value.get_double().get(v.d) == simdjson::SUCCESS &&
        std::isfinite(v.d)) {
      v.kind = ValueKind::kDouble;
      return true;
    }
  }
  // Unsigned past int64, integers past 64 bits, or out of simdjson's range: the correctly
  // rounded double of the text, or the text itself when no finite double holds it.
  const auto r = std::from_chars(v.raw.data(), v.raw.data() + v.raw.size(), v.d);
  if (r.ec == std::errc() && r.ptr == v.raw.data() + v.raw.size() && std::isfinite(v.d)) {
    v.kind = ValueKind::kDouble;
  } else {
    v.kind = ValueKind::kJson;
  }
  return true;
}

bool ReadValue(simdjson::ondemand::value& value, JsonValue& v) {
  json_type t;
  if (value.type().get(t)) return false;
  switch (t) {
    case json_type::object: {
      simdjson::ondemand::object o;
      v.kind = ValueKind::kJson;
      return value.get_object().get(o) == simdjson::SUCCESS && o.raw_json().get(v.raw) == simdjson::SUCCESS;
    }
    case json_type::array: {
      simdjson::ondemand::array a;
      v.kind = ValueKind::kJson;
      return value.get_array().get(a) == simdjson::SUCCESS && a.raw_json().get(v.raw) == simdjson::SUCCESS;
    }
    case json_type::string:
      v.kind = ValueKind::kString;
      v.raw = TrimRight(value.raw_json_token());
      return value.get_string().get(v.str) == simdjson::SUCCESS;
    case json_type::number:
      v.raw = TrimRight(value.raw_json_token());
      return ReadNumber(value, v);
    case json_type::boolean:
      v.kind = ValueKind::kBool;
      v.raw = TrimRight(value.raw_json_token());
      return value.get_bool().get(v.b) == simdjson::SUCCESS;
    case json_type::null:
      v.kind = ValueKind::kNull;
      v.raw = "null";
      return true;
  }
  return false;
}

}  // namespace

bool ParsePayload(std::string_view object, std::vector<PayloadField>& out, std::string_view* created_at) {
  static thread_local simdjson::ondemand::parser parser;
  out.clear();
  *created_at = {};
  simdjson::ondemand::document doc;
  if (parser.iterate(object.data(), object.size(), object.size() + simdjson::SIMDJSON_PADDING).get(doc)) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  for (auto field_result : obj) {  // NOLINT(performance-for-range-copy)
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    if (key == "created_at") {
      *created_at = TrimRight(field.value().raw_json_token());
      continue;
    }
    if (IsEnvelopeKey(key)) continue;  // On-Demand skips the unread value
    PayloadField& p = out.emplace_back();
    p.key = key;
    if (!ReadValue(field.value(), p.value)) return false;
  }
  return true;
}

}  // namespace eventlake::parquet
