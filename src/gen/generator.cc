#include "gen/generator.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string_view>

#include "gen/invalid_record.h"
#include "gen/json_text.h"
#include "gen/uuid.h"

namespace eventlake::gen {
namespace {

std::optional<std::string> CheckRate(std::string_view flag, double value) {
  if (!(value >= 0.0 && value <= 1.0)) {
    return std::string(flag) + " must be between 0 and 1, got " + std::to_string(value);
  }
  return std::nullopt;
}

void AppendQuotedUuid(std::string& out, const char* uuid) {
  out.push_back('"');
  out.append(uuid, kUuidLength);
  out.push_back('"');
}

}  // namespace

std::optional<std::string> CheckGenConfig(const GenConfig& c) {
  const std::pair<std::string_view, double> rates[] = {
      {"--duplicate-rate", c.duplicate_rate}, {"--far-duplicate-share", c.far_duplicate_share},
      {"--invalid-rate", c.invalid_rate},     {"--huge-rate", c.huge_rate},
      {"--late-rate", c.late_rate},           {"--blank-rate", c.blank_rate},
  };
  for (const auto& [flag, value] : rates) {
    if (auto error = CheckRate(flag, value)) return error;
  }
  if (c.duplicate_rate + c.invalid_rate + c.huge_rate > 1.0) {
    return "--duplicate-rate + --invalid-rate + --huge-rate must not exceed 1";
  }
  if (c.duplicate_rate > 0 && c.duplicate_rate + c.invalid_rate + c.huge_rate >= 1.0) {
    return "--duplicate-rate + --invalid-rate + --huge-rate must stay below 1 when "
           "duplicates are requested (duplicates copy earlier valid records)";
  }
  if (c.count > 10'000'000'000ULL) return "--count must be at most 10000000000";
  if (c.types < 1 || c.types > 1'000'000) return "--types must be between 1 and 1000000";
  if (c.start < 0 || c.start >= kCreatedAtUpperBound) {
    return "--start must be in [1970-01-01, 2100-01-01)";
  }
  if (c.span < 0 || c.span >= kCreatedAtUpperBound - c.start) {
    return "--start + --span must stay before 2100-01-01 (4102444800)";
  }
  {
    // ingest rejects created_at more than a day ahead of its wall clock by default
    // (--max-created-at now+1d): events generated there would not be valid.
    const int64_t now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    if (c.start + c.span >= now + 86400) {
      return "--start + --span reaches past now + 1 day, which eventlake ingest rejects by default "
             "(--max-created-at now+1d); use an earlier --start or a shorter --span";
    }
  }
  if (c.max_lateness < 0 || c.max_lateness > kCreatedAtUpperBound) {
    return "--max-lateness must be between 0 and 130 years";
  }
  if (c.window < 0 || c.window > kCreatedAtUpperBound) {
    return "--window must be between 0 and 130 years";
  }
  if (c.max_record_size < 65536 || c.max_record_size > (1ULL << 30)) {
    return "--max-record-size must be between 64 KiB and 1 GiB";
  }
  return std::nullopt;
}

Generator::Generator(const GenConfig& config)
    : config_(config),
      catalog_(config.types),
      invalid_below_(config.invalid_rate),
      oversized_below_(config.invalid_rate + config.huge_rate),
      duplicate_below_(config.invalid_rate + config.huge_rate + config.duplicate_rate),
      dedup_(config.window) {
  dedup_.Reserve(static_cast<size_t>(config.count));
}

void Generator::Generate(std::string& lines, std::string* written_uuids, size_t min_bytes) {
  const size_t start = lines.size();
  while (!done() && lines.size() - start < min_bytes) {
    GenerateOne(lines, written_uuids);
  }
}

Outcome Generator::outcome() const {
  Outcome result = counts_;
  for (const auto& [key, stats] : partition_stats_) {
    std::string name(catalog_.TypeName(static_cast<uint32_t>(key >> 32)));
    name.push_back('/');
    name.append(DateString(static_cast<int64_t>(key & 0xffffffffu)));
    result.partitions.emplace(std::move(name), stats);
  }
  return result;
}

Generator::Kind Generator::KindOf(uint64_t index) const {
  const double roll = UnitFromKey(StreamKey(config_.seed, index, Stream::kKind));
  if (roll < invalid_below_) return Kind::kInvalid;
  if (roll < oversized_below_) return Kind::kOversized;
  if (roll < duplicate_below_) return Kind::kDuplicate;
  return Kind::kFresh;
}

// A source is an earlier record generated as fresh (never an invalid record
// nor another duplicate), so its uuid, content and time can be regenerated
// from its index alone.
bool Generator::FindSource(uint64_t index, Rng& rng, uint64_t* source) const {
  if (index == 0) return false;
  const bool far = rng.Chance(config_.far_duplicate_share);
  const uint64_t low = far || index < kNearDistance ? 0 : index - kNearDistance;
  for (int attempt = 0; attempt < 16; ++attempt) {
    const uint64_t candidate = low + rng.Below(index - low);
    if (KindOf(candidate) == Kind::kFresh) {
      *source = candidate;
      return true;
    }
  }
  // Very high duplicate/invalid rates: look back a bounded distance.
  for (uint64_t candidate = index, steps = 0; candidate > low && steps < 256; ++steps) {
    if (KindOf(--candidate) == Kind::kFresh) {
      *source = candidate;
      return true;
    }
  }
  return false;
}

Generator::Header Generator::DrawHeader(uint64_t index, Rng& rng) const {
  Header header;
  header.event = catalog_.Pick(rng);
  const auto progress = static_cast<Uint128>(config_.span) * index / std::max<uint64_t>(config_.count, 1);
  const int64_t base = config_.start + static_cast<int64_t>(progress);
  int64_t seconds = base + rng.Between(0, 59);
  if (config_.max_lateness > 0 && rng.Chance(config_.late_rate)) {
    seconds = base - rng.Between(1, config_.max_lateness);
  }
  header.seconds = std::clamp<int64_t>(seconds, 0, kCreatedAtUpperBound - 1);
  header.millis = rng.Chance(0.1) ? static_cast<int>(rng.Between(1, 999)) : 0;
  return header;
}

void Generator::Build(uint64_t uuid_index, const Header& header, Rng& rng) {
  builder_.Clear();
  FormatUuid(config_.seed, uuid_index, uuid_);
  AppendQuotedUuid(builder_.Begin("event_uuid"), uuid_);
  builder_.EndField();
  std::string& name = builder_.Begin("event_name");
  name.push_back('"');
  catalog_.AppendEventName(header.event, name);
  name.push_back('"');
  builder_.EndField();
  AppendSecondsMs(builder_.Begin("created_at"), header.seconds, header.millis);
  builder_.EndField();
  catalog_.AddPayload(header.event, rng, builder_);
}

Layout Generator::DrawLayout(Rng& rng) const {
  const uint64_t roll = rng.Below(100);
  return roll < 96 ? Layout::kCompact : roll < 99 ? Layout::kSpaced : Layout::kPadded;
}

void Generator::EmitValid(Rng& rng, std::string& lines) {
  if (rng.Chance(0.08)) builder_.Shuffle(rng);
  const Layout layout = DrawLayout(rng);
  // JSON whitespace around the object is legal and must be accepted.
  const uint64_t padding = rng.Below(200);
  if (padding == 0) lines.push_back(' ');
  if (padding == 1) lines.push_back('\t');
  builder_.AppendJson(lines, layout);
  if (padding == 2) lines.push_back(' ');
  if (padding == 3) lines.append(" \t");
}

// The record's uuid is uuid_ (set by Build).
void Generator::RecordValid(uint64_t uuid_index, const Header& header, std::string* written_uuids) {
  if (!dedup_.Offer(uuid_index, header.seconds)) {
    ++counts_.duplicates;
    return;
  }
  ++counts_.written;
  const char* uuid = uuid_;
  const auto day = static_cast<uint64_t>(header.seconds / kSecondsPerDay);
  PartitionStats& stats = partition_stats_[(static_cast<uint64_t>(header.event.type) << 32) | day];
  ++stats.events;
  stats.uuid_hash ^= Fnv1a64(std::string_view(uuid, kUuidLength));
  if (written_uuids != nullptr) {
    written_uuids->append(uuid, kUuidLength);
    written_uuids->push_back('\t');
    written_uuids->append(catalog_.TypeName(header.event.type));
    written_uuids->push_back('\t');
    char date[10];
    FormatDate(static_cast<int64_t>(day), date);
    written_uuids->append(date, sizeof(date));
    written_uuids->push_back('\n');
  }
}

void Generator::GenerateOne(std::string& lines, std::string* written_uuids) {
  const uint64_t index = next_++;
  const uint64_t seed = config_.seed;
  if (config_.blank_rate > 0) {
    const uint64_t key = StreamKey(seed, index, Stream::kBlank);
    if (UnitFromKey(key) < config_.blank_rate) {
      static constexpr std::string_view kBlankLines[] = {"", " ", "\t", "  \t  "};
      lines.append(kBlankLines[key & 3]);
      lines.push_back('\n');
      ++counts_.blank_lines;
    }
  }
  ++counts_.records;
  Kind kind = KindOf(index);
  Rng duplicate_rng(StreamKey(seed, index, Stream::kDuplicate));
  uint64_t source = index;
  if (kind == Kind::kDuplicate && !FindSource(index, duplicate_rng, &source)) {
    kind = Kind::kFresh;
  }
  Rng rng(StreamKey(seed, source, Stream::kContent));
  Header header = DrawHeader(source, rng);
  switch (kind) {
    case Kind::kFresh:
      Build(index, header, rng);
      EmitValid(rng, lines);
      break;
    case Kind::kDuplicate: {
      const uint64_t variant = duplicate_rng.Below(20);
      if (variant < 10) {  // byte-identical copy
        Build(source, header, rng);
        EmitValid(rng, lines);
      } else if (variant < 17) {  // same uuid and name, new time and payload
        Rng own(StreamKey(seed, index, Stream::kContent));
        const EventChoice event = header.event;
        header = DrawHeader(index, own);
        header.event = event;
        Build(source, header, own);
        EmitValid(own, lines);
      } else {  // same bytes except the uuid spelled with \u escapes
        Build(source, header, rng);
        std::string& value = builder_.BeginValue(builder_.Find("event_uuid"));
        value.push_back('"');
        AppendEscapedUuid(std::string_view(uuid_, kUuidLength), duplicate_rng, value);
        value.push_back('"');
        builder_.EndValue();
        EmitValid(rng, lines);
      }
      break;
    }
    case Kind::kInvalid:
    case Kind::kOversized: {
      Build(index, header, rng);
      if (rng.Chance(0.08)) builder_.Shuffle(rng);
      const Layout layout = DrawLayout(rng);
      InvalidReason reason = InvalidReason::kRecordTooLarge;
      if (kind == Kind::kOversized) {
        AppendOversizedRecord(config_.max_record_size, rng, builder_, layout, lines);
      } else {
        reason = PickInvalidReason(rng);
        AppendInvalidRecord(reason, rng, builder_, layout, lines);
      }
      lines.push_back('\n');
      ++counts_.invalid;
      ++counts_.invalid_by_reason[static_cast<size_t>(reason)];
      return;
    }
  }
  lines.push_back('\n');
  RecordValid(source, header, written_uuids);
}

Outcome GenerateAll(const GenConfig& config, std::string& lines, std::string* written_uuids) {
  Generator generator(config);
  generator.Generate(lines, written_uuids, std::numeric_limits<size_t>::max());
  return generator.outcome();
}

}  // namespace eventlake::gen
