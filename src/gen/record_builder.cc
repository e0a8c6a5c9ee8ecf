#include "gen/record_builder.h"

#include <algorithm>
#include <cstring>

namespace eventlake::gen {

void RecordBuilder::Clear() {
  arena_.clear();
  fields_.clear();
  open_field_ = kNotFound;
}

std::string& RecordBuilder::Begin(std::string_view key) {
  const auto key_start = static_cast<uint32_t>(arena_.size());
  arena_.push_back('"');
  arena_.append(key);
  arena_.push_back('"');
  const auto key_length = static_cast<uint32_t>(arena_.size()) - key_start;
  fields_.push_back(Field{Span{key_start, key_length}, Span{0, 0}});
  open_field_ = fields_.size() - 1;
  value_start_ = static_cast<uint32_t>(arena_.size());
  return arena_;
}

std::string& RecordBuilder::BeginRaw(std::string_view raw_key) {
  const auto key_start = static_cast<uint32_t>(arena_.size());
  arena_.append(raw_key);
  fields_.push_back(Field{Span{key_start, static_cast<uint32_t>(raw_key.size())}, Span{0, 0}});
  open_field_ = fields_.size() - 1;
  value_start_ = static_cast<uint32_t>(arena_.size());
  return arena_;
}

void RecordBuilder::EndField() {
  fields_[open_field_].value = Span{value_start_, static_cast<uint32_t>(arena_.size()) - value_start_};
  open_field_ = kNotFound;
}

std::string_view RecordBuilder::Key(size_t i) const { return View(fields_[i].key); }

std::string_view RecordBuilder::Value(size_t i) const { return View(fields_[i].value); }

size_t RecordBuilder::Find(std::string_view key) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    const std::string_view token = Key(i);
    if (token.size() == key.size() + 2 && token.front() == '"' && token.back() == '"' &&
        token.substr(1, key.size()) == key) {
      return i;
    }
  }
  return kNotFound;
}

void RecordBuilder::Remove(size_t i) { fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(i)); }

std::string& RecordBuilder::BeginValue(size_t i) {
  open_field_ = i;
  value_start_ = static_cast<uint32_t>(arena_.size());
  return arena_;
}

void RecordBuilder::EndValue() { EndField(); }

void RecordBuilder::Duplicate(size_t i, size_t at) {
  const Field copy = fields_[i];
  fields_.insert(fields_.begin() + static_cast<std::ptrdiff_t>(at), copy);
}

void RecordBuilder::Move(size_t from, size_t to) {
  const Field field = fields_[from];
  fields_.erase(fields_.begin() + static_cast<std::ptrdiff_t>(from));
  fields_.insert(fields_.begin() + static_cast<std::ptrdiff_t>(to), field);
}

void RecordBuilder::Shuffle(Rng& rng) {
  for (size_t i = fields_.size(); i > 1; --i) {
    std::swap(fields_[i - 1], fields_[rng.Below(i)]);
  }
}

void RecordBuilder::AppendJson(std::string& out, Layout layout) const {
  std::string_view open = "{", close = "}", colon = ":", comma = ",";
  if (layout == Layout::kSpaced) {
    colon = ": ";
    comma = ", ";
  } else if (layout == Layout::kPadded) {
    open = "{ ";
    close = " }";
    colon = " : ";
    comma = " , ";
  }
  size_t length = open.size() + close.size();
  for (const Field& field : fields_) {
    length += field.key.length + colon.size() + field.value.length + comma.size();
  }
  const size_t start = out.size();
  out.resize(start + length);  // one growth, then plain copies
  char* cursor = out.data() + start;
  const auto put = [&cursor](std::string_view piece) {
    std::memcpy(cursor, piece.data(), piece.size());
    cursor += piece.size();
  };
  put(open);
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) put(comma);
    put(Key(i));
    put(colon);
    put(Value(i));
  }
  put(close);
  out.resize(static_cast<size_t>(cursor - out.data()));
}

}  // namespace eventlake::gen
