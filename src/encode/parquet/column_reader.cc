#include "encode/parquet/column_reader.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>

#include "encode/parquet/metadata_io.h"
#include "encode/parquet/page_codec.h"
#include "encode/parquet/rle_hybrid.h"

namespace eventlake::parquet {

namespace {

uint32_t LoadU32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);  // little-endian host (see chunk_writer.cc)
  return v;
}

// A dictionary's values (one vector per type, like ColumnData).
struct Dictionary {
  bool present = false;
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string_view> strings;
  size_t size() const { return std::max({ints.size(), doubles.size(), strings.size()}); }
};

// Appends `n` PLAIN values of `type` from `data` to the vectors of `ints/doubles/...`.
template <typename Sink>
Status DecodePlain(Type type, std::string_view data, size_t n, Sink& out) {
  switch (type) {
    case Type::kInt64:
    case Type::kDouble: {
      if (data.size() / 8 < n) return Status::Error("PLAIN values are truncated");
      for (size_t i = 0; i < n; ++i) {
        if (type == Type::kInt64) {
          int64_t v;
          std::memcpy(&v, data.data() + 8 * i, 8);
          out.ints.push_back(v);
        } else {
          double v;
          std::memcpy(&v, data.data() + 8 * i, 8);
          out.doubles.push_back(v);
        }
      }
      return Status::Ok();
    }
    case Type::kBoolean: {
      if constexpr (requires { out.bools; }) {
        if (data.size() < (n + 7) / 8) return Status::Error("PLAIN booleans are truncated");
        for (size_t i = 0; i < n; ++i) out.bools.push_back((static_cast<uint8_t>(data[i / 8]) >> (i % 8)) & 1);
        return Status::Ok();
      }
      return Status::Error("a BOOLEAN dictionary is not supported");
    }
    case Type::kByteArray: {
      size_t p = 0;
      for (size_t i = 0; i < n; ++i) {
        if (data.size() - p < 4) return Status::Error("PLAIN byte array is truncated");
        const uint32_t len = LoadU32(data.data() + p);
        p += 4;
        if (data.size() - p < len) return Status::Error("PLAIN byte array is truncated");
        out.strings.push_back(data.substr(p, len));
        p += len;
      }
      return Status::Ok();
    }
    default:
      return Status::Error("physical type " + std::to_string(static_cast<int>(type)) + " is not supported");
  }
}

class ChunkReader {
 public:
  ChunkReader(const SchemaElement& e, const ColumnMetaData& m, ColumnData* out) : e_(e), m_(m), out_(out) {}
  Status Run(std::string_view file, int64_t rows);

 private:
  Status DictionaryPage(const PageHeader& h, std::string_view page);
  Status DataPage(const PageHeader& h, std::string_view page);

  const SchemaElement& e_;
  const ColumnMetaData& m_;
  ColumnData* out_;
  Dictionary dict_;
  int64_t values_read_ = 0;
  std::vector<uint32_t> indices_;
};

Status ChunkReader::Run(std::string_view file, int64_t rows) {
  out_->type = m_.type;
  if (!e_.type || *e_.type != m_.type) return Status::Error("column type differs from the schema");
  if (e_.repetition == Repetition::kRepeated) return Status::Error("repeated columns are not supported");
  if (m_.num_values != rows) return Status::Error("column value count differs from the row group's rows");
  if (m_.codec != Codec::kUncompressed && m_.codec != Codec::kSnappy && m_.codec != Codec::kGzip &&
      m_.codec != Codec::kZstd)
    return Status::Error(std::string("compression codec ") + std::to_string(static_cast<int>(m_.codec)) +
                         " is not supported");
  int64_t start = m_.data_page_offset;
  if (m_.dictionary_page_offset && *m_.dictionary_page_offset > 0) start = std::min(start, *m_.dictionary_page_offset);
  const auto size = static_cast<int64_t>(file.size());
  if (start < 4 || m_.total_compressed_size < 0 || start > size || m_.total_compressed_size > size - start)
    return Status::Error("column chunk lies outside the file");
  const std::string_view chunk = file.substr(static_cast<size_t>(start), static_cast<size_t>(m_.total_compressed_size));
  out_->defined.reserve(static_cast<size_t>(std::min<int64_t>(rows, 1 << 20)));
  size_t pos = 0;
  while (values_read_ < m_.num_values) {
    if (pos >= chunk.size()) return Status::Error("column chunk ends before all its values");
    PageHeader h;
    size_t header_size = 0;
    EL_RETURN_IF_ERROR(ReadPageHeader(chunk.substr(pos), &h, &header_size));
    pos += header_size;
    if (static_cast<size_t>(h.compressed_page_size) > chunk.size() - pos)
      return Status::Error("page runs past the end of its column chunk");
    const std::string_view page = chunk.substr(pos, static_cast<size_t>(h.compressed_page_size));
    pos += page.size();
    if (h.crc) {
      const uLong crc =
          crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(page.data()), static_cast<uInt>(page.size()));
      if (static_cast<uint32_t>(crc) != static_cast<uint32_t>(*h.crc)) return Status::Error("page CRC mismatch");
    }
    if (h.type == PageType::kDictionaryPage) {
      EL_RETURN_IF_ERROR(DictionaryPage(h, page));
    } else if (h.type == PageType::kDataPage) {
      EL_RETURN_IF_ERROR(DataPage(h, page));
    } else {
      return Status::Error("page type " + std::to_string(static_cast<int>(h.type)) + " is not supported");
    }
  }
  return Status::Ok();
}

