#pragma once
// `eventlake ingest`: wires Source -> Framer -> Validator -> Derive -> Deduplicator ->
// PartitionBuffers -> Committer from the options, runs it, and reports.
#include "app/ingest_options.h"
#include "app/run_report.h"

namespace eventlake {

// Returns the process exit code (0 ok, 1 runtime error). The report is filled either way.
int RunIngest(const IngestOptions& options, RunReport& report);

}  // namespace eventlake
