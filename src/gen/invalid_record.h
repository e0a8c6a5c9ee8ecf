// Turns a valid record into one with exactly one contract violation, so the
// reason ingest reports is unambiguous.
#pragma once

#include <cstdint>
#include <string>

#include "gen/outcome.h"
#include "gen/prng.h"
#include "gen/record_builder.h"

namespace eventlake::gen {

// Any reason except kRecordTooLarge (which needs --huge-rate), uniformly.
InvalidReason PickInvalidReason(Rng& rng);

// `b` holds a valid record whose required fields are "event_uuid",
// "event_name" and "created_at" (any order). Mutates it so that `reason` is
// its only problem and appends the line (without '\n') to `out`. Never
// kRecordTooLarge: see AppendOversizedRecord.
void AppendInvalidRecord(InvalidReason reason, Rng& rng, RecordBuilder& b, Layout layout, std::string& out);

// Appends `b` with an extra "blob" string field so the line is longer than
// `max_record_size` bytes (by at least 64), otherwise valid.
void AppendOversizedRecord(uint64_t max_record_size, Rng& rng, RecordBuilder& b, Layout layout, std::string& out);

}  // namespace eventlake::gen
