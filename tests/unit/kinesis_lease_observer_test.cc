// The lease-balancing logic (sources/kinesis/lease_observer) on a fake steady clock: the
// state of a lease as one worker sees it, what Pick() takes, and a simulation of workers
// sharing one lease table (join, leave, death, restart with the same id, finished shards)
// that checks they balance and then stop moving leases.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "sources/kinesis/lease_observer.h"

namespace eventlake::kinesis {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using State = LeaseObserver::State;

constexpr milliseconds kDuration(9000);
const SteadyClock::time_point kT0 = SteadyClock::time_point{} + std::chrono::hours(1);

Lease L(const std::string& shard, const std::string& owner, uint64_t counter, bool finished = false) {
  Lease l;
  l.stream = "orders";
  l.shard_id = shard;
  l.owner = owner;
  l.counter = counter;
  l.finished = finished;
  return l;
}

std::set<std::string> Shards(const std::vector<Lease>& leases) {
  std::set<std::string> out;
  for (const Lease& l : leases)
    if (!l.finished) out.insert(l.shard_id);
  return out;
}

TEST(LeaseObserverTest, StatesOfFreeMineAndOthers) {
  LeaseObserver obs(kDuration);
  const std::vector<Lease> leases = {L("s0", "", 3), L("s1", "me", 4), L("s2", "me", 5), L("s3", "other", 6)};
  obs.Observe(leases, kT0);
  const std::set<std::string> held = {"s1"};
  EXPECT_EQ(obs.StateOf(leases[0], "me", held, kT0), State::kFree);
  EXPECT_EQ(obs.StateOf(leases[1], "me", held, kT0), State::kHeld);
  EXPECT_EQ(obs.StateOf(leases[2], "me", held, kT0), State::kMineStale);
  EXPECT_EQ(obs.StateOf(leases[3], "me", held, kT0), State::kUnknown);
}

TEST(LeaseObserverTest, AnUnchangedLeaseExpiresAfterTheDurationOnOurClock) {
  LeaseObserver obs(kDuration);
  std::vector<Lease> leases = {L("s0", "other", 6)};
  obs.Observe(leases, kT0);
  obs.Observe(leases, kT0 + seconds(5));  // the same pair again: still first seen at kT0
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + milliseconds(8999)), State::kUnknown);
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + kDuration), State::kExpired);
  // Renewed (counter + 1): seen changing, live for a whole duration from when we saw it.
  leases[0].counter = 7;
  obs.Observe(leases, kT0 + seconds(10));
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + seconds(10)), State::kLive);
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + seconds(18) + milliseconds(999)), State::kLive);
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + seconds(19)), State::kExpired);
  // Taken by a third worker: a change too.
  leases[0].owner = "third";
  leases[0].counter = 8;
  obs.Observe(leases, kT0 + seconds(30));
  EXPECT_EQ(obs.StateOf(leases[0], "me", {}, kT0 + seconds(30)), State::kLive);
  // A fresher copy than the last Observe: not judged on old observations.
  Lease fresher = leases[0];
  fresher.counter = 9;
  EXPECT_EQ(obs.StateOf(fresher, "me", {}, kT0 + seconds(60)), State::kUnknown);
}

TEST(LeaseObserverTest, ForgetsLeasesNoLongerListed) {
  LeaseObserver obs(kDuration);
  obs.Observe({L("s0", "other", 1)}, kT0);
  obs.Observe({}, kT0 + seconds(5));
  obs.Observe({L("s0", "other", 1)}, kT0 + seconds(10));
  EXPECT_EQ(obs.StateOf(L("s0", "other", 1), "me", {}, kT0 + seconds(15)), State::kUnknown);
}

