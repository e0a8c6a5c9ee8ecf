// Realistic payload fields per event kind. Every function adds top-level
// payload fields to the builder; keys never repeat (also inside nested
// objects) and never use a required or reserved top-level name.
#pragma once

#include <cstdint>

#include "gen/prng.h"
#include "gen/record_builder.h"

namespace eventlake::gen {

void AddAccountPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddLessonPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddPaymentPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddQuizPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddPagePayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddSessionPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);
void AddSyntheticPayload(uint32_t subtype, Rng& rng, RecordBuilder& b);

}  // namespace eventlake::gen
