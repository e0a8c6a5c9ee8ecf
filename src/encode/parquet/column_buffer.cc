#include "encode/parquet/column_buffer.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/json_write.h"

namespace eventlake::parquet {

ValueKind MergeKinds(ValueKind column, ValueKind value) {
  if (value == ValueKind::kNull || value == column) return column;
  if (column == ValueKind::kNull) return value;
  if ((column == ValueKind::kInt && value == ValueKind::kDouble) ||
      (column == ValueKind::kDouble && value == ValueKind::kInt))
    return ValueKind::kDouble;
  return ValueKind::kJson;
}

Type PhysicalType(ValueKind kind) {
  switch (kind) {
    case ValueKind::kInt:
      return Type::kInt64;
    case ValueKind::kDouble:
      return Type::kDouble;
    case ValueKind::kBool:
      return Type::kBoolean;
    default:
      return Type::kByteArray;
  }
}

const char* KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull:
      return "null";
    case ValueKind::kString:
      return "string";
    case ValueKind::kInt:
      return "int";
    case ValueKind::kDouble:
      return "double";
    case ValueKind::kBool:
      return "bool";
    case ValueKind::kJson:
      return "json";
  }
  return "?";
}

size_t FormatDouble(double v, char* buf) {
  // Integral values past 2^53 in exponent form: as 18446744073709551616 many JSON readers
  // would take them for (overflowing) integers.
  const bool big = std::fabs(v) >= 9007199254740992.0;
  const auto r = big ? std::to_chars(buf, buf + kDoubleTextMax, v, std::chars_format::scientific)
                     : std::to_chars(buf, buf + kDoubleTextMax, v);
  return static_cast<size_t>(r.ptr - buf);
}

void AppendDoubleText(double v, std::string& out) {
  char buf[kDoubleTextMax];
  out.append(buf, FormatDouble(v, buf));
}

void ColumnBuffer::PushDefined(bool d) {
  if ((rows_ & 63) == 0) defined_.push_back(0);
  if (d) defined_.back() |= 1ULL << (rows_ & 63);
  ++rows_;
}

void ColumnBuffer::PadNulls(size_t rows) {
  while (rows_ < rows) {
    if ((rows_ & 63) == 0 && rows - rows_ >= 64) {
      const size_t words = (rows - rows_) / 64;
      defined_.insert(defined_.end(), words, 0);
      rows_ += words * 64;
      continue;
    }
    PushDefined(false);
  }
}

void ColumnBuffer::AppendInt(int64_t v) {
  PushDefined(true);
  ++values_;
  ints_.push_back(v);
  plain_bytes_ += 8;
}

void ColumnBuffer::AppendDouble(double v, std::string_view text) {
  PushDefined(true);
  ++values_;
  doubles_.push_back(v);
  plain_bytes_ += 8;
  if (!text.empty()) KeepTextIfInexact(v, text);
}

void ColumnBuffer::KeepTextIfInexact(double v, std::string_view text) {
  char buf[kDoubleTextMax];
  if (std::string_view(buf, FormatDouble(v, buf)) == text) return;
  exact_index_.push_back(static_cast<uint32_t>(doubles_.size() - 1));
  exact_text_.append(text);
  exact_ends_.push_back(static_cast<uint32_t>(exact_text_.size()));
}

// The JSON text of DOUBLE value i: its input text when kept, else the shortest round trip.
void ColumnBuffer::AppendNumberText(size_t i, std::string& out) const {
  const auto it = std::lower_bound(exact_index_.begin(), exact_index_.end(), static_cast<uint32_t>(i));
  if (it == exact_index_.end() || *it != i) return AppendDoubleText(doubles_[i], out);
  const auto k = static_cast<size_t>(it - exact_index_.begin());
  const uint32_t begin = k == 0 ? 0 : exact_ends_[k - 1];
  out.append(exact_text_, begin, exact_ends_[k] - begin);
}