TEST(LeaseObserverTest, PickOrderMineStaleThenFreeOrExpiredInShardOrder) {
  LeaseObserver obs(kDuration);
  std::vector<Lease> leases = {L("s0", "", 1), L("s1", "dead", 1), L("s2", "me", 1), L("s3", "", 1),
                               L("s4", "", 1, /*finished=*/true)};
  obs.Observe(leases, kT0);
  std::set<std::string> eligible = Shards(leases);
  EXPECT_EQ(obs.Pick(leases, "me", {}, eligible, kT0), "s2");  // my previous life's: at once
  std::set<std::string> held = {"s2"};
  EXPECT_EQ(obs.Pick(leases, "me", held, eligible, kT0), "s0");
  eligible.erase("s0");  // e.g. a child whose parents are not finished
  EXPECT_EQ(obs.Pick(leases, "me", held, eligible, kT0), "s3");
  eligible.erase("s3");
  EXPECT_EQ(obs.Pick(leases, "me", held, eligible, kT0), std::nullopt);  // s1 is only unknown yet
  EXPECT_EQ(obs.Pick(leases, "me", held, eligible, kT0 + kDuration), "s1");
  // A finished lease is never picked, even when free and listed as eligible.
  EXPECT_EQ(obs.Pick({L("s4", "", 1, true)}, "me", {}, {"s4"}, kT0), std::nullopt);
}

// Observes `leases` at kT0 and, with every counter of another owner + 1, at kT0 + 1s:
// every other owner's lease is seen changing (kLive).
void ObserveLive(LeaseObserver& obs, std::vector<Lease>& leases, std::string_view me) {
  obs.Observe(leases, kT0);
  for (Lease& l : leases)
    if (!l.owner.empty() && l.owner != me) ++l.counter;
  obs.Observe(leases, kT0 + seconds(1));
}

TEST(LeaseObserverTest, StealsFromTheBusiestWorkerUntilTarget) {
  LeaseObserver obs(kDuration);
  std::vector<Lease> leases = {L("s0", "a", 1), L("s1", "a", 1), L("s2", "a", 1), L("s3", "a", 1)};
  ObserveLive(obs, leases, "me");
  const auto now = kT0 + seconds(2);
  const std::set<std::string> all = Shards(leases);
  EXPECT_EQ(obs.Pick(leases, "me", {}, all, now), "s0");  // target 2; a holds 4
  leases[0].owner = "me";
  EXPECT_EQ(obs.Pick(leases, "me", {"s0"}, all, now), "s1");  // a holds 3 > 2
  leases[1].owner = "me";
  EXPECT_EQ(obs.Pick(leases, "me", {"s0", "s1"}, all, now), std::nullopt);  // at target: never steal
  // From a's side after that: 2 of 4 with 2 live workers, nothing to take back.
  EXPECT_EQ(obs.Pick(leases, "a", {"s2", "s3"}, all, now), std::nullopt);
}

TEST(LeaseObserverTest, NoStealFromAWorkerAtTargetNorFromAnUnknownOne) {
  LeaseObserver obs(kDuration);
  // 5 leases, 3 workers (b, c live; me): target 2; b and c hold 2 each: nobody above target.
  std::vector<Lease> leases = {L("s0", "b", 1), L("s1", "b", 1), L("s2", "c", 1), L("s3", "c", 1), L("s4", "me", 1)};
  ObserveLive(obs, leases, "me");
  const std::set<std::string> all = Shards(leases);
  EXPECT_EQ(obs.Pick(leases, "me", {"s4"}, all, kT0 + seconds(2)), std::nullopt);
  // Only unknown owners (never seen changing): no steal, and they do not count as workers.
  LeaseObserver fresh(kDuration);
  std::vector<Lease> unknown = {L("s0", "b", 1), L("s1", "b", 1), L("s2", "b", 1)};
  fresh.Observe(unknown, kT0);
  EXPECT_EQ(fresh.Pick(unknown, "me", {}, Shards(unknown), kT0 + seconds(1)), std::nullopt);
  EXPECT_FALSE(fresh.NothingToTake(unknown, "me", {}, kT0 + seconds(1)));
}

TEST(LeaseObserverTest, TargetCountsOnlyUnfinishedLeasesIMayRead) {
  LeaseObserver obs(kDuration);
  // 6 leases: 2 finished, 1 not readable by me yet: 3 count, 2 workers: target 2.
  std::vector<Lease> leases = {L("s0", "a", 1),      L("s1", "a", 1),       L("s2", "a", 1),
                               L("s3", "", 1, true), L("s4", "a", 1, true), L("s5", "a", 1)};
  ObserveLive(obs, leases, "me");
  std::set<std::string> eligible = {"s0", "s1", "s2"};
  const auto now = kT0 + seconds(2);
  EXPECT_EQ(obs.Pick(leases, "me", {}, eligible, now), "s0");
  leases[0].owner = "me";
  // Holding 1 of target 2; a holds 3 live (s1, s2, s5) > 2: steal one I may read.
  EXPECT_EQ(obs.Pick(leases, "me", {"s0"}, eligible, now), "s1");
  leases[1].owner = "me";
  EXPECT_EQ(obs.Pick(leases, "me", {"s0", "s1"}, eligible, now), std::nullopt);
}

