#include "dedup/claim_table.h"

#include <cstring>

#include "core/hash.h"

namespace eventlake {
namespace {
uint64_t KeyLength(const std::string& arena, size_t pos) {
  uint64_t len;
  std::memcpy(&len, arena.data() + pos, 8);
  return len;
}
}  // namespace

std::string_view ClaimTable::KeyOf(const Slot& s) const {
  const size_t pos = s.ref >> 24;
  if ((s.ref & kLongKey) != kLongKey) return {arena_.data() + pos, static_cast<size_t>(s.ref & kLongKey)};
  uint64_t len;
  std::memcpy(&len, arena_.data() + pos, 8);
  return {arena_.data() + pos + 8, len};
}

uint64_t ClaimTable::Store(std::string_view key) {
  const uint64_t pos = arena_.size();
  if (key.size() < kLongKey) {
    arena_.append(key);
    return pos << 24 | key.size();
  }
  const uint64_t len = key.size();
  arena_.append(reinterpret_cast<const char*>(&len), 8);
  arena_.append(key);
  return pos << 24 | kLongKey;
}

size_t ClaimTable::Probe(std::string_view uuid, uint64_t hash) const {
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.hash == 0) return SIZE_MAX;
    if (s.hash == hash && KeyOf(s) == uuid) return i;
  }
}

const Claim* ClaimTable::Find(std::string_view uuid, uint64_t hash) const {
  const size_t i = Probe(uuid, hash);
  return i == SIZE_MAX ? nullptr : &slots_[i].claim;
}

void ClaimTable::Put(std::string_view uuid, uint64_t hash, const Claim& claim) {
  if (const size_t i = Probe(uuid, hash); i != SIZE_MAX) {
    slots_[i].claim = claim;
    return;
  }
  Insert(uuid, hash, claim);
}

void ClaimTable::PutLonger(std::string_view uuid, uint64_t hash, const Claim& claim) {
  if (const size_t i = Probe(uuid, hash); i != SIZE_MAX) {
    if (claim.expires_at >= slots_[i].claim.expires_at) slots_[i].claim = claim;
    return;
  }
  Insert(uuid, hash, claim);
}

void ClaimTable::Insert(
    std::string_view uuid, uint64_t hash,
    const Claim& claim) {  // Grow at 70% load; when that load is mostly tombstones, rebuild at the same size.
  if ((used_ + 1) * 10 > slots_.size() * 7) Rehash((size_ + 1) * 4 > slots_.size() ? slots_.size() * 2 : slots_.size());
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].hash > kTombstone) i = (i + 1) & mask;
  if (slots_[i].hash == 0) ++used_;
  slots_[i] = Slot{hash, Store(uuid), claim};
  arena_live_ += uuid.size();
  ++size_;
}

bool ClaimTable::EraseIf(std::string_view uuid, uint64_t hash, const Token& token) {
  const size_t i = Probe(uuid, hash);
  if (i == SIZE_MAX || !(slots_[i].claim.token == token)) return false;
  slots_[i].hash = kTombstone;
  arena_live_ -= KeyOf(slots_[i]).size();
  --size_;
  // Reclaim the arena and tombstones once most of them are garbage.
  if (arena_.size() > (1 << 20) && arena_live_ * 4 < arena_.size()) Rehash(slots_.size());
  return true;
}

void ClaimTable::PurgeBelow(int64_t below) {
  for (Slot& s : slots_) {
    if (s.hash > kTombstone && s.claim.expires_at < below) {
      s.hash = kTombstone;
      arena_live_ -= KeyOf(s).size();
      --size_;
    }
  }
  Rehash(slots_.size());
}

void ClaimTable::Rehash(size_t capacity) {
  size_t cap = 1024;
  while (cap < capacity || size_ * 10 >= cap * 7) cap *= 2;
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(cap, Slot{});
  used_ = size_;
  const size_t mask = cap - 1;
  auto place = [&](const Slot& s) -> Slot& {
    size_t i = s.hash & mask;
    while (slots_[i].hash != 0) i = (i + 1) & mask;
    return slots_[i];
  };
  // Growing with little garbage in the arena: the keys stay where they are.
  if (arena_live_ * 2 >= arena_.size()) {
    for (const Slot& s : old)
      if (s.hash > kTombstone) place(s) = s;
    return;
  }
  std::string old_arena;
  old_arena.swap(arena_);
  arena_.reserve(arena_live_ + 64);
  for (const Slot& s : old) {
    if (s.hash <= kTombstone) continue;
    const size_t pos = s.ref >> 24;
    const std::string_view key = (s.ref & kLongKey) != kLongKey
                                     ? std::string_view(old_arena.data() + pos, s.ref & kLongKey)
                                     : std::string_view(old_arena.data() + pos + 8, KeyLength(old_arena, pos));
    place(s) = Slot{s.hash, Store(key), s.claim};
  }
}

}  // namespace eventlake
