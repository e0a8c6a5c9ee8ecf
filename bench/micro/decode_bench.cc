// Stages 1 and 2: NDJSON framing of a source's bytes, then validation against the event
// contract and the derived fields, each over the whole generated input per iteration.
#include <benchmark/benchmark.h>

#include "bench/micro/fixture.h"
#include "decode/framer.h"
#include "decode/validate.h"
#include "transform/derive.h"

namespace eventlake::bench {
namespace {

// ingest's defaults: --read-size 1MiB, --max-record-size 1MiB.
constexpr size_t kReadBytes = 1 << 20;
constexpr size_t kMaxRecordBytes = 1 << 20;

void BM_Frame(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string_view input(f.text.data(), f.ndjson_bytes);
  for (auto _ : state) {
    MemorySource source(input);
    Framer framer(source, kReadBytes, kMaxRecordBytes, 0, 0);
    LineBatch batch;
    uint64_t lines = 0;
    do {
      BenchCheckOk(framer.Next(-1, batch), "framing");
      lines += batch.lines.size();
      benchmark::DoNotOptimize(batch.lines.data());
    } while (!batch.eof);
    BenchCheck(lines == f.lines.size(), "framed lines: " + std::to_string(lines));
    BenchCheck(batch.end_offset == f.ndjson_bytes, "framing stopped before the end");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.ndjson_bytes));
}
BENCHMARK(BM_Frame)->Unit(benchmark::kMillisecond)->UseRealTime();

// Per line, as IngestPipeline::ProcessBatch: Check, then Derive for a valid record.
void BM_ValidateDerive(benchmark::State& state) {
  const Fixture& f = GetFixture();
  Validator validator(ValidateOptions{});
  Verdict verdict;
  Derived derived;
  for (auto _ : state) {
    uint64_t valid = 0;
    for (std::string_view line : f.lines) {
      validator.Check(line, verdict);
      if (!verdict.ok) continue;
      ++valid;
      Derive(verdict.fields, derived);
      benchmark::DoNotOptimize(derived);
    }
    BenchCheck(valid == f.valid.size(), "valid records: " + std::to_string(valid));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * f.lines.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * f.ndjson_bytes));
}
BENCHMARK(BM_ValidateDerive)->Unit(benchmark::kMillisecond)->UseRealTime();

// Derive alone over the valid records' fields: its share of the stage above.
void BM_Derive(benchmark::State& state) {
  const Fixture& f = GetFixture();
  std::vector<EventFields> fields;
  uint64_t bytes = 0;
  for (const ValidEvent& e : f.valid) {
    fields.push_back(f.Fields(e));
    bytes += f.LineBytes(e);
  }
  Derived derived;
  for (auto _ : state) {
    for (size_t i = 0; i < fields.size(); ++i) {
      Derive(fields[i], derived);
      benchmark::DoNotOptimize(derived);
    }
    BenchCheck(derived.date_view() == f.valid.back().derived.date_view(), "derive: unexpected event_date");
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * fields.size()));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
}
BENCHMARK(BM_Derive)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace eventlake::bench
