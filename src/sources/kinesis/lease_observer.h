#pragma once
// Which shard lease to take next: pure logic over what the lease table showed, no I/O,
// the clock passed in.
//
// Liveness as in the Kinesis Client Library: a holder renews each of its leases every
// lease_duration / 3 (counter + 1). Another worker presumes a lease's holder dead once it
// has seen the same (owner, counter) for at least lease_duration on its OWN steady clock;
// no wall clocks are compared across machines. A lease seen unchanged for less than that
// and never seen changing is unknown (this worker has not watched it long enough): its
// owner is neither counted as a live worker nor stolen from.
//
// Balance: a worker takes leases of its own previous life first (same worker id, not
// held in memory), then free and expired ones; otherwise, while it holds fewer than
// target = ceil(leases / live workers), it steals one from the worker holding the most,
// if that one holds more than target. A worker at target never steals, and a steal can
// never be stolen back (the victim would need more than target before and less after),
// so workers converge instead of trading leases.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sources/kinesis/lease_item.h"

namespace eventlake::kinesis {

using SteadyClock = std::chrono::steady_clock;

class LeaseObserver {
 public:
  explicit LeaseObserver(std::chrono::milliseconds lease_duration);

  // Remembers per lease its (owner, counter) and when this pair was first seen; forgets
  // leases no longer listed. Call with every List() of the stream.
  void Observe(const std::vector<Lease>& leases, SteadyClock::time_point now);

  enum class State {
    kFree,       // no owner
    kHeld,       // owner == me and held in memory
    kMineStale,  // owner == me but not held in memory: a previous life of this worker id; take it back at once
    kLive,       // another owner, seen changing, and unchanged for less than lease_duration since
    kExpired,    // another owner, (owner, counter) unchanged for at least lease_duration
    kUnknown,    // another owner, seen unchanged for less than lease_duration, and not yet seen changing
  };
  State StateOf(const Lease& lease, std::string_view me, const std::set<std::string>& held,
                SteadyClock::time_point now) const;

  // At most one shard id to take now. `eligible`: the shards this worker may read now
  // (readable in the shard graph, not finished); only those are picked. Finished leases
  // are ignored. Order: kMineStale, then kFree / kExpired (shard id order), then a steal.
  std::optional<std::string> Pick(const std::vector<Lease>& leases, std::string_view me,
                                  const std::set<std::string>& held, const std::set<std::string>& eligible,
                                  SteadyClock::time_point now) const;

  // For --stop-when-caught-up: no unfinished lease is kFree, kExpired, kMineStale or kUnknown.
  bool NothingToTake(const std::vector<Lease>& leases, std::string_view me, const std::set<std::string>& held,
                     SteadyClock::time_point now) const;

  std::chrono::milliseconds lease_duration() const { return lease_duration_; }

 private:
  struct Seen {
    std::string owner;
    uint64_t counter = 0;
    SteadyClock::time_point since;  // when this (owner, counter) was first seen
    bool changed = false;           // a different pair was seen before this one
  };

  std::chrono::milliseconds lease_duration_;
  std::map<std::string, Seen> seen_;  // by lease key (stream/shard id)
};

}  // namespace eventlake::kinesis
