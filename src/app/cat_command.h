#pragma once
// `eventlake cat FILE|DIR` prints the events of lake files as JSON lines (Parquet read
// back by our own reader; JSON lines files decompressed); `eventlake schema FILE`
// describes a Parquet file.
#include <string>
#include <vector>

namespace eventlake {

// Returns the exit code. A directory is walked in name order, skipping _eventlake/ and,
// unless it is the directory given, _errors/.
int RunCat(const std::vector<std::string>& paths);
int RunSchema(const std::string& path);

}  // namespace eventlake