TEST(LeaseObserverTest, NothingToTake) {
  LeaseObserver obs(kDuration);
  std::vector<Lease> leases = {L("s0", "me", 1), L("s1", "b", 1), L("s2", "", 1, true)};
  obs.Observe(leases, kT0);
  EXPECT_FALSE(obs.NothingToTake(leases, "me", {"s0"}, kT0));  // s1 unknown: might be dead
  ++leases[1].counter;
  obs.Observe(leases, kT0 + seconds(1));
  EXPECT_TRUE(obs.NothingToTake(leases, "me", {"s0"}, kT0 + seconds(1)));    // s2 finished: ignored
  EXPECT_FALSE(obs.NothingToTake(leases, "me", {}, kT0 + seconds(1)));       // s0 mine but stale
  EXPECT_FALSE(obs.NothingToTake(leases, "me", {"s0"}, kT0 + seconds(10)));  // s1 expired
  leases.push_back(L("s3", "", 1));
  EXPECT_FALSE(obs.NothingToTake(leases, "me", {"s0"}, kT0 + seconds(1)));  // s3 free
}

// Workers sharing one lease table. Every round the clock moves by lease_duration / 3 and
// each running worker in turn renews what it holds (a conditional write: it drops a
// lease whose owner or counter changed), lists the table, observes and takes at most
// the one lease Pick() names.
class Simulation {
 public:
  explicit Simulation(int shards) {
    for (int i = 0; i < shards; ++i) table_.push_back(L("shard-" + std::to_string(i), "", 0));
  }
  // A new life of worker `id`: fresh memory, nothing held.
  void Start(const std::string& id) {
    workers_.erase(id);
    workers_.emplace(id, Worker{std::make_unique<LeaseObserver>(kDuration), {}, {}});
  }
  void Kill(const std::string& id) { workers_.erase(id); }
  void Leave(const std::string& id) {
    for (Lease& l : table_) {
      if (l.owner == id) {
        l.owner.clear();
        ++l.counter;
      }
    }
    workers_.erase(id);
  }
  void Finish(int shard) {
    table_[shard].finished = true;
    table_[shard].owner.clear();
  }
  void Round() {
    now_ += kDuration / 3;
    for (auto& [id, w] : workers_) {
      for (auto it = w.held.begin(); it != w.held.end();) {
        Lease& l = Find(it->first);
        if (l.owner == id && l.counter == it->second && !l.finished) {
          it->second = ++l.counter;
          ++it;
        } else {
          it = w.held.erase(it);
        }
      }
      w.listed = table_;
      w.observer->Observe(w.listed, now_);
      std::set<std::string> held;
      for (const auto& [shard, counter] : w.held) held.insert(shard);
      const std::optional<std::string> pick = w.observer->Pick(table_, id, held, Shards(table_), now_);
      if (!pick) continue;
      Lease& l = Find(*pick);
      if (l.owner != id) ++steals_or_takes_[id];
      l.owner = id;
      w.held[*pick] = ++l.counter;
      ++moves_;
    }
  }
  void Rounds(int n) {
    for (int i = 0; i < n; ++i) Round();
  }
  std::map<std::string, int> Holdings() const {
    std::map<std::string, int> out;
    for (const auto& [id, w] : workers_) out[id] = static_cast<int>(w.held.size());
    return out;
  }
  int moves() const { return moves_; }
  int takes_by(const std::string& id) { return steals_or_takes_[id]; }
  bool NothingToTake(const std::string& id) const {
    const Worker& w = workers_.at(id);
    std::set<std::string> held;
    for (const auto& [shard, counter] : w.held) held.insert(shard);
    return w.observer->NothingToTake(w.listed, id, held, now_);  // on what it listed last
  }
  const std::vector<Lease>& table() const { return table_; }

 private:
  struct Worker {
    std::unique_ptr<LeaseObserver> observer;
    std::map<std::string, uint64_t> held;  // shard -> counter as last written
    std::vector<Lease> listed;             // the table as it listed it last
  };
  Lease& Find(const std::string& shard) {
    for (Lease& l : table_)
      if (l.shard_id == shard) return l;
    throw std::logic_error("no shard " + shard);
  }

