// `eventlake cat` and `eventlake schema` for Parquet files: rows back as JSON lines, and a
// readable description of the schema and row groups.
#include "encode/parquet/parquet_reader.h"

#include <charconv>
#include <cmath>
#include <new>
#include <stdexcept>

#include "core/json_write.h"
#include "core/time_util.h"
#include "encode/parquet/column_buffer.h"
#include "encode/parquet/file_reader.h"
#include "encode/parquet/page_codec.h"

namespace eventlake {

namespace {

using parquet::ColumnData;
using parquet::ValueFormat;

constexpr int64_t kMinSeconds = -62135596800;  // 0001-01-01T00:00:00Z
constexpr int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z

void AppendInt(std::string& out, int64_t v) {
  char buf[24];
  out.append(buf, std::to_chars(buf, buf + sizeof(buf), v).ptr);
}

// RFC 3339 UTC, the fraction only when non-zero and without trailing zeros (as eventlake
// writes created_datetime). Out of the 4-digit-year range: the plain number.
void AppendTimestamp(std::string& out, int64_t value, int64_t units) {
  int64_t secs = value / units, sub = value % units;
  if (sub < 0) {
    --secs;
    sub += units;
  }
  if (secs < kMinSeconds || secs > kMaxSeconds) return AppendInt(out, value);
  char text[19];
  FormatDateTime(secs, text);
  out.push_back('"');
  out.append(text, sizeof(text));
  if (sub != 0) {
    char digits[10];
    int n = units == 1000 ? 3 : units == 1000000 ? 6 : 9;
    for (int i = n - 1; i >= 0; --i, sub /= 10) digits[i] = static_cast<char>('0' + sub % 10);
    while (n > 0 && digits[n - 1] == '0') --n;
    out.push_back('.');
    out.append(digits, static_cast<size_t>(n));
  }
  out.append("Z\"");
}

struct Cursor {
  size_t value = 0;  // next non-null value
};

Status AppendValue(std::string& line, const ColumnData& c, size_t v, ValueFormat format, int64_t units) {
  switch (format) {
    case ValueFormat::kString: {
      const std::string_view s = c.strings[v];
      if (!IsValidUtf8(s)) return Status::Error("a string value is not valid UTF-8");
      AppendJsonString(line, s);
      return Status::Ok();
    }
    case ValueFormat::kJson:
      line.append(c.strings[v]);
      return Status::Ok();
    case ValueFormat::kInt:
      AppendInt(line, c.ints[v]);
      return Status::Ok();
    case ValueFormat::kTimestamp:
      AppendTimestamp(line, c.ints[v], units);
      return Status::Ok();
    case ValueFormat::kBool:
      line.append(c.bools[v] ? "true" : "false");
      return Status::Ok();
    case ValueFormat::kDouble: {
      const double d = c.doubles[v];
      if (!std::isfinite(d)) {
        line.append("null");  // JSON has no NaN or infinity
        return Status::Ok();
      }
      parquet::AppendDoubleText(d, line);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

Status Cat(const std::string& path, std::FILE* out) {
  parquet::ParquetFile file;
  EL_RETURN_IF_ERROR(parquet::OpenParquetFile(path, &file));
  std::vector<std::string> keys;  // each column's `"name":`
  for (size_t i = 0; i < file.columns(); ++i) {
    std::string& k = keys.emplace_back();
    AppendJsonString(k, file.column(i).name);
    k.push_back(':');
  }
  std::vector<ColumnData> columns;
  std::string text;
  for (size_t g = 0; g < file.meta.row_groups.size(); ++g) {
    EL_RETURN_IF_ERROR(parquet::ReadRowGroup(file, g, &columns).Context(path + ": row group " + std::to_string(g)));
    std::vector<Cursor> cursors(columns.size());
    const auto rows = static_cast<size_t>(file.meta.row_groups[g].num_rows);
    for (size_t r = 0; r < rows; ++r) {
      text.push_back('{');
      bool first = true;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (!columns[i].defined[r]) continue;
        if (!first) text.push_back(',');
        first = false;
        text.append(keys[i]);
        EL_RETURN_IF_ERROR(AppendValue(text, columns[i], cursors[i].value++, file.formats[i], file.timestamp_units[i])
                               .Context(path + ": column \"" + file.column(i).name + "\""));
      }
      text.append("}\n");
      if (text.size() >= (1 << 20)) {
        if (std::fwrite(text.data(), 1, text.size(), out) != text.size()) return Status::Error("write failed");
        text.clear();
      }
    }
  }
  if (!text.empty() && std::fwrite(text.data(), 1, text.size(), out) != text.size())
    return Status::Error("write failed");
  return Status::Ok();
}

const char* TypeName(parquet::Type t) {
  static constexpr const char* kNames[] = {"BOOLEAN", "INT32",  "INT64",      "INT96",
                                           "FLOAT",   "DOUBLE", "BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"};
  const auto i = static_cast<size_t>(t);
  return i < 8 ? kNames[i] : "?";
}

const char* EncodingName(int32_t e) {
  switch (e) {
    case 0:
      return "PLAIN";
    case 2:
      return "PLAIN_DICTIONARY";
    case 3:
      return "RLE";
    case 4:
      return "BIT_PACKED";
    case 8:
      return "RLE_DICTIONARY";
    default:
      return "OTHER";
  }
}

std::string LogicalName(const parquet::SchemaElement& e, ValueFormat f, int64_t units) {
  switch (f) {
    case ValueFormat::kString:
      return e.logical.kind == parquet::LogicalType::Kind::kString ? "STRING" : "-";
    case ValueFormat::kJson:
      return "JSON";
    case ValueFormat::kTimestamp:
      return std::string("TIMESTAMP(") +
             (units == 1000      ? "MILLIS"
              : units == 1000000 ? "MICROS"
                                 : "NANOS") +
             (e.logical.utc ? ",UTC)" : ")");
    default:
      return "-";
  }
}

void Pad(std::string& out, const std::string& s, size_t width) {
  out.append(s);
  if (s.size() < width) out.append(width - s.size(), ' ');
  out.push_back(' ');
}

Result<std::string> Describe(const std::string& path) {
  parquet::ParquetFile file;
  EL_RETURN_IF_ERROR(parquet::OpenParquetFile(path, &file));
  const auto& m = file.meta;
  std::string out = path + ": " + std::to_string(m.num_rows) + " rows, " + std::to_string(m.row_groups.size()) +
                    " row group(s), " + std::to_string(file.bytes.size()) + " bytes, created by " +
                    (m.created_by.empty() ? "?" : m.created_by) + "\n";
  size_t width = 4;
  for (size_t i = 0; i < file.columns(); ++i) width = std::max(width, file.column(i).name.size());
  out += "columns:\n";
  for (size_t i = 0; i < file.columns(); ++i) {
    const auto& e = file.column(i);
    out += "  ";
    Pad(out, e.name, width);
    Pad(out, TypeName(*e.type), 10);
    Pad(out, LogicalName(e, file.formats[i], file.timestamp_units[i]), 22);
    out += *e.repetition == parquet::Repetition::kRequired ? "REQUIRED\n" : "OPTIONAL\n";
  }
  out += "row groups:\n";
  for (size_t g = 0; g < m.row_groups.size(); ++g) {
    const auto& rg = m.row_groups[g];
    out += "  #" + std::to_string(g) + ": " + std::to_string(rg.num_rows) + " rows, " +
           std::to_string(rg.total_byte_size) + " bytes uncompressed, " + std::to_string(rg.total_compressed_size) +
           " compressed\n";
    for (size_t i = 0; i < rg.columns.size(); ++i) {
      const auto& c = rg.columns[i];
      out += "    ";
      Pad(out, file.column(i).name, width);
      std::string enc;
      for (int32_t e : c.encodings) enc += std::string(enc.empty() ? "" : ",") + EncodingName(e);
      out += std::string(parquet::CodecName(c.codec)) + " " + enc + ", " + std::to_string(c.total_compressed_size) +
             " bytes";
      if (c.statistics.null_count) out += ", " + std::to_string(*c.statistics.null_count) + " null";
      out += "\n";
    }
  }
  return out;
}

}  // namespace

// Corrupt input is reported, never fatal: a size that passed every check can still be too
// much memory, and that is reported too.
Status CatParquet(const std::string& path, std::FILE* out) {
  try {
    return Cat(path, out);
  } catch (const std::bad_alloc&) {
    return Status::Error(path + ": out of memory (corrupt sizes?)");
  } catch (const std::length_error&) {
    return Status::Error(path + ": out of memory (corrupt sizes?)");
  }
}

Result<std::string> DescribeParquet(const std::string& path) {
  try {
    return Describe(path);
  } catch (const std::bad_alloc&) {
    return Status::Error(path + ": out of memory (corrupt sizes?)");
  }
}

}  // namespace eventlake