Status ChunkReader::DictionaryPage(const PageHeader& h, std::string_view page) {
  if (!h.dictionary_page) return Status::Error("dictionary page without its header");
  if (dict_.present || values_read_ > 0) return Status::Error("dictionary page after data or twice");
  const DictionaryPageHeader& d = *h.dictionary_page;
  if (d.encoding != Encoding::kPlain && d.encoding != Encoding::kPlainDictionary)
    return Status::Error("dictionary page encoding is not PLAIN");
  if (d.num_values < 0) return Status::Error("negative dictionary size");
  std::string& body = out_->pages.emplace_back();
  EL_RETURN_IF_ERROR(DecompressPage(m_.codec, page, static_cast<size_t>(h.uncompressed_page_size), body));
  if (static_cast<size_t>(d.num_values) > body.size()) return Status::Error("dictionary size exceeds its page");
  dict_.present = true;
  return DecodePlain(m_.type, body, static_cast<size_t>(d.num_values), dict_);
}

Status ChunkReader::DataPage(const PageHeader& h, std::string_view page) {
  if (!h.data_page) return Status::Error("data page without its header");
  const DataPageHeader& d = *h.data_page;
  if (d.num_values < 0 || d.num_values > m_.num_values - values_read_)
    return Status::Error("data page holds more values than its column chunk");
  const auto n = static_cast<size_t>(d.num_values);
  std::string& body = out_->pages.emplace_back();
  EL_RETURN_IF_ERROR(DecompressPage(m_.codec, page, static_cast<size_t>(h.uncompressed_page_size), body));
  std::string_view rest = body;
  size_t present = n;
  if (e_.repetition == Repetition::kOptional) {
    if (d.definition_level_encoding != Encoding::kRle) return Status::Error("definition levels are not RLE-encoded");
    if (rest.size() < 4) return Status::Error("definition levels are truncated");
    const uint32_t len = LoadU32(rest.data());
    if (len > rest.size() - 4) return Status::Error("definition levels are truncated");
    const size_t before = out_->defined.size();
    if (!DecodeRleHybrid<uint8_t>(rest.substr(4, len), 1, n, out_->defined))
      return Status::Error("corrupt definition levels");
    present =
        static_cast<size_t>(std::count(out_->defined.begin() + static_cast<ptrdiff_t>(before), out_->defined.end(), 1));
    rest.remove_prefix(4 + len);
  } else {
    out_->defined.insert(out_->defined.end(), n, 1);
  }
  if (d.encoding == Encoding::kPlain) {
    EL_RETURN_IF_ERROR(DecodePlain(m_.type, rest, present, *out_));
  } else if (d.encoding == Encoding::kRleDictionary || d.encoding == Encoding::kPlainDictionary) {
    if (!dict_.present) return Status::Error("dictionary-encoded page without a dictionary");
    if (present > 0) {
      if (rest.empty()) return Status::Error("dictionary indices are truncated");
      const int width = static_cast<uint8_t>(rest[0]);
      indices_.clear();
      if (width > 32 || !DecodeRleHybrid<uint32_t>(rest.substr(1), width, present, indices_))
        return Status::Error("corrupt dictionary indices");
      const size_t size = dict_.size();
      for (uint32_t i : indices_) {
        if (i >= size) return Status::Error("dictionary index out of range");
        switch (m_.type) {
          case Type::kInt64:
            out_->ints.push_back(dict_.ints[i]);
            break;
          case Type::kDouble:
            out_->doubles.push_back(dict_.doubles[i]);
            break;
          default:
            out_->strings.push_back(dict_.strings[i]);
            break;
        }
      }
    }
  } else {
    return Status::Error("encoding " + std::to_string(static_cast<int>(d.encoding)) + " is not supported");
  }
  values_read_ += d.num_values;
  return Status::Ok();
}

}  // namespace

Status ReadColumnChunk(std::string_view file, const SchemaElement& element, const ColumnMetaData& meta, int64_t rows,
                       ColumnData* out) {
  *out = ColumnData();
  ChunkReader reader(element, meta, out);
  return reader.Run(file, rows).Context("column " + element.name);
}

}  // namespace eventlake::parquet