  std::vector<Lease> table_;
  std::map<std::string, Worker> workers_;
  SteadyClock::time_point now_ = kT0;
  int moves_ = 0;
  std::map<std::string, int> steals_or_takes_;
};

TEST(LeaseSimulationTest, JoinBalancesWithoutPingPong) {
  Simulation sim(4);
  sim.Start("a");
  sim.Rounds(4);  // one lease per round
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 4}}));
  EXPECT_FALSE(sim.NothingToTake("a"));  // its last listing still showed shard-3 free
  sim.Round();
  EXPECT_TRUE(sim.NothingToTake("a"));
  sim.Start("b");
  sim.Round();  // b has not seen a's leases change yet: unknown, no steal
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 4}, {"b", 0}}));
  sim.Rounds(4);
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  const int moves = sim.moves();
  sim.Rounds(60);  // 20 lease durations: nothing moves any more
  EXPECT_EQ(sim.moves(), moves);
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  EXPECT_TRUE(sim.NothingToTake("a"));
  EXPECT_TRUE(sim.NothingToTake("b"));
}

TEST(LeaseSimulationTest, UnevenSharesSettle) {
  Simulation five(5);
  five.Start("a");
  five.Rounds(5);
  five.Start("b");
  five.Rounds(10);
  EXPECT_EQ(five.Holdings(), (std::map<std::string, int>{{"a", 3}, {"b", 2}}));
  int moves = five.moves();
  five.Rounds(60);
  EXPECT_EQ(five.moves(), moves);

  Simulation four(4);
  four.Start("a");
  four.Rounds(4);
  four.Start("b");
  four.Start("c");
  four.Rounds(10);
  const std::map<std::string, int> h = four.Holdings();
  EXPECT_EQ(h.at("a") + h.at("b") + h.at("c"), 4);
  for (const auto& [id, n] : h) {
    EXPECT_GE(n, 1) << id;
    EXPECT_LE(n, 2) << id;
  }
  moves = four.moves();
  four.Rounds(60);
  EXPECT_EQ(four.moves(), moves);
}

TEST(LeaseSimulationTest, ReleasedLeasesAreTakenAtOnce) {
  Simulation sim(4);
  sim.Start("a");
  sim.Start("b");
  sim.Rounds(10);
  ASSERT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  sim.Leave("b");
  sim.Round();
  sim.Round();
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 4}}));
}

TEST(LeaseSimulationTest, ADeadWorkersLeasesExpireThenAreTaken) {
  Simulation sim(4);
  sim.Start("a");
  sim.Start("b");
  sim.Rounds(10);
  ASSERT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  sim.Kill("b");
  sim.Rounds(2);  // 2/3 of the lease duration: b's leases are unchanged but not yet expired
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}}));
  sim.Rounds(3);
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 4}}));
}

TEST(LeaseSimulationTest, ARestartedWorkerTakesItsLeasesBackAtOnce) {
  Simulation sim(4);
  sim.Start("a");
  sim.Start("b");
  sim.Rounds(10);
  ASSERT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  const int a_takes = sim.takes_by("a");
  sim.Start("b");  // crashed and restarted with the same worker id
  sim.Rounds(2);
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  EXPECT_EQ(sim.takes_by("a"), a_takes);
}

TEST(LeaseSimulationTest, FinishedLeasesAreIgnored) {
  Simulation sim(6);
  sim.Finish(0);
  sim.Finish(3);
  sim.Start("a");
  sim.Start("b");
  sim.Rounds(12);
  EXPECT_EQ(sim.Holdings(), (std::map<std::string, int>{{"a", 2}, {"b", 2}}));
  for (int i : {0, 3}) EXPECT_EQ(sim.table()[i].owner, "") << i;
  // A held shard finishes: its holder drops it, and the 3 left stay put (2 + 1).
  sim.Finish(1);
  const int moves = sim.moves();
  sim.Rounds(30);
  EXPECT_EQ(sim.moves(), moves);
  const std::map<std::string, int> h = sim.Holdings();
  EXPECT_EQ(h.at("a") + h.at("b"), 3);
  EXPECT_TRUE(sim.NothingToTake("a"));
}

}  // namespace
}  // namespace eventlake::kinesis
