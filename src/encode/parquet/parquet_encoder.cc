// The Parquet Encoder: events -> column buffers -> row groups (encoded and compressed as
// soon as they are full, kept in memory) -> one file at Finish. See README.md.
#include "encode/parquet/parquet_encoder.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include "encode/parquet/chunk_writer.h"
#include "encode/parquet/column_buffer.h"
#include "encode/parquet/file_writer.h"
#include "encode/parquet/page_codec.h"
#include "encode/parquet/payload_parser.h"

namespace eventlake {

namespace {

using parquet::ColumnBuffer;
using parquet::ColumnSchema;
using parquet::JsonValue;
using parquet::ValueKind;

constexpr size_t kUuid = 0, kName = 1, kSubtype = 2, kCreatedAt = 3, kDatetime = 4, kFixedColumns = 5;
constexpr uint64_t kMaxRowGroupBytes = 1ULL << 30;  // keeps byte offsets in a column buffer within 32 bits
constexpr uint64_t kMaxPageBytes = 64ULL << 20;     // keeps a page's value count within int32
constexpr size_t kColumnOverhead = 128;             // map node, name, bookkeeping (estimate)

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

// The fraction digits of created_at: from the validator, or else from created_datetime
// ("...:SS.fffZ"), which carries the same digits.
std::string_view Fraction(const EventFields& f, const Derived& d) {
  if (!f.fraction.empty()) return f.fraction;
  const std::string_view dt = d.datetime_view();
  if (dt.size() > 21 && dt[19] == '.' && dt.back() == 'Z') return dt.substr(20, dt.size() - 21);
  return {};
}

class ParquetEncoder final : public Encoder {
 public:
  explicit ParquetEncoder(const ParquetOptions& o) : options_(o) {
    options_.row_group_bytes = std::clamp<uint64_t>(o.row_group_bytes, 1, kMaxRowGroupBytes);
    options_.page_bytes = std::clamp<uint64_t>(o.page_bytes, 1, kMaxPageBytes);
    options_.dictionary_bytes = std::min<uint64_t>(o.dictionary_bytes, kMaxRowGroupBytes);
    Reset();
  }

  bool Add(const EventFields& fields, const Derived& derived) override;
  size_t buffered_bytes() const override {
    return buffer_memory_ + finished_memory_ + names_memory_ + columns_.size() * kColumnOverhead;
  }
  Status Finish(ByteSink& sink) override;
  std::string_view extension() const override { return ".parquet"; }

 private:
  struct Column {
    ColumnSchema schema;
    ColumnBuffer buffer;
    bool fixed = false;  // a finished row group holds values of this kind: it cannot change
  };

  void Reset();
  Column& NewColumn(std::string_view name, ColumnSchema::Role role, ValueKind kind);
  bool Fits(std::string_view fraction) const;
  void AddCreated(const EventFields& f, std::string_view fraction, std::string_view text);
  void FinishRowGroup();
  parquet::ChunkOptions ChunkOptionsFor(size_t column) const {
    return {parquet::CodecFor(options_.compression), options_.page_bytes, options_.dictionary_bytes,
            column >= kFixedColumns};
  }

  ParquetOptions options_;
  std::vector<Column> columns_;
  std::unordered_map<std::string, size_t, StringHash, std::equal_to<>> index_;  // payload name -> column
  std::vector<parquet::FinishedRowGroup> finished_;
  size_t rows_ = 0;             // rows in the current row group
  uint64_t group_bytes_ = 0;    // their PLAIN size
  size_t buffer_memory_ = 0;    // the column buffers' heap
  size_t finished_memory_ = 0;  // the finished row groups' compressed pages
  size_t names_memory_ = 0;     // column names (held twice: schema and index)
  Status error_;                // a failure inside Add, reported by Finish

