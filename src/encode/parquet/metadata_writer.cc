// Footer and page-header serialization; field ids from parquet.thrift (see format.h).
#include "encode/parquet/metadata_io.h"
#include "encode/parquet/thrift_compact.h"

namespace eventlake::parquet {

namespace {

int32_t I32(auto e) { return static_cast<int32_t>(e); }

void WriteLogicalType(ThriftWriter& w, const LogicalType& t) {
  w.BeginStructField(10);  // SchemaElement.logicalType: a union, one member set
  w.BeginStructField(static_cast<int16_t>(t.kind));
  if (t.kind == LogicalType::Kind::kTimestamp) {
    w.FieldBool(1, t.utc);                             // TimestampType.isAdjustedToUTC
    w.BeginStructField(2);                             // TimestampType.unit: TimeUnit union
    w.BeginStructField(static_cast<int16_t>(t.unit));  // MILLIS/MICROS/NANOS: empty struct
    w.EndStruct();
    w.EndStruct();
  }
  w.EndStruct();
  w.EndStruct();
}

void WriteSchemaElement(ThriftWriter& w, const SchemaElement& e) {
  w.BeginStruct();
  if (e.type) w.FieldI32(1, I32(*e.type));
  if (e.repetition) w.FieldI32(3, I32(*e.repetition));
  w.FieldBinary(4, e.name);
  if (e.num_children) w.FieldI32(5, *e.num_children);
  if (e.converted_type) w.FieldI32(6, *e.converted_type);
  if (e.logical.kind != LogicalType::Kind::kNone) WriteLogicalType(w, e.logical);
  w.EndStruct();
}

void WriteStatistics(ThriftWriter& w, const Statistics& s) {
  w.BeginStructField(12);  // ColumnMetaData.statistics
  if (s.null_count) w.FieldI64(3, *s.null_count);
  if (s.max_value) w.FieldBinary(5, *s.max_value);
  if (s.min_value) w.FieldBinary(6, *s.min_value);
  if (s.max_value) w.FieldBool(7, true);  // is_max_value_exact
  if (s.min_value) w.FieldBool(8, true);  // is_min_value_exact
  if (s.nan_count) w.FieldI64(9, *s.nan_count);
  w.EndStruct();
}

void WriteColumnChunk(ThriftWriter& w, const ColumnMetaData& c) {
  w.BeginStruct();        // ColumnChunk
  w.FieldI64(2, 0);       // file_offset: 0, no ColumnMetaData outside the footer
  w.BeginStructField(3);  // meta_data
  w.FieldI32(1, I32(c.type));
  w.BeginListField(2, TType::kI32, static_cast<uint32_t>(c.encodings.size()));
  for (int32_t e : c.encodings) w.ListI32(e);
  w.BeginListField(3, TType::kBinary, static_cast<uint32_t>(c.path_in_schema.size()));
  for (const auto& p : c.path_in_schema) w.ListBinary(p);
  w.FieldI32(4, I32(c.codec));
  w.FieldI64(5, c.num_values);
  w.FieldI64(6, c.total_uncompressed_size);
  w.FieldI64(7, c.total_compressed_size);
  w.FieldI64(9, c.data_page_offset);
  if (c.dictionary_page_offset) w.FieldI64(11, *c.dictionary_page_offset);
  WriteStatistics(w, c.statistics);
  if (!c.encoding_stats.empty()) {
    w.BeginListField(13, TType::kStruct, static_cast<uint32_t>(c.encoding_stats.size()));
    for (const auto& s : c.encoding_stats) {
      w.BeginStruct();
      w.FieldI32(1, I32(s.page_type));
      w.FieldI32(2, I32(s.encoding));
      w.FieldI32(3, s.count);
      w.EndStruct();
    }
  }
  w.EndStruct();  // meta_data
  w.EndStruct();  // ColumnChunk
}

void WriteRowGroup(ThriftWriter& w, const RowGroup& g) {
  w.BeginStruct();
  w.BeginListField(1, TType::kStruct, static_cast<uint32_t>(g.columns.size()));
  for (const auto& c : g.columns) WriteColumnChunk(w, c);
  w.FieldI64(2, g.total_byte_size);
  w.FieldI64(3, g.num_rows);
  w.FieldI64(5, g.file_offset);
  w.FieldI64(6, g.total_compressed_size);
  if (g.ordinal) w.FieldI16(7, *g.ordinal);
  w.EndStruct();
}

}  // namespace

void WriteFileMetaData(const FileMetaData& m, std::string& out) {
  ThriftWriter w(out);
  w.FieldI32(1, m.version);
  w.BeginListField(2, TType::kStruct, static_cast<uint32_t>(m.schema.size()));
  for (const auto& e : m.schema) WriteSchemaElement(w, e);
  w.FieldI64(3, m.num_rows);
  w.BeginListField(4, TType::kStruct, static_cast<uint32_t>(m.row_groups.size()));
  for (const auto& g : m.row_groups) WriteRowGroup(w, g);
  if (!m.created_by.empty()) w.FieldBinary(6, m.created_by);
  if (m.column_orders > 0) {
    w.BeginListField(7, TType::kStruct, static_cast<uint32_t>(m.column_orders));
    for (int i = 0; i < m.column_orders; ++i) {
      w.BeginStruct();        // ColumnOrder union
      w.BeginStructField(1);  // TYPE_ORDER: TypeDefinedOrder {}
      w.EndStruct();
      w.EndStruct();
    }
  }
  w.EndStruct();
}

void WritePageHeader(const PageHeader& h, std::string& out) {
  ThriftWriter w(out);
  w.FieldI32(1, I32(h.type));
  w.FieldI32(2, h.uncompressed_page_size);
  w.FieldI32(3, h.compressed_page_size);
  if (h.crc) w.FieldI32(4, *h.crc);
  if (h.data_page) {
    w.BeginStructField(5);
    w.FieldI32(1, h.data_page->num_values);
    w.FieldI32(2, I32(h.data_page->encoding));
    w.FieldI32(3, I32(h.data_page->definition_level_encoding));
    w.FieldI32(4, I32(h.data_page->repetition_level_encoding));
    w.EndStruct();
  }
  if (h.dictionary_page) {
    w.BeginStructField(7);
    w.FieldI32(1, h.dictionary_page->num_values);
    w.FieldI32(2, I32(h.dictionary_page->encoding));
    w.EndStruct();
  }
  w.EndStruct();
}

}  // namespace eventlake::parquet
