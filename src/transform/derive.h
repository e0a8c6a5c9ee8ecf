#pragma once
// The transform stage: event_type / event_subtype come from the validator's split of
// event_name; this adds created_datetime (RFC 3339 UTC) and event_date.
#include <cstdint>
#include <string_view>

#include "decode/verdict.h"

namespace eventlake {

struct Derived {
  char date[10];      // YYYY-MM-DD, the event_date partition value
  char datetime[64];  // created_datetime
  uint8_t datetime_len = 0;
  std::string_view date_view() const { return {date, 10}; }
  std::string_view datetime_view() const { return {datetime, datetime_len}; }
};

// "2022-02-14T11:40:00Z", or with the fraction as given: "2022-02-14T11:40:00.25Z".
void Derive(const EventFields& fields, Derived& out);

}  // namespace eventlake
