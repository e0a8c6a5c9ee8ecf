// The deterministic event generator: NDJSON lines plus the exact outcome the
// ingest side must report for them. Independent of the CLI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "gen/civil_time.h"
#include "gen/event_catalog.h"
#include "gen/outcome.h"
#include "gen/prng.h"
#include "gen/record_builder.h"
#include "gen/uuid.h"

namespace eventlake::gen {

struct GenConfig {
  uint64_t count = 0;  // records (non-blank lines)
  uint64_t seed = 1;
  int64_t start = 1644796800;  // 2022-02-14T00:00:00Z
  int64_t span = 3 * kSecondsPerDay;
  double duplicate_rate = 0.1;
  double far_duplicate_share = 0.5;
  double invalid_rate = 0.01;
  double huge_rate = 0.0;
  double late_rate = 0.01;
  int64_t max_lateness = kSecondsPerDay;
  double blank_rate = 0.0;  // chance of a blank line before each record
  int64_t window = 7 * kSecondsPerDay;
  uint32_t types = EventCatalog::kBuiltinTypes;
  uint64_t max_record_size = 1 << 20;
};

// nullopt when the config is usable; otherwise a one-line message.
[[nodiscard]] std::optional<std::string> CheckGenConfig(const GenConfig& config);

class Generator {
 public:
  // Near duplicates copy a uuid from at most this many records back.
  static constexpr uint64_t kNearDistance = 100;

  // `config` must pass CheckGenConfig.
  explicit Generator(const GenConfig& config);

  bool done() const { return next_ == config_.count; }

  // Appends whole '\n'-terminated lines to `lines` until it grew by at least
  // `min_bytes` or all records are out. With `written_uuids`, also appends
  // "uuid\ttype\tYYYY-MM-DD\n" for each written event, in input order.
  void Generate(std::string& lines, std::string* written_uuids, size_t min_bytes);

  // The outcome of everything generated so far (final once done()).
  Outcome outcome() const;

 private:
  struct Header {
    EventChoice event;
    int64_t seconds = 0;
    int millis = 0;
  };
  enum class Kind { kFresh, kDuplicate, kInvalid, kOversized };

  void GenerateOne(std::string& lines, std::string* written_uuids);
  Kind KindOf(uint64_t index) const;
  bool FindSource(uint64_t index, Rng& rng, uint64_t* source) const;
  Header DrawHeader(uint64_t index, Rng& rng) const;
  void Build(uint64_t uuid_index, const Header& header, Rng& rng);
  // Draws field order and layout; appends a valid record's line.
  void EmitValid(Rng& rng, std::string& lines);
  Layout DrawLayout(Rng& rng) const;
  void RecordValid(uint64_t uuid_index, const Header& header, std::string* written_uuids);

  GenConfig config_;
  EventCatalog catalog_;
  double invalid_below_;
  double oversized_below_;
  double duplicate_below_;
  uint64_t next_ = 0;
  RecordBuilder builder_;
  char uuid_[kUuidLength];  // uuid of the record last built
  DedupSimulator dedup_;
  Outcome counts_;  // partitions are kept in partition_stats_ until outcome()
  std::unordered_map<uint64_t, PartitionStats> partition_stats_;
};

// Everything in memory (for tests and small runs).
Outcome GenerateAll(const GenConfig& config, std::string& lines, std::string* written_uuids = nullptr);

}  // namespace eventlake::gen