  std::vector<parquet::PayloadField> payload_;
  std::vector<size_t> targets_;  // column per payload field (SIZE_MAX: new column)
  std::string scratch_;
};

std::unique_ptr<Encoder> MakeEncoder(const ParquetOptions& o) { return std::make_unique<ParquetEncoder>(o); }

void ParquetEncoder::Reset() {
  columns_.clear();
  index_.clear();
  finished_.clear();
  rows_ = 0;
  group_bytes_ = 0;
  finished_memory_ = 0;
  names_memory_ = 0;
  buffer_memory_ = 0;
  error_ = Status::Ok();
  NewColumn("event_uuid", ColumnSchema::Role::kString, ValueKind::kString);
  NewColumn("event_name", ColumnSchema::Role::kString, ValueKind::kString);
  NewColumn("event_subtype", ColumnSchema::Role::kString, ValueKind::kString);
  NewColumn("created_at", ColumnSchema::Role::kCreatedAt, ValueKind::kInt);
  NewColumn("created_datetime", ColumnSchema::Role::kTimestamp, ValueKind::kInt);
}

ParquetEncoder::Column& ParquetEncoder::NewColumn(std::string_view name, ColumnSchema::Role role, ValueKind kind) {
  Column& c = columns_.emplace_back();
  c.schema.name.assign(name);
  c.schema.role = role;
  c.buffer.ConvertTo(kind);
  if (role == ColumnSchema::Role::kPayload) index_.emplace(c.schema.name, columns_.size() - 1);
  buffer_memory_ += c.buffer.memory();
  names_memory_ += 2 * name.size();
  return c;
}

// Whether the event can join this file without changing a type a finished row group uses.
bool ParquetEncoder::Fits(std::string_view fraction) const {
  const Column& created = columns_[kCreatedAt];
  if (!fraction.empty() && created.fixed && created.buffer.kind() == ValueKind::kInt) return false;
  for (size_t i = 0; i < payload_.size(); ++i) {
    if (targets_[i] == SIZE_MAX) continue;
    const Column& c = columns_[targets_[i]];
    if (c.fixed && parquet::MergeKinds(c.buffer.kind(), payload_[i].value.kind) != c.buffer.kind()) return false;
  }
  return true;
}

// created_at: INT64 seconds while the file has no fraction; as DOUBLE, the number as written
// (`text`, its JSON text; the validator's fraction keeps only 6 digits, for created_datetime).
void ParquetEncoder::AddCreated(const EventFields& f, std::string_view fraction, std::string_view text) {
  ColumnBuffer& created = columns_[kCreatedAt].buffer;
  // created_datetime: microseconds, the fraction's first 6 digits.
  int64_t micros = 0;
  for (size_t i = 0; i < 6; ++i) micros = micros * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  columns_[kDatetime].buffer.AppendInt(f.seconds * 1000000 + micros);
  if (fraction.empty() && created.kind() == ValueKind::kInt) return created.AppendInt(f.seconds);
  created.ConvertTo(ValueKind::kDouble);
  double v = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (!text.empty() && r.ec == std::errc() && r.ptr == text.data() + text.size() && std::isfinite(v))
    return created.AppendDouble(v);
  char buf[64];  // no usable text: seconds.fraction
  char* p = std::to_chars(buf, buf + 24, f.seconds).ptr;
  *p++ = '.';
  const size_t n = std::min<size_t>(fraction.size(), buf + sizeof(buf) - p);
  std::memcpy(p, fraction.data(), n);
  v = static_cast<double>(f.seconds);
  std::from_chars(buf, p + n, v);
  created.AppendDouble(v);
}

bool ParquetEncoder::Add(const EventFields& f, const Derived& d) {
  std::string_view created_text;
  if (!parquet::ParsePayload(f.object, payload_, &created_text)) {
    if (error_.ok()) error_ = Status::Error("parquet: an event's object could not be parsed (it was validated)");
    return true;
  }
  targets_.clear();
  for (const auto& p : payload_) {
    auto it = index_.find(p.key);
    targets_.push_back(it == index_.end() ? SIZE_MAX : it->second);
  }
  const std::string_view fraction = Fraction(f, d);
  if (!Fits(fraction)) return false;

  // Memory and PLAIN size are tracked by difference over the columns this row touches.
  size_t mem_before = 0, mem_after = 0;
  uint64_t plain_before = 0, plain_after = 0;
  for (size_t i = 0; i < kFixedColumns; ++i) {
    mem_before += columns_[i].buffer.memory();
    plain_before += columns_[i].buffer.plain_bytes();
  }
  columns_[kUuid].buffer.AppendBytes(f.uuid);
  scratch_.assign(f.type).append(":").append(f.subtype);
  columns_[kName].buffer.AppendBytes(scratch_);
  columns_[kSubtype].buffer.AppendBytes(f.subtype);
  AddCreated(f, fraction, created_text);
  for (size_t i = 0; i < kFixedColumns; ++i) {
    mem_after += columns_[i].buffer.memory();
    plain_after += columns_[i].buffer.plain_bytes();
  }

  for (size_t i = 0; i < payload_.size(); ++i) {
    const JsonValue& v = payload_[i].value;
    size_t target = targets_[i];
    if (target == SIZE_MAX) {
      auto it = index_.find(payload_[i].key);  // an earlier field of this row may have made it
      if (it == index_.end()) {
        NewColumn(payload_[i].key, ColumnSchema::Role::kPayload, ValueKind::kNull);
        target = columns_.size() - 1;
      } else {
        target = it->second;
      }
    }
    ColumnBuffer& b = columns_[target].buffer;
    if (b.rows() > rows_) continue;  // a repeated key (validation forbids them): the first one wins
    mem_before += b.memory();
    plain_before += b.plain_bytes();
    b.ConvertTo(parquet::MergeKinds(b.kind(), v.kind));
    b.PadNulls(rows_);
    b.Append(v);
    mem_after += b.memory();
    plain_after += b.plain_bytes();
  }
  ++rows_;
  buffer_memory_ = buffer_memory_ + mem_after - mem_before;
  // Plus one definition-level bit per optional column and row, roughly.
  group_bytes_ += plain_after - plain_before + (columns_.size() - kFixedColumns + 7) / 8;
  if (group_bytes_ >= options_.row_group_bytes) FinishRowGroup();
  return true;
}

void ParquetEncoder::FinishRowGroup() {
  if (rows_ == 0) return;
  parquet::FinishedRowGroup& g = finished_.emplace_back();
  g.rows = static_cast<int64_t>(rows_);
  g.chunks.resize(columns_.size());
  for (size_t i = 0; i < columns_.size(); ++i) {
    Column& c = columns_[i];
    c.buffer.PadNulls(rows_);
    if (c.buffer.non_null() > 0) {
      Status s = parquet::EncodeChunk(c.buffer, ChunkOptionsFor(i), &g.chunks[i].emplace());
      if (!s.ok() && error_.ok()) error_ = s.Context("parquet: column " + c.schema.name);
      finished_memory_ += g.chunks[i]->bytes.capacity() + sizeof(parquet::EncodedChunk);
      c.fixed = true;
    }
    c.buffer.Clear();
  }
  finished_memory_ += sizeof(g) + g.chunks.capacity() * sizeof(g.chunks[0]);
  rows_ = 0;
  group_bytes_ = 0;
  buffer_memory_ = 0;
  for (const auto& c : columns_) buffer_memory_ += c.buffer.memory();
}

Status ParquetEncoder::Finish(ByteSink& sink) {
  FinishRowGroup();
  Status s = error_;
  if (s.ok()) {
    std::vector<ColumnSchema> schema;
    schema.reserve(columns_.size());
    for (const auto& c : columns_) {
      schema.push_back(c.schema);
      schema.back().kind = c.buffer.kind();
    }
    s = parquet::WriteParquetFile(schema, finished_, ChunkOptionsFor(kFixedColumns), sink);
  }
  Reset();
  return s;
}

}  // namespace

std::unique_ptr<Encoder> MakeParquetEncoder(const ParquetOptions& options) { return MakeEncoder(options); }

}  // namespace eventlake
