#include "decode/validate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <vector>

namespace eventlake {

const char* ReasonName(Reason r) {
  static constexpr const char* kNames[kReasonCount] = {
      "malformed_json", "not_an_object",           "missing_field",    "empty_field",   "wrong_type",
      "bad_event_name", "created_at_out_of_range", "trailing_content", "duplicate_key", "reserved_field",
      "invalid_utf8",   "record_too_large"};
  return kNames[static_cast<int>(r)];
}

namespace {

bool IsWs(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsWs(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsWs(s.back())) s.remove_suffix(1);
  return s;
}

bool IsReserved(std::string_view key) {
  return key == "event_type" || key == "event_subtype" || key == "created_datetime" || key == "event_date";
}

void Fail(Verdict& out, Reason reason, std::string detail) {
  out.ok = false;
  out.reason = reason;
  out.detail = std::move(detail);
}

// What the field walk found, before deciding (so both parse paths decide alike).
struct Found {
  enum class Kind { kAbsent, kString, kInt, kUint, kDouble, kBigNumber, kOther };
  Kind uuid = Kind::kAbsent, name = Kind::kAbsent, created = Kind::kAbsent;
  std::string_view uuid_value, name_value;
  int64_t created_int = 0;
  double created_double = 0;
  std::string_view duplicate_key, reserved_key;
  bool has_duplicate = false, has_reserved = false;
};

// Keys seen so far; small objects use a linear scan, large ones a sorted check.
bool HasDuplicate(std::vector<std::string_view>& keys, std::string_view* dup) {
  if (keys.size() <= 24) {
    for (size_t i = 1; i < keys.size(); ++i)
      for (size_t j = 0; j < i; ++j)
        if (keys[i] == keys[j]) {
          *dup = keys[i];
          return true;
        }
    return false;
  }
  std::sort(keys.begin(), keys.end());
  for (size_t i = 1; i < keys.size(); ++i)
    if (keys[i] == keys[i - 1]) {
      *dup = keys[i];
      return true;
    }
  return false;
}

std::string Shorten(std::string_view s) {
  if (s.size() <= 64) return std::string(s);
  return std::string(s.substr(0, 61)) + "...";
}

}  // namespace

bool Validator::CheckCreatedAt(double v, bool integral, int64_t iv, Verdict& out) {
  auto& f = out.fields;
  if (integral) {
    if (iv < options_.min_created_at || iv >= options_.max_created_at) {
      Fail(out, Reason::kCreatedAtOutOfRange,
           "created_at " + std::to_string(iv) + " is outside [" + std::to_string(options_.min_created_at) + ", " +
               std::to_string(options_.max_created_at) + ")");
      return false;
    }
    f.seconds = iv;
    f.fraction = {};
    return true;
  }
  if (!(v >= static_cast<double>(options_.min_created_at) && v < static_cast<double>(options_.max_created_at))) {
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    Fail(out, Reason::kCreatedAtOutOfRange,
         "created_at " + std::string(buf, r.ptr) + " is outside [" + std::to_string(options_.min_created_at) + ", " +
             std::to_string(options_.max_created_at) + ")");
    return false;
  }
  // Shortest round-trip decimal: 1644838800.25 -> "1644838800.25", kept as written.
  auto r = std::to_chars(fraction_, fraction_ + sizeof(fraction_), v, std::chars_format::fixed);
  std::string_view text(fraction_, static_cast<size_t>(r.ptr - fraction_));
  const size_t dot = text.find('.');
  std::string_view int_part = text.substr(0, dot);
  int64_t secs = 0;
  std::from_chars(int_part.data(), int_part.data() + int_part.size(), secs);
  f.seconds = secs;
  f.fraction = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  // Microsecond precision: a double holds no more at today's magnitudes, and engines
  // (DuckDB, Parquet TIMESTAMP_MICROS) read at most 6 digits. Truncated, never rounded,
  // so the second (and the date) never changes.
  if (f.fraction.size() > 6) f.fraction = f.fraction.substr(0, 6);
  while (!f.fraction.empty() && f.fraction.back() == '0') f.fraction.remove_suffix(1);
  return true;
}

namespace {
void Decide(const Found& found, Verdict& out, const std::function<bool()>& created_ok) {
  if (found.has_duplicate)
    return Fail(out, Reason::kDuplicateKey, "key \"" + Shorten(found.duplicate_key) + "\" appears more than once");
  if (found.has_reserved)
    return Fail(out, Reason::kReservedField,
                "field \"" + std::string(found.reserved_key) + "\" is reserved for a value eventlake derives");
  using K = Found::Kind;
  if (found.uuid == K::kAbsent) return Fail(out, Reason::kMissingField, "event_uuid is missing");
  if (found.name == K::kAbsent) return Fail(out, Reason::kMissingField, "event_name is missing");
  if (found.created == K::kAbsent) return Fail(out, Reason::kMissingField, "created_at is missing");
  if (found.uuid != K::kString) return Fail(out, Reason::kWrongType, "event_uuid must be a string");
  if (found.name != K::kString) return Fail(out, Reason::kWrongType, "event_name must be a string");
  if (found.created == K::kString || found.created == K::kOther)
    return Fail(out, Reason::kWrongType, "created_at must be a number (Unix seconds)");
  if (found.uuid_value.empty()) return Fail(out, Reason::kEmptyField, "event_uuid is empty");
  const size_t colon = found.name_value.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == found.name_value.size())
    return Fail(out, Reason::kBadEventName,
                "event_name \"" + Shorten(found.name_value) + "\" is not \"type:subtype\" with both sides non-empty");
  out.fields.uuid = found.uuid_value;
  out.fields.type = found.name_value.substr(0, colon);
  out.fields.subtype = found.name_value.substr(colon + 1);
  if (found.created == Found::Kind::kBigNumber)
    return Fail(out, Reason::kCreatedAtOutOfRange, "created_at is outside the allowed range");
  if (!created_ok()) return;
  out.ok = true;
}
}  // namespace

