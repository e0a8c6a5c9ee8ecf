#pragma once
// Claims in process memory only: for throwaway runs and tests. Nothing survives the
// process, so a later run on the same lake does not see these uuids.
#include <memory>

#include "dedup/dedup_store.h"

namespace eventlake {

// shared_table: the store offers its table to the deduplicator (in_process_table()), so
// pending and committed claims live in one table; what `eventlake ingest --dedup memory`
// uses. Without it the store keeps the general contract (claims appear at OnCommitted).
std::unique_ptr<DedupStore> MakeMemoryDedupStore(bool shared_table = false);

}  // namespace eventlake
