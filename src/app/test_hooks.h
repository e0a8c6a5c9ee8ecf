#pragma once
// Crash tests stop the binary at a named sync point: EVENTLAKE_TEST_CRASH_AT=NAME:N
// kills the process with SIGKILL the N-th time NAME is reached (see core/sync_point.h).
namespace eventlake {
void InstallTestHooksFromEnv();
}
