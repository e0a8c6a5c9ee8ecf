// Stages 5 and 6: encoding the written events into finished files, compression
// included (it happens in Finish). Events are grouped by partition as the buffers hold
// them (a Parquet file's schema follows its event type), one file per partition; one
// iteration encodes and finishes every partition's file.
#include <benchmark/benchmark.h>

#include <functional>
#include <map>
#include <memory>
#include <vector>

#include "bench/micro/fixture.h"
#include "encode/jsonl/jsonl_encoder.h"
#include "encode/parquet/parquet_encoder.h"

namespace eventlake::bench {
namespace {

using EncoderFactory = std::function<std::unique_ptr<Encoder>()>;

// The written events' fields, grouped by (event_type, event_date) in input order.
struct Partitioned {
  std::vector<std::vector<EventFields>> fields;
  std::vector<std::vector<const Derived*>> derived;
  size_t events = 0;
};

const Partitioned& WrittenByPartition() {
  static const Partitioned* p = [] {
    const Fixture& f = GetFixture();
    std::map<std::pair<std::string_view, std::string_view>, size_t> index;
    auto* out = new Partitioned();  // lives for the whole process
    for (uint32_t w : f.written) {
      const ValidEvent& e = f.valid[w];
      const EventFields fields = f.Fields(e);
      auto [it, fresh] = index.emplace(std::pair(fields.type, e.derived.date_view()), out->fields.size());
      if (fresh) {
        out->fields.emplace_back();
        out->derived.emplace_back();
      }
      out->fields[it->second].push_back(fields);
      out->derived[it->second].push_back(&e.derived);
      ++out->events;
    }
    return out;
  }();
  return *p;
}

void RunEncode(benchmark::State& state, const EncoderFactory& factory) {
  const Fixture& f = GetFixture();
  const Partitioned& parts = WrittenByPartition();
  BenchCheck(parts.events == f.written.size() && parts.fields.size() == f.expected.partitions.size(),
             "encode input: events or partitions differ from the generator's outcome");
  uint64_t out_bytes = 0, files = 0;
  for (auto _ : state) {
    CountingSink sink;
    uint64_t added = 0;
    for (size_t p = 0; p < parts.fields.size(); ++p) {
      std::unique_ptr<Encoder> encoder = factory();
      for (size_t i = 0; i < parts.fields[p].size(); ++i) {
        if (!encoder->Add(parts.fields[p][i], *parts.derived[p][i])) {
          // The file's schema is fixed and this event conflicts: finish it, start anew.
          BenchCheckOk(encoder->Finish(sink), "finishing a file");
          ++files;
          encoder = factory();
          BenchCheck(encoder->Add(parts.fields[p][i], *parts.derived[p][i]), "an event does not fit an empty file");
        }
        ++added;
      }
      BenchCheckOk(encoder->Finish(sink), "finishing a file");
      ++files;
    }
    BenchCheck(added == f.written.size() && sink.bytes() > 0, "encode: not every event reached a file");
    benchmark::DoNotOptimize(sink.bytes());
    out_bytes += sink.bytes();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.written.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.written_line_bytes));
  // Output bytes per input byte, and files per pass.
  state.counters["out_ratio"] =
      static_cast<double>(out_bytes) / static_cast<double>(state.iterations() * f.written_line_bytes);
  state.counters["files"] = benchmark::Counter(static_cast<double>(files), benchmark::Counter::kAvgIterations);
}

void BM_JsonlEncode(benchmark::State& state, Compression compression) {
  RunEncode(state, [compression] { return std::make_unique<JsonlEncoder>(compression); });
}
BENCHMARK_CAPTURE(BM_JsonlEncode, none, Compression::kNone)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_JsonlEncode, zstd, Compression::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();

// ingest's defaults: 128 MiB row groups, 1 MiB pages.
void BM_ParquetEncode(benchmark::State& state, Compression compression) {
  ParquetOptions options;
  options.compression = compression;
  RunEncode(state, [options] { return MakeParquetEncoder(options); });
}
BENCHMARK_CAPTURE(BM_ParquetEncode, zstd, Compression::kZstd)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK_CAPTURE(BM_ParquetEncode, snappy, Compression::kSnappy)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace eventlake::bench
