#pragma once
// Column-chunk Statistics (parquet.thrift Statistics, ColumnOrder TYPE_ORDER): null count,
// and min/max PLAIN-encoded (byte arrays without their length) in the type's order:
// signed for INT64, numeric for DOUBLE (NaN skipped, -0/+0 per the spec), false<true,
// unsigned byte-wise for strings and JSON, omitted when either bound is over 64 bytes.
#include "encode/parquet/column_buffer.h"
#include "encode/parquet/format.h"

namespace eventlake::parquet {

inline constexpr size_t kMaxStatBytes = 64;

Statistics ComputeStatistics(const ColumnBuffer& column);

}  // namespace eventlake::parquet
