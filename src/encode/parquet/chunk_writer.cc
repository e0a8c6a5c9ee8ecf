#include "encode/parquet/chunk_writer.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "encode/parquet/chunk_stats.h"
#include "encode/parquet/metadata_io.h"
#include "encode/parquet/page_codec.h"
#include "encode/parquet/rle_hybrid.h"

namespace eventlake::parquet {

static_assert(std::endian::native == std::endian::little, "PLAIN encoding here copies little-endian memory");

namespace {

void PutU32(std::string& out, uint32_t v) {
  char b[4];
  std::memcpy(b, &v, 4);
  out.append(b, 4);
}

void PutPlain(std::string& out, const void* p, size_t n) { out.append(static_cast<const char*>(p), n); }

class ChunkBuilder {
 public:
  ChunkBuilder(const ColumnBuffer& c, const ChunkOptions& o)
      : c_(c), o_(o), type_(PhysicalType(c.kind())), dict_mode_(type_ == Type::kByteArray && o.dictionary_bytes > 0) {}

  Status Run(EncodedChunk* out);

 private:
  Status FlushPage();
  Status WritePage(bool dictionary, std::string_view body, int32_t num_values, Encoding encoding, std::string& dest);
  void AddPlain(size_t v);

  const ColumnBuffer& c_;
  const ChunkOptions& o_;
  const Type type_;
  bool dict_mode_;

  std::unordered_map<std::string_view, uint32_t> dict_index_;
  std::vector<std::string_view> dict_;
  uint64_t dict_bytes_ = 0;

  // The page being filled.
  std::vector<uint32_t> levels_, indices_, bools_;
  std::string plain_;
  size_t page_rows_ = 0, page_values_ = 0;
  uint64_t page_bits_ = 0;

