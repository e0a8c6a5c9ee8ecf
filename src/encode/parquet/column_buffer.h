#pragma once
// One column's values for the row group being built: a null bit per row and the non-null
// values in the representation of the column's current kind. The kind only widens
// (MergeKinds); ConvertTo rewrites the buffered values when it does. A DOUBLE column also
// keeps the input text of the few values its double does not spell back exactly
// (9223372036854775807, 1.50, 1E2), so that widening to JSON text loses nothing.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "encode/parquet/format.h"

namespace eventlake::parquet {

// What a JSON value is, and what a column holds.
enum class ValueKind : uint8_t { kNull, kString, kInt, kDouble, kBool, kJson };

// The kind a column must have to hold both: null adds nothing, int+double is double,
// any other mix is JSON text.
ValueKind MergeKinds(ValueKind column, ValueKind value);
// BYTE_ARRAY for strings, JSON text and all-null columns.
Type PhysicalType(ValueKind kind);
const char* KindName(ValueKind kind);

// One parsed value. `raw` is its exact JSON text; `str` the unescaped string.
struct JsonValue {
  ValueKind kind = ValueKind::kNull;
  std::string_view raw;
  std::string_view str;
  int64_t i = 0;
  double d = 0;
  bool b = false;
};

class ColumnBuffer {
 public:
  explicit ColumnBuffer(ValueKind kind = ValueKind::kNull) : kind_(kind) {}

  ValueKind kind() const { return kind_; }
  size_t rows() const { return rows_; }
  size_t non_null() const { return values_; }
  bool defined(size_t row) const { return (defined_[row >> 6] >> (row & 63)) & 1; }

  // Appends nulls until rows() == rows.
  void PadNulls(size_t rows);
  // Appends `v` in the column's kind, which must be MergeKinds(kind(), v.kind).
  void Append(const JsonValue& v);
  void AppendInt(int64_t v);
  // `text`: the value's JSON text when known, kept if the double does not print as it.
  void AppendDouble(double v, std::string_view text = {});
  void AppendBytes(std::string_view v);
  // Widens the kind (see MergeKinds) and rewrites the values already held.
  void ConvertTo(ValueKind kind);
  // Drops everything (memory too); the kind stays.
  void Clear();

  // Heap bytes held.
  size_t memory() const;
  // Bytes the values take PLAIN-encoded (the row-group and page sizing measure).
  uint64_t plain_bytes() const { return plain_bytes_; }

  const std::vector<int64_t>& ints() const { return ints_; }
  const std::vector<double>& doubles() const { return doubles_; }
  const std::vector<uint8_t>& bools() const { return bools_; }
  size_t byte_values() const { return ends_.size(); }
  std::string_view bytes(size_t i) const {
    const uint32_t begin = i == 0 ? 0 : ends_[i - 1];
    return std::string_view(bytes_).substr(begin, ends_[i] - begin);
  }

 private:
  void PushDefined(bool d);
  void KeepTextIfInexact(double v, std::string_view text);
  void AppendNumberText(size_t i, std::string& out) const;

  ValueKind kind_;
  size_t rows_ = 0, values_ = 0;
  uint64_t plain_bytes_ = 0;
  std::vector<uint64_t> defined_;
  std::vector<int64_t> ints_;
  std::vector<double> doubles_;
  std::vector<uint8_t> bools_;
  std::string bytes_;
  std::vector<uint32_t> ends_;
  // DOUBLE values whose text is not AppendDoubleText's: value index, text (ascending index).
  std::vector<uint32_t> exact_index_, exact_ends_;
  std::string exact_text_;
};

// Shortest text that reads back as the same double (valid JSON for finite values);
// exponent form from 2^53 up.
void AppendDoubleText(double v, std::string& out);
// The same into `buf` (kDoubleTextMax bytes); returns the length.
inline constexpr size_t kDoubleTextMax = 32;
size_t FormatDouble(double v, char* buf);

}  // namespace eventlake::parquet
