#include "encode/parquet/thrift_compact.h"

#include <cstring>

namespace eventlake::parquet {

namespace {
constexpr int kMaxDepth = 32;  // Parquet metadata nests about 6 deep
}  // namespace

// ---- writer ----

void ThriftWriter::Varint(uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<char>(v));
}

void ThriftWriter::FieldHeader(int16_t id, TType type) {
  const int delta = id - last_id_.back();
  if (delta > 0 && delta <= 15) {
    out_.push_back(static_cast<char>(delta << 4 | static_cast<uint8_t>(type)));
  } else {
    out_.push_back(static_cast<char>(type));
    Varint(ZigZag(id));
  }
  last_id_.back() = id;
}

void ThriftWriter::FieldI8(int16_t id, int8_t v) {
  FieldHeader(id, TType::kI8);
  out_.push_back(static_cast<char>(v));
}

void ThriftWriter::FieldI16(int16_t id, int16_t v) {
  FieldHeader(id, TType::kI16);
  Varint(ZigZag(v));
}

void ThriftWriter::FieldI32(int16_t id, int32_t v) {
  FieldHeader(id, TType::kI32);
  Varint(ZigZag(v));
}

void ThriftWriter::FieldI64(int16_t id, int64_t v) {
  FieldHeader(id, TType::kI64);
  Varint(ZigZag(v));
}

void ThriftWriter::FieldBinary(int16_t id, std::string_view v) {
  FieldHeader(id, TType::kBinary);
  ListBinary(v);
}

void ThriftWriter::ListBinary(std::string_view v) {
  Varint(v.size());
  out_.append(v);
}

void ThriftWriter::BeginStructField(int16_t id) {
  FieldHeader(id, TType::kStruct);
  BeginStruct();
}

void ThriftWriter::BeginListField(int16_t id, TType element_type, uint32_t size) {
  FieldHeader(id, TType::kList);
  const auto t = static_cast<uint8_t>(element_type);
  if (size < 15) {
    out_.push_back(static_cast<char>(size << 4 | t));
  } else {
    out_.push_back(static_cast<char>(0xf0 | t));
    Varint(size);
  }
}

void ThriftWriter::EndStruct() {
  out_.push_back('\0');
  if (last_id_.size() > 1) last_id_.pop_back();
}

// ---- reader ----

void ThriftReader::Fail(std::string message) {
  if (error_.empty()) error_ = std::move(message);
  pos_ = in_.size();
}

uint64_t ThriftReader::ReadVarint() {
  uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= in_.size()) {
      Fail("thrift: truncated varint");
      return 0;
    }
    const auto b = static_cast<uint8_t>(in_[pos_++]);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
  }
  Fail("thrift: varint longer than 10 bytes");
  return 0;
}

void ThriftReader::BeginStruct() {
  if (last_id_.size() >= kMaxDepth) return Fail("thrift: structs nested too deeply");
  last_id_.push_back(0);
}

void ThriftReader::EndStruct() {
  if (!last_id_.empty()) last_id_.pop_back();
}

bool ThriftReader::NextField(int16_t* id, TType* type) {
  if (!ok()) return false;
  if (pos_ >= in_.size()) {
    Fail("thrift: truncated struct");
    return false;
  }
  if (last_id_.empty()) {
    Fail("thrift: field outside a struct");
    return false;
  }
  const auto b = static_cast<uint8_t>(in_[pos_++]);
  if (b == 0) return false;
  *type = static_cast<TType>(b & 0x0f);
  if (*type > TType::kUuid) {
    Fail("thrift: unknown field type " + std::to_string(b & 0x0f));
    return false;
  }
  const int delta = b >> 4;
  int64_t field_id = 0;
  if (delta != 0) {
    field_id = last_id_.back() + delta;
  } else {
    const uint64_t z = ReadVarint();
    field_id = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  }
  if (field_id < INT16_MIN || field_id > INT16_MAX) {
    Fail("thrift: field id out of range");
    return false;
  }
  last_id_.back() = static_cast<int16_t>(field_id);
  *id = static_cast<int16_t>(field_id);
  return ok();
}

