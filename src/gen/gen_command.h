// `eventlake gen`: flags and entry point of the deterministic event generator.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "gen/generator.h"

namespace CLI {
class App;
}  // namespace CLI

namespace eventlake::gen {

// Flag values as typed; times and durations are parsed by MakeGenConfig.
struct GenOptions {
  uint64_t count = 0;  // --count, required
  uint64_t seed = 1;
  std::string output;  // empty or "-" = stdout
  std::string expected;
  std::string expected_uuids;
  uint32_t types = EventCatalog::kBuiltinTypes;
  std::string start = "2022-02-14";
  std::string span = "3d";
  double duplicate_rate = 0.1;
  double far_duplicate_share = 0.5;
  double invalid_rate = 0.01;
  double huge_rate = 0.0;
  uint64_t max_record_size = 1 << 20;
  double late_rate = 0.01;
  std::string max_lateness = "1d";
  double blank_rate = 0.0;
  std::string window = "7d";
};

// Registers every flag of the `gen` subcommand on `sub`, each with help text.
void AddGenOptions(CLI::App& sub, GenOptions& o);

// Parses times and durations and checks ranges; nullopt on success, else a
// one-line message.
[[nodiscard]] std::optional<std::string> MakeGenConfig(const GenOptions& o, GenConfig* config);

// Runs the generator. Returns the process exit code: 0, or 2 after one line
// "eventlake gen: <problem>" on stderr.
int RunGen(const GenOptions& o);

}  // namespace eventlake::gen
