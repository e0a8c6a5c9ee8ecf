#include "sources/kinesis/lease_observer.h"

#include <algorithm>

namespace eventlake::kinesis {

LeaseObserver::LeaseObserver(std::chrono::milliseconds lease_duration) : lease_duration_(lease_duration) {}

void LeaseObserver::Observe(const std::vector<Lease>& leases, SteadyClock::time_point now) {
  std::map<std::string, Seen> next;
  for (const Lease& lease : leases) {
    const std::string key = LeaseKey(lease.stream, lease.shard_id);
    Seen seen{lease.owner, lease.counter, now, false};
    if (auto it = seen_.find(key); it != seen_.end()) {
      if (it->second.owner == lease.owner && it->second.counter == lease.counter) {
        seen = it->second;
      } else {
        seen.changed = true;
      }
    }
    next[key] = std::move(seen);
  }
  seen_ = std::move(next);
}

LeaseObserver::State LeaseObserver::StateOf(const Lease& lease, std::string_view me, const std::set<std::string>& held,
                                            SteadyClock::time_point now) const {
  if (lease.owner.empty()) return State::kFree;
  if (lease.owner == me) return held.count(lease.shard_id) > 0 ? State::kHeld : State::kMineStale;
  auto it = seen_.find(LeaseKey(lease.stream, lease.shard_id));
  // Not observed in this state yet (a fresher copy than the last Observe): watch it first.
  if (it == seen_.end() || it->second.owner != lease.owner || it->second.counter != lease.counter)
    return State::kUnknown;
  if (now - it->second.since >= lease_duration_) return State::kExpired;
  return it->second.changed ? State::kLive : State::kUnknown;
}

std::optional<std::string> LeaseObserver::Pick(const std::vector<Lease>& leases, std::string_view me,
                                               const std::set<std::string>& held, const std::set<std::string>& eligible,
                                               SteadyClock::time_point now) const {
  std::vector<const Lease*> order;  // unfinished, in shard id order
  for (const Lease& lease : leases)
    if (!lease.finished) order.push_back(&lease);
  std::sort(order.begin(), order.end(), [](const Lease* a, const Lease* b) { return a->shard_id < b->shard_id; });
  std::vector<State> states;
  states.reserve(order.size());
  for (const Lease* lease : order) states.push_back(StateOf(*lease, me, held, now));
  auto can_read = [&](size_t i) { return eligible.count(order[i]->shard_id) > 0; };

  for (size_t i = 0; i < order.size(); ++i)
    if (states[i] == State::kMineStale && can_read(i)) return order[i]->shard_id;
  for (size_t i = 0; i < order.size(); ++i)
    if ((states[i] == State::kFree || states[i] == State::kExpired) && can_read(i)) return order[i]->shard_id;

  // Balance: target = ceil(leases I could hold / live workers).
  size_t mine = 0, total = 0;
  std::map<std::string_view, size_t> live;  // owner -> kLive leases
  for (size_t i = 0; i < order.size(); ++i) {
    if (states[i] == State::kHeld) ++mine;
    if (states[i] == State::kHeld || can_read(i)) ++total;
    if (states[i] == State::kLive) ++live[order[i]->owner];
  }
  const size_t workers = live.size() + 1;
  const size_t target = (total + workers - 1) / workers;
  if (mine >= target) return std::nullopt;
  std::string_view victim;
  size_t most = 0;
  for (const auto& [owner, count] : live) {  // owner order: ties go to the smallest id
    if (count > most) {
      most = count;
      victim = owner;
    }
  }
  if (most <= target) return std::nullopt;
  for (size_t i = 0; i < order.size(); ++i)
    if (states[i] == State::kLive && order[i]->owner == victim && can_read(i)) return order[i]->shard_id;
  return std::nullopt;
}

bool LeaseObserver::NothingToTake(const std::vector<Lease>& leases, std::string_view me,
                                  const std::set<std::string>& held, SteadyClock::time_point now) const {
  for (const Lease& lease : leases) {
    if (lease.finished) continue;
    switch (StateOf(lease, me, held, now)) {
      case State::kFree:
      case State::kExpired:
      case State::kMineStale:
      case State::kUnknown:
        return false;
      case State::kHeld:
      case State::kLive:
        break;
    }
  }
  return true;
}

}  // namespace eventlake::kinesis
