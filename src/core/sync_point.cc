#include "core/sync_point.h"

#include <atomic>

namespace eventlake {
namespace {
std::atomic<SyncPointHandler> g_handler{nullptr};
}  // namespace

void SetSyncPointHandler(SyncPointHandler handler) { g_handler.store(handler); }

void SyncPoint(std::string_view name) {
  if (SyncPointHandler h = g_handler.load(std::memory_order_relaxed)) h(name);
}

}  // namespace eventlake