  std::string data_pages_, body_, compressed_;
  int32_t dict_data_pages_ = 0, plain_data_pages_ = 0;
  int64_t total_uncompressed_ = 0, total_compressed_ = 0;
};

void ChunkBuilder::AddPlain(size_t v) {
  switch (type_) {
    case Type::kInt64:
      PutPlain(plain_, &c_.ints()[v], 8);
      break;
    case Type::kDouble:
      PutPlain(plain_, &c_.doubles()[v], 8);
      break;
    case Type::kBoolean:
      bools_.push_back(c_.bools()[v]);
      break;
    default: {
      const std::string_view s = c_.bytes(v);
      PutU32(plain_, static_cast<uint32_t>(s.size()));
      plain_.append(s);
      break;
    }
  }
  page_bits_ += type_ == Type::kBoolean ? 1 : type_ == Type::kByteArray ? 8 * (4 + c_.bytes(v).size()) : 64;
}

Status ChunkBuilder::Run(EncodedChunk* out) {
  const uint64_t page_bits = std::max<uint64_t>(o_.page_bytes, 1) * 8;
  size_t v = 0;  // index of the next non-null value
  for (size_t row = 0; row < c_.rows(); ++row) {
    const bool defined = !o_.optional || c_.defined(row);
    if (defined && dict_mode_) {
      const std::string_view s = c_.bytes(v);
      auto it = dict_index_.find(s);
      if (it == dict_index_.end()) {
        if (dict_bytes_ + 4 + s.size() > o_.dictionary_bytes) {
          // Fall back: pages so far keep their dictionary encoding, the rest is PLAIN.
          EL_RETURN_IF_ERROR(FlushPage());
          dict_mode_ = false;
        } else {
          it = dict_index_.emplace(s, static_cast<uint32_t>(dict_.size())).first;
          dict_.push_back(s);
          dict_bytes_ += 4 + s.size();
        }
      }
      if (dict_mode_) {
        indices_.push_back(it->second);
        page_bits_ += static_cast<uint64_t>(std::max(1, BitWidth(static_cast<uint32_t>(dict_.size()))));
      }
    }
    if (o_.optional) {
      levels_.push_back(defined ? 1 : 0);
      page_bits_ += 1;
    }
    if (defined) {
      if (!dict_mode_) AddPlain(v);
      ++v;
      ++page_values_;
    }
    ++page_rows_;
    if (page_bits_ >= page_bits) EL_RETURN_IF_ERROR(FlushPage());
  }
  EL_RETURN_IF_ERROR(FlushPage());

  std::string dict_page;
  if (!dict_.empty()) {
    body_.clear();
    for (std::string_view s : dict_) {
      PutU32(body_, static_cast<uint32_t>(s.size()));
      body_.append(s);
    }
    EL_RETURN_IF_ERROR(WritePage(true, body_, static_cast<int32_t>(dict_.size()), Encoding::kPlain, dict_page));
  }

  ColumnMetaData& m = out->meta;
  m = ColumnMetaData();
  m.type = type_;
  m.codec = o_.codec;
  m.num_values = static_cast<int64_t>(c_.rows());
  m.total_uncompressed_size = total_uncompressed_;
  m.total_compressed_size = total_compressed_;
  if (!dict_page.empty()) m.dictionary_page_offset = 0;
  m.data_page_offset = static_cast<int64_t>(dict_page.size());
  if (plain_data_pages_ > 0 || !dict_page.empty()) m.encodings.push_back(static_cast<int32_t>(Encoding::kPlain));
  m.encodings.push_back(static_cast<int32_t>(Encoding::kRle));  // definition levels (declared on every page)
  if (dict_data_pages_ > 0) m.encodings.push_back(static_cast<int32_t>(Encoding::kRleDictionary));
  if (!dict_page.empty()) m.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
  if (dict_data_pages_ > 0)
    m.encoding_stats.push_back({PageType::kDataPage, Encoding::kRleDictionary, dict_data_pages_});
  if (plain_data_pages_ > 0) m.encoding_stats.push_back({PageType::kDataPage, Encoding::kPlain, plain_data_pages_});
  m.statistics = ComputeStatistics(c_);

  // Exact capacity: these bytes are held until the file is written.
  out->bytes.clear();
  out->bytes.reserve(dict_page.size() + data_pages_.size());
  out->bytes.append(dict_page).append(data_pages_);
  return Status::Ok();
}

Status ChunkBuilder::FlushPage() {
  if (page_rows_ == 0) return Status::Ok();
  body_.clear();
  if (o_.optional) {
    std::string levels;
    AppendRleHybrid(levels_, 1, levels);
    PutU32(body_, static_cast<uint32_t>(levels.size()));
    body_.append(levels);
  }
  // A page of nulls only is PLAIN (no values) even in dictionary mode.
  const bool dict = dict_mode_ && page_values_ > 0;
  if (dict) {
    const int width = std::max(1, BitWidth(static_cast<uint32_t>(dict_.size() - 1)));
    body_.push_back(static_cast<char>(width));
    AppendRleHybrid(indices_, width, body_);
  } else if (type_ == Type::kBoolean) {
    AppendBitPacked(bools_, 1, body_);
  } else {
    body_.append(plain_);
  }
  EL_RETURN_IF_ERROR(WritePage(false, body_, static_cast<int32_t>(page_rows_),
                               dict ? Encoding::kRleDictionary : Encoding::kPlain, data_pages_));
  ++(dict ? dict_data_pages_ : plain_data_pages_);
  levels_.clear();
  indices_.clear();
  bools_.clear();
  plain_.clear();
  page_rows_ = page_values_ = 0;
  page_bits_ = 0;
  return Status::Ok();
}

Status ChunkBuilder::WritePage(bool dictionary, std::string_view body, int32_t num_values, Encoding encoding,
                               std::string& dest) {
  if (body.size() > INT32_MAX) return Status::Error("parquet: a page is larger than 2 GiB");
  compressed_.clear();
  EL_RETURN_IF_ERROR(CompressPage(o_.codec, body, compressed_));
  if (compressed_.size() > INT32_MAX) return Status::Error("parquet: a page is larger than 2 GiB");
  PageHeader h;
  h.type = dictionary ? PageType::kDictionaryPage : PageType::kDataPage;
  h.uncompressed_page_size = static_cast<int32_t>(body.size());
  h.compressed_page_size = static_cast<int32_t>(compressed_.size());
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(compressed_.data()),
                          static_cast<uInt>(compressed_.size()));
  h.crc = static_cast<int32_t>(static_cast<uint32_t>(crc));
  if (dictionary) {
    h.dictionary_page = DictionaryPageHeader{num_values, Encoding::kPlain};
  } else {
    h.data_page = DataPageHeader{num_values, encoding, Encoding::kRle, Encoding::kRle};
  }
  const size_t start = dest.size();
  WritePageHeader(h, dest);
  const int64_t header = static_cast<int64_t>(dest.size() - start);
  dest.append(compressed_);
  total_uncompressed_ += header + static_cast<int64_t>(body.size());
  total_compressed_ += header + static_cast<int64_t>(compressed_.size());
  return Status::Ok();
}

}  // namespace

Status EncodeChunk(const ColumnBuffer& column, const ChunkOptions& options, EncodedChunk* out) {
  ChunkBuilder builder(column, options);
  return builder.Run(out);
}

}  // namespace eventlake::parquet
