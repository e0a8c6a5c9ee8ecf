#include "app/test_hooks.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/sync_point.h"

namespace eventlake {
namespace {
std::string g_name;
std::atomic<long> g_remaining{0};  // sync points fire on more than one thread

void CrashAt(std::string_view name) {
  if (name == g_name && --g_remaining == 0) std::raise(SIGKILL);
}
}  // namespace

void InstallTestHooksFromEnv() {
  const char* spec = std::getenv("EVENTLAKE_TEST_CRASH_AT");
  if (spec == nullptr) return;
  std::string s(spec);
  const size_t colon = s.rfind(':');
  g_name = s.substr(0, colon);
  g_remaining = colon == std::string::npos ? 1 : std::strtol(s.c_str() + colon + 1, nullptr, 10);
  if (g_remaining <= 0) g_remaining = 1;
  SetSyncPointHandler(&CrashAt);
}

}  // namespace eventlake
