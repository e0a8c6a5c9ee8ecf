// Small, fast, deterministic pseudo-random numbers for the generator.
// Every record draws from its own stream keyed by (seed, record index, stream),
// so any record can be regenerated on its own (exact duplicates need that).
#pragma once

#include <cstdint>
#include <string_view>

namespace eventlake::gen {

__extension__ using Uint128 = unsigned __int128;

// splitmix64 finalizer: a bijection on 64-bit values with good avalanche.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

constexpr uint64_t SplitMix64(uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return Mix64(state);
}

// Independent named streams per record.
enum class Stream : uint64_t { kKind = 1, kContent = 2, kBlank = 3, kDuplicate = 4 };

constexpr uint64_t StreamKey(uint64_t seed, uint64_t index, Stream stream) {
  const uint64_t base = Mix64(seed ^ (static_cast<uint64_t>(stream) * 0xd1b54a32d192ed03ULL));
  return Mix64(base + index * 0x9e3779b97f4a7c15ULL);
}

// xoshiro256** seeded through splitmix64.
class Rng {
 public:
  explicit Rng(uint64_t key) {
    for (uint64_t& word : state_) word = SplitMix64(key);
  }

  uint64_t Next() {
    const uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n == 0 yields 0. The tiny bias of the multiply-shift
  // method does not matter for test data.
  uint64_t Below(uint64_t n) { return static_cast<uint64_t>((static_cast<Uint128>(Next()) * n) >> 64); }

  // Uniform in [lo, hi] (inclusive); requires lo <= hi.
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Below(static_cast<uint64_t>(hi - lo) + 1));
  }

  // Uniform in [0, 1).
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  bool Chance(double p) { return Unit() < p; }

  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  uint64_t state_[4];
};

// Uniform value in [0, 1) that depends only on the key (no state).
constexpr double UnitFromKey(uint64_t key) { return static_cast<double>(Mix64(key) >> 11) * 0x1.0p-53; }

}  // namespace eventlake::gen
