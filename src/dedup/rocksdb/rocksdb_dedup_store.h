#pragma once
// Claims persisted in the lake's state RocksDB (bloom filters, MultiGet batches),
// committed in the same WriteBatch as the epoch's checkpoint and manifest.
#include <memory>

#include "dedup/dedup_store.h"

namespace eventlake {

std::unique_ptr<DedupStore> MakeRocksDbDedupStore(StateDb& state);

}  // namespace eventlake
