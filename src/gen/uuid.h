// Deterministic v4-shaped uuids and the uuid hash used by the expected outcome.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "gen/prng.h"

namespace eventlake::gen {

inline constexpr size_t kUuidLength = 36;

// Writes "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx" for (seed, index) into
// out[0, 36). For one seed, distinct indexes always give distinct uuids (64
// bits of the uuid are a bijection of the index), so the generator never
// needs a set of uuids to avoid accidental collisions.
void FormatUuid(uint64_t seed, uint64_t index, char* out);

std::string UuidString(uint64_t seed, uint64_t index);

// 64-bit FNV-1a over the bytes.
uint64_t Fnv1a64(std::string_view bytes);

// Appends `uuid` as a JSON string body (no quotes) with some characters (at
// least one) spelled as \u00XX escapes; decodes back to exactly `uuid`.
void AppendEscapedUuid(std::string_view uuid, Rng& rng, std::string& out);

}  // namespace eventlake::gen
