#pragma once
// An open-addressing hash table of uuid claims: the hot path's in-memory index
// (pending claims of unflushed buffers; the whole memory store). One flat array of
// 40-byte slots and one byte arena for the uuids: no allocation per event, one cache
// miss per lookup in the common case.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dedup/dedup_store.h"

namespace eventlake {

class ClaimTable {
 public:
  ClaimTable() { Rehash(1024); }

  // The claim for `uuid`, or nullptr.
  const Claim* Find(std::string_view uuid) const { return Find(uuid, HashOf(uuid)); }
  const Claim* Find(std::string_view uuid, uint64_t hash) const;
  // Inserts or replaces.
  void Put(std::string_view uuid, const Claim& claim) { Put(uuid, HashOf(uuid), claim); }
  void Put(std::string_view uuid, uint64_t hash, const Claim& claim);
  // Inserts, or replaces only when `claim` expires no earlier (the longer claim wins).
  void PutLonger(std::string_view uuid, const Claim& claim) { PutLonger(uuid, HashOf(uuid), claim); }
  void PutLonger(std::string_view uuid, uint64_t hash, const Claim& claim);
  // Hints the cache about a lookup soon (batches prefetch, then probe).
  void Prefetch(uint64_t hash) const { __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]); }
  // Removes the claim when it still carries `token`; returns whether it did.
  bool EraseIf(std::string_view uuid, const Token& token) { return EraseIf(uuid, HashOf(uuid), token); }
  bool EraseIf(std::string_view uuid, uint64_t hash, const Token& token);
  // Drops every claim with expires_at below `below`.
  void PurgeBelow(int64_t below);

  size_t size() const { return size_; }
  size_t memory() const { return slots_.capacity() * sizeof(Slot) + arena_.capacity(); }
  static uint64_t HashOf(std::string_view uuid) { return UuidHash(uuid); }

 private:
  struct Slot {
    uint64_t hash = 0;  // 0: empty; kTombstone: erased
    uint64_t ref = 0;   // uuid bytes in arena_: offset << 24 | length (kLongKey: length stored first)
    Claim claim;
  };
  static constexpr uint64_t kTombstone = 1;

  size_t Probe(std::string_view uuid, uint64_t hash) const;  // slot index or SIZE_MAX
  void Insert(std::string_view uuid, uint64_t hash, const Claim& claim);
  void Rehash(size_t capacity);
  static constexpr uint64_t kLongKey = 0xffffff;
  std::string_view KeyOf(const Slot& s) const;
  // Appends the key to arena_ and returns its ref.
  uint64_t Store(std::string_view key);

  std::vector<Slot> slots_;
  std::string arena_;
  size_t size_ = 0;
  size_t used_ = 0;        // live + tombstones
  size_t arena_live_ = 0;  // bytes of live keys in arena_
};

}  // namespace eventlake
