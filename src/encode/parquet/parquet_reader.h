#pragma once
// Reads back the Parquet files eventlake writes (flat schema, PLAIN / RLE_DICTIONARY,
// data pages v1, any of our codecs): `eventlake cat` and `eventlake schema`, tests, and
// later compaction.
#include <cstdio>
#include <string>

#include "core/status.h"

namespace eventlake {

// Writes every row of the file as one JSON line to `out`, columns in schema order,
// nulls omitted, JSON-typed columns inlined as JSON, timestamps as RFC 3339 UTC.
Status CatParquet(const std::string& path, std::FILE* out);
// A human-readable schema: one line per column (name, physical type, logical type,
// repetition), then row groups with their row counts, sizes and codecs.
Result<std::string> DescribeParquet(const std::string& path);

}  // namespace eventlake
