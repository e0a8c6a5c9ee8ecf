#include "dedup/dedup_store.h"

#include <cstring>

#include "core/hash.h"

namespace eventlake {

uint64_t UuidHash(std::string_view uuid) {
  // 8 bytes at a time, then a strong finalizer: uuids are short and random-ish.
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ uuid.size();
  size_t i = 0;
  for (; i + 8 <= uuid.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, uuid.data() + i, 8);
    h = Mix64(h ^ w);
  }
  uint64_t tail = 0;
  std::memcpy(&tail, uuid.data() + i, uuid.size() - i);
  h = Mix64(h ^ tail ^ (static_cast<uint64_t>(uuid.size() - i) << 56));
  return h < 2 ? h + 2 : h;  // 0 and 1 mark empty and erased slots
}

}  // namespace eventlake
