#pragma once
// Decodes one column chunk of a flat schema: dictionary page (PLAIN), data pages v1
// (PLAIN or RLE_DICTIONARY/PLAIN_DICTIONARY values, RLE definition levels), any of our
// codecs, page CRCs checked when present. Anything else, or any inconsistency, is a Status
// error; nothing trusts a size from the file without checking it.
#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

struct ColumnData {
  Type type = Type::kByteArray;
  std::vector<uint8_t> defined;  // one per row: 1 when the row has a value
  // The non-null values in row order, in the vector of the column's type.
  std::vector<int64_t> ints;
  std::vector<double> doubles;
  std::vector<uint8_t> bools;
  std::vector<std::string_view> strings;  // point into `pages`
  std::deque<std::string> pages;          // decompressed pages (stable addresses)
};

// `file` is the whole file; `rows` the row group's row count.
Status ReadColumnChunk(std::string_view file, const SchemaElement& element, const ColumnMetaData& meta, int64_t rows,
                       ColumnData* out);

}  // namespace eventlake::parquet
