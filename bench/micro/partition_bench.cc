// Stage 4: routing each written event to its partition buffer: the escaped directory
// (PartitionPath) and the buffer lookup (PartitionBuffers::Get), over the written events
// in input order (types interleave, dates advance), one pass per iteration.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "bench/micro/fixture.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "partition/buffers.h"
#include "partition/partition_key.h"

namespace eventlake::bench {
namespace {

// key_cache 1: as IngestPipeline::ProcessBatch, the path is built again only when
// (event_type, event_date) differs from the previous event's. key_cache 0: every event.
void BM_PartitionRoute(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const bool key_cache = state.range(0) != 0;
  PartitionBuffers buffers(FlushPolicy{}, [] { return std::make_unique<JsonlEncoder>(Compression::kNone); });
  std::string last_type, last_date, key;
  uint64_t paths = 0;
  for (auto _ : state) {
    last_type.clear();
    last_date.clear();
    for (uint32_t w : f.written) {
      const ValidEvent& e = f.valid[w];
      const std::string_view type(f.arena.data() + e.type_pos, e.type_len);
      const std::string_view date = e.derived.date_view();
      if (!key_cache || type != last_type || date != last_date) {
        last_type.assign(type);
        last_date.assign(date);
        key = PartitionPath(last_type, last_date);
        ++paths;
      }
      Buffer& b = buffers.Get(key, 0);
      benchmark::DoNotOptimize(&b);
    }
  }
  BenchCheck(buffers.size() == f.expected.partitions.size(),
             "partitions: got " + std::to_string(buffers.size()) + ", the generator expects " +
                 std::to_string(f.expected.partitions.size()));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.written.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.written_line_bytes));
  state.counters["path_share"] =
      static_cast<double>(paths) / static_cast<double>(state.iterations() * f.written.size());
}
BENCHMARK(BM_PartitionRoute)->ArgName("key_cache")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace eventlake::bench
