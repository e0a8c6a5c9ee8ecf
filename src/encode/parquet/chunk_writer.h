#pragma once
// Encodes one column chunk: data pages v1 of about `page_bytes`, each compressed on its
// own. BYTE_ARRAY columns start dictionary-encoded (dictionary page PLAIN, data pages
// RLE_DICTIONARY); when the dictionary would pass `dictionary_bytes` the pages already
// written stay as they are and the rest of the chunk is PLAIN. Other types are PLAIN.
// OPTIONAL columns carry RLE definition levels (bit width 1, 4-byte length prefix).
#include <cstdint>
#include <string>

#include "core/status.h"
#include "encode/parquet/column_buffer.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

struct ChunkOptions {
  Codec codec = Codec::kZstd;
  uint64_t page_bytes = 1 << 20;
  uint64_t dictionary_bytes = 1 << 20;  // 0: never a dictionary
  bool optional = true;
};

struct EncodedChunk {
  std::string bytes;    // the pages, the dictionary page first when there is one
  ColumnMetaData meta;  // offsets relative to the chunk's first byte; path_in_schema unset
};

// `column` is read only. Fails only when compression fails.
Status EncodeChunk(const ColumnBuffer& column, const ChunkOptions& options, EncodedChunk* out);

}  // namespace eventlake::parquet
