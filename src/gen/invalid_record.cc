#include "gen/invalid_record.h"

#include <string_view>

#include "gen/json_text.h"

namespace eventlake::gen {
namespace {

constexpr std::string_view kRequired[] = {"event_uuid", "event_name", "created_at"};

// Adds a field at a random position. Payload keys never start with '_', so
// "_note" cannot collide with an existing key.
void AddAt(RecordBuilder& b, Rng& rng, std::string_view raw_key, std::string_view raw_value) {
  b.BeginRaw(raw_key).append(raw_value);
  b.EndField();
  b.Move(b.size() - 1, rng.Below(b.size()));
}

void SetValue(RecordBuilder& b, std::string_view key, std::string_view raw_value) {
  b.BeginValue(b.Find(key)).append(raw_value);
  b.EndValue();
}

// Errors anywhere in the line, including deep inside payload values: a
// validator that skips unread values would miss most of these.
void AppendMalformed(Rng& rng, RecordBuilder& b, Layout layout, std::string& out) {
  // clang-format off
  static constexpr std::string_view kBadValues[] = {
      "tru", "nul", "fals", "True", "NaN", "undefined", "'single'",
      "1.", ".5", "01", "1e", "-", "+1", "0x1F", "1.2.3",
      "\"a\\qb\"", "\"\\x41\"", "\"\\u12\"", "\"\\u12G4\"",
      "\"a\x01z\"", "\"tab\there\"", "\"x\x1f\"",  // raw control bytes
      "[1,2", "{\"k\":1", "[1,,2]", "{\"k\" 1}", "1 \"_extra\":2",
  };
  // clang-format on
  const size_t start = out.size();
  switch (rng.Below(5)) {
    case 0: {  // truncated line (never inside a UTF-8 sequence)
      b.AppendJson(out, layout);
      size_t cut = start + 1 + rng.Below(out.size() - start - 1);
      while (cut > start + 1 && (static_cast<unsigned char>(out[cut]) & 0xc0) == 0x80) {
        --cut;
      }
      out.resize(cut);
      return;
    }
    case 1: {  // stray comma after '{' or before '}'
      b.AppendJson(out, layout);
      if (rng.Chance(0.5)) {
        out.insert(out.size() - 1, 1, ',');
      } else {
        out.insert(start + 1, 1, ',');
      }
      return;
    }
    case 2:  // key without quotes, or with a missing ':'
      AddAt(b, rng, rng.Chance(0.5) ? "_note" : "\"_note\" \"x\"", "\"y\"");
      break;
    default:
      AddAt(b, rng, "\"_note\"", rng.Pick(kBadValues));
      break;
  }
  b.AppendJson(out, layout);
}

void AppendNotAnObject(Rng& rng, RecordBuilder& b, Layout layout, std::string& out) {
  static constexpr std::string_view kScalars[] = {
      "[1]", "\"x\"", "42", "null", "true", "[]", "3.25", "\"{}\"", "[ {} ]",
  };
  switch (rng.Below(4)) {
    case 0:  // the event wrapped in an array
      out.push_back('[');
      b.AppendJson(out, layout);
      out.push_back(']');
      break;
    case 1: {  // the event double-encoded as a JSON string
      std::string inner;
      b.AppendJson(inner, layout);
      out.push_back('"');
      AppendEscaped(out, inner);
      out.push_back('"');
      break;
    }
    default:
      out.append(rng.Pick(kScalars));
      break;
  }
}

void MakeMissingField(Rng& rng, RecordBuilder& b) {
  if (rng.Chance(0.05)) {
    b.Clear();  // "{}"
    return;
  }
  b.Remove(b.Find(kRequired[rng.Below(3)]));
}

void MakeWrongType(Rng& rng, RecordBuilder& b) {
  // clang-format off
  static constexpr std::string_view kForUuid[] = {
      "12345", "true", "1.5", "[\"a1\"]", "{\"id\":\"a1\"}"};
  static constexpr std::string_view kForName[] = {
      "42", "false", "[\"account\",\"created\"]", "{\"type\":\"account\"}"};
  // clang-format on
  const size_t field = rng.Below(3);
  const std::string seconds(b.Value(b.Find("created_at")));
  std::string& value = b.BeginValue(b.Find(kRequired[field]));
  if (field == 0) {
    value.append(rng.Pick(kForUuid));
  } else if (field == 1) {
    value.append(rng.Pick(kForName));
  } else {
    switch (rng.Below(5)) {
      case 0:
        value.append("\"").append(seconds).append("\"");
        break;
      case 1:
        value.append("\"2022-02-14T11:40:00Z\"");
        break;
      case 2:
        value.append("true");
        break;
      case 3:
        value.append("[").append(seconds).append("]");
        break;
      default:
        value.append("{\"s\":").append(seconds).append("}");
        break;
    }
  }
  b.EndValue();
}

void MakeBadEventName(Rng& rng, RecordBuilder& b) {
  const size_t index = b.Find("event_name");
  const std::string quoted(b.Value(index));
  const std::string_view name = std::string_view(quoted).substr(1, quoted.size() - 2);
  const size_t colon = name.find(':');
  const std::string_view type = name.substr(0, colon);
  const std::string_view subtype = name.substr(colon + 1);
  std::string& value = b.BeginValue(index);
  value.push_back('"');
  switch (rng.Below(4)) {
    case 0:  // no ':' at all
      value.append(type);
      for (char c : subtype) value.push_back(c == ':' ? '_' : c);
      break;
    case 1:
      value.append(type).append(":");
      break;
    case 2:
      value.append(":").append(subtype);
      break;
    default:
      value.append(":");
      break;
  }
  value.push_back('"');
  b.EndValue();
}

void MakeOutOfRange(Rng& rng, RecordBuilder& b) {
  static constexpr std::string_view kValues[] = {
      "-1", "-86400", "-0.5", "4102444800", "4102444800.5", "5000000000", "1e10", "-1644838800", "99999999999",
  };
  const size_t index = b.Find("created_at");
  const std::string seconds(b.Value(index));
  const std::string whole = seconds.substr(0, seconds.find('.'));
  // Milliseconds instead of seconds, when that really is out of range.
  if (whole.size() >= 7 && std::stoll(whole) * 1000 >= kCreatedAtUpperBound && rng.Chance(0.3)) {
    b.BeginValue(index).append(whole).append("000");
    b.EndValue();
    return;
  }
  SetValue(b, "created_at", rng.Pick(kValues));
}

void MakeDuplicateKey(Rng& rng, RecordBuilder& b) {
  if (b.size() <= 3 || rng.Chance(0.3)) {  // a required field twice
    const size_t field = b.Find(kRequired[rng.Below(3)]);
    b.Duplicate(field, rng.Below(b.size() + 1));
    return;
  }
  // A payload field twice, same or different value.
  size_t field = rng.Below(b.size());
  while (b.Find("event_uuid") == field || b.Find("event_name") == field || b.Find("created_at") == field) {
    field = (field + 1) % b.size();
  }
  if (rng.Chance(0.5)) {
    b.Duplicate(field, rng.Below(b.size() + 1));
  } else {
    const std::string key(b.Key(field));
    AddAt(b, rng, key, "null");
  }
}

void MakeReservedField(Rng& rng, RecordBuilder& b) {
  static constexpr std::string_view kKeys[] = {"\"event_type\"", "\"event_subtype\"", "\"created_datetime\"",
                                               "\"event_date\""};
  static constexpr std::string_view kValues[] = {"\"account\"", "\"created\"", "\"2022-02-14T11:40:00Z\"",
                                                 "\"2022-02-14\""};
  const size_t which = rng.Below(4);
  AddAt(b, rng, kKeys[which], kValues[which]);
}

void MakeInvalidUtf8(Rng& rng, RecordBuilder& b) {
  // clang-format off
  static constexpr std::string_view kBadBytes[] = {
      "\xff", "\xfe", "\xc3\x28", "\xc0\xaf", "\xe0\x80\xaf", "\xed\xa0\x80",
      "\xf4\x90\x80\x80", "\xf0\x9f\x98", "\x80", "\xf8\x88\x80\x80\x80", "\xc3",
  };
  // clang-format on
  const std::string_view bad = rng.Pick(kBadBytes);
  switch (rng.Below(4)) {
    case 0: {  // inside the uuid
      const size_t index = b.Find("event_uuid");
      const std::string uuid(b.Value(index));
      std::string& value = b.BeginValue(index);
      value.append(uuid, 0, uuid.size() - 1).append(bad).push_back('"');
      b.EndValue();
      return;
    }
    case 1: {  // inside a key
      std::string key = "\"_no";
      key.append(bad).append("te\"");
      AddAt(b, rng, key, "1");
      return;
    }
    default: {  // inside a payload string
      std::string value = "\"caf";
      value.append(bad).append("\"");
      AddAt(b, rng, "\"_note\"", value);
      return;
    }
  }
}

}  // namespace

InvalidReason PickInvalidReason(Rng& rng) { return static_cast<InvalidReason>(rng.Below(kInvalidReasonCount - 1)); }

void AppendInvalidRecord(InvalidReason reason, Rng& rng, RecordBuilder& b, Layout layout, std::string& out) {
  // clang-format off
  static constexpr std::string_view kTrailing[] = {
      " x", "x", ",", " {\"a\":1}", "{}", " 42", "\t#comment", " //", " null", "\"\"",
  };
  // clang-format on
  switch (reason) {
    case InvalidReason::kMalformedJson:
      return AppendMalformed(rng, b, layout, out);
    case InvalidReason::kNotAnObject:
      return AppendNotAnObject(rng, b, layout, out);
    case InvalidReason::kTrailingContent:
      b.AppendJson(out, layout);
      out.append(rng.Pick(kTrailing));
      return;
    case InvalidReason::kMissingField:
      MakeMissingField(rng, b);
      break;
    case InvalidReason::kEmptyField:
      SetValue(b, "event_uuid", "\"\"");
      break;
    case InvalidReason::kWrongType:
      MakeWrongType(rng, b);
      break;
    case InvalidReason::kBadEventName:
      MakeBadEventName(rng, b);
      break;
    case InvalidReason::kCreatedAtOutOfRange:
      MakeOutOfRange(rng, b);
      break;
    case InvalidReason::kDuplicateKey:
      MakeDuplicateKey(rng, b);
      break;
    case InvalidReason::kReservedField:
      MakeReservedField(rng, b);
      break;
    case InvalidReason::kInvalidUtf8:
      MakeInvalidUtf8(rng, b);
      break;
    case InvalidReason::kRecordTooLarge:
      break;  // see AppendOversizedRecord
  }
  b.AppendJson(out, layout);
}

void AppendOversizedRecord(uint64_t max_record_size, Rng& rng, RecordBuilder& b, Layout layout, std::string& out) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint64_t length = max_record_size + 64 + rng.Below(4096);
  std::string& value = b.Begin("blob");
  value.push_back('"');
  for (uint64_t n = 0; n < length; n += kAlphabet.size()) {
    value.append(kAlphabet.substr(0, std::min<uint64_t>(kAlphabet.size(), length - n)));
  }
  value.push_back('"');
  b.EndField();
  b.AppendJson(out, layout);
}

}  // namespace eventlake::gen
