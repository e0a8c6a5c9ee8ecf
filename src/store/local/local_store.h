#pragma once
// The lake on a local filesystem: publish = rename within one filesystem (the staging
// area lives under the lake), then fsync of the directory.
#include <memory>
#include <string>

#include "store/object_store.h"

namespace eventlake {

std::unique_ptr<ObjectStore> MakeLocalObjectStore(const std::string& root);

}  // namespace eventlake
