#pragma once
// Test-only hook points, after RocksDB's TEST_SYNC_POINT: production code marks the
// moments a crash test wants to stop at ("commit:staged", ...). Nothing happens unless
// a test installed a handler (eventlake installs one only from EVENTLAKE_TEST_CRASH_AT).
#include <string_view>

namespace eventlake {

using SyncPointHandler = void (*)(std::string_view name);
void SetSyncPointHandler(SyncPointHandler handler);
void SyncPoint(std::string_view name);

}  // namespace eventlake
