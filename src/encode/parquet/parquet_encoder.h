#pragma once
// Parquet files written from the specification (apache/parquet-format); no Parquet
// library is packaged in Debian 12. See README.md in this folder for the schema rules.
#include <cstdint>
#include <memory>

#include "encode/encoder.h"

namespace eventlake {

struct ParquetOptions {
  Compression compression = Compression::kZstd;
  uint64_t row_group_bytes = 128ULL << 20;  // uncompressed bytes per row group
  uint64_t page_bytes = 1ULL << 20;         // uncompressed bytes per data page
  uint64_t dictionary_bytes = 1ULL << 20;   // a column's dictionary past this falls back to PLAIN
};

std::unique_ptr<Encoder> MakeParquetEncoder(const ParquetOptions& options);

}  // namespace eventlake