void ColumnBuffer::AppendBytes(std::string_view v) {
  PushDefined(true);
  ++values_;
  bytes_.append(v);
  ends_.push_back(static_cast<uint32_t>(bytes_.size()));
  plain_bytes_ += 4 + v.size();
}

void ColumnBuffer::Append(const JsonValue& v) {
  if (v.kind == ValueKind::kNull) return PushDefined(false);
  switch (kind_) {
    case ValueKind::kString:
      return AppendBytes(v.str);
    case ValueKind::kJson:
      return AppendBytes(v.raw);
    case ValueKind::kInt:
      return AppendInt(v.i);
    case ValueKind::kDouble:
      return AppendDouble(v.kind == ValueKind::kInt ? static_cast<double>(v.i) : v.d, v.raw);
    case ValueKind::kBool:
      PushDefined(true);
      ++values_;
      bools_.push_back(v.b ? 1 : 0);
      plain_bytes_ += 1;  // an eighth in PLAIN; a byte keeps the estimate simple
      return;
    case ValueKind::kNull:
      return PushDefined(false);  // unreachable: the kind was merged first
  }
}

void ColumnBuffer::ConvertTo(ValueKind kind) {
  if (kind == kind_) return;
  const ValueKind from = kind_;
  kind_ = kind;
  if (from == ValueKind::kNull || values_ == 0) return;
  if (kind == ValueKind::kDouble && from == ValueKind::kInt) {
    doubles_.reserve(ints_.size());
    char buf[24];
    for (int64_t v : ints_) {
      doubles_.push_back(static_cast<double>(v));
      KeepTextIfInexact(doubles_.back(), std::string_view(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr - buf));
    }
    std::vector<int64_t>().swap(ints_);
    return;
  }
  // Anything else widens to JSON text: rebuild the values as their JSON texts.
  std::string text;
  std::vector<uint32_t> ends;
  ends.reserve(values_);
  for (size_t i = 0; i < values_; ++i) {
    switch (from) {
      case ValueKind::kString:
        AppendJsonString(text, bytes(i));
        break;
      case ValueKind::kInt: {
        char buf[24];
        text.append(buf, std::to_chars(buf, buf + sizeof(buf), ints_[i]).ptr);
        break;
      }
      case ValueKind::kDouble:
        AppendNumberText(i, text);
        break;
      case ValueKind::kBool:
        text.append(bools_[i] ? "true" : "false");
        break;
      default:
        text.append(bytes(i));
        break;
    }
    ends.push_back(static_cast<uint32_t>(text.size()));
  }
  std::vector<int64_t>().swap(ints_);
  std::vector<double>().swap(doubles_);
  std::vector<uint8_t>().swap(bools_);
  bytes_.swap(text);
  ends_.swap(ends);
  std::vector<uint32_t>().swap(exact_index_);
  std::vector<uint32_t>().swap(exact_ends_);
  std::string().swap(exact_text_);
  plain_bytes_ = bytes_.size() + 4 * ends_.size();
}

void ColumnBuffer::Clear() {
  rows_ = values_ = 0;
  plain_bytes_ = 0;
  std::vector<uint64_t>().swap(defined_);
  std::vector<int64_t>().swap(ints_);
  std::vector<double>().swap(doubles_);
  std::vector<uint8_t>().swap(bools_);
  std::string().swap(bytes_);
  std::vector<uint32_t>().swap(ends_);
  std::vector<uint32_t>().swap(exact_index_);
  std::vector<uint32_t>().swap(exact_ends_);
  std::string().swap(exact_text_);
}

size_t ColumnBuffer::memory() const {
  return sizeof(*this) + defined_.capacity() * 8 + ints_.capacity() * 8 + doubles_.capacity() * 8 + bools_.capacity() +
         bytes_.capacity() + ends_.capacity() * 4 + exact_index_.capacity() * 4 + exact_ends_.capacity() * 4 +
         exact_text_.capacity();
}

}  // namespace eventlake::parquet
