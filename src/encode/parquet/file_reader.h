#pragma once
// Opens a Parquet file eventlake can read back: the magic bytes, the footer, a flat schema
// of BOOLEAN / INT64 / DOUBLE / BYTE_ARRAY columns, row groups whose column chunks match
// the schema. Every check fails with a Status, never a crash.
#include <string>
#include <vector>

#include "core/status.h"
#include "encode/parquet/column_reader.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

// How a column's values print as JSON.
enum class ValueFormat { kString, kJson, kInt, kTimestamp, kDouble, kBool };

struct ParquetFile {
  std::string bytes;  // the whole file
  FileMetaData meta;
  std::vector<ValueFormat> formats;      // per leaf column (meta.schema[i + 1])
  std::vector<int64_t> timestamp_units;  // per column: units per second for kTimestamp

  size_t columns() const { return formats.size(); }
  const SchemaElement& column(size_t i) const { return meta.schema[i + 1]; }
};

Status OpenParquetFile(const std::string& path, ParquetFile* out);
// The same checks on bytes already in memory (tests).
Status ParseParquetFile(std::string bytes, ParquetFile* out);

// Reads row group `g` of `file`, one ColumnData per column, all checked for consistency.
Status ReadRowGroup(const ParquetFile& file, size_t g, std::vector<ColumnData>* out);

}  // namespace eventlake::parquet