int8_t ThriftReader::ReadI8() {
  if (pos_ >= in_.size()) {
    Fail("thrift: truncated i8");
    return 0;
  }
  return static_cast<int8_t>(in_[pos_++]);
}

int32_t ThriftReader::ReadI32() {
  const uint64_t z = ReadVarint();
  const int64_t v = static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
  if (v < INT32_MIN || v > INT32_MAX) {
    Fail("thrift: i32 out of range");
    return 0;
  }
  return static_cast<int32_t>(v);
}

int64_t ThriftReader::ReadI64() {
  const uint64_t z = ReadVarint();
  return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
}

std::string_view ThriftReader::ReadBinary() {
  const uint64_t n = ReadVarint();
  if (!ok()) return {};
  if (n > in_.size() - pos_) {
    Fail("thrift: binary longer than the data left");
    return {};
  }
  std::string_view v = in_.substr(pos_, n);
  pos_ += n;
  return v;
}

bool ThriftReader::ReadListHeader(TType* element_type, uint32_t* size) {
  if (pos_ >= in_.size()) {
    Fail("thrift: truncated list header");
    return false;
  }
  const auto b = static_cast<uint8_t>(in_[pos_++]);
  *element_type = static_cast<TType>(b & 0x0f);
  uint64_t n = b >> 4;
  if (n == 15) n = ReadVarint();
  if (!ok()) return false;
  // Every element takes at least one byte (bool elements too), so a longer list is corrupt.
  if (n > in_.size() - pos_) {
    Fail("thrift: list longer than the data left");
    return false;
  }
  *size = static_cast<uint32_t>(n);
  return true;
}

void ThriftReader::Skip(TType type, int depth) {
  if (!ok()) return;
  if (depth > kMaxDepth) return Fail("thrift: values nested too deeply");
  switch (type) {
    case TType::kBoolTrue:
    case TType::kBoolFalse:
      return;  // field header holds the value
    case TType::kI8:
      ReadI8();
      return;
    case TType::kI16:
    case TType::kI32:
    case TType::kI64:
      ReadVarint();
      return;
    case TType::kDouble:
      if (in_.size() - pos_ < 8) return Fail("thrift: truncated double");
      pos_ += 8;
      return;
    case TType::kUuid:
      if (in_.size() - pos_ < 16) return Fail("thrift: truncated uuid");
      pos_ += 16;
      return;
    case TType::kBinary:
      ReadBinary();
      return;
    case TType::kList:
    case TType::kSet: {
      TType et;
      uint32_t n;
      if (!ReadListHeader(&et, &n)) return;
      // Inside a list, bool elements are one byte each.
      const TType elem = et == TType::kBoolTrue || et == TType::kBoolFalse ? TType::kI8 : et;
      for (uint32_t i = 0; i < n && ok(); ++i) Skip(elem, depth + 1);
      return;
    }
    case TType::kMap: {
      const uint64_t n = ReadVarint();
      if (n == 0 || !ok()) return;
      if (n > in_.size() - pos_) return Fail("thrift: map longer than the data left");
      const uint8_t kv = static_cast<uint8_t>(ReadI8());
      auto fix = [](TType t) { return t == TType::kBoolTrue || t == TType::kBoolFalse ? TType::kI8 : t; };
      const TType k = fix(static_cast<TType>(kv >> 4)), v = fix(static_cast<TType>(kv & 0x0f));
      for (uint64_t i = 0; i < n && ok(); ++i) {
        Skip(k, depth + 1);
        Skip(v, depth + 1);
      }
      return;
    }
    case TType::kStruct: {
      BeginStruct();
      int16_t id;
      TType t;
      while (NextField(&id, &t)) Skip(t, depth + 1);
      EndStruct();
      return;
    }
    default:
      return Fail("thrift: cannot skip type " + std::to_string(static_cast<int>(type)));
  }
}

}  // namespace eventlake::parquet
