#pragma once
// Replays bytes already read from a source (to learn its identity) before the rest.
#include <memory>
#include <string>

#include "sources/source.h"

namespace eventlake {

std::unique_ptr<Source> MakePrefixSource(std::string prefix, std::unique_ptr<Source> rest);

// Reads from `source` until its first newline, EOF, or `limit` bytes.
Result<std::string> ReadFirstLine(Source& source, size_t limit);

}  // namespace eventlake
