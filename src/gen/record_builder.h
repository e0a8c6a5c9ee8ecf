// A JSON object under construction: an ordered list of (raw key, raw value)
// tokens kept in one reusable arena, so building a record allocates nothing
// once warm. Raw tokens make malformed variants (unquoted keys, broken values)
// as easy to produce as valid ones.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gen/prng.h"

namespace eventlake::gen {

enum class Layout {
  kCompact,  // {"a":1,"b":2}
  kSpaced,   // {"a": 1, "b": 2}
  kPadded,   // { "a" : 1 , "b" : 2 }
};

class RecordBuilder {
 public:
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  void Clear();

  // Starts a field with a quoted `key` (already valid JSON string content);
  // append the value's JSON text to the returned arena, then call EndField().
  std::string& Begin(std::string_view key);
  // Same with the key token written exactly as given (e.g. unquoted).
  std::string& BeginRaw(std::string_view raw_key);
  void EndField();

  void Add(std::string_view key, std::string_view raw_value) {
    Begin(key).append(raw_value);
    EndField();
  }

  size_t size() const { return fields_.size(); }
  std::string_view Key(size_t i) const;    // raw key token, quotes included
  std::string_view Value(size_t i) const;  // raw value token
  // Index of the field whose key token is "\"" + key + "\"", or kNotFound.
  size_t Find(std::string_view key) const;

  void Remove(size_t i);
  // Replaces the value of field i; call EndValue() after appending.
  std::string& BeginValue(size_t i);
  void EndValue();
  // Appends a copy of field i at position `at` (0..size()).
  void Duplicate(size_t i, size_t at);
  void Move(size_t from, size_t to);
  // Randomly varies the field order (identity most of the time is the
  // caller's choice; this always permutes).
  void Shuffle(Rng& rng);

  void AppendJson(std::string& out, Layout layout) const;

 private:
  struct Span {
    uint32_t offset;
    uint32_t length;
  };
  struct Field {
    Span key;
    Span value;
  };

  std::string_view View(Span span) const { return std::string_view(arena_).substr(span.offset, span.length); }

  std::string arena_;
  std::vector<Field> fields_;
  size_t open_field_ = kNotFound;
  bool open_is_new_ = false;
  uint32_t value_start_ = 0;
};

}  // namespace eventlake::gen
