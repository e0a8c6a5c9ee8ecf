// Footer and page-header parsing with the compact-protocol reader. Only the fields
// eventlake uses are kept; every other field is skipped by type.
#include "encode/parquet/metadata_io.h"
#include "encode/parquet/thrift_compact.h"

namespace eventlake::parquet {

namespace {

// Small helpers that check the wire type before reading a value.
struct Fields {
  ThriftReader& r;

  bool Is(TType got, TType want) {
    if (got == want) return true;
    r.Fail("parquet metadata: a field has the wrong thrift type");
    return false;
  }
  int32_t I32(TType t) { return Is(t, TType::kI32) ? r.ReadI32() : 0; }
  int64_t I64(TType t) { return Is(t, TType::kI64) ? r.ReadI64() : 0; }
  int16_t I16(TType t) { return Is(t, TType::kI16) ? static_cast<int16_t>(r.ReadI32()) : 0; }
  std::string Binary(TType t) { return Is(t, TType::kBinary) ? std::string(r.ReadBinary()) : std::string(); }
  bool Bool(TType t) {
    if (t == TType::kBoolTrue) return true;
    if (t != TType::kBoolFalse) r.Fail("parquet metadata: a field has the wrong thrift type");
    return false;
  }
  // Calls f() once per element of a list field whose elements have type `want`.
  template <typename F>
  void List(TType t, TType want, F&& f) {
    if (!Is(t, TType::kList)) return;
    TType et;
    uint32_t n;
    if (!r.ReadListHeader(&et, &n)) return;
    if (n > 0 && et != want) return r.Fail("parquet metadata: a list has the wrong element type");
    for (uint32_t i = 0; i < n && r.ok(); ++i) f();
  }
  // Calls f(id, type) for every field of a nested struct.
  template <typename F>
  void Struct(TType t, F&& f) {
    if (!Is(t, TType::kStruct)) return;
    r.BeginStruct();
    int16_t id;
    TType ft;
    while (r.NextField(&id, &ft)) f(id, ft);
    r.EndStruct();
  }
};

void ReadLogicalType(Fields& f, TType t, LogicalType* out) {
  f.Struct(t, [&](int16_t id, TType ut) {
    if (id == 8) {  // TIMESTAMP
      out->kind = LogicalType::Kind::kTimestamp;
      f.Struct(ut, [&](int16_t tid, TType tt) {
        if (tid == 1) {
          out->utc = f.Bool(tt);
        } else if (tid == 2) {
          f.Struct(tt, [&](int16_t unit, TType et) {
            out->unit = unit;
            f.r.Skip(et);
          });
        } else {
          f.r.Skip(tt);
        }
      });
      return;
    }
    out->kind = id == 1    ? LogicalType::Kind::kString
                : id == 12 ? LogicalType::Kind::kJson
                : id == 11 ? LogicalType::Kind::kUnknown
                           : LogicalType::Kind::kOther;
    f.r.Skip(ut);
  });
}

void ReadSchemaElement(Fields& f, SchemaElement* e) {
  f.Struct(TType::kStruct, [&](int16_t id, TType t) {
    switch (id) {
      case 1:
        e->type = static_cast<Type>(f.I32(t));
        break;
      case 3:
        e->repetition = static_cast<Repetition>(f.I32(t));
        break;
      case 4:
        e->name = f.Binary(t);
        break;
      case 5:
        e->num_children = f.I32(t);
        break;
      case 6:
        e->converted_type = f.I32(t);
        break;
      case 10:
        ReadLogicalType(f, t, &e->logical);
        break;
      default:
        f.r.Skip(t);
    }
  });
}

void ReadStatistics(Fields& f, TType t, Statistics* s) {
  f.Struct(t, [&](int16_t id, TType ft) {
    switch (id) {
      case 3:
        s->null_count = f.I64(ft);
        break;
      case 5:
        s->max_value = f.Binary(ft);
        break;
      case 6:
        s->min_value = f.Binary(ft);
        break;
      case 9:
        s->nan_count = f.I64(ft);
        break;
      default:
        f.r.Skip(ft);
    }
  });
}

void ReadColumnMetaData(Fields& f, TType t, ColumnMetaData* c) {
  unsigned seen = 0;
  f.Struct(t, [&](int16_t id, TType ft) {
    if (id > 0 && id < 32) seen |= 1u << id;
    switch (id) {
      case 1:
        c->type = static_cast<Type>(f.I32(ft));
        break;
      case 2:
        f.List(ft, TType::kI32, [&] { c->encodings.push_back(f.r.ReadI32()); });
        break;
      case 3:
        f.List(ft, TType::kBinary, [&] { c->path_in_schema.emplace_back(f.r.ReadBinary()); });
        break;
      case 4:
        c->codec = static_cast<Codec>(f.I32(ft));
        break;
      case 5:
        c->num_values = f.I64(ft);
        break;
      case 6:
        c->total_uncompressed_size = f.I64(ft);
        break;
      case 7:
        c->total_compressed_size = f.I64(ft);
        break;
      case 9:
        c->data_page_offset = f.I64(ft);
        break;
      case 11:
        c->dictionary_page_offset = f.I64(ft);
        break;
      case 12:
        ReadStatistics(f, ft, &c->statistics);
        break;
      default:
        f.r.Skip(ft);
    }
  });
  constexpr unsigned kRequired = 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 | 1u << 9;
  if (f.r.ok() && (seen & kRequired) != kRequired) f.r.Fail("parquet metadata: ColumnMetaData lacks a required field");
}

void ReadRowGroup(Fields& f, RowGroup* g) {
  bool has_rows = false;
  f.Struct(TType::kStruct, [&](int16_t id, TType t) {
    switch (id) {
      case 1:
        f.List(t, TType::kStruct, [&] {
          bool has_meta = false;
          ColumnMetaData& c = g->columns.emplace_back();
          f.Struct(TType::kStruct, [&](int16_t cid, TType ct) {
            if (cid == 1) return f.r.Fail("parquet metadata: column data in another file is not supported");
            if (cid != 3) return f.r.Skip(ct);
            has_meta = true;
            ReadColumnMetaData(f, ct, &c);
          });
          if (f.r.ok() && !has_meta) f.r.Fail("parquet metadata: a column chunk has no meta_data");
        });
        break;
      case 2:
        g->total_byte_size = f.I64(t);
        break;
      case 3:
        g->num_rows = f.I64(t);
        has_rows = true;
        break;
      case 5:
        g->file_offset = f.I64(t);
        break;
      case 6:
        g->total_compressed_size = f.I64(t);
        break;
      case 7:
        g->ordinal = f.I16(t);
        break;
      default:
        f.r.Skip(t);
    }
  });
  if (f.r.ok() && !has_rows) f.r.Fail("parquet metadata: a row group has no num_rows");
}

}  // namespace

Status ReadFileMetaData(std::string_view bytes, FileMetaData* out) {
  ThriftReader r(bytes);
  Fields f{r};
  *out = FileMetaData();
  out->version = 0;
  bool has_schema = false, has_rows = false, has_groups = false;
  r.BeginStruct();
  int16_t id;
  TType t;
  while (r.NextField(&id, &t)) {
    switch (id) {
      case 1:
        out->version = f.I32(t);
        break;
      case 2:
        has_schema = true;
        f.List(t, TType::kStruct, [&] { ReadSchemaElement(f, &out->schema.emplace_back()); });
        break;
      case 3:
        has_rows = true;
        out->num_rows = f.I64(t);
        break;
      case 4:
        has_groups = true;
        f.List(t, TType::kStruct, [&] { ReadRowGroup(f, &out->row_groups.emplace_back()); });
        break;
      case 6:
        out->created_by = f.Binary(t);
        break;
      case 7:
        f.List(t, TType::kStruct, [&] {
          ++out->column_orders;
          r.Skip(TType::kStruct);
        });
        break;
      case 8:
      case 9:
        r.Fail("parquet: encrypted files are not supported");
        break;
      default:
        r.Skip(t);
    }
  }
  if (!r.ok()) return Status::Error(r.error());
  if (!has_schema || !has_rows || !has_groups)
    return Status::Error("parquet metadata: FileMetaData lacks a required field");
  return Status::Ok();
}

Status ReadPageHeader(std::string_view bytes, PageHeader* out, size_t* header_size) {
  ThriftReader r(bytes);
  Fields f{r};
  *out = PageHeader();
  unsigned seen = 0;
  r.BeginStruct();
  int16_t id;
  TType t;
  while (r.NextField(&id, &t)) {
    if (id > 0 && id < 32) seen |= 1u << id;
    switch (id) {
      case 1:
        out->type = static_cast<PageType>(f.I32(t));
        break;
      case 2:
        out->uncompressed_page_size = f.I32(t);
        break;
      case 3:
        out->compressed_page_size = f.I32(t);
        break;
      case 4:
        out->crc = f.I32(t);
        break;
      case 5: {
        DataPageHeader& d = out->data_page.emplace();
        unsigned dseen = 0;
        f.Struct(t, [&](int16_t did, TType dt) {
          if (did > 0 && did < 32) dseen |= 1u << did;
          switch (did) {
            case 1:
              d.num_values = f.I32(dt);
              break;
            case 2:
              d.encoding = static_cast<Encoding>(f.I32(dt));
              break;
            case 3:
              d.definition_level_encoding = static_cast<Encoding>(f.I32(dt));
              break;
            case 4:
              d.repetition_level_encoding = static_cast<Encoding>(f.I32(dt));
              break;
            default:
              r.Skip(dt);
          }
        });
        if (r.ok() && (dseen & 0x1e) != 0x1e) r.Fail("parquet: DataPageHeader lacks a required field");
        break;
      }
      case 7: {
        DictionaryPageHeader& d = out->dictionary_page.emplace();
        unsigned dseen = 0;
        f.Struct(t, [&](int16_t did, TType dt) {
          if (did > 0 && did < 32) dseen |= 1u << did;
          switch (did) {
            case 1:
              d.num_values = f.I32(dt);
              break;
            case 2:
              d.encoding = static_cast<Encoding>(f.I32(dt));
              break;
            default:
              r.Skip(dt);
          }
        });
        if (r.ok() && (dseen & 0x6) != 0x6) r.Fail("parquet: DictionaryPageHeader lacks a required field");
        break;
      }
      case 6:
      case 8:
        out->has_other_header = true;
        r.Skip(t);
        break;
      default:
        r.Skip(t);
    }
  }
  if (!r.ok()) return Status::Error(r.error());
  if ((seen & 0xe) != 0xe) return Status::Error("parquet: PageHeader lacks a required field");
  if (out->uncompressed_page_size < 0 || out->compressed_page_size < 0)
    return Status::Error("parquet: negative page size");
  *header_size = r.position();
  return Status::Ok();
}

}  // namespace eventlake::parquet
