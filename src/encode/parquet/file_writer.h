#pragma once
// Lays out a whole Parquet file from finished row groups: "PAR1", every row group's column
// chunks in schema order (all-null chunks made here, in the column's final type), the
// footer (FileMetaData, thrift compact), its 4-byte little-endian length, "PAR1".
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "encode/encoder.h"
#include "encode/parquet/chunk_writer.h"
#include "encode/parquet/column_buffer.h"

namespace eventlake::parquet {

// A column as the footer describes it.
struct ColumnSchema {
  enum class Role : uint8_t { kString, kCreatedAt, kTimestamp, kPayload };
  std::string name;
  Role role = Role::kPayload;
  ValueKind kind = ValueKind::kNull;  // created_at: kInt or kDouble; payload: any
};

struct FinishedRowGroup {
  int64_t rows = 0;
  // By column index; nullopt (or past the end: the column came later) = all nulls.
  std::vector<std::optional<EncodedChunk>> chunks;
};

SchemaElement SchemaElementFor(const ColumnSchema& column);

// Writes the file to `sink`, releasing each chunk's bytes once written.
// `null_chunks` gives the codec and page sizes for the all-null chunks.
Status WriteParquetFile(const std::vector<ColumnSchema>& columns, std::vector<FinishedRowGroup>& groups,
                        const ChunkOptions& null_chunks, ByteSink& sink);

}  // namespace eventlake::parquet
