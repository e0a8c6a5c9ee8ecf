// The event types and subtypes the generator emits, with their weights and
// payload templates. Six built-in types; more synthetic types ("type0007",
// ...) with --types for many-partition tests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gen/prng.h"
#include "gen/record_builder.h"

namespace eventlake::gen {

struct EventChoice {
  uint32_t type = 0;
  uint32_t subtype = 0;
};

class EventCatalog {
 public:
  static constexpr uint32_t kBuiltinTypes = 6;

  // type_count >= 1. Fewer than kBuiltinTypes keeps the first built-ins.
  explicit EventCatalog(uint32_t type_count);

  uint32_t type_count() const { return type_count_; }
  std::string_view TypeName(uint32_t type) const { return type_names_[type]; }
  std::string_view SubtypeName(const EventChoice& choice) const;

  EventChoice Pick(Rng& rng) const;
  // Appends the JSON string body "type:subtype".
  void AppendEventName(const EventChoice& choice, std::string& out) const;
  void AddPayload(const EventChoice& choice, Rng& rng, RecordBuilder& b) const;

 private:
  uint32_t type_count_;
  uint32_t builtin_weight_total_ = 0;
  std::vector<std::string> type_names_;
};

}  // namespace eventlake::gen
