#pragma once
// Page compression (parquet-format Compression.md): UNCOMPRESSED, SNAPPY (raw block
// format, no framing), GZIP (RFC 1952 member), ZSTD (RFC 8878 frame). Each page is
// compressed on its own; the codec is recorded per column chunk.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "encode/encoder.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

Codec CodecFor(Compression compression);
const char* CodecName(Codec codec);

// Appends `in` compressed with `codec` to `out`. Deterministic for the same input.
Status CompressPage(Codec codec, std::string_view in, std::string& out);
// Decompresses a page whose header promises `uncompressed_size` bytes into `out`
// (replaced). Fails cleanly on corrupt data, on an unknown codec, or when the size does not
// match the header.
Status DecompressPage(Codec codec, std::string_view in, size_t uncompressed_size, std::string& out);

}  // namespace eventlake::parquet
