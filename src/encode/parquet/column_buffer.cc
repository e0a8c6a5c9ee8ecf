#include "encode/parquet/column_buffer.h"

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
    case ValueKind::kInt: return Type::kInt64;
    case ValueKind::kDouble: return Type::kDouble;
    case ValueKind::kBool: return Type::kBoolean;
    default: return Type::kByteArray;
  }
}

const char* KindName(ValueKind kind) {
  switch (kind) {
    case ValueKind::kNull: return "null";
    case ValueKind::kString: return "string";
    case ValueKind::kInt: return "int";
    case ValueKind::kDouble: return "double";
    case ValueKind::kBool: return "bool";
    case ValueKind::kJson: return "json";
  }
  return "?";
}

void AppendDoubleText(double v, std::string& out) {
  char buf[32];
  // Integral values past 2^53 in exponent form: as 18446744073709551616 many JSON readers
  // would take them for (overflowing) integers.
  const bool big = std::fabs(v) >= 9007199254740992.0;
  const auto r = big ? std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific)
                     : std::to_chars(buf, buf + sizeof(buf), v);
  out.append(buf, r.ptr);
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

void ColumnBuffer::AppendDouble(double v) {
  PushDefined(true);
  ++values_;
  doubles_.push_back(v);
  plain_bytes_ += 8;
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
    case ValueKind::kString: return AppendBytes(v.str);
    case ValueKind::kJson: return AppendBytes(v.raw);
    case ValueKind::kInt: return AppendInt(v.i);
    case ValueKind::kDouble: return AppendDouble(v.kind == ValueKind::kInt ? static_cast<double>(v.i) : v.d);
    case ValueKind::kBool:
      PushDefined(true);
      ++values_;
      bools_.push_back(v.b ? 1 : 0);
      plain_bytes_ += 1;  // an eighth in PLAIN; a byte keeps the estimate simple
      return;
    case ValueKind::kNull: return PushDefined(false);  // unreachable: the kind was merged first
  }
}

void ColumnBuffer::ConvertTo(ValueKind kind) {
  if (kind == kind_) return;
  const ValueKind from = kind_;
  kind_ = kind;
  if (from == ValueKind::kNull || values_ == 0) return;
  if (kind == ValueKind::kDouble && from == ValueKind::kInt) {
    doubles_.assign(ints_.begin(), ints_.end());
    std::vector<int64_t>().swap(ints_);
    return;
  }
  // Anything else widens to JSON text: rebuild the values as their JSON texts.
  std::string text;
  std::vector<uint32_t> ends;
  ends.reserve(values_);
  for (size_t i = 0; i < values_; ++i) {
    switch (from) {
      case ValueKind::kString: AppendJsonString(text, bytes(i)); break;
      case ValueKind::kInt: {
        char buf[24];
        text.append(buf, std::to_chars(buf, buf + sizeof(buf), ints_[i]).ptr);
        break;
      }
      case ValueKind::kDouble: AppendDoubleText(doubles_[i], text); break;
      case ValueKind::kBool: text.append(bools_[i] ? "true" : "false"); break;
      default: text.append(bytes(i)); break;
    }
    ends.push_back(static_cast<uint32_t>(text.size()));
  }
  std::vector<int64_t>().swap(ints_);
  std::vector<double>().swap(doubles_);
  std::vector<uint8_t>().swap(bools_);
  bytes_.swap(text);
  ends_.swap(ends);
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
}

size_t ColumnBuffer::memory() const {
  return sizeof(*this) + defined_.capacity() * 8 + ints_.capacity() * 8 + doubles_.capacity() * 8 +
         bools_.capacity() + bytes_.capacity() + ends_.capacity() * 4;
}

}  // namespace eventlake::parquet
