#pragma once
// The Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md), just
// what Parquet metadata needs: structs, i8/i16/i32/i64, bool, binary, lists. Written
// from the specification; Parquet files use no messages, maps or sets on the write side.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace eventlake::parquet {

// Compact-protocol type ids (field headers and list element types).
enum class TType : uint8_t {
  kStop = 0,
  kBoolTrue = 1,  // field header: true; list element type for bool is 2 (kBoolFalse)
  kBoolFalse = 2,
  kI8 = 3,
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,
  kUuid = 13,
};

// Appends to a caller-owned string. Fields must be written in increasing id order inside
// each struct (the delta form is used when the id grows by 1..15).
class ThriftWriter {
 public:
  explicit ThriftWriter(std::string& out) : out_(out) { last_id_.push_back(0); }

  void FieldBool(int16_t id, bool v) { FieldHeader(id, v ? TType::kBoolTrue : TType::kBoolFalse); }
  void FieldI8(int16_t id, int8_t v);
  void FieldI16(int16_t id, int16_t v);
  void FieldI32(int16_t id, int32_t v);
  void FieldI64(int16_t id, int64_t v);
  void FieldBinary(int16_t id, std::string_view v);
  // Opens a struct-valued field; close it with EndStruct().
  void BeginStructField(int16_t id);
  // Opens a list-valued field; then write `size` elements with the List* calls.
  void BeginListField(int16_t id, TType element_type, uint32_t size);

  // A struct as a list element (or the top-level struct): BeginStruct ... EndStruct.
  void BeginStruct() { last_id_.push_back(0); }
  // Writes the stop byte and returns to the enclosing struct.
  void EndStruct();
  void ListI32(int32_t v) { Varint(ZigZag(v)); }
  void ListBinary(std::string_view v);

  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
  void Varint(uint64_t v);

 private:
  void FieldHeader(int16_t id, TType type);
  std::string& out_;
  std::vector<int16_t> last_id_;
};

// Reads from a byte range. Errors are sticky: after the first one every read returns a
// zero value and ok() stays false, so callers check once at the end of a struct.
class ThriftReader {
 public:
  explicit ThriftReader(std::string_view in) : in_(in) {}

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  size_t position() const { return pos_; }

  // Enter/leave a struct (field ids restart at 0 inside).
  void BeginStruct();
  void EndStruct();
  // The next field header; returns false at the struct's stop byte (or on error).
  // For bool fields `type` is kBoolTrue/kBoolFalse and the value is in the header.
  bool NextField(int16_t* id, TType* type);
  int8_t ReadI8();
  int32_t ReadI32();  // also i16
  int64_t ReadI64();
  std::string_view ReadBinary();
  // List header: element type and count (count is checked against the bytes left).
  bool ReadListHeader(TType* element_type, uint32_t* size);
  // Skips one value of `type` (unknown fields), nested up to a fixed depth.
  void Skip(TType type) { Skip(type, 0); }

  void Fail(std::string message);

 private:
  uint64_t ReadVarint();
  void Skip(TType type, int depth);

  std::string_view in_;
  size_t pos_ = 0;
  std::vector<int16_t> last_id_;
  std::string error_;
};

}  // namespace eventlake::parquet
