#pragma once
// Claims in process memory only: for throwaway runs and tests. Nothing survives the
// process, so a later run on the same lake does not see these uuids.
#include <memory>

#include "dedup/dedup_store.h"

namespace eventlake {

std::unique_ptr<DedupStore> MakeMemoryDedupStore();

}  // namespace eventlake
