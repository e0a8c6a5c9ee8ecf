#pragma once
// Non-cryptographic 64-bit hashing for fingerprints and hash tables.
#include <cstdint>
#include <string_view>

namespace eventlake {

// FNV-1a, 64 bit: stable across builds and machines (fingerprints are persisted).
inline uint64_t Fnv1a64(std::string_view bytes, uint64_t seed = 0xcbf29ce484222325ULL) {
  uint64_t h = seed;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

// A fast mixer for in-memory hash tables (not persisted).
inline uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace eventlake
