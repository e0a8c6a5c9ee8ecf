#include "sources/kinesis/shard_graph.h"

#include <algorithm>

namespace eventlake::kinesis {

ShardGraph::ShardGraph(std::vector<ShardInfo> shards) : shards_(std::move(shards)) {
  std::sort(shards_.begin(), shards_.end(),
            [](const ShardInfo& a, const ShardInfo& b) { return a.shard_id < b.shard_id; });
}

const ShardInfo* ShardGraph::Find(const std::string& shard_id) const {
  auto it = std::lower_bound(shards_.begin(), shards_.end(), shard_id,
                             [](const ShardInfo& s, const std::string& id) { return s.shard_id < id; });
  return it != shards_.end() && it->shard_id == shard_id ? &*it : nullptr;
}

std::vector<std::string> ShardGraph::KnownParents(const std::string& shard_id) const {
  std::vector<std::string> out;
  const ShardInfo* s = Find(shard_id);
  if (s == nullptr) return out;
  for (const std::string* p : {&s->parent_shard_id, &s->adjacent_parent_shard_id}) {
    if (!p->empty() && Find(*p) != nullptr) out.push_back(*p);
  }
  return out;
}

std::vector<std::string> ShardGraph::Children(const std::string& shard_id) const {
  std::vector<std::string> out;
  for (const ShardInfo& s : shards_) {
    if (s.parent_shard_id == shard_id || s.adjacent_parent_shard_id == shard_id) out.push_back(s.shard_id);
  }
  return out;
}

std::vector<std::string> ShardGraph::Readable(const std::set<std::string>& finished) const {
  std::vector<std::string> out;
  for (const ShardInfo& s : shards_) {
    if (finished.count(s.shard_id) != 0) continue;
    bool parents_done = true;
    for (const std::string& p : KnownParents(s.shard_id)) parents_done = parents_done && finished.count(p) != 0;
    if (parents_done) out.push_back(s.shard_id);
  }
  return out;
}

std::vector<std::string> ShardGraph::ClosedShards() const {
  std::vector<std::string> out;
  for (const ShardInfo& s : shards_) {
    if (s.closed()) out.push_back(s.shard_id);
  }
  return out;
}

}  // namespace eventlake::kinesis
