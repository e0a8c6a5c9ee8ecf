#include "encode/parquet/file_reader.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "encode/parquet/metadata_io.h"

namespace eventlake::parquet {

namespace {

// Far above what eventlake writes (row groups are at most 1 GiB of values); a footer
// claiming more is corrupt, and decoding it could exhaust memory.
constexpr int64_t kMaxRowGroupRows = 1LL << 28;

Status CheckColumn(const SchemaElement& e, ValueFormat* format, int64_t* units) {
  const std::string what = "column \"" + e.name + "\": ";
  if (e.num_children && *e.num_children != 0) return Status::Error(what + "nested columns are not supported");
  if (!e.type) return Status::Error(what + "no physical type");
  if (!e.repetition || *e.repetition == Repetition::kRepeated)
    return Status::Error(what + "only REQUIRED and OPTIONAL columns are supported");
  const int32_t converted = e.converted_type.value_or(-1);
  switch (*e.type) {
    case Type::kBoolean:
      *format = ValueFormat::kBool;
      return Status::Ok();
    case Type::kDouble:
      *format = ValueFormat::kDouble;
      return Status::Ok();
    case Type::kByteArray:
      *format = e.logical.kind == LogicalType::Kind::kJson || converted == static_cast<int32_t>(ConvertedType::kJson)
                    ? ValueFormat::kJson
                    : ValueFormat::kString;
      return Status::Ok();
    case Type::kInt64:
      *format = ValueFormat::kInt;
      if (e.logical.kind == LogicalType::Kind::kTimestamp) {
        *format = ValueFormat::kTimestamp;
        *units = e.logical.unit == 1 ? 1000 : e.logical.unit == 3 ? 1000000000 : 1000000;
      } else if (converted == 9 || converted == static_cast<int32_t>(ConvertedType::kTimestampMicros)) {
        *format = ValueFormat::kTimestamp;  // TIMESTAMP_MILLIS (9), TIMESTAMP_MICROS (10)
        *units = converted == 9 ? 1000 : 1000000;
      }
      return Status::Ok();
    default:
      return Status::Error(what + "physical type " + std::to_string(static_cast<int>(*e.type)) + " is not supported");
  }
}

}  // namespace

Status ParseParquetFile(std::string bytes, ParquetFile* out) {
  out->bytes = std::move(bytes);
  const std::string_view b = out->bytes;
  if (b.size() < 12 || b.substr(0, 4) != kMagic || b.substr(b.size() - 4) != kMagic)
    return Status::Error("not a Parquet file (no PAR1 magic at both ends)");
  uint32_t footer_len;
  std::memcpy(&footer_len, b.data() + b.size() - 8, 4);
  if (footer_len > b.size() - 12) return Status::Error("footer length exceeds the file");
  EL_RETURN_IF_ERROR(ReadFileMetaData(b.substr(b.size() - 8 - footer_len, footer_len), &out->meta));
  const FileMetaData& m = out->meta;
  if (m.schema.empty()) return Status::Error("empty schema");
  const SchemaElement& root = m.schema[0];
  if (!root.num_children || static_cast<size_t>(*root.num_children) != m.schema.size() - 1)
    return Status::Error("only a flat schema (a root with leaf columns) is supported");
  out->formats.assign(m.schema.size() - 1, ValueFormat::kString);
  out->timestamp_units.assign(m.schema.size() - 1, 0);
  for (size_t i = 0; i + 1 < m.schema.size(); ++i)
    EL_RETURN_IF_ERROR(CheckColumn(m.schema[i + 1], &out->formats[i], &out->timestamp_units[i]));
  int64_t rows = 0;
  for (const RowGroup& g : m.row_groups) {
    if (g.num_rows < 0 || g.num_rows > kMaxRowGroupRows) return Status::Error("implausible row group size");
    if (g.columns.size() != out->columns()) return Status::Error("a row group's columns differ from the schema");
    for (size_t i = 0; i < g.columns.size(); ++i) {
      const auto& path = g.columns[i].path_in_schema;
      if (path.size() != 1 || path[0] != out->column(i).name)
        return Status::Error("a column chunk's path differs from the schema");
    }
    rows += g.num_rows;
  }
  if (rows != m.num_rows) return Status::Error("the row groups' rows do not add up to num_rows");
  return Status::Ok();
}

Status OpenParquetFile(const std::string& path, ParquetFile* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::Error(path + ": " + std::strerror(errno));
  std::string bytes;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) bytes.append(buf, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Status::Error(path + ": read error");
  return ParseParquetFile(std::move(bytes), out).Context(path);
}

Status ReadRowGroup(const ParquetFile& file, size_t g, std::vector<ColumnData>* out) {
  const RowGroup& group = file.meta.row_groups[g];
  out->resize(file.columns());
  for (size_t i = 0; i < file.columns(); ++i) {
    ColumnData& c = (*out)[i];
    EL_RETURN_IF_ERROR(ReadColumnChunk(file.bytes, file.column(i), group.columns[i], group.num_rows, &c));
    const auto present = static_cast<size_t>(std::count(c.defined.begin(), c.defined.end(), 1));
    size_t values = 0;
    switch (c.type) {
      case Type::kInt64:
        values = c.ints.size();
        break;
      case Type::kDouble:
        values = c.doubles.size();
        break;
      case Type::kBoolean:
        values = c.bools.size();
        break;
      default:
        values = c.strings.size();
        break;
    }
    if (c.defined.size() != static_cast<size_t>(group.num_rows) || values != present)
      return Status::Error("column \"" + file.column(i).name + "\": value count does not match its levels");
  }
  return Status::Ok();
}

}  // namespace eventlake::parquet
