// eventlake_micro_bench: Google Benchmark's main, with the shared input built first so
// its generation is never timed and its shape is recorded in the JSON context.
#include <benchmark/benchmark.h>

#include <string>

#include "bench/micro/fixture.h"

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const eventlake::bench::Fixture& f = eventlake::bench::GetFixture();
  benchmark::AddCustomContext("input", "eventlake gen --count " + std::to_string(f.lines.size()) + " --seed 42");
  benchmark::AddCustomContext("input_bytes", std::to_string(f.ndjson_bytes));
  benchmark::AddCustomContext("valid", std::to_string(f.valid.size()));
  benchmark::AddCustomContext("written", std::to_string(f.written.size()));
  benchmark::AddCustomContext("duplicates", std::to_string(f.expected.duplicates));
  benchmark::AddCustomContext("invalid", std::to_string(f.expected.invalid));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
