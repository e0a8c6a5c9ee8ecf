#include "transform/derive.h"

#include <algorithm>
#include <cstring>

#include "core/time_util.h"

namespace eventlake {

void Derive(const EventFields& fields, Derived& out) {
  FormatDateTime(fields.seconds, out.datetime);
  std::memcpy(out.date, out.datetime, 10);
  size_t n = 19;
  if (!fields.fraction.empty()) {
    out.datetime[n++] = '.';
    const size_t k = std::min<size_t>(fields.fraction.size(), sizeof(out.datetime) - n - 1);
    std::memcpy(out.datetime + n, fields.fraction.data(), k);
    n += k;
  }
  out.datetime[n++] = 'Z';
  out.datetime_len = static_cast<uint8_t>(n);
}

}  // namespace eventlake
