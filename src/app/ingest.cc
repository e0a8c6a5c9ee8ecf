#include "app/ingest.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "app/ingest_pipeline.h"
#include "app/lake_lock.h"
#include "app/stream_worker.h"
#include "commit/committer.h"
#include "core/time_util.h"
#include "dedup/memory/memory_dedup_store.h"
#include "dedup/rocksdb/rocksdb_dedup_store.h"
#include "state/state_db.h"
#include "store/local/fs_util.h"
#include "store/local/local_store.h"
#include "store/s3/s3_store.h"

namespace eventlake {

namespace {

std::string ReportFileName() {
  char buf[64];
  const int64_t now = WallMicros() / 1000000;
  FormatDateTime(now, buf);
  std::string name(buf, 19);
  for (char& c : name)
    if (c == ':') c = '-';
  return name + "Z-" + std::to_string(getpid()) + ".json";
}

Status WriteReports(const IngestOptions& o, const RunReport& report) {
  const std::string json = report.ToJson();
  Status s = MakeDirs(o.local_root + "/_eventlake/reports");
  if (s.ok()) s = WriteFileDurably(o.local_root + "/_eventlake/reports/" + ReportFileName(), json);
  if (!o.report_path.empty()) {
    Status r = WriteFileDurably(o.report_path, json);
    if (s.ok()) s = r;
  }
  return s;
}

Status Run(const IngestOptions& o, RunReport& report, const int64_t start_us) {
  std::unique_ptr<ObjectStore> lake;
  const s3::S3ObjectStore* s3_lake = nullptr;  // for its retry count
  if (o.s3) {
    auto config = aws::LoadAwsConfig(aws::ProcessEnv(), o.aws);
    if (!config.ok()) return config.status().Context("--lake " + o.lake);
    s3::S3StoreOptions so;
    so.timeout = std::chrono::milliseconds(o.request_timeout_ms);
    auto store = std::make_unique<s3::S3ObjectStore>(*config, o.s3_location, so);
    s3_lake = store.get();
    lake = std::move(store);
  } else {
    lake = MakeLocalObjectStore(o.lake);
  }
  EL_RETURN_IF_ERROR(MakeDirs(o.local_root + "/_eventlake"));
  auto lock = LakeLock::Acquire(o.local_root);
  if (!lock.ok()) return lock.status();
  EL_RETURN_IF_ERROR(MakeDirs(o.state_dir));
  StateOptions so;
  so.path = o.state_dir;
  auto state = StateDb::Open(so);
  if (!state.ok()) return state.status();
  std::unique_ptr<DedupStore> store =
      o.dedup == "memory" ? MakeMemoryDedupStore(/*shared_table=*/true) : MakeRocksDbDedupStore(**state);
  Deduplicator dedup(*store, o.window_seconds, (*state)->watermark());
  Committer committer(o.local_root, **state, *store, dedup, *lake);
  auto recovered = committer.Recover();
  if (s3_lake != nullptr) report.http_retries = s3_lake->stats().retries;
  if (!recovered.ok()) return recovered.status().Context("recovering the lake");
  report.recovered_files = *recovered;
  if (*recovered > 0 && !o.quiet)
    std::fprintf(stderr, "eventlake: published %llu files committed by an interrupted run\n",
                 static_cast<unsigned long long>(*recovered));
  IngestPipeline pipeline(o, **state, dedup, committer, report, start_us);
  Status ran = pipeline.Run();
  if (s3_lake != nullptr) report.http_retries = s3_lake->stats().retries;
  return ran;
}

}  // namespace

int RunIngest(const IngestOptions& o, RunReport& report) {
  const int64_t start = MonoMicros();
  report.lake = o.lake;
  report.inputs = o.stream ? std::vector<std::string>{o.source} : o.inputs;
  Status s = o.stream ? RunStreamWorker(o, report) : Run(o, report, start);
  report.elapsed_s = static_cast<double>(MonoMicros() - start) / 1e6;
  if (!s.ok()) {
    report.ok = false;
    report.error = s.message();
  }
  if (!o.quiet && report.read + report.blank_lines > 0) std::fputs(report.Summary().c_str(), stderr);
  if (s.ok() || report.read > 0) {
    Status w = WriteReports(o, report);
    if (!w.ok()) {
      std::fprintf(stderr, "eventlake: could not write the run report: %s\n", w.message().c_str());
      if (s.ok()) s = w;
    }
  }
  if (!s.ok()) {
    std::fprintf(stderr, "eventlake: error: %s\n", s.message().c_str());
    return 1;
  }
  if (!report.Balanced()) {
    std::fprintf(stderr, "eventlake: internal error: the counts do not add up (%s)\n", report.CheckText().c_str());
    return 1;
  }
  return 0;
}

}  // namespace eventlake
