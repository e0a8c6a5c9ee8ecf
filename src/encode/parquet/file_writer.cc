#include "encode/parquet/file_writer.h"

#include <cstring>

#include "encode/parquet/metadata_io.h"

namespace eventlake::parquet {

SchemaElement SchemaElementFor(const ColumnSchema& c) {
  SchemaElement e;
  e.name = c.name;
  switch (c.role) {
    case ColumnSchema::Role::kString:
      e.type = Type::kByteArray;
      e.repetition = Repetition::kRequired;
      e.converted_type = static_cast<int32_t>(ConvertedType::kUtf8);
      e.logical.kind = LogicalType::Kind::kString;
      return e;
    case ColumnSchema::Role::kCreatedAt:
      e.type = c.kind == ValueKind::kDouble ? Type::kDouble : Type::kInt64;
      e.repetition = Repetition::kRequired;
      return e;
    case ColumnSchema::Role::kTimestamp:
      e.type = Type::kInt64;
      e.repetition = Repetition::kRequired;
      e.converted_type = static_cast<int32_t>(ConvertedType::kTimestampMicros);
      e.logical.kind = LogicalType::Kind::kTimestamp;
      e.logical.utc = true;
      e.logical.unit = 2;  // TimeUnit.MICROS
      return e;
    case ColumnSchema::Role::kPayload:
      break;
  }
  e.type = PhysicalType(c.kind);
  e.repetition = Repetition::kOptional;
  if (c.kind == ValueKind::kJson) {
    e.converted_type = static_cast<int32_t>(ConvertedType::kJson);
    e.logical.kind = LogicalType::Kind::kJson;
  } else if (c.kind == ValueKind::kNull) {
    // Only ever null in this file: UNKNOWN (the spec's NullType), so engines merging
    // files by name take the type from the files that have values.
    e.logical.kind = LogicalType::Kind::kUnknown;
  } else if (e.type == Type::kByteArray) {
    e.converted_type = static_cast<int32_t>(ConvertedType::kUtf8);
    e.logical.kind = LogicalType::Kind::kString;
  }
  return e;
}

Status WriteParquetFile(const std::vector<ColumnSchema>& columns, std::vector<FinishedRowGroup>& groups,
                        const ChunkOptions& null_chunks, ByteSink& sink) {
  FileMetaData meta;
  meta.version = 1;
  meta.created_by = std::string(kCreatedBy);
  meta.column_orders = static_cast<int32_t>(columns.size());
  SchemaElement& root = meta.schema.emplace_back();
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns.size());
  for (const auto& c : columns) meta.schema.push_back(SchemaElementFor(c));

  EL_RETURN_IF_ERROR(sink.Write(kMagic));
  int64_t offset = static_cast<int64_t>(kMagic.size());
  for (size_t g = 0; g < groups.size(); ++g) {
    FinishedRowGroup& group = groups[g];
    RowGroup& rg = meta.row_groups.emplace_back();
    rg.num_rows = group.rows;
    rg.file_offset = offset;
    if (g <= INT16_MAX) rg.ordinal = static_cast<int16_t>(g);
    meta.num_rows += group.rows;
    for (size_t i = 0; i < columns.size(); ++i) {
      EncodedChunk null_chunk;
      EncodedChunk* chunk = i < group.chunks.size() && group.chunks[i] ? &*group.chunks[i] : nullptr;
      if (chunk == nullptr) {
        ColumnBuffer nulls(columns[i].kind);
        nulls.PadNulls(static_cast<size_t>(group.rows));
        EL_RETURN_IF_ERROR(EncodeChunk(nulls, null_chunks, &null_chunk));
        chunk = &null_chunk;
      }
      ColumnMetaData& m = rg.columns.emplace_back(std::move(chunk->meta));
      m.path_in_schema = {columns[i].name};
      m.data_page_offset += offset;
      if (m.dictionary_page_offset) *m.dictionary_page_offset += offset;
      EL_RETURN_IF_ERROR(sink.Write(chunk->bytes));
      offset += static_cast<int64_t>(chunk->bytes.size());
      std::string().swap(chunk->bytes);
      rg.total_byte_size += m.total_uncompressed_size;
      rg.total_compressed_size += m.total_compressed_size;
    }
  }

  std::string footer;
  WriteFileMetaData(meta, footer);
  const auto len = static_cast<uint32_t>(footer.size());
  char le[4];
  std::memcpy(le, &len, 4);  // little-endian host (see chunk_writer.cc)
  footer.append(le, 4);
  footer.append(kMagic);
  return sink.Write(footer);
}

}  // namespace eventlake::parquet