void Validator::FromDom(simdjson::dom::object obj, std::string_view object, Verdict& out) {
  Found found;
  static thread_local std::vector<std::string_view> keys;
  keys.clear();
  using K = Found::Kind;
  for (auto field : obj) {
    const std::string_view key = field.key;
    keys.push_back(key);
    if (key.size() < 10 || key.size() > 16) continue;  // fast reject: required/reserved keys are 10..16 long
    if (key == "event_uuid") {
      std::string_view v;
      found.uuid = field.value.get_string().get(v) ? K::kOther : K::kString;
      found.uuid_value = v;
    } else if (key == "event_name") {
      std::string_view v;
      found.name = field.value.get_string().get(v) ? K::kOther : K::kString;
      found.name_value = v;
    } else if (key == "created_at") {
      switch (field.value.type()) {
        case simdjson::dom::element_type::INT64:
          found.created = K::kInt;
          found.created_int = field.value.get_int64().value_unsafe();
          break;
        case simdjson::dom::element_type::UINT64:
          found.created = K::kBigNumber;
          break;
        case simdjson::dom::element_type::DOUBLE:
          found.created = K::kDouble;
          found.created_double = field.value.get_double().value_unsafe();
          break;
        case simdjson::dom::element_type::STRING:
          found.created = K::kString;
          break;
        default:
          found.created = K::kOther;
      }
    } else if (IsReserved(key) && !found.has_reserved) {
      found.has_reserved = true;
      found.reserved_key = key;
    }
  }
  found.has_duplicate = HasDuplicate(keys, &found.duplicate_key);
  out.fields.object = object;
  Decide(found, out,
         [&] { return CheckCreatedAt(found.created_double, found.created == K::kInt, found.created_int, out); });
}

