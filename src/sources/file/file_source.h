#pragma once
// File and stdin sources. Compression (gzip, zstd, or none) is detected from the
// first bytes, never from the file name.
#include <memory>
#include <string>

#include "sources/source.h"

namespace eventlake {

// path "-" means standard input. Fails with a clear message when the file cannot be read.
Result<std::unique_ptr<Source>> OpenFileSource(const std::string& path);

}  // namespace eventlake
