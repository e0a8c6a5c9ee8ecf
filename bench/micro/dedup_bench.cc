// Stage 3: the dedupe decision over each claim store, with the epoch commit path as the
// pipeline runs it: Decide per read batch (IngestPipeline::ProcessBatch), and every
// `commit_every` events the Committer's sequence AddToCommit -> StateDb::Commit (synced
// write) -> Deduplicator::Committed (-> OnCommitted) -> PurgeBelow. One iteration is one
// pass over the valid records from an empty lake (the state db is opened in a fresh temp
// dir outside the timed region).
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <vector>

#include "bench/micro/fixture.h"
#include "dedup/deduplicator.h"
#include "dedup/memory/memory_dedup_store.h"
#include "dedup/rocksdb/rocksdb_dedup_store.h"
#include "state/state_db.h"

namespace eventlake::bench {
namespace {

// About the lines of one 1 MiB read (ingest's --read-size) at ~220 bytes a line.
constexpr size_t kDecideBatch = 4096;
constexpr int64_t kWindowSeconds = 7 * 24 * 3600;
constexpr uint64_t kSourceId = 1;

// kMemoryShared: the memory store as `ingest --dedup memory` uses it (one shared table).
enum class StoreKind { kMemory, kMemoryShared, kRocksDb };

// A fresh directory for one pass's state db, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "eventlake-bench-XXXXXX").string();
    BenchCheck(mkdtemp(tmpl.data()) != nullptr, "mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What one pass owns: the lake state, the store over it and the decision on top.
struct Lake {
  TempDir dir;
  std::unique_ptr<StateDb> state;
  std::unique_ptr<DedupStore> store;
  std::unique_ptr<Deduplicator> dedup;

  explicit Lake(StoreKind kind) {
    auto opened = StateDb::Open(StateOptions{dir.path() + "/state"});
    BenchCheckOk(opened.status(), "opening the state db");
    state = std::move(opened).value();
    store = kind == StoreKind::kRocksDb ? MakeRocksDbDedupStore(*state)
                                        : MakeMemoryDedupStore(/*shared_table=*/kind == StoreKind::kMemoryShared);
    dedup = std::make_unique<Deduplicator>(*store, kWindowSeconds, state->watermark());
  }
  ~Lake() {
    dedup.reset();
    store.reset();
    state.reset();  // closed before its directory goes
  }

  // One epoch, in Committer::Commit's order (no files to stage here).
  void Commit(const ClaimList& claims, uint64_t next_offset) {
    const int64_t watermark = dedup->watermark();
    state->PutCheckpoint(kSourceId, Checkpoint{next_offset, 0, next_offset, 0, watermark});
    state->PutWatermark(watermark);
    store->AddToCommit(claims, *state);
    BenchCheckOk(state->Commit(), "committing an epoch");
    dedup->Committed(claims);
    store->PurgeBelow(watermark);
  }
};

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

void BM_Dedup(benchmark::State& state, StoreKind kind) {
  const Fixture& f = GetFixture();
  const auto commit_every = static_cast<size_t>(state.range(0));
  std::vector<DedupInput> in;
  uint64_t bytes = 0;
  for (const ValidEvent& e : f.valid) {
    in.push_back({f.Fields(e).uuid, e.seconds, Token{kSourceId, f.offsets[e.line]}});
    bytes += f.LineBytes(e);
  }
  std::vector<Decision> out(kDecideBatch);
  std::vector<Claim> claims(kDecideBatch);
  double commit_s = 0, total_s = 0;
  uint64_t epochs = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto lake = std::make_unique<Lake>(kind);
    state.ResumeTiming();
    const auto t0 = std::chrono::steady_clock::now();
    uint64_t duplicates = 0, written = 0;
    ClaimList epoch;
    size_t since_commit = 0;
    for (size_t start = 0; start < in.size(); start += kDecideBatch) {
      const size_t n = std::min(kDecideBatch, in.size() - start);
      BenchCheckOk(lake->dedup->Decide(std::span(in).subspan(start, n), std::span(out).first(n),
                                       std::span(claims).first(n)),
                   "deciding a batch");
      for (size_t i = 0; i < n; ++i) {
        if (out[i] == Decision::kWrite) {
          epoch.Add(in[start + i].uuid, lake->dedup->hash(i), claims[i]);
          ++written;
        } else if (out[i] == Decision::kDuplicate) {
          ++duplicates;
        }
      }
      since_commit += n;
      const bool last = start + n == in.size();
      if (since_commit >= commit_every || last) {
        const auto c0 = std::chrono::steady_clock::now();
        lake->Commit(epoch, last ? f.ndjson_bytes : in[start + n].token.offset);
        commit_s += Seconds(std::chrono::steady_clock::now() - c0);
        ++epochs;
        epoch = ClaimList();
        since_commit = 0;
      }
    }
    total_s += Seconds(std::chrono::steady_clock::now() - t0);
    state.PauseTiming();
    BenchCheck(duplicates == f.expected.duplicates,
               "dedup duplicates: got " + std::to_string(duplicates) + ", the generator expects " +
                   std::to_string(f.expected.duplicates));
    BenchCheck(written == f.expected.written, "dedup written: got " + std::to_string(written));
    BenchCheck(lake->dedup->pending() == 0, "claims left pending after the last commit");
    lake.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * in.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.counters["commit_share"] = total_s > 0 ? commit_s / total_s : 0;
  state.counters["epochs"] = benchmark::Counter(static_cast<double>(epochs), benchmark::Counter::kAvgIterations);
}
// 65536 events an epoch: ~14 MB of input, the order of ingest's flushes (64 MiB files
// across ~20 partitions, 128 MiB memory budget).
BENCHMARK_CAPTURE(BM_Dedup, memory_shared, StoreKind::kMemoryShared)
    ->ArgName("commit_every")
    ->Arg(65536)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Dedup, memory, StoreKind::kMemory)
    ->ArgName("commit_every")
    ->Arg(65536)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(BM_Dedup, rocksdb, StoreKind::kRocksDb)
    ->ArgName("commit_every")
    ->Arg(65536)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace eventlake::bench