void Validator::CheckSlow(std::string_view object, Verdict& out) {
  // simdjson's DOM cannot hold some valid numbers (integers past 64 bits, 1e400). The
  // syntax is already known good; walk the top level with On-Demand, which leaves
  // payload numbers unparsed.
  using K = Found::Kind;
  Found found;
  std::vector<std::string> keys_owned;
  simdjson::padded_string_view view(object.data(), object.size(), object.size() + simdjson::SIMDJSON_PADDING);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (od_parser_.iterate(view).get(doc) || doc.get_object().get(obj)) return;
  for (auto field_result : obj) {  // NOLINT(performance-for-range-copy)
    simdjson::ondemand::field field;
    if (std::move(field_result).get(field)) return;
    std::string_view key;
    if (field.unescaped_key().get(key)) return;
    keys_owned.emplace_back(key);
    simdjson::ondemand::value value = field.value();
    if (key == "event_uuid" || key == "event_name") {
      std::string_view v;
      const bool is_string = value.get_string().get(v) == simdjson::SUCCESS;
      std::string& slot = key == "event_uuid" ? uuid_ : event_name_;
      if (is_string) slot.assign(v);
      (key == "event_uuid" ? found.uuid : found.name) = is_string ? K::kString : K::kOther;
    } else if (key == "created_at") {
      simdjson::ondemand::json_type t;
      if (value.type().get(t)) return;
      if (t == simdjson::ondemand::json_type::string) {
        found.created = K::kString;
      } else if (t != simdjson::ondemand::json_type::number) {
        found.created = K::kOther;
      } else {
        int64_t i = 0;
        double d = 0;
        if (value.get_int64().get(i) == simdjson::SUCCESS) {
          found.created = K::kInt;
          found.created_int = i;
        } else if (value.get_double().get(d) == simdjson::SUCCESS && std::isfinite(d)) {
          found.created = K::kDouble;
          found.created_double = d;
        } else {
          found.created = K::kBigNumber;
        }
      }
    } else if (IsReserved(key) && !found.has_reserved) {
      found.has_reserved = true;
    }
  }
  std::vector<std::string_view> keys(keys_owned.begin(), keys_owned.end());
  found.has_duplicate = HasDuplicate(keys, &found.duplicate_key);
  for (const auto& k : keys_owned)
    if (IsReserved(k)) found.reserved_key = k;
  found.uuid_value = uuid_;
  found.name_value = event_name_;
  out.fields.object = object;
  Decide(found, out,
         [&] { return CheckCreatedAt(found.created_double, found.created == K::kInt, found.created_int, out); });
}

void Validator::Check(std::string_view line, Verdict& out) {
  out.ok = false;
  out.detail.clear();
  const std::string_view text = Trim(line);
  simdjson::dom::element root;
  const auto err = parser_.parse(reinterpret_cast<const uint8_t*>(text.data()), text.size(), false).get(root);
  if (!err) {
    simdjson::dom::object obj;
    if (root.get_object().get(obj)) return Fail(out, Reason::kNotAnObject, "the record is not a JSON object");
    return FromDom(obj, text, out);
  }
  if (err == simdjson::UTF8_ERROR) return Fail(out, Reason::kInvalidUtf8, "the record is not valid UTF-8");
  const long n = JsonValueLength(text);
  if (n < 0) return Fail(out, Reason::kMalformedJson, std::string("malformed JSON: ") + simdjson::error_message(err));
  if (static_cast<size_t>(n) < text.size())
    return Fail(out, Reason::kTrailingContent, "unexpected content after the JSON value at byte " + std::to_string(n));
  if (text.front() != '{') return Fail(out, Reason::kNotAnObject, "the record is not a JSON object");
  // The syntax is right, so a string error is an escape that names no character.
  if (err == simdjson::STRING_ERROR)
    return Fail(out, Reason::kInvalidUtf8,
                "a string holds an unpaired surrogate escape (\\uD800-\\uDFFF), which is not Unicode");
  CheckSlow(text, out);
  if (!out.ok && out.detail.empty())
    Fail(out, Reason::kMalformedJson, std::string("JSON eventlake cannot parse: ") + simdjson::error_message(err));
}

}  // namespace eventlake
